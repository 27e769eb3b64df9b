"""Reading the indicator rollup and the targets; writing a target with its trail (SQLAlchemy core)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import text
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

_COUNTS = text(
    """
    SELECT region_code, indicator, owner_sex, female_head_of_household, home_industries, key_sum
    FROM reporting.indicator_counts
    WHERE level = :level AND region_code = ANY(:regions) AND year = :year AND home_industries <> 0
    """
)

_TARGETS = text(
    """
    SELECT region_code, indicator, target, set_by_role, set_at
    FROM reporting.indicator_targets WHERE region_code = ANY(:regions) AND year = :year
    """
)


async def counts(connection: AsyncConnection, level: int, regions: Sequence[str], year: int) -> list[RowMapping]:
    """The indicator cells (by sex and KRTP) of these regions (all of one level) for a year."""
    result = await connection.execute(_COUNTS, {"level": level, "regions": list(regions), "year": year})
    return list(result.mappings())


async def targets(connection: AsyncConnection, regions: Sequence[str], year: int) -> list[RowMapping]:
    result = await connection.execute(_TARGETS, {"regions": list(regions), "year": year})
    return list(result.mappings())


async def set_target(
    connection: AsyncConnection, region_code: str, year: int, indicator: str, target: int,
    subject: str, role: str, request_id: str | None,
) -> RowMapping:
    """Upsert a target and append its change to the trail, in the caller's transaction; the new row."""
    old = (await connection.execute(
        text("SELECT target FROM reporting.indicator_targets WHERE region_code = :r AND year = :y AND indicator = :i"
             " FOR UPDATE"),
        {"r": region_code, "y": year, "i": indicator},
    )).scalar()
    row = (await connection.execute(
        text(
            """
            INSERT INTO reporting.indicator_targets (region_code, year, indicator, target, set_by, set_by_role)
            VALUES (:r, :y, :i, :t, :s, :role)
            ON CONFLICT (region_code, year, indicator) DO UPDATE
            SET target = excluded.target, set_by = excluded.set_by, set_by_role = excluded.set_by_role, set_at = now()
            RETURNING region_code, year, indicator, target, set_by_role, set_at
            """
        ),
        {"r": region_code, "y": year, "i": indicator, "t": target, "s": subject, "role": role},
    )).mappings().one()
    await connection.execute(
        text(
            "INSERT INTO reporting.indicator_target_changes"
            " (region_code, year, indicator, old_target, new_target, changed_by, changed_by_role, request_id)"
            " VALUES (:r, :y, :i, :old, :t, :s, :role, :req)"
        ),
        {"r": region_code, "y": year, "i": indicator, "old": old, "t": target, "s": subject, "role": role, "req": request_id},
    )
    return row


async def targets_version(connection: AsyncConnection) -> int:
    """The newest target change (answers cached by the consumer's cursor also depend on the targets)."""
    return int((await connection.execute(
        text("SELECT coalesce(max(id), 0) FROM reporting.indicator_target_changes"))).scalar() or 0)
