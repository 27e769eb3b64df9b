"""Group 5: @provides on interface- and union-typed fields (fixture:
subgraphs/groups/g05_provides_abstract.py). A field provided under ``... on Book`` is provided
for Books only; a @shareable abstract field goes to the subgraph whose @provides covers most of
the selection."""

from __future__ import annotations

import pytest

from gw_differential import Case

GROUP = "g05_provides_abstract"

CASES = [
    Case("{ featured { id ... on Book { title } ... on Film { title } } }"),
    Case("{ featured { ... on Book { title year } ... on Film { year } } }"),
    Case("{ picks { ... on Book { id title } ... on Film { id title } } }"),
    Case("{ picks { __typename ... on Film { title year } } }"),
    Case("{ search { ... on Film { title } } }"),
    Case("{ search { id ... on Book { title } } }"),
    Case("{ search { ... on Book { title year } ... on Film { title } } }"),
    Case("query($b: Boolean!) { search { ... on Film @include(if: $b) { title } ... on Book { title } } }", {"b": True}),
]


@pytest.mark.parametrize("case", CASES, ids=[f"case{i}" for i in range(len(CASES))])
def test_same_answer_as_hive_gateway(world, case: Case) -> None:  # type: ignore[no-untyped-def]
    world.plan(case.query)
    body = world.assert_same_as_hive(case)
    assert "errors" not in body


def test_a_title_provided_for_all_types_is_one_fetch(world) -> None:  # type: ignore[no-untyped-def]
    (shelf,) = world.plan("{ featured { id ... on Book { title } ... on Film { title } } }").fetches
    assert shelf.operation == "query { featured { __typename ... on Book { id title } ... on Film { id title } } }"


def test_a_title_provided_for_books_only_is_fetched_from_the_catalog_for_films(world) -> None:  # type: ignore[no-untyped-def]
    shelf, catalog = world.plan("{ picks { ... on Book { title } ... on Film { title } } }").fetches
    assert shelf.operation == "query { picks { __typename ... on Book { title } ... on Film { __typename id } } }"
    assert catalog.operation == ("query($representations: [_Any!]!) { _entities(representations: $representations) "
                                 "{ ... on Film { title } } }")
    # Before: both titles were asked of `shelf`, which answered null for the Film's.
    assert world.ours_answer(Case("{ picks { ... on Book { title } ... on Film { title } } }"))[1] == {
        "data": {"picks": [{"title": "Alien"}, {"title": "Dune"}]}}


@pytest.mark.parametrize("query, graph", [
    ("{ search { ... on Film { title } } }", "KIOSK"),
    ("{ search { id ... on Book { title } } }", "SHELF"),
])
def test_the_shareable_field_goes_where_provides_covers_the_selection(world, query: str, graph: str) -> None:  # type: ignore[no-untyped-def]
    (root,) = world.plan(query).fetches
    assert root.graph == graph
