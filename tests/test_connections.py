"""The shared connection mechanism (``siir.connections``) and the policy's nullability
(``siir.policy.nullability``) as pure functions; their HTTP behaviour is in tests/registry/test_connections.py."""

from __future__ import annotations

import base64
import datetime as dt
import json

import pytest
from sqlalchemy import Column, Date, Integer, MetaData, String, Table, select
from sqlalchemy.dialects import postgresql

from siir.auth.identity import Role
from siir.connections import CursorKey, keyset_after, page_of, page_size, slice_after
from siir.errors import InvalidInput
from siir.policy import Disclosure, When, grant
from siir.policy.nullability import can_refuse

TEAM = CursorKey("Team", str, str, dt.date, int)


def test_a_cursor_carries_its_lists_sort_key_and_nothing_else_decodes() -> None:
    key = ("REGENCY", "33.74", dt.date(2021, 3, 1), 12)
    assert TEAM.decode(TEAM.encode(key)) == key
    foreign = [
        CursorKey("Region", str).encode(["33"]),                       # another list's cursor
        CursorKey("Team", str, str, dt.date).encode(["REGENCY", "33", dt.date(2021, 1, 1)]),  # wrong shape
        TEAM.encode(["REGENCY", "33.74", dt.date(2021, 3, 1), 2**63]),  # beyond bigint
        TEAM.encode(["REGENCY", "33\x0074", dt.date(2021, 3, 1), 1]),   # a control character
        TEAM.encode(["REGENCY", "33.74", "not a date", 1]),
        TEAM.encode(["REGENCY", "33.74", dt.date(2021, 3, 1), True]),   # a boolean is not an id
        base64.urlsafe_b64encode(json.dumps({"Team": 1}).encode()).decode(),
        "%%%", "", "A" * 2000, base64.urlsafe_b64encode(b"\xff\xfe").decode(),
    ]
    for cursor in foreign:
        with pytest.raises(InvalidInput) as refused:
            TEAM.decode(cursor)
        assert refused.value.extensions == {"code": "BAD_USER_INPUT", "field": "after"}, cursor


def test_page_sizes_are_bounded() -> None:
    assert page_size(0, 10) == 0 and page_size(10, 10) == 10
    for wrong in (-1, 11, 2**70):
        with pytest.raises(InvalidInput):
            page_size(wrong, 10)


def test_keyset_after_reads_the_rows_after_the_key_in_a_mixed_order() -> None:
    table = Table("teams", MetaData(), Column("level", String), Column("active_from", Date), Column("id", Integer))
    order = ((table.c.level, False), (table.c.active_from, True), (table.c.id, False))
    sql = str(select(table).where(keyset_after(order, ("REGENCY", dt.date(2021, 3, 1), 7)))
              .compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))
    assert "teams.level > 'REGENCY'" in sql
    assert "teams.level = 'REGENCY' AND teams.active_from < '2021-03-01'" in sql
    assert "teams.active_from = '2021-03-01' AND teams.id > 7" in sql


def test_a_nested_list_pages_in_memory_by_the_same_cursors() -> None:
    key = CursorKey("Member", int)
    rows = [{"id": i} for i in (5, 3, 9, 1)]  # the loader's order, not the ids'
    first = slice_after(rows, 3, None, key=key, key_of=lambda r: (r["id"],), node_of=lambda r: r["id"])
    assert [e.node for e in first.edges] == [5, 3, 9] and first.page_info.has_next_page
    rest = slice_after(rows, 3, first.page_info.end_cursor, key=key, key_of=lambda r: (r["id"],), node_of=lambda r: r["id"])
    assert [e.node for e in rest.edges] == [1] and not rest.page_info.has_next_page and rest.page_info.has_previous_page
    assert rest.total == 4
    with pytest.raises(InvalidInput):  # an item no longer in the list: start over, never skip silently
        slice_after(rows, 3, key.encode([42]), key=key, key_of=lambda r: (r["id"],), node_of=lambda r: r["id"])


def test_an_empty_page_has_no_cursors() -> None:
    page = page_of([], 5, after=False, key=CursorKey("X", int), key_of=lambda r: (r,), node_of=lambda r: r, total=0)
    assert page.edges == [] and page.page_info.start_cursor is None and page.page_info.end_cursor is None
    assert not page.page_info.has_next_page


EVERYONE = frozenset(Role)


def test_nullability_follows_the_policy() -> None:
    [plain] = grant("Team", "name", EVERYONE)
    assert not can_refuse(plain, EVERYONE)
    [scoped] = grant("Team", "facilitators", EVERYONE, scope="facilitator-region")
    assert can_refuse(scoped, EVERYONE)  # its resolver refuses a region outside the caller's
    [narrow] = grant("Query", "auditTrail", {Role.MINISTRY})
    assert can_refuse(narrow, EVERYONE) and not can_refuse(narrow, frozenset({Role.MINISTRY}))
    [withheld] = grant("Owner", "nik", {Role.MINISTRY: Disclosure.MASKED, Role.PARTNER: Disclosure.WITHHELD})
    assert can_refuse(withheld, frozenset({Role.MINISTRY, Role.PARTNER}))
    [conditional] = grant("TeamMember", "phone", {Role.MINISTRY: When("covers-team", Disclosure.FULL, Disclosure.WITHHELD)})
    assert can_refuse(conditional, frozenset({Role.MINISTRY}))
    assert can_refuse(None, EVERYONE)  # no entry: refused to everyone
