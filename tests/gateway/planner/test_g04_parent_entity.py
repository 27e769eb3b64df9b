"""Group 4: fields of a keyless type reached through its parent entity
(fixture: subgraphs/groups/g04_parent_entity.py)."""

from __future__ import annotations

import pytest

from gw_differential import Case

GROUP = "g04_parent_entity"

CASES = [
    Case("{ orders { id shipment { carrier tracking } } }"),
    Case("{ orders { total shipment { tracking events { at where { city } } } } }"),
    Case('{ order(id: "o2") { s: shipment { t: tracking carrier } } }'),
    Case('{ order(id: "nope") { shipment { tracking } } }'),
    Case("query($e: Boolean!) { orders { shipment { carrier events @include(if: $e) { at } } } }", {"e": True}),
    Case("query($e: Boolean!) { orders { shipment { carrier events @include(if: $e) { at } } } }", {"e": False}),
]


@pytest.mark.parametrize("case", CASES, ids=[f"case{i}" for i in range(len(CASES))])
def test_same_answer_as_hive_gateway(world, case: Case) -> None:  # type: ignore[no-untyped-def]
    world.plan(case.query)
    body = world.assert_same_as_hive(case)
    assert "errors" not in body


def test_the_entity_fetch_goes_down_from_the_parent(world) -> None:  # type: ignore[no-untyped-def]
    root, shipping = world.plan("{ orders { id shipment { carrier tracking } } }").fetches
    assert root.operation == "query { orders { id shipment { carrier } __typename } }"
    assert shipping.operation == ("query($representations: [_Any!]!) { _entities(representations: $representations) "
                                  "{ ... on Order { shipment { tracking } } } }")
    assert [p.path for p in shipping.parts] == [("orders", "@")]


def test_answer(world) -> None:  # type: ignore[no-untyped-def]
    assert world.ours_answer(CASES[2])[1] == {"data": {"order": {"s": {"t": "T-2", "carrier": "POS"}}}}
