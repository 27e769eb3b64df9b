"""Composition: schema/supergraph.graphql must be what the subgraph SDLs compose to."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.compose import compose_supergraph
from gateway.supergraph import Supergraph

SCHEMA_DIR = Path(__file__).resolve().parent.parent.parent / "schema"


def test_supergraph_file_matches_a_fresh_composition(node_modules: Path) -> None:
    if not (SCHEMA_DIR / "registry.graphql").exists():
        pytest.skip("schema/registry.graphql does not exist yet: nothing to compose")
    fresh = compose_supergraph(SCHEMA_DIR)
    target = SCHEMA_DIR / "supergraph.graphql"
    assert target.exists(), "schema/supergraph.graphql is missing: run `siir compose`"
    assert target.read_text() == fresh, "schema/supergraph.graphql is stale: run `siir compose`"
    # And the gateway can serve it.
    supergraph = Supergraph.parse(fresh)
    assert supergraph.api_schema.query_type is not None
