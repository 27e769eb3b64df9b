"""The compiled shaper must answer exactly as graphql-core's execution over the same data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from graphql import execute

from gateway.executor import _resolve_field, _resolve_type
from gateway.limits import Limits
from gateway.operation import OperationCache
from gateway.supergraph import Supergraph

P1 = {"__typename": "Product", "upc": "1", "name": "T", "inStock": True, "price": 3,
      "warehouse": {"code": "W", "city": None}}
CASES: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    ("{ topProducts { upc name inStock } }", {"topProducts": [P1, {**P1, "upc": "2", "name": None}]}, {}),
    # null in a non-null field propagates to the nullable parent / list item / root
    ("{ product(upc: \"1\") { upc inStock } }", {"product": {**P1, "inStock": None}}, {}),
    ("{ topProducts { upc inStock } }", {"topProducts": [P1, {**P1, "inStock": None}]}, {}),
    ("{ topProducts { warehouse { code city } } }", {"topProducts": [{**P1, "warehouse": {"code": None}}]}, {}),
    ("{ topProducts { upc } me { name } }", {"topProducts": None, "me": {"name": "x"}}, {}),
    ("{ me { name } }", {}, {}),
    # aliases, __typename, repeated keys, fragments
    ("fragment F on Product { n: name } { a: topProducts { ...F t: __typename ... on Product { n: name upc } } }",
     {"a": [P1]}, {}),
    # abstract types resolved by __typename
    ("{ media { __typename title ... on Book { pages } ... on Movie { minutes } } }",
     {"media": [{"__typename": "Book", "title": "D", "pages": 1}, {"__typename": "Movie", "title": None, "minutes": 2}]}, {}),
    ("{ searchMedia(term: \"x\") { ... on Book { title } } }",
     {"searchMedia": [{"__typename": "Movie"}, {"__typename": "Book", "title": "E"}]}, {}),
    # field-level @skip/@include with literals and variables (with a default)
    ("query($s: Boolean = true, $i: Boolean!) { topProducts { upc @skip(if: $s) name @include(if: $i) "
     "price @include(if: false) inStock @skip(if: false) } }", {"topProducts": [P1]}, {"i": True}),
    ("query($i: Boolean!) { topProducts { upc @include(if: $i) upc } }", {"topProducts": [P1]}, {"i": False}),
]

# Planning and shaping are tested here, not abuse limits: introspection on, deep queries allowed.
PLANNING_LIMITS = Limits(max_depth=50, max_aliases=500, max_tokens=50_000, max_cost=10**9, introspection=True)


@pytest.fixture(scope="module")
def operations(supergraph_file: Path) -> OperationCache:
    return OperationCache(Supergraph.parse(supergraph_file.read_text()), limits=PLANNING_LIMITS)


@pytest.mark.parametrize("query,data,variables", CASES)
def test_shaper_matches_graphql_core(operations: OperationCache, query: str, data: dict, variables: dict) -> None:
    prepared = operations.get(query, None)
    assert prepared.shaper is not None
    result = execute(operations.supergraph.api_schema, prepared.document, root_value=data,
                     variable_values=variables, field_resolver=_resolve_field, type_resolver=_resolve_type)
    expected_errors = [{"message": e.message, "path": e.path} for e in result.errors or ()]
    from graphql.execution.values import get_variable_values
    coerced = get_variable_values(operations.supergraph.api_schema, prepared.operation.variable_definitions or (), variables)
    shaped, errors = prepared.shaper.shape(data, getattr(coerced, "coerced", coerced))
    assert shaped == result.data
    assert list(shaped or {}) == list(result.data or {})  # field order too
    assert errors == expected_errors


def test_introspection_and_conditional_fragments_fall_back_to_graphql_core(operations: OperationCache) -> None:
    assert operations.get("{ __schema { queryType { name } } }", None).shaper is None
    assert operations.get("query($i: Boolean!) { me { ... @include(if: $i) { name } } }", None).shaper is None
