"""A facilitator's current assignment, looked up by her login subject (for the access layer)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from services.reporting.domain.access import Assignment

_ASSIGNED = text(
    """
    SELECT f.id, a.village_code, a.home_industry_id
    FROM reporting.facilitators f
    LEFT JOIN reporting.facilitator_assignments a
      ON a.facilitator_id = f.id AND a.active_from <= :day AND (a.active_until IS NULL OR a.active_until >= :day)
    WHERE f.subject = :subject
    """
)


async def assignment_of(connection: AsyncConnection, subject: str, day: dt.date) -> Assignment | None:
    """The villages and IR assigned on ``day`` to the facilitator whose login subject is ``subject``
    (one statement); None when reporting knows no such facilitator, or (for a moment, while a subject
    passes from one record to another) more than one."""
    rows = (await connection.execute(_ASSIGNED, {"subject": subject, "day": day})).all()
    facilitators = {row.id for row in rows}
    if len(facilitators) != 1:
        return None
    return Assignment.of(rows[0].id, [(row.village_code, row.home_industry_id) for row in rows])
