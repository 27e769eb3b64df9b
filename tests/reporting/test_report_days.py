"""Report dates lie within the data (periods.check_report_day): from the all-time bucket's start to
the end of the current year."""

from __future__ import annotations

import datetime as dt

import pytest

from services.reporting.domain.periods import ALL_TIME_START, check_report_day
from siir.errors import InvalidInput

TODAY = dt.date(2026, 12, 4)


@pytest.mark.parametrize("day", [ALL_TIME_START, dt.date(2016, 1, 1), TODAY, dt.date(2026, 12, 31), None])
def test_a_day_within_the_data_is_kept(day: dt.date | None) -> None:
    assert check_report_day("asOf", day, TODAY) == day


@pytest.mark.parametrize("day", [dt.date(1944, 12, 31), dt.date(2027, 1, 1), dt.date(1900, 1, 1), dt.date(2099, 12, 31)])
def test_a_day_beyond_the_data_is_bad_user_input_naming_the_argument(day: dt.date) -> None:
    with pytest.raises(InvalidInput) as refused:
        check_report_day("to", day, TODAY)
    assert refused.value.extensions == {"code": "BAD_USER_INPUT", "field": "to"}
    assert "1945-01-01 to 2026-12-31" in refused.value.message
