"""The audit trail (registry.audit_events): appended to, never changed (a trigger refuses it).

Reads of personal data and denied attempts are collected during a request (``ReadLog``) and
written in one INSERT when the operation ends; each write appends its event in the write's own transaction.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert, select, text
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

    def record(self, home_industry_id: int, regency_code: str, name: str, disclosure: str) -> None:
        """A personal field of an IR was read."""
        self.note(Record(HOME_INDUSTRY, home_industry_id, regency_code, home_industry_id), name, disclosure)

    def note(self, record: Record, name: str, disclosure: str) -> None:
        """A personal field of any record (a team member's phone, a facilitator's e-mail) was read."""
        self.fields.setdefault(record, {})[name] = disclosure

    def deny(self, denial: Denial) -> None:
        """The request was refused something."""
        self.denials.append(denial)

    async def flush(self, engine: AsyncEngine, actor: Actor) -> None:
        """Append the collected reads and denials in one statement, then forget them."""
        if not self.fields and not self.denials:
            return
        records = sorted(self.fields, key=lambda r: (r.entity_type, r.entity_id))
        denials = self.denials
        async with engine.begin() as connection:
            await connection.execute(
                _APPEND,
                {
                    **actor.columns(),
                    "types": [r.entity_type for r in records],
                    "ids": [r.entity_id for r in records],
                    "irs": [r.home_industry_id for r in records],
                    "regions": [r.region_code for r in records],
                    "fields": [json.dumps(self.fields[r]) for r in records],
                    "d_types": [d.record.entity_type if d.record else None for d in denials],
                    "d_ids": [d.record.entity_id if d.record else None for d in denials],
                    "d_irs": [d.record.home_industry_id if d.record else None for d in denials],
                    "d_regions": [d.region_code or (d.record.region_code if d.record else None) for d in denials],
                    "d_paths": [d.path for d in denials],
                    "d_reasons": [d.reason for d in denials],
                },
            )
        self.fields.clear()
        self.denials.clear()


# One statement text whatever the number of records and denials (arrays, not a VALUES row each):
# compiled and prepared once, not once per page size; empty arrays add no row.
_APPEND = text(
    "INSERT INTO registry.audit_events (action, operation, subject, role, actor_region, partner, "
    "entity_type, entity_id, home_industry_id, region_code, fields, path, reason) "
    "SELECT 'READ', CAST(:operation AS text), CAST(:subject AS text), CAST(:role AS text), "
    "CAST(:actor_region AS text), CAST(:partner AS text), r.type, r.id, r.ir, r.region, r.fields::jsonb, "
    "NULL::text, NULL::text "
    "FROM unnest(CAST(:types AS text[]), CAST(:ids AS bigint[]), CAST(:irs AS bigint[]), CAST(:regions AS text[]), "
    "CAST(:fields AS text[])) AS r(type, id, ir, region, fields) "
    "UNION ALL "
    "SELECT 'DENIED', CAST(:operation AS text), CAST(:subject AS text), CAST(:role AS text), "
    "CAST(:actor_region AS text), CAST(:partner AS text), d.type, d.id, d.ir, d.region, '{}'::jsonb, d.path, d.reason "
    "FROM unnest(CAST(:d_types AS text[]), CAST(:d_ids AS bigint[]), CAST(:d_irs AS bigint[]), "
    "CAST(:d_regions AS text[]), CAST(:d_paths AS text[]), CAST(:d_reasons AS text[])) "
    "AS d(type, id, ir, region, path, reason)"
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
    record = record or Record.home_industry(after)
    old, new = changes(before, after)
    for name, row in (added or {}).items():
        new[name] = changes(None, row)[1]
    await connection.execute(
        insert(audit_events).values(
            **actor.columns(),
            action=WRITE,
            entity_type=record.entity_type,
            entity_id=record.entity_id,
            home_industry_id=record.home_industry_id,
            region_code=record.region_code,
            fields={name: "WRITTEN" for name in new},
            before=old,
            after=new,
        )
    )


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


async def audit_page(
    connection: AsyncConnection, spec: AuditQuery, *, first: int, before_id: int | None
) -> list[RowMapping]:
    """Up to ``first + 1`` events older than ``before_id``, newest first."""
    query = select(audit_events).order_by(audit_events.c.id.desc()).limit(first + 1)
    if spec.region is not None:
        # Region codes: an exact match, or a prefix for what lies inside. National records (no
        # region) are for a national reader only.
        inside = (audit_events.c.region_code == spec.region) | audit_events.c.region_code.like(spec.region + ".%")
        # A denial is also the business of the office of whoever attempted it, wherever she asked.
        by_own = (audit_events.c.action == DENIED) & (
            (audit_events.c.actor_region == spec.region) | audit_events.c.actor_region.like(spec.region + ".%")
        )
        query = query.where(inside | by_own)
    if spec.home_industry_id is not None:
        query = query.where(audit_events.c.home_industry_id == spec.home_industry_id)
    if spec.entity_type is not None:
        query = query.where(audit_events.c.entity_type == spec.entity_type)
    if spec.entity_id is not None:
        query = query.where(audit_events.c.entity_id == spec.entity_id)
    if spec.subject is not None:
        query = query.where(audit_events.c.subject == spec.subject)
    if spec.action is not None:
        query = query.where(audit_events.c.action == spec.action)
    if spec.since is not None:
        query = query.where(audit_events.c.occurred_at >= spec.since)
    if spec.until is not None:
        query = query.where(audit_events.c.occurred_at < spec.until)
    if before_id is not None:
        query = query.where(audit_events.c.id < before_id)
    result = await connection.execute(query)
    return list(result.mappings())


__all__ = ["Actor", "AuditQuery", "Denial", "ReadLog", "Record", "audit_page", "record_write"]
