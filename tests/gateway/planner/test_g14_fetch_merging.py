"""Group 14: fetch merging. Entity fetches to one subgraph in one step are one request (an
aliased ``_entities`` per path); independent steps run in parallel
(fixture: subgraphs/groups/g14_fetch_merging.py)."""

from __future__ import annotations

from typing import Any

import pytest

from gw_differential import Case

GROUP = "g14_fetch_merging"
QUERY = "{ shelf { books { title rating stock } featured { rating stock } films { rating } } }"

CASES = [
    Case(QUERY),
    Case("{ shelf { featured { rating } films { title rating } } }"),
    Case("{ a: shelf { books { rating } } b: shelf { books { r: rating } featured { stock } } }"),
]


@pytest.mark.parametrize("case", CASES, ids=[f"case{i}" for i in range(len(CASES))])
def test_same_answer_as_hive_gateway(world, case: Case) -> None:  # type: ignore[no-untyped-def]
    world.plan(case.query)
    body = world.assert_same_as_hive(case)
    assert "errors" not in body


def test_one_request_per_subgraph_per_step(world) -> None:  # type: ignore[no-untyped-def]
    plan = world.plan(QUERY)
    assert [sorted(f.graph for f in stage) for stage in plan.stages] == [["CATALOG"], ["REVIEWS", "STOCK"]]
    reviews = next(f for f in plan.stages[1] if f.graph == "REVIEWS")
    assert [p.path for p in reviews.parts] == [("shelf", "books", "@"), ("shelf", "featured"), ("shelf", "films", "@")]
    assert reviews.operation.startswith("query($r0: [_Any!]!, $r1: [_Any!]!, $r2: [_Any!]!) { _e0: _entities(")


def test_the_subgraphs_receive_one_call_each(world, subgraph_log: Any) -> None:  # type: ignore[no-untyped-def]
    status, body = world.ours_answer(Case(QUERY))
    assert status == 200 and body["data"]["shelf"]["featured"] == {"rating": 5, "stock": 0}
    calls = [r["subgraph"] for r in subgraph_log.requests()]
    assert sorted(calls) == [f"{GROUP}__catalog", f"{GROUP}__reviews", f"{GROUP}__stock"]
