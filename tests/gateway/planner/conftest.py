"""A world per feature group: its fixture subgraphs (subgraphs/groups/<group>.py) composed,
served by our gateway and by Hive Gateway, plus the planner on the same supergraph.

Every plan a group test makes is also checked against the subgraphs' own schemas: each
subgraph operation must validate there (no empty selection, no fragment on a type the
subgraph lacks, no response-name conflict).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import httpx
import pytest
from graphql import GraphQLSchema, parse, validate

from gateway.compose import compose_services
from gateway.limits import Limits
from gateway.operation import OperationCache
from gateway.plan import QueryPlan
from gateway.supergraph import Supergraph
from gw_differential import Case, assert_same, post
from gw_federation import build_subgraph
from groups import GROUPS
from tests.gateway.conftest import (
    LOOSE_LIMITS,
    gateway_env,
    start_gateway,
    start_hive,
    stop,
)

PLANNING_LIMITS = Limits(max_depth=50, max_aliases=500, max_tokens=50_000, max_cost=10**9, introspection=True)


@dataclass
class GroupWorld:
    """One group's supergraph, planner and both gateways."""

    group: str
    supergraph: Supergraph
    operations: OperationCache
    subgraph_schemas: dict[str, GraphQLSchema]  # by join__Graph enum value
    ours: str
    hive: str
    http: httpx.Client

    def plan(self, query: str) -> QueryPlan:
        """The plan of ``query``, after checking every subgraph operation validates there."""
        plan = self.operations.get(query, None).plan
        self.assert_valid(plan)
        return plan

    def assert_valid(self, plan: QueryPlan) -> None:
        for fetch in plan.fetches:
            errors = validate(self.subgraph_schemas[fetch.graph], parse(fetch.operation))
            assert not errors, f"{fetch.graph} cannot validate {fetch.operation}: {[e.message for e in errors]}"

    def ours_answer(self, case: Case) -> tuple[int, dict[str, Any]]:
        return post(self.http, self.ours, case)

    def hive_answer(self, case: Case) -> tuple[int, dict[str, Any]]:
        return post(self.http, self.hive, case)

    def assert_same_as_hive(self, case: Case) -> dict[str, Any]:
        """Our answer equals Hive Gateway's (data, error paths); returns ours."""
        ours = self.ours_answer(case)
        assert_same(ours, self.hive_answer(case), case)
        return ours[1]


def compose_group(group: str, subgraphs_url: str) -> str:
    return compose_services([{"name": name, "url": f"{subgraphs_url}/{group}__{name}/graphql", "sdl": spec[0]}
                             for name, spec in GROUPS[group].items()])


@pytest.fixture(scope="module")
def world(request: pytest.FixtureRequest, node_modules: Path, subgraphs_url: str, tokens: Any,
          trusted_key_file: Path, http: httpx.Client, tmp_path_factory: pytest.TempPathFactory) -> Iterator[GroupWorld]:
    group: str = request.module.GROUP
    tmp = tmp_path_factory.mktemp(group)
    sdl = compose_group(group, subgraphs_url)
    edit = getattr(request.module, "SUPERGRAPH_EDIT", None)
    if edit is not None:
        assert edit[0] in sdl, edit
        sdl = sdl.replace(*edit)
    path = tmp / "supergraph.graphql"
    path.write_text(sdl)
    supergraph = Supergraph.parse(sdl)
    by_name = {name: build_subgraph(spec[0], {}, {}) for name, spec in GROUPS[group].items()}
    schemas = {enum: by_name[g.name] for enum, g in supergraph.graphs.items()}
    ours_proc, ours = start_gateway(path, gateway_env(tokens, trusted_key_file, **LOOSE_LIMITS), tmp)
    try:
        hive_proc, hive = start_hive(path, node_modules, tmp)
    except Exception:
        stop(ours_proc)
        raise
    yield GroupWorld(group, supergraph, OperationCache(supergraph, limits=PLANNING_LIMITS), schemas, ours, hive, http)
    stop(hive_proc)
    stop(ours_proc)
