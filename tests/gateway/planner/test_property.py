"""Property: over every fixture supergraph (the differential suite's and each group's), any
valid operation is planned, every subgraph operation of its plan validates in that subgraph,
and our gateway answers it without an internal error.

Operations are generated from the API schema by hypothesis: random subsets of fields down to
depth 3, aliases drawn from a small pool of names that are also field names (so they collide
with key and required fields), inline fragments on possible types, and @skip/@include with
literals and variables. Invalid draws (alias conflicts) are discarded by validation.
Bounded: a fixed number of examples per supergraph, derandomized, no example database.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLSchema,
    get_named_type,
    is_abstract_type,
    is_leaf_type,
    is_non_null_type,
    is_object_type,
    parse,
    validate,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway.operation import OperationCache, RequestError
from gateway.supergraph import Supergraph
from gw_catalog import SUBGRAPHS
from gw_differential import Case, post
from gw_federation import build_subgraph
from groups import GROUPS
from tests.gateway.conftest import LOOSE_LIMITS, gateway_env, start_gateway, stop
from tests.gateway.planner.conftest import PLANNING_LIMITS, compose_group

# Fields that stall on purpose (slowInfo: the timeout tests') or answer an @inaccessible
# enum value on purpose (level, levels: group 6 checks their error).
SKIPPED_FIELDS = {"slowInfo", "level", "levels"}
ALIASES = ("id", "name", "upc", "sku", "code", "price", "weight", "a")
EXAMPLES = 25
INTERNAL = {"INTERNAL_SERVER_ERROR", "QUERY_PLANNING_FAILED"}


def _literal(gql_type: Any) -> str | None:
    """A literal for a required argument, or None when none is easy to write."""
    named = get_named_type(gql_type)
    if isinstance(named, GraphQLEnumType):
        return next(iter(named.values))
    if isinstance(named, GraphQLInputObjectType):
        parts = []
        for name, field in named.fields.items():
            if is_non_null_type(field.type):
                value = _literal(field.type)
                if value is None:
                    return None
                parts.append(f"{name}: {value}")
        return "{" + ", ".join(parts) + "}"
    value = {"String": '"1"', "ID": '"1"', "Int": "1", "Float": "1.5", "Boolean": "true"}.get(named.name)
    if value is not None and str(gql_type).startswith("["):
        return f"[{value}]"
    return value


@st.composite
def _selection(draw: st.DrawFn, schema: GraphQLSchema, type_name: str, depth: int) -> str:
    gql_type = schema.get_type(type_name)
    parts = []
    if is_abstract_type(gql_type):
        parts.append("__typename")
        for obj in schema.get_possible_types(gql_type):  # type: ignore[arg-type]
            if draw(st.booleans()):
                cond = draw(st.sampled_from(["", " @include(if: $yes)", " @skip(if: $no)", " @include(if: false)"]))
                parts.append(f"... on {obj.name}{cond} {draw(_selection(schema, obj.name, depth))}")
        return "{ " + " ".join(parts) + " }"
    assert is_object_type(gql_type)
    names = [n for n in gql_type.fields if n not in SKIPPED_FIELDS]  # type: ignore[union-attr]
    chosen = draw(st.lists(st.sampled_from(names), min_size=1, max_size=min(5, len(names)), unique=True))
    for name in chosen:
        field = gql_type.fields[name]  # type: ignore[union-attr]
        args = []
        for arg_name, arg in field.args.items():
            if is_non_null_type(arg.type):
                value = _literal(arg.type)
                if value is None:
                    break
                args.append(f"{arg_name}: {value}")
        else:
            child = get_named_type(field.type)
            if not is_leaf_type(child) and depth >= 3:
                continue
            text = name + (f"({', '.join(args)})" if args else "")
            if draw(st.integers(0, 3)) == 0:
                text = f"{draw(st.sampled_from(ALIASES))}: {text}"
            if draw(st.integers(0, 5)) == 0:
                text += draw(st.sampled_from([" @include(if: $yes)", " @skip(if: $no)", " @skip(if: true)"]))
            if not is_leaf_type(child):
                text += " " + draw(_selection(schema, child.name, depth + 1))
            parts.append(text)
    if draw(st.integers(0, 4)) == 0:
        parts.append(f"... on {type_name} {{ __typename }}")
    return "{ " + " ".join(parts or ["__typename"]) + " }"


@st.composite
def operations(draw: st.DrawFn, schema: GraphQLSchema) -> str:
    body = draw(_selection(schema, "Query", 1))
    defs = [d for d, v in (("$yes: Boolean = true", "$yes"), ("$no: Boolean = false", "$no")) if v in body]
    return "query" + (f"({', '.join(defs)})" if defs else "") + " " + body


def _check(supergraph: Supergraph, subgraph_sdls: dict[str, str], url: str, http: httpx.Client) -> None:
    cache = OperationCache(supergraph, limits=PLANNING_LIMITS)
    schemas = {enum: build_subgraph(subgraph_sdls[g.name], {}, {}) for enum, g in supergraph.graphs.items()}
    checked: list[str] = []

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(operations(supergraph.api_schema))
    def property_holds(query: str) -> None:
        if validate(supergraph.api_schema, parse(query)):
            return  # an alias drawn onto two different fields: not a valid operation
        try:
            plan = cache.get(query, None).plan
        except RequestError as error:  # the gateway's own limits (none should apply here)
            raise AssertionError(f"refused: {error.errors}\n{query}") from None
        for fetch in plan.fetches:
            errors = validate(schemas[fetch.graph], parse(fetch.operation))
            assert not errors, f"{query}\n{fetch.graph}: {fetch.operation}\n{[e.message for e in errors]}"
        status, body = post(http, url, Case(query))
        codes = {(e.get("extensions") or {}).get("code") for e in body.get("errors") or ()}
        assert status == 200 and "data" in body and not codes & INTERNAL, f"{query}\n{status} {body}"
        checked.append(query)

    property_holds()
    assert len(checked) >= EXAMPLES // 3  # most draws are valid operations


def test_differential_supergraph(supergraph_file: Path, our_gateway: str, http: httpx.Client) -> None:
    _check(Supergraph.parse(supergraph_file.read_text()), {n: spec[0] for n, spec in SUBGRAPHS.items()},
           our_gateway, http)


@pytest.mark.parametrize("group", sorted(GROUPS))
def test_group_supergraph(group: str, subgraphs_url: str, tokens: Any, trusted_key_file: Path, http: httpx.Client,
                          node_modules: Path, tmp_path: Path) -> None:
    sdl = compose_group(group, subgraphs_url)
    path = tmp_path / "supergraph.graphql"
    path.write_text(sdl)
    proc, url = start_gateway(path, gateway_env(tokens, trusted_key_file, **LOOSE_LIMITS), tmp_path)
    try:
        _check(Supergraph.parse(sdl), {n: spec[0] for n, spec in GROUPS[group].items()}, url, http)
    finally:
        stop(proc)
