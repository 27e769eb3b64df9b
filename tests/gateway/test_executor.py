"""The executor alone: a plan run against a fake subgraph client (no HTTP)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from gateway.executor import Executor
from gateway.operation import OperationCache
from gateway.subgraph_client import SubgraphError
from gateway.supergraph import Supergraph


class FakeClient:
    """Answers by subgraph name from a table; records every call."""

    def __init__(self, answers: dict[str, Any]) -> None:
        self.answers = answers
        self.calls: list[tuple[str, str, dict[str, Any] | None]] = []

    async def request(self, url: str, query: str, variables: dict[str, Any] | None, headers: bytes = b"",
                      subgraph: str = "") -> Any:
        name = url.rstrip("/").split("/")[-2]
        self.calls.append((name, query, variables))
        answer = self.answers[name]
        if isinstance(answer, Exception):
            raise answer
        return answer(variables) if callable(answer) else answer


@pytest.fixture(scope="module")
def sg(supergraph_file: Path) -> Supergraph:
    return Supergraph.parse(supergraph_file.read_text())


async def test_entities_are_merged_back_and_errors_repathed(sg: Supergraph) -> None:
    prepared = OperationCache(sg).get("{ topProducts { name stockNote } }", None)
    client = FakeClient({
        "products": {"data": {"topProducts": [
            {"name": "A", "__typename": "Product", "upc": "1"},
            {"name": "B", "__typename": "Product", "upc": "2"},
            {"name": "A2", "__typename": "Product", "upc": "1"}]}},
        "inventory": lambda v: {"data": {"_entities": [{"stockNote": "n1"}, None]},
                                "errors": [{"message": "gone", "path": ["_entities", 1, "stockNote"]}]},
    })
    result = await Executor(sg, client).execute(prepared, {})  # type: ignore[arg-type]
    # Duplicates are sent once: two representations for three products.
    assert client.calls[1][2] == {"representations": [{"__typename": "Product", "upc": "1"},
                                                      {"__typename": "Product", "upc": "2"}]}
    assert result["data"] == {"topProducts": [
        {"name": "A", "stockNote": "n1"}, {"name": "B", "stockNote": None}, {"name": "A2", "stockNote": "n1"}]}
    # The subgraph's error, at the client's path.
    assert result["errors"] == [{"message": "gone", "path": ["topProducts", 1, "stockNote"],
                                 "extensions": {"code": "DOWNSTREAM_SERVICE_ERROR", "serviceName": "inventory"}}]


async def test_failed_fetch_gives_partial_data_and_one_error_per_entity(sg: Supergraph) -> None:
    prepared = OperationCache(sg).get("{ topProducts { name stockNote } }", None)
    client = FakeClient({
        "products": {"data": {"topProducts": [{"name": "A", "__typename": "Product", "upc": "1"},
                                              {"name": "B", "__typename": "Product", "upc": "2"}]}},
        "inventory": SubgraphError("timeout", timeout=True),
    })
    result = await Executor(sg, client).execute(prepared, {})  # type: ignore[arg-type]
    assert result["data"] == {"topProducts": [{"name": "A", "stockNote": None}, {"name": "B", "stockNote": None}]}
    assert [(e["path"], e["extensions"]["code"]) for e in result["errors"]] == [
        (["topProducts", 0, "stockNote"], "GATEWAY_TIMEOUT"), (["topProducts", 1, "stockNote"], "GATEWAY_TIMEOUT")]


async def test_no_entity_call_without_objects(sg: Supergraph) -> None:
    prepared = OperationCache(sg).get('{ product(upc: "x") { inStock } }', None)
    client = FakeClient({"products": {"data": {"product": None}}, "inventory": AssertionError("not called")})
    result = await Executor(sg, client).execute(prepared, {})  # type: ignore[arg-type]
    assert result == {"data": {"product": None}}
    assert [c[0] for c in client.calls] == ["products"]


async def test_null_in_non_null_position_propagates_with_one_error(sg: Supergraph) -> None:
    prepared = OperationCache(sg).get("{ topProducts { name inStock } me { name } }", None)
    client = FakeClient({
        "products": {"data": {"topProducts": [{"name": "A", "__typename": "Product", "upc": "1"}]}},
        "inventory": {"data": {"_entities": [{"inStock": None}]}},
        "accounts": {"data": {"me": {"name": "Ada"}}},
    })
    result = await Executor(sg, client).execute(prepared, {})  # type: ignore[arg-type]
    # inStock: Boolean! in [Product!]! on a non-null root field: the whole data is null.
    assert result == {"errors": [{"message": "Cannot return null for non-nullable field Product.inStock.",
                                  "path": ["topProducts", 0, "inStock"],
                                  "extensions": {"code": "INTERNAL_SERVER_ERROR"}}], "data": None}


async def test_a_subgraph_null_explained_by_its_error_below_gets_no_uncoded_second_error(sg: Supergraph) -> None:
    # The subgraph refused a nested field and its null propagated to the root: the client gets that
    # error alone, not also a "Cannot return null" (found by tests/gateway/test_fuzz.py).
    prepared = OperationCache(sg).get("{ topProducts { name } }", None)
    refusal = {"message": "first: must be between 0 and 2000", "path": ["topProducts", 0, "name"],
               "extensions": {"code": "BAD_USER_INPUT", "field": "first"}}
    client = FakeClient({"products": {"data": None, "errors": [refusal]}})
    result = await Executor(sg, client).execute(prepared, {})  # type: ignore[arg-type]
    assert result["data"] is None
    assert [e["extensions"]["code"] for e in result["errors"]] == ["BAD_USER_INPUT"]
