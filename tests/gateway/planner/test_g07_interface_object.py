"""Group 7: @interfaceObject (fixture: subgraphs/groups/g07_interface_object.py). The fields an
@interfaceObject field @requires go into the representation sent to it; the concrete type is
looked up only when the selection needs it; the @interfaceObject subgraph is never sent a
fragment on a type it does not know (every planned operation is validated in its subgraph).

Hive Gateway is wrong where ``label`` is asked: it never sends the required ``name`` to
``billing`` (which then labels "None (GOLD)") or answers ``label`` null for objects reached
from ``accounts``. The expected answers are written down: the name owned by ``accounts``,
sent in the representation as the @requires says."""

from __future__ import annotations

import pytest

from gw_differential import Case

GROUP = "g07_interface_object"

CASES = [
    Case("{ accounts { ... on Org { members plan } } }"),
    Case("{ accounts { __typename name plan } }"),
    Case("{ overdue { id plan } }"),
    Case("{ overdue { __typename id } }"),
    Case("{ overdue { plan ... on User { email } ... on Org { members } } }"),
    Case("{ overdue { ... on Account { p: plan } } }"),
    Case("query($u: Boolean!) { overdue { id ... on User @include(if: $u) { email } } }", {"u": False}),
    Case("query($u: Boolean!) { overdue { id ... on User @include(if: $u) { email } } }", {"u": True}),
]


@pytest.mark.parametrize("case", CASES, ids=[f"case{i}" for i in range(len(CASES))])
def test_same_answer_as_hive_gateway(world, case: Case) -> None:  # type: ignore[no-untyped-def]
    world.plan(case.query)
    body = world.assert_same_as_hive(case)
    assert "errors" not in body


HIVE_WRONG = [
    ("{ accounts { id label } }",
     {"data": {"accounts": [{"id": "u1", "label": "Sari (FREE)"}, {"id": "o1", "label": "Koperasi Maju (GOLD)"},
                            {"id": "u2", "label": "Budi (FREE)"}]}}),
    ("{ accounts { ... on User { email label } ... on Org { members plan } } }",
     {"data": {"accounts": [{"email": "sari@example.id", "label": "Sari (FREE)"}, {"members": 12, "plan": "GOLD"},
                            {"email": None, "label": "Budi (FREE)"}]}}),
    ("{ overdue { label } }",
     {"data": {"overdue": [{"label": "Koperasi Maju (GOLD)"}, {"label": "Budi (FREE)"}]}}),
    ("{ overdue { id ... on Org { label } } }",
     {"data": {"overdue": [{"id": "o1", "label": "Koperasi Maju (GOLD)"}, {"id": "u2"}]}}),
]


@pytest.mark.parametrize("query, expected", HIVE_WRONG, ids=[f"hive-wrong{i}" for i in range(len(HIVE_WRONG))])
def test_required_fields_where_hive_gateway_is_wrong(world, query: str, expected: dict) -> None:  # type: ignore[no-untyped-def]
    world.plan(query)
    assert world.ours_answer(Case(query))[1] == expected


def test_required_fields_go_into_the_representation(world) -> None:  # type: ignore[no-untyped-def]
    accounts, billing = world.plan("{ accounts { id label } }").fetches
    assert accounts.operation == ("query { accounts { __typename ... on User { id __typename name } "
                                  "... on Org { id __typename name } } }")
    assert billing.operation == ("query($representations: [_Any!]!) { _entities(representations: $representations) "
                                 "{ ... on Account { label } } }")
    # Before: `name` was neither fetched nor sent, and billing answered label null.


def test_no_concrete_type_lookup_unless_the_selection_needs_it(world) -> None:  # type: ignore[no-untyped-def]
    (billing,) = world.plan("{ overdue { id plan } }").fetches
    assert billing.operation == "query { overdue { id plan __typename } }"
    assert len(world.plan("{ overdue { __typename id } }").fetches) == 2
    assert len(world.plan("{ overdue { plan ... on User { email } } }").fetches) == 2
