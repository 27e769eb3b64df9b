"""Reading and writing assessments (registry.assessments)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from services.registry.data.tables import assessments, one_of

NEWEST_FIRST = (assessments.c.assessed_on.desc(), assessments.c.id.desc())


async def insert_assessment(connection: AsyncConnection, values: dict[str, Any]) -> RowMapping:
    result = await connection.execute(insert(assessments).values(**values).returning(assessments))
    return result.mappings().one()


async def insert_assessments(connection: AsyncConnection, rows: Sequence[dict[str, Any]]) -> list[RowMapping]:
    """Insert several assessments in one multi-row INSERT; the stored rows in the order given.

    A column some rows leave out is NULL in them (every optional assessment column is nullable and
    has no default), so all rows go in one statement."""
    if not rows:
        return []
    columns = {name for row in rows for name in row}
    params = [{name: row.get(name) for name in columns} for row in rows]
    result = await connection.execute(insert(assessments).returning(assessments, sort_by_parameter_order=True), params)
    return list(result.mappings().all())


async def assessments_of(connection: AsyncConnection, home_industry_ids: Sequence[int]) -> dict[int, list[RowMapping]]:
    """Every assessment of each IR, newest first."""
    result = await connection.execute(
        select(assessments)
        .where(one_of(assessments.c.home_industry_id, home_industry_ids))
        .order_by(assessments.c.home_industry_id, *NEWEST_FIRST)
    )
    history: dict[int, list[RowMapping]] = {i: [] for i in home_industry_ids}
    for row in result.mappings():
        history[row["home_industry_id"]].append(row)
    return history


async def latest_assessments(connection: AsyncConnection, home_industry_ids: Sequence[int]) -> dict[int, RowMapping]:
    """The newest assessment of each IR (by date, then by id), one statement for all."""
    result = await connection.execute(
        select(assessments)
        .ext(distinct_on(assessments.c.home_industry_id))
        .where(one_of(assessments.c.home_industry_id, home_industry_ids))
        .order_by(assessments.c.home_industry_id, *NEWEST_FIRST)
    )
    return {row["home_industry_id"]: row for row in result.mappings()}
