"""Withholding refused fields (gateway/refusals.py): what is removed from the operation and where
the nulls go back, by GraphQL's null propagation. Over HTTP with real subgraphs:
tests/security/test_gateway_attacks.py."""

from __future__ import annotations

from typing import Any

from graphql import FragmentDefinitionNode, OperationDefinitionNode, build_schema, parse, validate

from gateway.refusals import PLACEHOLDER, outermost, restore, withhold

SCHEMA = build_schema('''
type Query { count: Int! ir(id: ID!): IR  irs: [IR!]!  maybeIrs: [IR]  grid: [[IR!]] }
type IR { id: ID! name: String! nik: String  notes: [String!]!  owner: Owner }
type Owner { name: String  phone: String! }
''')


def withheld(query: str, *paths: str) -> Any:
    document = parse(query)
    operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    return withhold(SCHEMA, operation, fragments, frozenset(paths))


def test_the_pruned_operation_is_valid_and_keeps_what_was_allowed() -> None:
    w = withheld("query($id: ID!, $n: Boolean!) { ir(id: $id) { id nik @include(if: $n) } count }", "ir.nik")
    assert validate(SCHEMA, parse(w.query)) == []
    assert "nik" not in w.query and "$n" not in w.query and "$id" in w.query and "count" in w.query


def test_a_fragment_spread_at_two_paths_loses_the_field_only_where_refused() -> None:
    w = withheld("{ ir(id: 1) { ...F } irs { ...F } } fragment F on IR { id nik }", "irs.nik")
    assert validate(SCHEMA, parse(w.query)) == []
    ir_part, irs_part = w.query.split("irs")
    assert "nik" in ir_part and "nik" not in irs_part


def test_an_emptied_selection_keeps_a_placeholder_that_the_answer_loses() -> None:
    w = withheld("{ ir(id: 1) { nik } }", "ir.nik")
    assert PLACEHOLDER in w.query and validate(SCHEMA, parse(w.query)) == []
    assert restore({"data": {"ir": {PLACEHOLDER: "IR"}}}, w) == {"data": {"ir": {"nik": None}}}


def test_a_nullable_field_is_null_in_every_item() -> None:
    w = withheld("{ irs { id nik } }", "irs.nik")
    answer = restore({"data": {"irs": [{"id": "1"}, {"id": "2"}]}}, w)
    assert answer == {"data": {"irs": [{"id": "1", "nik": None}, {"id": "2", "nik": None}]}}
    assert not w.nulls_everything


def test_a_non_null_field_nulls_its_nearest_nullable_ancestor() -> None:
    # Owner.phone is non-null: the owner (nullable) becomes null, the IR stays.
    w = withheld("{ ir(id: 1) { id owner { name phone } } }", "ir.owner.phone")
    assert restore({"data": {"ir": {"id": "1", "owner": {"name": "Sri"}}}}, w) == \
        {"data": {"ir": {"id": "1", "owner": None}}}
    # IR.notes is non-null in a list of non-null IR (a non-null list): the null reaches the root.
    w = withheld("{ irs { id notes } count }", "irs.notes")
    assert restore({"data": {"irs": [{"id": "1"}], "count": 1}}, w) == {"data": None}
    # In a list of nullable IR, only the item becomes null.
    w = withheld("{ maybeIrs { id notes } }", "maybeIrs.notes")
    assert restore({"data": {"maybeIrs": [{"id": "1"}, None]}}, w) == {"data": {"maybeIrs": [None, None]}}
    # Nested lists: the inner list of non-null IR becomes null (the outer list's items may be null).
    w = withheld("{ grid { id notes } }", "grid.notes")
    assert restore({"data": {"grid": [[{"id": "1"}], []]}}, w) == {"data": {"grid": [None, []]}}


def test_an_empty_list_or_a_null_parent_needs_no_null_propagated() -> None:
    w = withheld("{ irs { id notes } }", "irs.notes")
    assert restore({"data": {"irs": []}}, w) == {"data": {"irs": []}}
    w = withheld("{ ir(id: 1) { name owner { phone } } }", "ir.owner.phone")
    assert restore({"data": {"ir": None}}, w) == {"data": {"ir": None}}


def test_a_refused_non_null_root_field_nulls_everything_before_anything_runs() -> None:
    assert withheld("{ count ir(id: 1) { id } }", "count").nulls_everything
    assert not withheld("{ count ir(id: 1) { id } }", "ir").nulls_everything


def test_fields_under_a_refused_field_are_not_refused_again() -> None:
    assert outermost(frozenset({"ir", "ir.owner", "ir.owner.name", "irs.nik"})) == frozenset({"ir", "irs.nik"})
