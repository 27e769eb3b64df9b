"""The yearly re-assessment rule (Permen PPPA 2/2016 BAB V: every IR is re-assessed at least once a year).

An active IR is *due* on the anniversary of its last assessment (an IR never assessed is due at
once); it is *overdue* the day after. A worklist asks for the IR due within N days from today
(default 30), overdue ones included, oldest first.
"""

from __future__ import annotations

import datetime as dt

from siir.errors import InvalidInput

DEFAULT_DUE_WITHIN_DAYS = 30
MAX_DUE_WITHIN_DAYS = 366
#: The sort key of an IR never assessed (first in the list).
NEVER = dt.date(1, 1, 1)


def one_year_after(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def one_year_before(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def check_due_within(field: str, days: int) -> int:
    if not 0 <= days <= MAX_DUE_WITHIN_DAYS:
        raise InvalidInput(field, f"must be between 0 and {MAX_DUE_WITHIN_DAYS}")
    return days


def latest_listed_assessment(today: dt.date, due_within_days: int) -> dt.date:
    """IR whose last assessment is on or before this day are due within ``due_within_days``."""
    return one_year_before(today + dt.timedelta(days=due_within_days))


def due_on(last_assessed_on: dt.date | None, today: dt.date) -> dt.date:
    """When the IR's next yearly assessment is due (today for an IR never assessed)."""
    return today if last_assessed_on is None else one_year_after(last_assessed_on)


def days_overdue(last_assessed_on: dt.date | None, today: dt.date) -> int:
    """Days past the due date (0 when not yet overdue; an IR never assessed is overdue from today)."""
    if last_assessed_on is None:
        return 0
    return max(0, (today - one_year_after(last_assessed_on)).days)
