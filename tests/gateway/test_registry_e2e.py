"""End-to-end: the project's own supergraph served by our gateway in front of the real
registry subgraph (tests/conftest.py's registry_server): answers equal the direct ones."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from gateway.app import build_app
from gateway.limits import Limits

SUPERGRAPH = Path(__file__).resolve().parents[2] / "schema" / "supergraph.graphql"

QUERIES: list[tuple[str, dict[str, Any]]] = [
    ("{ regions(level: PROVINCE) { nodes { __typename code name level kind parent { code } } } }", {}),
    ("query($c: String!) { region(code: $c) { code name children { nodes { code name level parent { name } } } } }",
     {"c": "33"}),
    ("query($c: String!) { r: region(code: $c) { ... on Region { code } n: name } missing: region(code: \"99.99\") { code } }",
     {"c": "33.74"}),
    ("{ homeIndustries(first: 2) { __typename pageInfo { hasNextPage } } }", {}),
]


@pytest.fixture(scope="module")
def registry_url(registry_server: Any) -> str:
    if not SUPERGRAPH.exists():
        pytest.skip("schema/supergraph.graphql is not composed yet")
    return registry_server.url + "/graphql"


@pytest.mark.parametrize("query,variables", QUERIES)
async def test_gateway_answers_as_the_registry_does(registry_url: str, query: str, variables: dict[str, Any],
                                                    tokens: Any) -> None:
    # The gateway verifies the caller's token and forwards it; the registry verifies it again.
    app = build_app(SUPERGRAPH.read_text(), subgraph_urls={"registry": registry_url}, verifier=tokens.verifier,
                    limits=Limits())
    body = {"query": query, "variables": variables}
    caller = tokens.headers("MINISTRY")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway",
                                 headers=caller) as gateway, \
            httpx.AsyncClient(timeout=30, headers=caller) as direct:
        ours = (await gateway.post("/graphql", json=body)).json()
        theirs = (await direct.post(registry_url, json=body)).json()
    await app.state.gateway.client.aclose()
    assert "errors" not in theirs, theirs
    assert ours == theirs
