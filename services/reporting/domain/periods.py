"""Report periods: Asia/Jakarta calendar days grouped into years, months and days.

Rollups keep each change in four buckets (all time, its year, its month, its day), so any date or
date range is a handful of buckets: "as of 14 March 2025" is the years before 2025, January and
February 2025, and 1–14 March, or, cheaper for a recent date, all time less what came after it.
An assessment dated 31 December counts in that year.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from siir.errors import InvalidInput

JAKARTA = ZoneInfo("Asia/Jakarta")

YEAR, MONTH, DAY, ALL_TIME = "Y", "M", "D", "A"
#: The period_start of the all-time bucket.
ALL_TIME_START = dt.date(1945, 1, 1)
#: The programme's first year (for choosing the cheaper way to read a date's stock, nothing else).
PROGRAMME_START_YEAR = 2016


def today_in_jakarta() -> dt.date:
    return dt.datetime.now(JAKARTA).date()


def check_report_day(field: str, day: dt.date | None, today: dt.date) -> dt.date | None:
    """A report date within the data: not before the all-time bucket starts, not after this year
    (BAD_USER_INPUT naming ``field``; a figure "as of" 2090 would be today's under another name)."""
    if day is None:
        return None
    latest = dt.date(today.year, 12, 31)
    if not ALL_TIME_START <= day <= latest:
        raise InvalidInput(field, f"is outside the data: report dates run from {ALL_TIME_START.isoformat()} "
                           f"to {latest.isoformat()}")
    return day


def buckets_of(day: dt.date) -> tuple[tuple[str, dt.date], ...]:
    """The all-time, year, month and day buckets a change on ``day`` is counted in."""
    return ((ALL_TIME, ALL_TIME_START), (YEAR, day.replace(month=1, day=1)), (MONTH, day.replace(day=1)), (DAY, day))


def _next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def buckets_between(first: dt.date, last: dt.date) -> list[tuple[str, dt.date]]:
    """The fewest buckets that cover ``first``..``last`` (both included) exactly."""
    out: list[tuple[str, dt.date]] = []
    day = first
    while day <= last:
        if day.month == 1 and day.day == 1 and dt.date(day.year, 12, 31) <= last:
            out.append((YEAR, day))
            day = dt.date(day.year + 1, 1, 1)
        elif day.day == 1 and _next_month(day) - dt.timedelta(days=1) <= last:
            out.append((MONTH, day))
            day = _next_month(day)
        else:
            out.append((DAY, day))
            day += dt.timedelta(days=1)
    return out


def read_backwards(as_of: dt.date, today: dt.date) -> bool:
    """Whether the stock on ``as_of`` is cheaper read as all time less the buckets after it."""
    before = (as_of.year - PROGRAMME_START_YEAR) + (as_of.month - 1) + as_of.day
    after = (_next_month(as_of) - as_of).days + (12 - as_of.month) + max(0, today.year - as_of.year)
    return after < before


def buckets_until(last: dt.date, since: dt.date = dt.date(1945, 1, 1)) -> list[tuple[str, dt.date]]:
    """Buckets covering everything up to and including ``last`` (changes are never before 1945)."""
    return buckets_between(since, last)
