"""Bounded lists as Relay connections: the one mechanism both subgraphs page with.

A list that grows with the data is answered a page at a time (GraphQL Cursor Connections
specification): ``first`` (at most a field's ``most``; above it BAD_USER_INPUT naming ``first``),
``after`` (an opaque cursor; a malformed one, or one from another list, is BAD_USER_INPUT naming
``after``), and the answer ``{ edges { cursor node } nodes pageInfo { … } totalCount }``.

- ``CursorKey``: a cursor is the page's last row's *sort key* (keyset pagination), base64url of a
  JSON array headed by the list's kind. Decoding checks the kind and every value's type and range
  (ints within bigint, short strings without control characters, ISO dates).
- ``keyset_after``: the SQL condition "after this key" for a root list ordered by several columns
  (ascending or descending), so a page is an index range read, never an OFFSET.
- ``page_of``: the connection from ``first + 1`` rows (the extra row only says whether a next page
  exists); ``slice_after`` does the same in memory for a nested list its DataLoader loaded whole
  for many parents in one statement (a team's members, a partner's programmes: short lists).
- ``Connection[T]`` / ``Edge[T]``: strawberry generics, named ``<T>Connection`` / ``<T>Edge``.
  ``totalCount`` is computed only when selected (a callable), or is known (a nested list's length).
- ``connection_rules``: the access-policy entries of a connection and its edge type.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import inspect
import json
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Generic, TypeVar

import strawberry
from sqlalchemy import and_, or_
from sqlalchemy.sql.elements import ColumnElement

from siir.errors import InvalidInput

T = TypeVar("T")

#: PostgreSQL bigint: an int key beyond it names no row.
_BIGINT = 2**63 - 1
#: Longest text value a cursor may carry (names, region codes).
_MAX_TEXT = 300
#: Longest cursor accepted at all (before decoding).
_MAX_CURSOR = 1024


@strawberry.federation.type(
    shareable=True, description="Where a page sits in its list (Relay PageInfo); the same type in every subgraph."
)
class PageInfo:
    has_next_page: bool = strawberry.field(description="Whether more items follow this page: ask again with `after: endCursor`.")
    has_previous_page: bool = strawberry.field(description="Whether items precede this page (an `after` cursor was given).")
    start_cursor: str | None = strawberry.field(description="The cursor of the page's first item; null for an empty page.")
    end_cursor: str | None = strawberry.field(description="The cursor of the page's last item; null for an empty page. Pass it as `after` for the next page.")


@strawberry.type(description="One item of a page and its cursor (Relay edge).")
class Edge(Generic[T]):
    cursor: str = strawberry.field(description="Opaque position of this item: pass it as `after` to read what follows.")
    node: T = strawberry.field(description="The item.")


@strawberry.type(description="A page of a list (Relay connection): `first` items after the `after` cursor.")
class Connection(Generic[T]):
    edges: list[Edge[T]] = strawberry.field(description="The page's items with their cursors, in the list's order.")
    page_info: PageInfo = strawberry.field(description="Cursors of the page and whether more items follow.")
    total: strawberry.Private[Any]

    @strawberry.field(description="The page's items without cursors (the same items as `edges`).")
    def nodes(self) -> list[T]:
        return [edge.node for edge in self.edges]

    @strawberry.field(description="How many items the whole list holds, across all pages (counted only when asked for).")
    async def total_count(self) -> int:
        total = self.total() if callable(self.total) else self.total
        return int(await total if inspect.isawaitable(total) else total)


class CursorKey:
    """The cursors of one list: ``kind`` and the type of each sort-key value (int, str, dt.date)."""

    def __init__(self, kind: str, *types: type) -> None:
        self.kind = kind
        self.types = types

    def encode(self, values: Sequence[Any]) -> str:
        plain = [v.isoformat() if isinstance(v, dt.date) else v for v in values]
        return base64.urlsafe_b64encode(json.dumps([self.kind, *plain], separators=(",", ":")).encode()).decode()

    def decode(self, cursor: str, field: str = "after") -> tuple[Any, ...]:
        """The sort key a cursor of this list carries; BAD_USER_INPUT naming ``field`` otherwise."""
        try:
            if len(cursor) > _MAX_CURSOR:
                raise ValueError("too long")
            decoded = json.loads(base64.urlsafe_b64decode(cursor.encode("ascii")).decode("utf-8"))
            if not isinstance(decoded, list) or not decoded or decoded[0] != self.kind:
                raise ValueError("another list")
            values = decoded[1:]
            if len(values) != len(self.types):
                raise ValueError("wrong length")
            return tuple(_checked(value, kind) for value, kind in zip(values, self.types))
        except (binascii.Error, UnicodeError, ValueError, TypeError):
            raise InvalidInput(field, "is not a cursor from this list") from None


def _checked(value: Any, kind: type) -> Any:
    if value is None:
        return None  # a nullable sort column (a national team's region)
    if kind is int:
        if isinstance(value, bool) or not isinstance(value, int) or not -_BIGINT <= value <= _BIGINT:
            raise ValueError("not a bigint")
        return value
    if kind is str:
        if not isinstance(value, str) or len(value) > _MAX_TEXT or any(ord(c) < 32 or ord(c) == 127 for c in value):
            raise ValueError("not a key text")
        return value
    if kind is dt.date:
        if not isinstance(value, str):
            raise ValueError("not a date")
        return dt.date.fromisoformat(value)
    raise TypeError(kind)


def page_size(first: int, most: int, field: str = "first") -> int:
    """``first`` checked against the list's maximum page size."""
    if not 0 <= first <= most:
        raise InvalidInput(field, f"must be between 0 and {most}")
    return first


#: One sort column of a keyset: the SQL expression and whether it is descending.
Ordered = tuple[ColumnElement[Any], bool]


def keyset_after(order: Sequence[Ordered], key: Sequence[Any]) -> ColumnElement[bool]:
    """Rows strictly after ``key`` in ``order`` (the last column must make the order total).

    ``(a > x) OR (a = x AND b > y) OR …``, each comparison flipped for a descending column: PostgreSQL
    reads it as an index range when the columns are indexed in that order. Nullable columns must be
    given as ``coalesce(column, …)`` so that equality holds.
    """
    terms = []
    for i, (column, descending) in enumerate(order):
        value = key[i]
        beyond = column < value if descending else column > value
        terms.append(and_(*[c == key[j] for j, (c, _) in enumerate(order[:i])], beyond))
    return or_(*terms)


def page_of(
    rows: Sequence[Any],
    first: int,
    *,
    after: bool,
    key: CursorKey,
    key_of: Callable[[Any], Sequence[Any]],
    node_of: Callable[[Any], T],
    total: int | Callable[[], Awaitable[int]],
) -> Connection[T]:
    """The connection answering ``rows`` (``first + 1`` read: the extra one only tells that more follow)."""
    edges = [Edge(cursor=key.encode(key_of(row)), node=node_of(row)) for row in rows[:first]]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=len(rows) > first,
            has_previous_page=after,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        total=total,
    )


def slice_after(
    rows: Sequence[Any],
    first: int,
    after: str | None,
    *,
    key: CursorKey,
    key_of: Callable[[Any], Sequence[Any]],
    node_of: Callable[[Any], T],
) -> Connection[T]:
    """A page of a list already loaded whole (a nested list from a DataLoader), by the same cursors."""
    start = 0
    if after is not None:
        wanted = key.decode(after)
        keys = [tuple(_plain(v) for v in key_of(row)) for row in rows]
        plain = tuple(_plain(v) for v in wanted)
        start = next((i + 1 for i, k in enumerate(keys) if k == plain), None)  # type: ignore[assignment]
        if start is None:  # the item left the list since: start over rather than skip silently
            raise InvalidInput("after", "names no item of this list (it may have changed): start from the first page")
    return page_of(rows[start:start + first + 1], first, after=after is not None, key=key, key_of=key_of,
                   node_of=node_of, total=len(rows))


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def connection_rules(node: str, roles: Any) -> list[Any]:
    """Access-policy entries of ``<node>Connection`` and ``<node>Edge``: whoever reaches the field
    answering the connection reaches its page (the nodes' own fields keep their own rules). No row
    scope here: the field answering the connection applies it (and is the one that can refuse)."""
    from siir.policy import grant

    return [
        *grant(f"{node}Connection", "edges nodes pageInfo totalCount", roles),
        *grant(f"{node}Edge", "cursor node", roles),
    ]
