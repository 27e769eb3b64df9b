"""Reading and writing interventions (registry.interventions), with the IR's class around each.

``class_before`` is the class of the IR's newest assessment on or before the intervention's
start; ``class_after`` the class of its first assessment after the intervention ended (null while
it runs or until the IR is re-assessed). Both come with the rows in the same statement.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, insert, select, text, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from services.registry.data.tables import interventions

_WITH_CLASSES = """
SELECT i.*, before.ir_class AS class_before, after.ir_class AS class_after, after.assessed_on AS class_after_on
FROM registry.interventions i
LEFT JOIN LATERAL (
    SELECT a.ir_class FROM registry.assessments a
    WHERE a.home_industry_id = i.home_industry_id AND a.assessed_on <= i.started_on
    ORDER BY a.assessed_on DESC, a.id DESC LIMIT 1
) before ON true
LEFT JOIN LATERAL (
    SELECT a.ir_class, a.assessed_on FROM registry.assessments a
    WHERE a.home_industry_id = i.home_industry_id AND i.ended_on IS NOT NULL AND a.assessed_on > i.ended_on
    ORDER BY a.assessed_on, a.id LIMIT 1
) after ON true
"""


async def interventions_of(connection: AsyncConnection, home_industry_ids: Sequence[int]) -> dict[int, list[RowMapping]]:
    """Every intervention of each IR, oldest first, with the classes around it."""
    result = await connection.execute(
        text(_WITH_CLASSES + " WHERE i.home_industry_id = ANY(CAST(:ids AS bigint[])) ORDER BY i.home_industry_id, i.started_on, i.id"),
        {"ids": list(home_industry_ids)},
    )
    found: dict[int, list[RowMapping]] = {i: [] for i in home_industry_ids}
    for row in result.mappings():
        found[row["home_industry_id"]].append(row)
    return found


async def interventions_by_ids(connection: AsyncConnection, ids: Sequence[int]) -> dict[int, RowMapping]:
    result = await connection.execute(
        text(_WITH_CLASSES + " WHERE i.id = ANY(CAST(:ids AS bigint[]))"), {"ids": list(ids)}
    )
    return {row["id"]: row for row in result.mappings()}


async def class_on(connection: AsyncConnection, home_industry_id: int, day: dt.date) -> str | None:
    """The IR's class by its newest assessment on or before ``day``."""
    result = await connection.execute(
        text(
            "SELECT ir_class FROM registry.assessments WHERE home_industry_id = :id AND assessed_on <= :day "
            "ORDER BY assessed_on DESC, id DESC LIMIT 1"
        ),
        {"id": home_industry_id, "day": day},
    )
    return result.scalar()


async def insert_intervention(connection: AsyncConnection, values: dict[str, Any]) -> RowMapping:
    result = await connection.execute(insert(interventions).values(**values).returning(interventions))
    return result.mappings().one()


async def update_intervention(
    connection: AsyncConnection, intervention_id: int, expected_version: int, values: dict[str, Any]
) -> RowMapping | None:
    result = await connection.execute(
        update(interventions)
        .where(interventions.c.id == intervention_id, interventions.c.version == expected_version)
        .values(**values, version=interventions.c.version + 1, updated_at=func.now())
        .returning(interventions)
    )
    return result.mappings().first()


async def intervention_row(connection: AsyncConnection, intervention_id: int) -> RowMapping | None:
    result = await connection.execute(select(interventions).where(interventions.c.id == intervention_id))
    return result.mappings().first()
