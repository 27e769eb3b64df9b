"""Compare two reporting read models row by row (e.g. one caught up through windows, one through batches).

    .venv/bin/python bench/reporting/compare_projections.py postgresql://…/copy_a postgresql://…/copy_b

Prints, per table the consumer writes, its row count and a digest of its rows in key order (rollup
cells that add up to nothing left out, as a batch never writes them); exits 1 if any table differs.
"""

from __future__ import annotations

import asyncio
import sys

import asyncpg

from services.reporting.data import projection_store
from siir.database import asyncpg_dsn

TABLES = projection_store.WRITTEN_TABLES


async def digests(url: str) -> dict[str, tuple[int, str]]:
    connection = await asyncpg.connect(**asyncpg_dsn(url))
    try:
        out = {}
        for table, values in TABLES.items():
            where = " OR ".join(f"{v} <> 0" for v in values) or "true"
            row = await connection.fetchrow(
                f"SELECT count(*) AS n, md5(coalesce(string_agg(t::text, '|' ORDER BY t::text COLLATE \"C\"), '')) AS digest"
                f" FROM (SELECT * FROM reporting.{table} WHERE {where}) t"
            )
            out[table] = (row["n"], row["digest"])
        return out
    finally:
        await connection.close()


async def main(first: str, second: str) -> int:
    a, b = await asyncio.gather(digests(first), digests(second))
    differ = 0
    for table in TABLES:
        same = a[table] == b[table]
        differ += not same
        print(f"{table:<24} {a[table][0]:>10,} {b[table][0]:>10,}  {'same' if same else 'DIFFERENT'}")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1], sys.argv[2])))
