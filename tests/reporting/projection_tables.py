"""The read model as rows, for comparing two builds of it from the same feed.

Every table the consumer writes, rollup cells that add up to nothing left out (a batch never
writes a cell that cancelled out within it, but a later batch can bring a written cell back to
zero), and the cursor with its applied and skipped counts.
"""

from __future__ import annotations

from typing import Any

import asyncpg

from services.reporting.consumer import OutboxConsumer
from services.reporting.data import projection_store

PROJECTION = projection_store.WRITTEN_TABLES
CURSOR = "SELECT transaction_id::text, event_id, events_applied, events_skipped, last_event_at FROM reporting.consumer_state"


async def empty_projection(pg: asyncpg.Connection) -> None:
    await pg.execute(f"TRUNCATE {', '.join('reporting.' + t for t in PROJECTION)}, reporting.consumer_state")


async def projection_rows(pg: asyncpg.Connection) -> dict[str, Any]:
    tables: dict[str, Any] = {}
    for table, values in PROJECTION.items():
        rows = [dict(r) for r in await pg.fetch(f"SELECT * FROM reporting.{table}")]
        if values:
            rows = [r for r in rows if any(r[c] for c in values)]
        tables[table] = sorted(tuple(sorted((k, repr(v)) for k, v in r.items())) for r in rows)
    tables["consumer_state"] = [tuple(r) for r in await pg.fetch(CURSOR)]
    return tables


def assert_same_projection(actual: dict[str, Any], expected: dict[str, Any]) -> None:
    """Table by table, naming the first rows that differ (a whole table's repr would be unreadable)."""
    assert expected["home_industries"], "the feed built a projection"
    for table in (*PROJECTION, "consumer_state"):
        missing = sorted(set(expected[table]) - set(actual[table]))[:3]
        extra = sorted(set(actual[table]) - set(expected[table]))[:3]
        assert (missing, extra, len(actual[table])) == ([], [], len(expected[table])), table


async def build(database_url: str, *, batch_size: int, catch_up_window: int, max_batches: int | None = None) -> None:
    """Apply the feed (all of it, or ``max_batches`` batches or windows) from where the cursor stands."""
    consumer = OutboxConsumer(database_url, database_url, batch_size=batch_size, catch_up_batch_size=batch_size,
                              catch_up_window=catch_up_window)
    await consumer.connect()
    try:
        if max_batches is None:
            await consumer.catch_up_to_latest()
        else:
            await consumer.catch_up(max_batches=max_batches)
    finally:
        await consumer.close()
