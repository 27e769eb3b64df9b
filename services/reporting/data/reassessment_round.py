"""The re-assessment round of a year: active IR and how many of them were assessed in it, per region."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import text
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

# Active at ``last`` (registered by then, not closed or graduated by then); assessed: an assessment
# dated in first..last. Grouped by the region ``length`` characters of the regency code name
# (2: provinces, 5: regencies/cities).
_ROUND = text(
    """
    SELECT left(h.regency_code, :length) AS region_code, count(*)::int AS active,
           count(*) FILTER (WHERE EXISTS (
               SELECT 1 FROM reporting.class_history c
               WHERE c.home_industry_id = h.id AND c.assessed_on BETWEEN :first AND :last))::int AS assessed
    FROM reporting.home_industries h
    WHERE h.registered_on <= :last AND (h.status = 'ACTIVE' OR h.status_changed_on > :last)
      AND (:prefix = '' OR h.regency_code = :prefix OR h.regency_code LIKE :prefix || '.%')
    GROUP BY 1
    """
)


async def round_by_region(
    connection: AsyncConnection, prefix: str, length: int, first: dt.date, last: dt.date
) -> dict[str, RowMapping]:
    result = await connection.execute(_ROUND, {"prefix": prefix, "length": length, "first": first, "last": last})
    return {row["region_code"]: row for row in result.mappings()}
