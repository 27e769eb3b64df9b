"""Group 11: field types narrower in one subgraph (fixture: subgraphs/groups/g11_narrower_types.py).
``shelf`` declares ``Shelf.top`` a Book where the supergraph says Media: it is never sent a
fragment on Film (which it would refuse), and the fields the client asks of every Media or of
Books are asked of its Book directly."""

from __future__ import annotations

import pytest

from gw_differential import Case

GROUP = "g11_narrower_types"

CASES = [
    Case("{ shelf { top { id ... on Film { title year } ... on Book { title } } } }"),
    Case("{ shelf { top { __typename title } } }"),
    Case("{ shelf { pick top { ... on Film { year } } } }"),
    Case("{ shelf { top { ... on Media { id } } } }"),
    Case("{ shelves { id pick top { __typename ... on Film { year } ... on Book { title } } } }"),
]


@pytest.mark.parametrize("case", CASES, ids=[f"case{i}" for i in range(len(CASES))])
def test_same_answer_as_hive_gateway(world, case: Case) -> None:  # type: ignore[no-untyped-def]
    world.plan(case.query)
    body = world.assert_same_as_hive(case)
    assert "errors" not in body


def test_no_fragment_that_cannot_match_in_the_narrower_subgraph(world) -> None:  # type: ignore[no-untyped-def]
    (shelf,) = world.plan("{ shelf { top { id ... on Film { title year } ... on Book { title } } } }").fetches
    # Before: `top { __typename }` only: Book had no possible-type branch there and its
    # fields were silently dropped.
    assert shelf.operation == "query { shelf { top { __typename id title } } }"
    assert world.ours_answer(CASES[0])[1] == {"data": {"shelf": {"top": {"id": "b1", "title": "Dune"}}}}
