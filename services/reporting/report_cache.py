"""Report answers kept until the projection moves on: reports change only when the consumer applies events.

An answer is stored under its *generation*, the consumer's cursor (``reporting.consumer_state``, one
primary-key read per request), and dropped as soon as a request sees a newer cursor: every applied
batch commits the projection and the cursor in one transaction, so an answer computed at a cursor
holds for as long as the cursor stays there. The cursor is read from the database, not from this
process, so replicas that only serve queries see the consumer's batches too.

What an answer depends on, and so its key: the report and its arguments as resolved (a missing
``asOf`` becomes today's date in Jakarta, so a cached "today" ends at midnight) and the caller's
*audience*: role, region claim, partner claim and, for a facilitator, who she is (her scope is her
own). Scope checks and disclosure control run inside the computation, so a caller whose audience
differs in anything they use never reaches another's entry; failures (FORBIDDEN, bad input) are
never stored. Reference data outside the feed (the region list, loaded by ``siir migrate``) is
assumed fixed while the service runs.

What is kept is the answer's GraphQL object, built once (building a national distribution's 38
provinces' figures cost more than reading them from the rollup); execution only reads it, never
changes it, so requests share it.

Concurrent requests for the same missing entry wait for one computation (16 dashboards opening at
once after a batch cost one report, not sixteen).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable
from typing import Any, TypeVar

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from services.reporting.domain.periods import today_in_jakarta
from siir.auth.identity import Identity, Role

T = TypeVar("T")

#: Entries kept per generation (least recently used dropped first): a few hundred regions × reports.
MAX_ENTRIES = 2048

_GENERATION = text(
    "SELECT transaction_id::text AS transaction_id, event_id FROM reporting.consumer_state WHERE consumer = 'registry-outbox'"
)

Generation = tuple[int, int]


def audience(identity: Identity | None) -> Hashable:
    """What of the caller an answer may depend on (callers alike in all of it share answers)."""
    if identity is None:
        return None
    # A facilitator's scope is her own, and her assignments start and end on dates: today is part of it.
    personal = (identity.subject, today_in_jakarta()) if identity.role is Role.FACILITATOR else None
    return (identity.role.value, identity.region, identity.partner, personal)


async def generation(connection: AsyncConnection) -> Generation:
    row = (await connection.execute(_GENERATION)).first()
    return (int(row.transaction_id), int(row.event_id)) if row else (0, 0)


@contextlib.asynccontextmanager
async def snapshot(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A read-only connection whose statements all see one snapshot: the cursor read first and the
    report read after it agree, so an answer is stored under exactly the generation it reflects."""
    async with engine.connect() as connection:
        connection = await connection.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        yield connection


class ReportCache:
    """Answers by (generation, report, arguments, audience); one per process."""

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self.max_entries = max_entries
        self.generation: Generation = (0, 0)
        self.entries: OrderedDict[Hashable, Any] = OrderedDict()
        self.computing: dict[Hashable, asyncio.Future[Any]] = {}
        self.hits = self.misses = 0

    async def answer(
        self, connection: AsyncConnection, identity: Identity | None, key: Hashable, compute: Callable[[], Awaitable[T]]
    ) -> T:
        """The answer of ``compute()`` (which must depend only on ``key``, the audience and the projection)."""
        now = await generation(connection)
        if now > self.generation:
            self.generation = now
            self.entries.clear()  # a batch committed: every answer may have changed
        full_key = (now, key, audience(identity))
        if full_key in self.entries:
            self.hits += 1
            self.entries.move_to_end(full_key)
            return self.entries[full_key]  # type: ignore[no-any-return]
        pending = self.computing.get(full_key)
        if pending is not None:
            self.hits += 1
            return await asyncio.shield(pending)  # type: ignore[no-any-return]
        self.misses += 1
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.computing[full_key] = future
        try:
            value = await compute()
        except BaseException as error:
            future.set_exception(error)
            future.exception()  # retrieved: waiting requests re-raise it, nobody else has to
            raise
        else:
            future.set_result(value)
            if now == self.generation:  # an answer read at an older cursor is not kept
                self.entries[full_key] = value
                if len(self.entries) > self.max_entries:
                    self.entries.popitem(last=False)
            return value
        finally:
            del self.computing[full_key]
