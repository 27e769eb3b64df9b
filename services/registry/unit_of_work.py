"""One transaction for one or more registry changes: the lock, the version check, the outbox, the audit.

Every change to the registry does the same five things: lock the record (or create it), check the
version the caller saw, write, append the outbox event that tells reporting, append the audit row.
A ``UnitOfWork`` holds the connection and its transaction and does the shared parts, so that a
registrar function only says what its change is. The caller owns the transaction: a registrar
function takes either an engine (it then opens its own unit and commits once) or a unit somebody
else opened, in which case it adds its change to that unit and leaves the commit to the owner. That
is how a merge (and later an import, a sync batch, a transfer) composes several changes into one
transaction: everything or nothing, the events published only when the whole unit commits.

    async with UnitOfWork.begin(engine, actor) as work:
        await registrar.update(work, ...)
        await registrar.change_status(work, ...)
    # one COMMIT here; an exception anywhere rolls every change back
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from services.registry.data import audit, outbox
from services.registry.domain.events import AGGREGATE_HOME_INDUSTRY
from siir.errors import Conflict, NotFound


class UnitOfWork:
    """The open transaction of one or more changes, and who makes them."""

    def __init__(self, connection: AsyncConnection, actor: audit.Actor) -> None:
        self.connection = connection
        self.actor = actor

    @classmethod
    @asynccontextmanager
    async def begin(cls, engine: AsyncEngine, actor: audit.Actor) -> AsyncIterator[UnitOfWork]:
        """Open a transaction; it commits once when the block ends and rolls back on any exception."""
        async with engine.begin() as connection:
            yield cls(connection, actor)

    async def lock(
        self,
        read_locked: Callable[[AsyncConnection, int], Awaitable[RowMapping | None]],
        record_id: int,
        admits: Callable[[RowMapping], bool],
        missing: str,
    ) -> RowMapping:
        """The record, locked until the unit ends; one the caller may not see is as missing as none."""
        row = await read_locked(self.connection, record_id)
        if row is None or not admits(row):
            raise NotFound(missing)
        return row

    @staticmethod
    def stale(record: str, current_version: int | None, expected_version: int, missing: str) -> Exception:
        """The answer to a versioned write that matched no row: gone, or changed since the caller read it."""
        if current_version is None:
            return NotFound(missing)
        return Conflict(
            f"{record} is at version {current_version}, not {expected_version}: reload it and apply your change again",
            currentVersion=current_version,
        )

    async def publish(
        self, event_type: str, aggregate_id: Any, payload: dict[str, Any], *, aggregate_type: str = AGGREGATE_HOME_INDUSTRY
    ) -> None:
        """Append an outbox event; reporting sees it only if the whole unit commits."""
        await outbox.publish(self.connection, event_type, str(aggregate_id), payload, aggregate_type=aggregate_type)

    async def audit(
        self,
        before: Mapping[str, Any] | None,
        after: Mapping[str, Any],
        *,
        added: Mapping[str, Mapping[str, Any]] | None = None,
        record: audit.Record | None = None,
    ) -> None:
        """Append the audit row of one change by this unit's actor."""
        await audit.record_write(self.connection, self.actor, before, after, added=added, record=record)

    async def publish_all(self, events: list[tuple[str, Any, dict[str, Any]]], *, aggregate_type: str = AGGREGATE_HOME_INDUSTRY) -> None:
        """Append several events, each (event type, aggregate id, payload), in this order, in one statement."""
        await outbox.publish_all(
            self.connection, [(aggregate_type, str(aggregate_id), event_type, payload) for event_type, aggregate_id, payload in events]
        )

    async def audit_all(self, writes: list[audit.Write]) -> None:
        """Append the audit rows of several changes by this unit's actor, in one statement."""
        await audit.record_writes(self.connection, self.actor, writes)

    async def changed(
        self,
        before: Mapping[str, Any] | None,
        after: RowMapping,
        event_type: str,
        payload: dict[str, Any],
        *,
        aggregate_type: str = AGGREGATE_HOME_INDUSTRY,
        added: Mapping[str, Mapping[str, Any]] | None = None,
        record: audit.Record | None = None,
    ) -> RowMapping:
        """The tail every change shares: its outbox event, then its audit row; returns ``after``."""
        await self.publish(event_type, after["id"], payload, aggregate_type=aggregate_type)
        await self.audit(before, after, added=added, record=record)
        return after


Target = AsyncEngine | UnitOfWork


@asynccontextmanager
async def unit_of_work(target: Target, actor: audit.Actor) -> AsyncIterator[UnitOfWork]:
    """The caller's unit when it passes one (its owner commits), else a new one that commits here."""
    if isinstance(target, UnitOfWork):
        yield target
        return
    async with UnitOfWork.begin(target, actor) as work:
        yield work
