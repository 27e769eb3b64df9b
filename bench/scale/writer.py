"""Background registry writes while ``bench/scale/run.py`` loads the portal pages: the answer cache's honest case.

    .venv/bin/python bench/scale/writer.py --databases siir_bench_1m__base,siir_bench_1m__cand \
        --per-second 5 --seconds 900

Every ``1 / per-second`` seconds, in each database that exists (the benchmark's per-revision copies are
made as it goes), one committed write transaction touches one IR drawn at random from the whole
country: ``UPDATE … SET status_changed_on = status_changed_on`` (nothing changes in the row, but it is a
real write: every statement trigger fires, the counters' and the change log's among them). A regency
office's page is then invalidated when its regency is drawn (33.74 holds about 1.2% of the IR), a
national page at every write. Prints the writes committed per database every 30 s and at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
from pathlib import Path

import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from siir.database import asyncpg_dsn  # noqa: E402


async def write(server: str, database: str, per_second: float, until: float, counts: dict[str, int]) -> None:
    rng = random.Random(database)
    connection = None
    next_at = time.monotonic()
    while time.monotonic() < until:
        next_at += 1 / per_second
        try:
            if connection is None:
                connection = await asyncpg.connect(**asyncpg_dsn(f"{server}/{database}"))
                low, high = await connection.fetchrow("SELECT min(id), max(id) FROM registry.home_industries")
            await connection.execute(
                "UPDATE registry.home_industries SET status_changed_on = status_changed_on WHERE id = $1",
                rng.randint(low, high))
            counts[database] += 1
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
            connection = None  # not copied yet, or being dropped: try again later
        await asyncio.sleep(max(0.0, next_at - time.monotonic()))
    if connection is not None:
        await connection.close()


async def main(args: argparse.Namespace) -> None:
    databases = args.databases.split(",")
    counts = {database: 0 for database in databases}
    until = time.monotonic() + args.seconds

    async def report() -> None:
        while time.monotonic() < until:
            await asyncio.sleep(30)
            print("writes committed:", counts, flush=True)

    reporter = asyncio.create_task(report())
    await asyncio.gather(*(write(args.server, d, args.per_second, until, counts) for d in databases))
    reporter.cancel()
    print("writes committed:", counts, flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--databases", required=True)
    parser.add_argument("--per-second", type=float, default=5.0, help="writes a second into each database")
    parser.add_argument("--seconds", type=float, default=900.0)
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432")
    asyncio.run(main(parser.parse_args()))
