"""Benchmark ``seed_demo_data`` on a throwaway database of a PostgreSQL server.

    .venv/bin/python bench/seed/run_seed.py --count 1000000 --seed 1 \
        --server postgresql://postgres@127.0.0.1:5432 --database siir_seed_bench [--drop]

Creates the database (dropping an old one of the same name), migrates it, loads the regions,
seeds, prints the report and the row counts. ``--drop`` removes the database afterwards
(a million IR with their outbox take several GB).
"""

from __future__ import annotations

import argparse
import asyncio
import time

import asyncpg

from services.registry_demo.seeding import seed_demo_data
from siir.database import asyncpg_dsn
from siirctl.preparation import prepare_database


async def _admin(server: str, sql: str) -> None:
    connection = await asyncpg.connect(**asyncpg_dsn(f"{server}/postgres"))
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


async def main(count: int, seed: int, server: str, database: str, drop: bool) -> None:
    url = f"{server}/{database}"
    await _admin(server, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    await _admin(server, f'CREATE DATABASE "{database}"')
    started = time.perf_counter()
    await asyncio.to_thread(prepare_database, url)
    print(f"migrated and loaded regions in {time.perf_counter() - started:.1f} s")
    report = await seed_demo_data(url, count=count, seed=seed)
    print(report)
    connection = await asyncpg.connect(**asyncpg_dsn(url))
    try:
        for table in ("home_industries", "assessments", "outbox"):
            rows = await connection.fetchval(f"SELECT count(*) FROM registry.{table}")
            size = await connection.fetchval(f"SELECT pg_size_pretty(pg_total_relation_size('registry.{table}'))")
            print(f"registry.{table}: {rows} rows, {size}")
        again = await seed_demo_data(url, count=count, seed=seed)
        print("second run:", again)
    finally:
        await connection.close()
    if drop:
        await _admin(server, f'DROP DATABASE "{database}" WITH (FORCE)')


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="siir_seed_bench")
    parser.add_argument("--drop", action="store_true")
    args = parser.parse_args()
    asyncio.run(main(args.count, args.seed, args.server, args.database, args.drop))
