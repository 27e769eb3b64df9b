"""The audit trail (registry.audit_events): appended to, never changed (a trigger refuses it).

Reads of personal data are collected during a request (``ReadLog``) and written in one INSERT
when the operation ends; each write appends its event in the write's own transaction.
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


@dataclass
class ReadLog:
    """Personal fields read during one request, per IR: one audit row per IR."""

    fields: dict[int, dict[str, str]] = field(default_factory=dict)
    regency: dict[int, str] = field(default_factory=dict)

    def record(self, home_industry_id: int, regency_code: str, name: str, disclosure: str) -> None:
        self.fields.setdefault(home_industry_id, {})[name] = disclosure
        self.regency[home_industry_id] = regency_code

    async def flush(self, engine: AsyncEngine, actor: Actor) -> None:
        """Append the collected reads in one statement, then forget them."""
        if not self.fields:
            return
        ids = sorted(self.fields)
        async with engine.begin() as connection:
            await connection.execute(
                _APPEND_READS,
                {
                    **actor.columns(),
                    "ids": ids,
                    "regencies": [self.regency[pk] for pk in ids],
                    "fields": [json.dumps(self.fields[pk]) for pk in ids],
                },
            )
        self.fields.clear()
        self.regency.clear()


# One statement text whatever the number of IR (arrays, not a VALUES row per IR): compiled and
# prepared once, not once per page size.
_APPEND_READS = text(
    "INSERT INTO registry.audit_events "
    "(action, operation, subject, role, actor_region, partner, home_industry_id, regency_code, fields) "
    "SELECT 'READ', :operation, :subject, :role, :actor_region, :partner, r.id, r.regency, r.fields::jsonb "
    "FROM unnest(CAST(:ids AS bigint[]), CAST(:regencies AS text[]), CAST(:fields AS text[])) AS r(id, regency, fields)"
)


async def record_write(
    connection: AsyncConnection,
    actor: Actor,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any],
    *,
    added: Mapping[str, Mapping[str, Any]] | None = None,
) -> None:
    """Append a write's event; call it inside the write's transaction.

    ``added`` names rows the write created beside the IR (an assessment), recorded whole in ``after``.
    """
    old, new = changes(before, after)
    for name, row in (added or {}).items():
        new[name] = changes(None, row)[1]
    await connection.execute(
        insert(audit_events).values(
            **actor.columns(),
            action=WRITE,
            home_industry_id=after["id"],
            regency_code=after["regency_code"],
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
        # Regency codes: an exact match for a regency, a prefix for a province.
        query = query.where(
            (audit_events.c.regency_code == spec.region) | audit_events.c.regency_code.like(spec.region + ".%")
        )
    if spec.home_industry_id is not None:
        query = query.where(audit_events.c.home_industry_id == spec.home_industry_id)
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


__all__ = ["Actor", "AuditQuery", "ReadLog", "audit_page", "record_write"]
