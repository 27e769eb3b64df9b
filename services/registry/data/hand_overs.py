"""Hand-over packages: the graduated IR of a year and region, and the package's approval."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from services.registry.data.home_industries import _in_region, scoped
from services.registry.domain.access import RecordScope
from services.registry.data.tables import home_industries


async def graduated(connection: AsyncConnection, year: int, region_code: str, scope: RecordScope) -> list[RowMapping]:
    """IR whose status became GRADUATED during ``year`` inside the region, in registration order."""
    query = select(home_industries).where(
        home_industries.c.status == "GRADUATED",
        home_industries.c.status_changed_on.between(dt.date(year, 1, 1), dt.date(year, 12, 31)),
    ).order_by(home_industries.c.id)
    result = await connection.execute(scoped(_in_region(query, region_code), scope))
    return list(result.mappings())


async def approval(connection: AsyncConnection, year: int, region_code: str) -> RowMapping | None:
    result = await connection.execute(
        text("SELECT * FROM registry.hand_over_approvals WHERE year = :year AND region_code = :code"),
        {"year": year, "code": region_code},
    )
    return result.mappings().first()


async def approve(connection: AsyncConnection, values: dict[str, Any]) -> RowMapping | None:
    """The new approval, or None when the package is already approved."""
    result = await connection.execute(
        text("""INSERT INTO registry.hand_over_approvals (year, region_code, home_industries, approved_by, approved_role)
                VALUES (:year, :region_code, :home_industries, :approved_by, :approved_role)
                ON CONFLICT (year, region_code) DO NOTHING RETURNING *"""),
        values,
    )
    return result.mappings().first()
