"""The re-assessment worklist's page: active IR whose last assessment is old enough, oldest first."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, literal, literal_column, select, tuple_
from sqlalchemy.ext.asyncio import AsyncConnection

from services.registry.data.home_industries import HomeIndustryQuery, filtered, scoped
from services.registry.data.tables import home_industries
from services.registry.domain.access import RecordScope
from services.registry.domain.reassessment import NEVER

#: The sort key, spelled exactly as the index home_industries_reassessment (migration 0007): a constant in
#: the SQL text, not a bound parameter, or the planner cannot match the index expression.
LAST_ASSESSED = func.coalesce(home_industries.c.last_assessed_on, literal_column(f"DATE '{NEVER.isoformat()}'"))


async def worklist_page(
    connection: AsyncConnection, region_code: str | None, scope: RecordScope, *, assessed_on_or_before: dt.date,
    first: int, after: tuple[dt.date, int] | None,
) -> list[Any]:
    """Up to ``first + 1`` active IR (the extra row says a next page exists) whose last assessment is on
    or before ``assessed_on_or_before`` (or who were never assessed), by (last assessment, id)."""
    query = _due(select(home_industries), region_code, scope, assessed_on_or_before)
    if after is not None:
        query = query.where(tuple_(LAST_ASSESSED, home_industries.c.id) > tuple_(literal(after[0]), literal(after[1])))
    result = await connection.execute(query.order_by(LAST_ASSESSED, home_industries.c.id).limit(first + 1))
    return list(result.mappings())


async def count_due(connection: AsyncConnection, region_code: str | None, scope: RecordScope, *,
                    assessed_on_or_before: dt.date) -> int:
    """How many IR the whole worklist holds (the rows ``worklist_page`` walks, counted)."""
    query = _due(select(func.count()).select_from(home_industries), region_code, scope, assessed_on_or_before)
    return int((await connection.execute(query)).scalar_one())


def _due(query: Any, region_code: str | None, scope: RecordScope, assessed_on_or_before: dt.date) -> Any:
    query = scoped(filtered(query, HomeIndustryQuery(region_code=region_code, status="ACTIVE")), scope)
    return query.where(LAST_ASSESSED <= assessed_on_or_before)
