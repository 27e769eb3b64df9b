"""Group 10: @requires of an @inaccessible field, and a @requires selection with nested type
conditions (fixture: subgraphs/groups/g10_requires_inaccessible.py). The hidden ``weight`` is
fetched for the representation though clients cannot ask for it; ``pack``'s type conditions
are kept in the representation (a Bag sends its ``volume`` and never a ``depth``, even where the
client aliased ``volume`` to ``depth``)."""

from __future__ import annotations

import pytest

from gw_differential import Case

GROUP = "g10_requires_inaccessible"

COSTS = [{"cost": 3020}, {"cost": 1005}]

CASES = [
    Case("{ products { id cost } }"),
    Case("{ products { cost pack { kind ... on Box { d: depth } } } }"),
    Case("{ products { name pack { ... on Bag { volume } } cost } }"),
    Case("query($c: Boolean!) { products { id cost @include(if: $c) } }", {"c": True}),
]


@pytest.mark.parametrize("case", CASES, ids=[f"case{i}" for i in range(len(CASES))])
def test_same_answer_as_hive_gateway(world, case: Case) -> None:  # type: ignore[no-untyped-def]
    world.plan(case.query)
    body = world.assert_same_as_hive(case)
    assert "errors" not in body


def test_the_hidden_field_and_the_type_conditions_are_fetched(world) -> None:  # type: ignore[no-untyped-def]
    products, shipping = world.plan("{ products { id cost } }").fetches
    assert products.operation == ("query { products { id __typename weight pack { __typename "
                                  "... on Box { depth } ... on Bag { volume } } } }")
    assert shipping.operation == ("query($representations: [_Any!]!) { _entities(representations: $representations) "
                                  "{ ... on Product { cost } } }")
    assert world.ours_answer(Case("{ products { cost } }"))[1] == {"data": {"products": COSTS}}


def test_a_client_alias_does_not_leak_into_another_types_representation(world) -> None:  # type: ignore[no-untyped-def]
    query = "{ products { name pack { ... on Bag { depth: volume } } cost } }"
    world.plan(query)
    assert world.ours_answer(Case(query))[1] == {"data": {"products": [
        {"name": "Produk p1", "pack": {}, "cost": 3020}, {"name": "Produk p2", "pack": {"depth": 5}, "cost": 1005}]}}


def test_the_hidden_field_stays_hidden(world) -> None:  # type: ignore[no-untyped-def]
    status, body = world.ours_answer(Case("{ products { weight } }"))
    assert body["errors"][0]["message"].startswith("Cannot query field 'weight' on type 'Product'.")
    assert "data" not in body
