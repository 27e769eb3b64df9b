"""Reading the registry's published feed (``registry.outbox``): the only registry table reporting reads.

Events are read in (transaction_id, id) order and only from transactions older than every
transaction still running (``pg_snapshot_xmin``): an identity value is taken when a row is
written, not when it commits, so a slow transaction can commit an event with a smaller id after
a reader has passed it. Below the snapshot's xmin nothing can still appear.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import asyncpg
import orjson


@dataclass(frozen=True, slots=True)
class Event:
    id: int
    transaction_id: int
    occurred_at: dt.datetime
    aggregate_type: str
    aggregate_id: str
    event_type: str
    payload: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Cursor:
    """The position of the last event applied; (0, 0) before the first."""

    transaction_id: int = 0
    event_id: int = 0


async def read_events(connection: asyncpg.Connection, after: Cursor, limit: int) -> list[Event]:
    """Up to ``limit`` settled events after ``after``, in order."""
    rows = await connection.fetch(
        """
        SELECT o.id, o.transaction_id::text AS xid, o.occurred_at, o.aggregate_type, o.aggregate_id,
               o.event_type, o.payload::text AS payload
        FROM registry.outbox o
        WHERE (o.transaction_id, o.id) > ($1::text::xid8, $2::bigint)
          AND o.transaction_id < pg_snapshot_xmin(pg_current_snapshot())
        ORDER BY o.transaction_id, o.id
        LIMIT $3
        """,
        str(after.transaction_id), after.event_id, limit,
    )
    loads = orjson.loads
    return [
        Event(r["id"], int(r["xid"]), r["occurred_at"], r["aggregate_type"], r["aggregate_id"],
              r["event_type"], loads(r["payload"]))
        for r in rows
    ]


#: Up to this many pending events ``lag`` counts exactly (an index range scan of at most this many
#: entries); past it, it estimates from ids instead of counting millions after a bulk load.
EXACT_LAG_LIMIT = 1000


@dataclass(frozen=True, slots=True)
class Lag:
    events: int
    exact: bool


async def lag(connection: asyncpg.Connection, after: Cursor) -> Lag:
    """How many events (settled or still committing) follow ``after``, in milliseconds whatever the lag.

    Exact up to ``EXACT_LAG_LIMIT``. Beyond it, the newest event id less the cursor's event id (both
    read from the primary key's index): ids of rolled-back writes count in it, and an event that
    commits late with an id below the cursor's does not, so it is an estimate.
    """
    counted = await connection.fetchval(
        "SELECT count(*) FROM (SELECT 1 FROM registry.outbox"
        " WHERE (transaction_id, id) > ($1::text::xid8, $2::bigint) LIMIT $3) pending",
        str(after.transaction_id), after.event_id, EXACT_LAG_LIMIT + 1,
    )
    if counted <= EXACT_LAG_LIMIT:
        return Lag(int(counted), True)
    newest = await connection.fetchval("SELECT max(id) FROM registry.outbox")
    return Lag(max(int(newest or 0) - after.event_id, int(counted)), False)


async def latest_position(connection: asyncpg.Connection) -> Cursor:
    """The position of the last event in the outbox now (committed), or (0, 0) when empty."""
    row = await connection.fetchrow(
        "SELECT transaction_id::text AS xid, id FROM registry.outbox ORDER BY transaction_id DESC, id DESC LIMIT 1"
    )
    return Cursor(int(row["xid"]), row["id"]) if row else Cursor()
