"""The audit trail (registry.audit_events): appended to, never changed (a trigger refuses it).

Reads of personal data and denied attempts are collected during a request (``ReadLog``) and
appended when the operation ends through the process's ``AuditWriter`` (group commit: the rows of
every request finishing meanwhile go in one INSERT and one commit); each write appends its event in
the write's own transaction.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import func, insert, select, text
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from services.registry.data.tables import audit_events
from services.registry.domain.audit import changes
from siir.auth.identity import Identity

READ = "READ"
WRITE = "WRITE"
DENIED = "DENIED"


@dataclass(frozen=True, slots=True)
class Actor:
    """Who did it and through which GraphQL operation."""

    subject: str
    role: str
    region: str | None
    partner: str | None
    operation: str

    @classmethod
    def of(cls, identity: Identity, operation: str) -> "Actor":
        return cls(identity.subject, str(identity.role), identity.region, identity.partner, operation)

    def columns(self) -> dict[str, Any]:
        return {
            "operation": self.operation,
            "subject": self.subject,
            "role": self.role,
            "actor_region": self.region,
            "partner": self.partner,
        }


HOME_INDUSTRY = "HomeIndustry"


@dataclass(frozen=True, slots=True)
class Record:
    """Which record an event is about: its type and id, the IR it belongs to, its region."""

    entity_type: str
    entity_id: int
    region_code: str | None
    home_industry_id: int | None = None

    @classmethod
    def home_industry(cls, row: Mapping[str, Any]) -> "Record":
        return cls(HOME_INDUSTRY, row["id"], row["regency_code"], row["id"])


@dataclass(frozen=True, slots=True)
class Denial:
    """A FORBIDDEN answer: the GraphQL path refused, why, and the record or region asked for if known."""

    path: str
    reason: str
    record: Record | None = None
    region_code: str | None = None


@dataclass
class ReadLog:
    """Personal fields read during one request, per record (one audit row per record), and the
    request's denied attempts (one row each)."""

    fields: dict[Record, dict[str, str]] = field(default_factory=dict)
    denials: list[Denial] = field(default_factory=list)

    def note(self, record: Record, name: str, disclosure: str) -> None:
        """A personal field of a record (an IR's NIK, a facilitator's e-mail) was read (``siir.policy``)."""
        self.fields.setdefault(record, {})[name] = disclosure

    def deny(self, denial: Denial) -> None:
        """The request was refused something."""
        self.denials.append(denial)

    def rows(self, actor: Actor) -> list[tuple[Any, ...]]:
        """The audit rows of this request (``_APPEND_COLUMNS`` order): one per record read, one per denial."""
        who = (actor.operation, actor.subject, actor.role, actor.region, actor.partner)
        rows = [
            (READ, *who, r.entity_type, r.entity_id, r.home_industry_id, r.region_code, orjson.dumps(self.fields[r]).decode(), None, None)
            for r in sorted(self.fields, key=lambda r: (r.entity_type, r.entity_id))
        ]
        rows += [
            (
                DENIED, *who,
                d.record.entity_type if d.record else None,
                d.record.entity_id if d.record else None,
                d.record.home_industry_id if d.record else None,
                d.region_code or (d.record.region_code if d.record else None),
                "{}", d.path, d.reason,
            )
            for d in self.denials
        ]
        return [tuple(_storable(value) for value in row) for row in rows]

    async def flush(self, engine: AsyncEngine, actor: Actor) -> None:
        """Append the collected reads and denials; return once they are committed, then forget them."""
        if not self.fields and not self.denials:
            return
        await AuditWriter.of(engine).append(self.rows(actor))
        self.fields.clear()
        self.denials.clear()


def _storable(value: Any) -> Any:
    """Text PostgreSQL can store: a refusal's reason quotes what the caller sent, and a NUL in it
    would fail the group commit, and with it the audit (so the answers) of every request in it."""
    return value.replace("\x00", "\ufffd") if isinstance(value, str) else value


class AuditWriter:
    """Group commit of the read-audit rows of concurrent requests, one writer per engine and event loop.

    A request hands its rows over and waits; while one INSERT/commit is in flight the rows of every
    request finishing meanwhile queue up and go together in the next one. Each request is released
    only once the commit that holds its rows has returned (synchronous_commit as the server has it:
    durable with PostgreSQL's default), and gets the error if that commit failed, so no answer leaves
    before its audit rows are stored. Under load a single commit serves many requests, so the WAL
    flush stops being paid once per request.
    """

    _writers: "weakref.WeakKeyDictionary[AsyncEngine, dict[int, AuditWriter]]" = weakref.WeakKeyDictionary()

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._queue: list[tuple[list[tuple[Any, ...]], asyncio.Future[None]]] = []
        self._task: asyncio.Task[None] | None = None
        #: How many commits and how many requests they carried (the group commit's effect, for benchmarks).
        self.commits = 0
        self.requests = 0

    @classmethod
    def of(cls, engine: AsyncEngine) -> "AuditWriter":
        loop = asyncio.get_running_loop()
        per_loop = cls._writers.setdefault(engine, {})
        writer = per_loop.get(id(loop))
        if writer is None:
            writer = per_loop[id(loop)] = cls(engine)
        return writer

    async def append(self, rows: list[tuple[Any, ...]]) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queue.append((rows, future))
        if self._task is None or self._task.done():
            self._task = asyncio.ensure_future(self._drain())
        await future

    async def _drain(self) -> None:
        while self._queue:
            batch, self._queue = self._queue, []
            columns: list[list[Any]] = [[] for _ in _APPEND_COLUMNS]
            for rows, _ in batch:
                for row in rows:
                    for column, value in zip(columns, row):
                        column.append(value)
            try:
                async with self.engine.begin() as connection:
                    await connection.execute(_APPEND, dict(zip(_APPEND_COLUMNS, columns)))
            except BaseException as error:  # every waiting request learns its rows were not stored
                for _, future in batch:
                    if not future.done():
                        future.set_exception(error if isinstance(error, Exception) else RuntimeError("audit write cancelled"))
                if not isinstance(error, Exception):
                    raise
            else:
                self.commits += 1
                self.requests += len(batch)
                for _, future in batch:
                    if not future.done():
                        future.set_result(None)


_APPEND_COLUMNS = (
    "action", "operation", "subject", "role", "actor_region", "partner",
    "entity_type", "entity_id", "home_industry_id", "region_code", "fields", "path", "reason",
)
_TYPES = ("text", "text", "text", "text", "text", "text", "text", "bigint", "bigint", "text", "text", "text", "text")

# One statement text whatever the number of rows (arrays, not a VALUES row each): compiled and
# prepared once, not once per batch size.
_APPEND = text(
    f"INSERT INTO registry.audit_events ({', '.join(_APPEND_COLUMNS)}) "
    "SELECT r.action, r.operation, r.subject, r.role, r.actor_region, r.partner, r.entity_type, r.entity_id, "
    "r.home_industry_id, r.region_code, r.fields::jsonb, r.path, r.reason FROM unnest("
    + ", ".join(f"CAST(:{name} AS {kind}[])" for name, kind in zip(_APPEND_COLUMNS, _TYPES))
    + f") AS r({', '.join(_APPEND_COLUMNS)})"
)


async def record_write(
    connection: AsyncConnection,
    actor: Actor,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any],
    *,
    added: Mapping[str, Mapping[str, Any]] | None = None,
    record: Record | None = None,
) -> None:
    """Append a write's event; call it inside the write's transaction.

    ``record`` names what was written (default: the IR ``after`` is a row of). ``added`` names
    rows the write created beside it (an assessment), recorded whole in ``after``.
    """
    await connection.execute(insert(audit_events).values(**_write_row(actor, Write(before, after, added, record))))


@dataclass(frozen=True, slots=True)
class Write:
    """One write's audit facts, as ``record_write`` takes them (for ``record_writes``)."""

    before: Mapping[str, Any] | None
    after: Mapping[str, Any]
    added: Mapping[str, Mapping[str, Any]] | None = None
    record: Record | None = None


def _write_row(actor: Actor, write: Write) -> dict[str, Any]:
    record = write.record or Record.home_industry(write.after)
    old, new = changes(write.before, write.after)
    for name, row in (write.added or {}).items():
        new[name] = changes(None, row)[1]
    return {
        **actor.columns(),
        "action": WRITE,
        "entity_type": record.entity_type,
        "entity_id": record.entity_id,
        "home_industry_id": record.home_industry_id,
        "region_code": record.region_code,
        "fields": {name: "WRITTEN" for name in new},
        "before": old,
        "after": new,
    }


async def record_writes(connection: AsyncConnection, actor: Actor, writes: list[Write]) -> None:
    """``record_write`` for several writes by one actor, in one multi-row INSERT, in order."""
    if writes:
        await connection.execute(insert(audit_events), [_write_row(actor, write) for write in writes])


@dataclass(frozen=True, slots=True)
class AuditQuery:
    """Which events to list (newest first); parts combine with AND."""

    region: str | None = None
    home_industry_id: int | None = None
    entity_type: str | None = None
    entity_id: int | None = None
    subject: str | None = None
    action: str | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None


def _audit_where(spec: AuditQuery) -> list[Any]:
    where: list[Any] = []
    if spec.region is not None:
        # Region codes: an exact match, or a prefix for what lies inside. National records (no
        # region) are for a national reader only.
        inside = (audit_events.c.region_code == spec.region) | audit_events.c.region_code.like(spec.region + ".%")
        # A denial is also the business of the office of whoever attempted it, wherever she asked.
        by_own = (audit_events.c.action == DENIED) & (
            (audit_events.c.actor_region == spec.region) | audit_events.c.actor_region.like(spec.region + ".%")
        )
        where.append(inside | by_own)
    if spec.home_industry_id is not None:
        where.append(audit_events.c.home_industry_id == spec.home_industry_id)
    if spec.entity_type is not None:
        where.append(audit_events.c.entity_type == spec.entity_type)
    if spec.entity_id is not None:
        where.append(audit_events.c.entity_id == spec.entity_id)
    if spec.subject is not None:
        where.append(audit_events.c.subject == spec.subject)
    if spec.action is not None:
        where.append(audit_events.c.action == spec.action)
    if spec.since is not None:
        where.append(audit_events.c.occurred_at >= spec.since)
    if spec.until is not None:
        where.append(audit_events.c.occurred_at < spec.until)
    return where


async def count_audit_events(connection: AsyncConnection, spec: AuditQuery) -> int:
    """How many events ``spec`` selects (all pages)."""
    query = select(func.count()).select_from(audit_events).where(*_audit_where(spec))
    return int((await connection.execute(query)).scalar_one())


async def audit_page(
    connection: AsyncConnection, spec: AuditQuery, *, first: int, before_id: int | None
) -> list[RowMapping]:
    """Up to ``first + 1`` events older than ``before_id``, newest first."""
    query = select(audit_events).where(*_audit_where(spec)).order_by(audit_events.c.id.desc()).limit(first + 1)
    if before_id is not None:
        query = query.where(audit_events.c.id < before_id)
    result = await connection.execute(query)
    return list(result.mappings())


__all__ = ["Actor", "AuditQuery", "Denial", "ReadLog", "Record", "Write", "audit_page", "record_write", "record_writes"]
