"""What a registry resolver can reach: the caller, the engine, the request's loaders, the rule in force."""

from __future__ import annotations

import datetime as dt
import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from strawberry.extensions import SchemaExtension
from strawberry.types import Info

from services.registry.data import data_changes
from services.registry.data import facilitators as facilitator_data
from services.registry.data import partners as partner_data
from services.registry.data.audit import Actor, ReadLog
from services.registry.domain import access, network_access
from services.registry.domain.classification import RuleSet
from services.registry.domain.graduation import GraduationThresholds
from services.registry.graphql.loaders import Loaders
from siir.auth.identity import Identity, Role

if TYPE_CHECKING:
    from services.registry.graphql.answer_cache import AnswerCache

JAKARTA = ZoneInfo("Asia/Jakarta")


class RequestSnapshot:
    """One pooled connection and one snapshot for all the reads of a query operation.

    The page, its ``totalCount`` and every DataLoader see the same data (REPEATABLE READ READ ONLY,
    opened on the first read, ended when the operation ends) and pay one ``BEGIN``/``ROLLBACK``
    instead of one pair per loader. asyncpg runs one statement at a time per connection, so reads of
    concurrent resolvers take turns (a lock), which costs nothing on one event loop. A mutation's
    reads keep a fresh connection each (``shared`` stays False): they must see the writes it made.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.shared = False
        self._connection: AsyncConnection | None = None
        self._lock = asyncio.Lock()

    @contextlib.asynccontextmanager
    async def connect(self) -> AsyncIterator[AsyncConnection]:
        if not self.shared:
            async with self.engine.connect() as connection:
                yield connection
            return
        async with self._lock:
            if self._connection is None:
                connection = await self.engine.connect()
                try:
                    await connection.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
                    await connection.begin()
                except BaseException:
                    await connection.close()
                    raise
                self._connection = connection
            yield self._connection

    async def seen(self) -> str | None:
        """The snapshot the operation's reads saw (``pg_snapshot`` text), None if it read nothing."""
        async with self._lock:
            if self._connection is None:
                return None
            return await data_changes.current_snapshot(self._connection)

    async def close(self) -> None:
        """End the snapshot (a rollback: it only read) and return the connection to the pool."""
        async with self._lock:
            connection, self._connection = self._connection, None
            self.shared = False
        if connection is not None:
            await connection.close()


class OneSnapshotPerQuery(SchemaExtension):
    """A query operation's reads share one connection and snapshot (``RequestSnapshot``)."""

    async def on_execute(self) -> AsyncIterator[None]:  # type: ignore[override]
        execution = self.execution_context
        snapshot: RequestSnapshot = execution.context.snapshot
        snapshot.shared = execution.operation_type is not None and execution.operation_type.value == "query"
        try:
            yield
        finally:
            await snapshot.close()


@dataclass
class RegistryContext:
    engine: AsyncEngine
    rule_set: RuleSet
    graduation_thresholds: GraduationThresholds
    identity: Identity
    #: "query ListHomeIndustries", set when execution starts (see ``audit.AuditReads``).
    operation: str = "query (anonymous)"
    #: The process's answer cache (``answer_cache.AnswerCache``); None answers every operation afresh.
    answer_cache: "AnswerCache | None" = None
    loaders: Loaders = field(init=False)
    reads: ReadLog = field(init=False)
    snapshot: RequestSnapshot = field(init=False)
    #: The caller's facilitator record id (FACILITATOR only), known once the scope is loaded.
    facilitator_id: int | None = field(init=False, default=None)
    _scope: "asyncio.Future[access.RecordScope] | None" = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.snapshot = RequestSnapshot(self.engine)
        self.loaders = Loaders(self.snapshot.connect, self.today(), self.record_scope)
        self.reads = ReadLog()

    def connect(self) -> contextlib.AbstractAsyncContextManager[AsyncConnection]:
        """A connection for this request's reads (the request's shared snapshot during a query)."""
        return self.snapshot.connect()

    async def record_scope(self) -> access.RecordScope:
        """The IR this caller may read (FORBIDDEN for a role without record-level access).

        A facilitator's assignments and a partner's programme rules are looked up once per request,
        on first need (two statements), whatever the number of records the request touches. Every
        resolver awaits the same task, so they all resume together and their loads stay batched.
        """
        if self._scope is None:
            self._scope = asyncio.ensure_future(self._load_scope())
        return await asyncio.shield(self._scope)

    async def _load_scope(self) -> access.RecordScope:
        identity = self.identity
        if identity.role is Role.FACILITATOR:
            return access.record_scope(identity, assignment=await self._assignment())
        if identity.role is Role.PARTNER:
            return access.record_scope(identity, eligibility=await self._eligibility())
        return access.record_scope(identity)

    async def _assignment(self) -> access.Assignment | None:
        async with self.connect() as connection:
            row = await facilitator_data.facilitator_by_subject(connection, self.identity.subject)
            if row is None:
                return None
            villages, home_industry_ids = await facilitator_data.assigned_scope(connection, row["id"], self.today())
        self.facilitator_id = row["id"]
        return access.Assignment(row["id"], row["regency_code"], frozenset(villages), frozenset(home_industry_ids))

    async def _eligibility(self) -> tuple[access.EligibilityRule, ...] | None:
        partner_id = network_access.partner_reach(self.identity)
        assert partner_id is not None
        async with self.connect() as connection:
            if partner_id not in await partner_data.partners_by_ids(connection, [partner_id]):
                return None
            return tuple(await partner_data.eligibility_rules(connection, partner_id, self.today()))

    async def own_facilitator_id(self) -> int | None:
        """The caller's facilitator record (FACILITATOR only; FORBIDDEN when there is none)."""
        if self.identity.role is not Role.FACILITATOR:
            return None
        await self.record_scope()
        return self.facilitator_id

    def actor(self) -> Actor:
        return Actor.of(self.identity, self.operation)

    def today(self) -> dt.date:
        """Dates in the programme are Indonesian (WIB) dates."""
        return dt.datetime.now(JAKARTA).date()


RegistryInfo = Info[RegistryContext, None]
