"""How complete a region's yearly re-assessment round is (BAB V: every IR re-assessed at least once a year).

For a year (to today when the year is not over): the IR active at its end, and the share of them with
an assessment dated in the year; for the region asked and each child region (provinces of the nation,
regencies/cities of a province). Aggregates: the offices and analysts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncConnection

from services.reporting.data import reassessment_round as round_data
from services.reporting.domain import access
from services.reporting.domain.access import Assignment
from services.reporting.domain.indicators import INDICATOR_REGION_LEVELS, check_year
from services.reporting.domain.periods import today_in_jakarta
from services.reporting.policy import POLICY
from services.reporting.reports import RegionRef, children, region
from siir.auth.identity import Identity
from siir.errors import InvalidInput


@dataclass(frozen=True, slots=True)
class RoundLine:
    region: RegionRef
    active: int
    assessed: int

    @property
    def share(self) -> float | None:
        return self.assessed / self.active if self.active else None


@dataclass(frozen=True, slots=True)
class ReassessmentRound:
    year: int
    first: dt.date
    last: dt.date
    total: RoundLine
    children: list[RoundLine]


async def reassessment_round(
    connection: AsyncConnection, identity: Identity | None, region_code: str | None, year: int,
    assignment: Assignment | None = None,
) -> ReassessmentRound:
    access.report_scope(identity, assignment)
    POLICY.require(identity.role if identity else None, "Query.reassessmentRound")
    today = today_in_jakarta()
    check_year("year", year, today.year)
    if year > today.year:
        raise InvalidInput("year", f"{year} has not begun")
    target = await region(connection, region_code, identity, assignment)
    if target.level not in INDICATOR_REGION_LEVELS:
        raise InvalidInput("regionCode", "the round is kept for the nation, provinces and regencies/cities")
    first, last = dt.date(year, 1, 1), min(dt.date(year, 12, 31), today)
    kids = [k for k in await children(connection, target) if k.level in INDICATOR_REGION_LEVELS]
    length = 2 if target.level == 0 else 5
    rows = await round_data.round_by_region(connection, target.code, length, first, last)
    lines = [RoundLine(k, rows[k.code]["active"] if k.code in rows else 0, rows[k.code]["assessed"] if k.code in rows else 0)
             for k in kids]
    if target.level == 2:
        row = rows.get(target.code)
        total = RoundLine(target, row["active"] if row else 0, row["assessed"] if row else 0)
    else:
        total = RoundLine(target, sum(r["active"] for r in rows.values()), sum(r["assessed"] for r in rows.values()))
    return ReassessmentRound(year, first, last, total, lines)
