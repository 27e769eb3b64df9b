"""Group 1: abstract types. Fragments on type conditions under @skip/@include, and several
parent types whose branches reach the same path; never an empty selection (``... on T { }``).

Fixture (subgraphs/groups/g01_abstract_types.py): ``catalog`` returns the interface ``Item``
and the union ``Hit`` of Book and Film; ``reviews`` adds ``score`` to both; ``people`` resolves
the ``Person`` that Book.author and Film.director point to.
"""

from __future__ import annotations

import pytest

from gw_differential import Case

GROUP = "g01_abstract_types"

CONDITIONAL = ("query($b: Boolean!) { items { id ... on Book @include(if: $b) { score } "
               "... on Film @skip(if: $b) { score } } }")

CASES = [
    Case(CONDITIONAL, {"b": True}),
    Case(CONDITIONAL, {"b": False}),
    Case("{ items { ... on Book @include(if: false) { score } ... on Film @skip(if: false) { title score } } }"),
    Case("{ hits { ... on Book { title score } ... on Film { title score } } }"),
    Case("{ hits { ... on Book { p: author { name } } ... on Film { p: director { name } } } }"),
    Case("query($s: Boolean!) { hits { ... on Item @skip(if: $s) { id ... on Book { score } } } }", {"s": False}),
    Case("query($s: Boolean!) { hits { ... on Item @skip(if: $s) { id ... on Book { score } } } }", {"s": True}),
    Case("fragment F on Film { score } query($b: Boolean!) { items { __typename ...F @include(if: $b) } }",
         {"b": True}),
    Case("{ items { ... on Hit { ... on Film { director { name } } } } }"),
    Case("query($b: Boolean!) { hits { ... on Book { author @include(if: $b) { name } } "
         "... on Film { director { name @skip(if: $b) id } } } }", {"b": True}),
    Case("query($b: Boolean!) { hits { ... on Book { author @include(if: $b) { name } } "
         "... on Film { director { name @skip(if: $b) id } } } }", {"b": False}),
]


@pytest.mark.parametrize("case", CASES, ids=[f"case{i}" for i in range(len(CASES))])
def test_same_answer_as_hive_gateway(world, case: Case) -> None:  # type: ignore[no-untyped-def]
    world.plan(case.query)
    body = world.assert_same_as_hive(case)
    assert "errors" not in body


def test_a_fragment_whose_only_field_jumps_leaves_no_empty_selection(world) -> None:  # type: ignore[no-untyped-def]
    plan = world.plan(CONDITIONAL)
    root, reviews = plan.fetches
    assert root.operation == "query { items { __typename ... on Book { id __typename } ... on Film { id __typename } } }"
    assert "{ }" not in reviews.operation
    assert "... on Film { ... @skip(if: $b) { score } }" in reviews.operation
    assert "... on Book { ... @include(if: $b) { score } }" in reviews.operation


def test_literal_conditions_are_resolved_before_planning(world) -> None:  # type: ignore[no-untyped-def]
    plan = world.plan("{ items { ... on Book @include(if: false) { score } ... on Film @skip(if: false) { score } } }")
    (_, reviews) = plan.fetches
    assert [t for t, _, _ in reviews.representations] == ["Film"]
    assert "@skip" not in reviews.operation and "Book" not in reviews.operation


def test_branches_of_several_parent_types_reaching_one_path_share_one_fetch(world) -> None:  # type: ignore[no-untyped-def]
    plan = world.plan("{ hits { ... on Book { p: author { name } } ... on Film { p: director { name } } } }")
    root, people = plan.fetches
    assert people.graph == "PEOPLE" and [p.path for p in people.parts] == [("hits", "@", "p")]
    assert root.operation == ("query { hits { __typename ... on Book { p: author { __typename id } } "
                              "... on Film { p: director { __typename id } } } }")


def test_data_reaches_each_branch(world) -> None:  # type: ignore[no-untyped-def]
    body = world.ours_answer(CASES[4])[1]
    assert body == {"data": {"hits": [{"p": {"name": "Ridley"}}, {"p": {"name": "Ridley"}}, {"p": {"name": "Jane"}}]}}
