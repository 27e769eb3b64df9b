"""The log of which regencies each write transaction changed (migration 0015), as the answer cache reads it.

A cached answer is still the answer when no change of its regencies committed after the snapshot it
was computed on: a row of ``registry.data_changes`` visible now but not in that snapshot is such a
change. Rows older than every live cached answer's snapshot are pruned.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

_CURRENT_SNAPSHOT = text("SELECT pg_current_snapshot()::text")

# Only rows of transactions at or after the snapshot's xmin can be invisible to it (an index range on
# the log's key); of those, the ones it did not see. '' is a change that may touch any answer; a region
# matches the regencies inside it, or the one it lies in (a sub-district or village scope).
_CHANGED_SINCE = text("""
    SELECT EXISTS (
        SELECT 1 FROM registry.data_changes
        WHERE xid >= pg_snapshot_xmin(CAST(CAST(:snapshot AS text) AS pg_snapshot))
          AND NOT pg_visible_in_snapshot(xid, CAST(CAST(:snapshot AS text) AS pg_snapshot))
          AND (CAST(:region AS text) IS NULL OR regency_code = ''
               OR starts_with(regency_code, CAST(:region AS text)) OR starts_with(CAST(:region AS text), regency_code))
    )
""")

_OLDEST_RUNNING = text("SELECT pg_snapshot_xmin(pg_current_snapshot())::text")
_PRUNE = text("DELETE FROM registry.data_changes WHERE xid < CAST(CAST(:horizon AS text) AS xid8)")


async def current_snapshot(connection: AsyncConnection) -> str:
    """The snapshot of the connection's transaction (its REPEATABLE READ snapshot once it has read)."""
    return (await connection.execute(_CURRENT_SNAPSHOT)).scalar_one()


async def changed_since(engine: AsyncEngine, snapshot: str, region: str | None) -> bool:
    """Whether a change of ``region`` (None: anywhere) committed that ``snapshot`` did not see.

    One statement in autocommit: no ``BEGIN``/``ROLLBACK`` around it on the path of a cached answer.
    """
    async with engine.connect() as connection:
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        return bool((await connection.execute(_CHANGED_SINCE, {"snapshot": snapshot, "region": region})).scalar_one())


async def oldest_running(engine: AsyncEngine) -> str:
    """The oldest transaction id any new snapshot can miss: rows below it are visible to every snapshot taken from now on."""
    async with engine.connect() as connection:
        return (await connection.execute(_OLDEST_RUNNING)).scalar_one()


async def prune(engine: AsyncEngine, horizon: str) -> int:
    """Forget the changes of transactions below ``horizon`` (an ``oldest_running`` taken before every live entry)."""
    async with engine.begin() as connection:
        return (await connection.execute(_PRUNE, {"horizon": horizon})).rowcount
