"""Measure how long the reporting consumer takes to catch up with a seeded registry's outbox.

    .venv/bin/python bench/reporting/catch_up.py --database-url postgresql://postgres@127.0.0.1:5432/siir_reporting_bench \
        [--batch-size 5000] [--catch-up-batch-size 50000] [--catch-up-window 1000000] [--reset]

Migrates the reporting schema and its regions if needed; ``--reset`` empties the projection first
(a rebuild from the whole feed). Prints events, seconds and events per second.
"""

from __future__ import annotations

import argparse
import asyncio
import time

import asyncpg

from services.reporting.consumer import OutboxConsumer
from services.reporting.data import projection_store
from services.reporting.data.regions import load_regions
from siir.database import asyncpg_dsn
from siirctl.preparation import migrate


async def main(url: str, batch_size: int, reset: bool, catch_up_batch_size: int | None = None,
               catch_up_window: int | None = None) -> None:
    await asyncio.to_thread(migrate, url, services=["reporting"])
    connection = await asyncpg.connect(**asyncpg_dsn(url))
    try:
        await load_regions(connection)
        if reset:
            tables = ", ".join(f"reporting.{t}" for t in projection_store.WRITTEN_TABLES)
            await connection.execute(f"TRUNCATE {tables}, reporting.consumer_state")
        outbox = await connection.fetchval("SELECT count(*) FROM registry.outbox")
    finally:
        await connection.close()
    consumer = OutboxConsumer(url, url, batch_size=batch_size, catch_up_batch_size=catch_up_batch_size,
                              catch_up_window=catch_up_window)
    await consumer.connect()
    started = time.perf_counter()
    cpu = time.process_time()
    events = 0
    try:
        while True:
            applied = await consumer.catch_up(max_batches=20)
            events += applied
            elapsed = time.perf_counter() - started
            print(f"{events:>9,} / {outbox:,} events in {elapsed:7.1f} s ({events / max(elapsed, 1e-9):,.0f}/s)", flush=True)
            if not applied:
                break
    finally:
        await consumer.close()
    elapsed = time.perf_counter() - started
    python_cpu = time.process_time() - cpu
    print(f"caught up: {events:,} events in {elapsed:.1f} s ({events / elapsed:,.0f} events/s), batch size {batch_size},"
          f" catch-up batch size {consumer.catch_up_batch_size}, window {consumer.catch_up_window},"
          f" consumer CPU {python_cpu:.1f} s")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/siir_reporting_bench")
    parser.add_argument("--batch-size", type=int, default=5000)
    parser.add_argument("--catch-up-batch-size", type=int, default=None,
                        help="events per batch while the feed is behind (default: the consumer's)")
    parser.add_argument("--catch-up-window", type=int, default=None,
                        help="events per set-based window while behind (default: the consumer's; 0: batches)")
    parser.add_argument("--reset", action="store_true")
    args = parser.parse_args()
    asyncio.run(main(args.database_url, args.batch_size, args.reset, args.catch_up_batch_size, args.catch_up_window))
