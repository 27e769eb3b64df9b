"""Reading regions (registry.regions)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from services.registry.data.tables import one_of, regions


def ancestor_codes(code: str) -> list[str]:
    """``33.74.01.1001`` → ``["33", "33.74", "33.74.01"]``: a code's prefix is its ancestry."""
    parts = code.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


async def regions_by_codes(connection: AsyncConnection, codes: Iterable[str]) -> dict[str, RowMapping]:
    """The regions with these codes, keyed by code (unknown codes are absent)."""
    wanted = list(set(codes))
    if not wanted:
        return {}
    result = await connection.execute(select(regions).where(one_of(regions.c.code, wanted)))
    return {row["code"]: row for row in result.mappings()}


async def children_of(connection: AsyncConnection, parent_codes: Sequence[str]) -> dict[str, list[RowMapping]]:
    """Each parent's direct children, ordered by code."""
    result = await connection.execute(
        select(regions).where(one_of(regions.c.parent_code, parent_codes)).order_by(regions.c.code)
    )
    children: dict[str, list[RowMapping]] = {code: [] for code in parent_codes}
    for row in result.mappings():
        children[row["parent_code"]].append(row)
    return children


async def list_regions(
    connection: AsyncConnection, *, parent_code: str | None, level: int | None, limit: int, after: str | None = None
) -> list[RowMapping]:
    """Regions under a parent and/or at a level, ordered by code, ``limit`` of them after the code ``after``."""
    query = select(regions).where(*_regions_where(parent_code, level))
    if after is not None:
        query = query.where(regions.c.code > after)
    result = await connection.execute(query.order_by(regions.c.code).limit(limit))
    return list(result.mappings())


def _regions_where(parent_code: str | None, level: int | None) -> list[Any]:
    where: list[Any] = []
    if parent_code is not None:
        where.append(regions.c.parent_code == parent_code)
    if level is not None:
        where.append(regions.c.level == level)
    return where


async def count_regions(connection: AsyncConnection, *, parent_code: str | None, level: int | None) -> int:
    query = select(func.count()).select_from(regions).where(*_regions_where(parent_code, level))
    return int((await connection.execute(query)).scalar_one())


def as_dict(row: RowMapping) -> dict[str, Any]:
    return dict(row)


async def villages_of(connection: AsyncConnection, regency_code: str) -> list[RowMapping]:
    """The villages (desa/kelurahan) of one regency/city with their sub-district's name, in code order."""
    sub_districts = regions.alias("sub_districts")
    result = await connection.execute(
        select(regions.c.code, regions.c.name, sub_districts.c.name.label("sub_district"))
        .join(sub_districts, sub_districts.c.code == regions.c.parent_code)
        .where(regions.c.level == 4, regions.c.code.startswith(regency_code + "."))
        .order_by(regions.c.code)
    )
    return list(result.mappings())
