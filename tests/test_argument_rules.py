"""The rules every argument value obeys (siir/argument_rules.py), on a small schema of their own,
and the coverage of the registry's and reporting's schemas by them."""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import NewType

import pytest
import strawberry

from siir.argument_rules import (
    DATE_WINDOW,
    MAX_ID,
    MAX_LINE,
    MAX_LONG_TEXT,
    check_arguments,
    clean_text,
    unknown_coordinates,
)
from siir.errors import InvalidInput
from siir.graphql import DomainErrorMasking, SubgraphSchema

Amount = strawberry.scalar(NewType("Amount", int), name="Rupiah", serialize=int, parse_value=int)


@strawberry.input
class Line:
    name: str
    remarks: str | None = None
    tags: list[str] = strawberry.field(default_factory=list)
    on: dt.date | None = None
    amount: Amount | None = None  # type: ignore[valid-type]


@strawberry.input
class Order:
    lines: list[Line]
    reference: strawberry.ID | None = None


@strawberry.type
class Query:
    @strawberry.field
    def echo(self, text: str) -> str:
        return text

    @strawberry.field
    def order(self, order: Order) -> str:
        line = order.lines[-1]
        return "|".join([line.name, line.remarks or "", *line.tags, str(line.on), str(line.amount)])

    @strawberry.field
    def count(self, first: int = 1) -> int:
        return first


LONG = frozenset({"Line.remarks"})


def schema() -> SubgraphSchema:
    return SubgraphSchema(query=Query, extensions=[DomainErrorMasking], long_text=LONG)


def run(query: str, **variables: object) -> tuple[object, list[dict[str, object]]]:
    result = schema().execute_sync(query, variable_values=variables)
    return result.data, [e.formatted for e in result.errors or []]


ORDER = "query($o: Order!) { order(order: $o) }"


def order_of(**line: object) -> dict[str, object]:
    return {"lines": [{"name": "ok"}, {"name": "Tempe", **line}]}


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b", "\x7f", "\x85", "\n", "\r", "\t", "\ud800", "\uffff"])
def test_a_control_character_in_a_line_is_bad_user_input_naming_the_input_path(char: str) -> None:
    data, errors = run(ORDER, o=order_of(name=f"Tem{char}pe"))
    assert data is None
    [error] = errors
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "order.lines[1].name"}
    assert f"U+{ord(char):04X}" in str(error["message"])


def test_a_list_item_is_named_by_its_index() -> None:
    _, [error] = run(ORDER, o=order_of(tags=["a", "b\x00"]))
    assert error["extensions"]["field"] == "order.lines[1].tags[1]"


def test_long_text_keeps_newlines_and_tabs_and_makes_crlf_a_newline_but_refuses_other_controls() -> None:
    data, errors = run(ORDER, o=order_of(remarks="baris 1\r\nbaris 2\tkolom\rbaris 3"))
    assert not errors
    assert data == {"order": "Tempe|baris 1\nbaris 2\tkolom\nbaris 3|None|None"}
    _, [error] = run(ORDER, o=order_of(remarks="baris\x00"))
    assert error["extensions"]["field"] == "order.lines[1].remarks"
    assert "only newlines and tabs" in str(error["message"])


def test_text_reaches_the_resolver_nfc_normalised() -> None:
    decomposed = "Kue Ape\u0301"  # e + combining acute
    assert unicodedata.is_normalized("NFD", decomposed)
    data, errors = run("query($t: String!) { echo(text: $t) }", t=decomposed)
    assert not errors and data == {"echo": "Kue Ap\u00e9"}
    # literals too, not only variables
    data, _ = run('{ echo(text: "Ape\\u0301") }')
    assert data == {"echo": "Ap\u00e9"}


def test_lengths_are_bounded_by_kind() -> None:
    assert run("query($t: String!) { echo(text: $t) }", t="x" * MAX_LINE)[1] == []
    _, [error] = run("query($t: String!) { echo(text: $t) }", t="x" * (MAX_LINE + 1))
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "text"}
    assert run(ORDER, o=order_of(remarks="x" * MAX_LONG_TEXT))[1] == []
    assert run(ORDER, o=order_of(remarks="x" * (MAX_LONG_TEXT + 1)))[1][0]["extensions"]["field"] == "order.lines[1].remarks"
    _, [error] = run(ORDER, o={"lines": [{"name": "a"}], "reference": "1" * (MAX_ID + 1)})
    assert error["extensions"]["field"] == "order.reference"


@pytest.mark.parametrize("day,ok", [("0001-01-01", False), ("1899-12-31", False), ("1900-01-01", True),
                                    ("2099-12-31", True), ("2100-01-01", False), ("9999-12-31", False)])
def test_dates_lie_in_the_window(day: str, ok: bool) -> None:
    data, errors = run(ORDER, o=order_of(on=day))
    if ok:
        assert not errors and data == {"order": f"Tempe||{day}|None"}
    else:
        assert errors[0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "order.lines[1].on"}
        assert DATE_WINDOW[0].isoformat() in str(errors[0]["message"])


@pytest.mark.parametrize("amount,ok", [(0, True), (10**15, True), (-1, False), (10**15 + 1, False), (2**64, False)])
def test_rupiah_lies_between_zero_and_a_quadrillion(amount: int, ok: bool) -> None:
    data, errors = run(ORDER, o=order_of(amount=amount))
    assert (not errors) is ok, errors
    if not ok:
        assert errors[0]["extensions"]["field"] == "order.lines[1].amount"


def test_a_field_without_text_date_or_amount_arguments_is_not_wrapped() -> None:
    built = schema()
    assert check_arguments(built._schema) == 2  # echo and order (wrapped again here), not count
    assert built.execute_sync("{ count(first: -3) }").data == {"count": -3}


def test_clean_text_is_the_same_rule_outside_graphql() -> None:
    assert clean_text("regionCode", "33.74") == "33.74"
    with pytest.raises(InvalidInput) as refused:
        clean_text("regionCode", "33.74\x00")
    assert refused.value.extensions == {"code": "BAD_USER_INPUT", "field": "regionCode"}


def test_every_long_text_entry_names_an_input_of_its_schema() -> None:
    from services.registry.graphql.schema import schema as registry
    from services.reporting.graphql.schema import schema as reporting

    assert unknown_coordinates(registry._schema, registry.long_text) == []
    assert unknown_coordinates(reporting._schema, reporting.long_text) == []
    assert unknown_coordinates(registry._schema, frozenset({"Nope.notes"})) == ["Nope.notes"]
    # the registry's free-text inputs are long text; names stay one line
    assert "MentoringNoteInput.notes" in registry.long_text
    assert "RegisterHomeIndustryInput.businessName" not in registry.long_text


@pytest.mark.parametrize("code,ok", [("33", True), ("33.74.01.1001", True), ("33.7", True), ("", False), (" ", False),
                                     ("33..74", False), ("٣٣", False), ("33.74\n", False), ("3" * 21, False)])
def test_a_written_region_code_is_checked_for_form_before_any_scope(code: str, ok: bool) -> None:
    from siir.identifiers import check_code_form

    if ok:
        assert check_code_form("input.villageCode", code) == code
    else:
        with pytest.raises(InvalidInput) as refused:
            check_code_form("input.villageCode", code)
        assert refused.value.extensions == {"code": "BAD_USER_INPUT", "field": "input.villageCode"}


@pytest.mark.parametrize("text,number", [("0", 0), ("9223372036854775807", 2**63 - 1), ("9223372036854775808", None),
                                         ("9999999999999999999", None), ("-1", None), ("1_0", None), ("١", None)])
def test_a_decimal_fits_bigint(text: str, number: int | None) -> None:
    from siir.identifiers import decimal

    if number is None:
        with pytest.raises(ValueError):
            decimal(text)
    else:
        assert decimal(text) == number
