"""Group 2: response-name conflicts in subgraph queries.

Fixture (subgraphs/groups/g02_response_names.py): ``shop`` returns the union ``Thing`` of
Gadget (key ``id: ID!``) and Tool (key ``id: String!``), each with ``price(currency:)``;
``labels`` adds ``label`` to both and two fields requiring ``price`` in different currencies.
"""

from __future__ import annotations

import pytest

from gw_differential import Case

GROUP = "g02_response_names"

CASES = [
    # Two @requires of price(currency:) with different literals: each needs its own
    # representation (usd from the price in USD, eur from the price in EUR).
    Case("{ things { ... on Gadget { usd eur } } }"),
    # The client's price(currency: $c) next to the literal one usd requires.
    Case("query($c: String!) { things { ... on Gadget { price(currency: $c) usd } } }", {"c": "IDR"}),
    Case("query($c: String!) { things { ... on Gadget { price(currency: $c) usd eur } } }", {"c": "USD"}),
    # A client alias that is the name of a required field.
    Case("{ things { ... on Gadget { price: label usd } } }"),
]

# Hive Gateway sends shop ``... on Gadget { id } ... on Tool { id }`` (ID! and String! under
# one response key), which shop rejects: it answers shop's validation error and no data. The
# right answer, written down from the fixture's data:
KEY_TYPE_CONFLICTS = [
    (Case("{ things { ... on Gadget { label } ... on Tool { label } } }"),
     {"data": {"things": [{"label": "gadget-g1"}, {"label": "tool-t1"}, {"label": "gadget-g2"}]}}),
    (Case("{ things { ... on Gadget { id label } ... on Tool { label } } }"),
     {"data": {"things": [{"id": "g1", "label": "gadget-g1"}, {"label": "tool-t1"},
                          {"id": "g2", "label": "gadget-g2"}]}}),
    (Case("{ things { ... on Gadget { label } ... on Tool { id label } } }"),
     {"data": {"things": [{"label": "gadget-g1"}, {"id": "t1", "label": "tool-t1"}, {"label": "gadget-g2"}]}}),
]


@pytest.mark.parametrize("case", CASES, ids=[f"case{i}" for i in range(len(CASES))])
def test_same_answer_as_hive_gateway(world, case: Case) -> None:  # type: ignore[no-untyped-def]
    world.plan(case.query)
    body = world.assert_same_as_hive(case)
    assert "errors" not in body


@pytest.mark.parametrize("case,expected", KEY_TYPE_CONFLICTS, ids=[f"keys{i}" for i in range(len(KEY_TYPE_CONFLICTS))])
def test_key_type_conflicts_answer_written_down(world, case: Case, expected: dict) -> None:  # type: ignore[no-untyped-def]
    world.plan(case.query)
    assert world.ours_answer(case) == (200, expected)
    # Still wrong in Hive Gateway (see KEY_TYPE_CONFLICTS): when this fails, compare instead.
    assert "errors" in world.hive_answer(case)[1]


def test_key_fields_of_different_types_get_their_own_alias(world) -> None:  # type: ignore[no-untyped-def]
    root, labels = world.plan("{ things { ... on Gadget { label } ... on Tool { label } } }").fetches
    assert root.operation == ("query { things { __typename ... on Gadget { __typename id } "
                              "... on Tool { __typename _id_fed: id } } }")
    reads = {t: [(f.name, f.response_key) for f in fields] for t, _, fields in labels.representations}
    assert reads == {"Gadget": [("id", "id")], "Tool": [("id", "_id_fed")]}


def test_conflicting_requirements_go_to_separate_representations(world) -> None:  # type: ignore[no-untyped-def]
    plan = world.plan("{ things { ... on Gadget { usd eur } } }")
    root = plan.fetches[0]
    assert 'price(currency: "USD")' in root.operation and 'price(currency: "EUR")' in root.operation
    reads = sorted(f.response_key for fetch in plan.fetches[1:] for _, _, fields in fetch.representations
                   for f in fields if f.name == "price")
    assert len(reads) == 2 and len(set(reads)) == 2
