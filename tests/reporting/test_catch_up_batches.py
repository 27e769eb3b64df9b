"""Catching up in large batches builds the same projection as the incremental consumer, row by row.

The same feed is applied twice from an empty projection: once in small batches (the live
consumer's way), once with the catch-up batches a bulk load gets; every table the consumer writes
must come out equal, rollups, class history, indicator counts, milestones, facilitators and the
cursor included. Rollup cells that add up to nothing are equal to absent ones (a batch never writes
a cell that cancelled out within it, but a later batch can bring a written cell back to zero).
"""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from services.reporting import consumer as consumer_module
from services.reporting.consumer import OutboxConsumer
from services.reporting.data import projection_store
from tests.reporting.projection_check import assert_projection_matches_registry
from tests.reporting.projection_tables import PROJECTION
from tests.reporting.projection_tables import empty_projection as _empty_projection
from tests.reporting.projection_tables import projection_rows as _projection
from tests.reporting.registry_changes import RegistryChanges

async def _build(database_url: str, batch_size: int, catch_up_batch_size: int) -> list[int]:
    """Apply the whole feed; the size of each batch read."""
    # Windows off: these are the batches a feed in another database is caught up with.
    consumer = OutboxConsumer(database_url, database_url, batch_size=batch_size, catch_up_batch_size=catch_up_batch_size,
                              catch_up_window=0)
    await consumer.connect()
    sizes: list[int] = []
    original = consumer_module.apply_batch

    async def counted(source: Any, target: Any, size: int) -> Any:
        sizes.append(size)
        return await original(source, target, size)

    consumer_module.apply_batch = counted  # type: ignore[assignment]
    try:
        await consumer.catch_up_to_latest()
    finally:
        consumer_module.apply_batch = original  # type: ignore[assignment]
        await consumer.close()
    return sizes


async def test_catch_up_batches_build_the_incremental_projection_row_by_row(
    registry_engine: AsyncEngine, database_url: str, pg: asyncpg.Connection
) -> None:
    changes = RegistryChanges(registry_engine, seed=41, facilitators=True)
    await changes.run(700)
    events = await pg.fetchval("SELECT count(*) FROM registry.outbox")

    await _empty_projection(pg)
    small = await _build(database_url, 53, 53)
    incremental = await _projection(pg)

    await _empty_projection(pg)
    large = await _build(database_url, 53, 100_000)
    caught_up = await _projection(pg)

    assert set(small) == {53} and len(small) > events // 53
    assert 100_000 in large and len(large) < len(small)  # behind from the start: large batches
    assert incremental["home_industries"], "the feed built a projection"
    for table in (*PROJECTION, "consumer_state"):
        assert caught_up[table] == incremental[table], table
    await assert_projection_matches_registry(pg)


@pytest.mark.parametrize(("window", "half_built"), [(0, True), (100_000, True), (100_000, False)],
                         ids=["batch", "window", "window-into-empty-tables"])
async def test_a_large_batch_failing_before_its_commit_leaves_projection_and_cursor_as_they_were(
    registry_engine: AsyncEngine, database_url: str, pg: asyncpg.Connection, monkeypatch: pytest.MonkeyPatch,
    window: int, half_built: bool
) -> None:
    changes = RegistryChanges(registry_engine, seed=43 + window % 7 + half_built)
    await changes.run(300)
    await _empty_projection(pg)
    if half_built:  # one batch of 40 applied first, so the large one merges into rows already there
        first = OutboxConsumer(database_url, database_url, batch_size=40, catch_up_batch_size=40, catch_up_window=0)
        await first.connect()
        try:
            assert (await first.next_batch()).events == 40
        finally:
            await first.close()
    consumer = OutboxConsumer(database_url, database_url, batch_size=40, catch_up_batch_size=100_000,
                              catch_up_window=window)
    await consumer.connect()
    try:
        before = await _projection(pg)
        indexes = await pg.fetch("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'reporting' ORDER BY 1")

        async def crash(*args: object, **kwargs: object) -> None:
            raise ConnectionResetError("consumer killed before commit")

        monkeypatch.setattr(projection_store, "advance_cursor", crash)
        with pytest.raises(ConnectionResetError):
            await consumer.next_batch()
        monkeypatch.undo()
        assert consumer.behind  # the lag said so before the first batch
        assert await _projection(pg) == before
        assert await pg.fetch("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'reporting' ORDER BY 1") == indexes

        result = await consumer.next_batch()  # the large batch again, whole this time
        assert result.events > 40
        assert not consumer.behind  # it drained the feed: back to small batches
        await consumer.catch_up_to_latest()
    finally:
        await consumer.close()
    await assert_projection_matches_registry(pg)


async def test_the_running_consumer_counts_every_event_of_its_catch_up_batches_and_ends_with_no_lag(
    registry_engine: AsyncEngine, database_url: str, pg: asyncpg.Connection
) -> None:
    from services.reporting import consumer_metrics

    def read() -> tuple[float, float, float]:
        samples = {(m.name, s.name, s.labels.get("result")): s.value
                   for m in (*consumer_metrics.EVENTS.collect(), *consumer_metrics.BATCH_SECONDS.collect()) for s in m.samples}
        return (samples.get(("siir_reporting_consumer_events", "siir_reporting_consumer_events_total", "applied"), 0.0),
                samples.get(("siir_reporting_consumer_events", "siir_reporting_consumer_events_total", "skipped"), 0.0),
                samples[("siir_reporting_consumer_batch_duration_seconds",
                         "siir_reporting_consumer_batch_duration_seconds_count", None)])

    changes = RegistryChanges(registry_engine, seed=47)
    await changes.run(300)
    await _empty_projection(pg)
    events = await pg.fetchval("SELECT count(*) FROM registry.outbox")
    applied_before, skipped_before, batches_before = read()
    consumer = OutboxConsumer(database_url, database_url, batch_size=60, catch_up_batch_size=100_000, poll_interval=0.05)
    stop = asyncio.Event()
    task = asyncio.create_task(consumer.run(stop))
    try:
        for _ in range(600):
            state = await projection_store.read_cursor(pg, consumer_module.CONSUMER)
            if state and state["events_applied"] + state["events_skipped"] == events:
                break
            await asyncio.sleep(0.1)
        await asyncio.sleep(0.3)  # one more poll: the lag gauge after the last batch
    finally:
        stop.set()
        await task
    applied, skipped, batches = read()
    assert (applied - applied_before) + (skipped - skipped_before) == events
    assert batches - batches_before >= 1
    assert consumer_metrics.LAG_EVENTS._value.get() == 0
    await assert_projection_matches_registry(pg)


async def test_a_long_catch_up_ends_with_the_projection_analysed(
    registry_engine: AsyncEngine, database_url: str, pg: asyncpg.Connection
) -> None:
    """A rebuild fills the projection from empty; without statistics the planner reads a whole table for a
    village's figures (seconds at national scale), and autovacuum may be off or late."""
    async def analyses() -> int:
        return await pg.fetchval("SELECT analyze_count FROM pg_stat_user_tables "
                                 "WHERE schemaname = 'reporting' AND relname = 'home_industries'")

    await RegistryChanges(registry_engine, seed=53).run(120)
    await _empty_projection(pg)
    before = await analyses()
    consumer = OutboxConsumer(database_url, database_url, batch_size=40, catch_up_batch_size=100, analyze_after=100)
    await consumer.connect()
    try:
        await consumer.catch_up_to_latest()
    finally:
        await consumer.close()
    for _ in range(50):  # the statistics collector reports with a short delay
        if await analyses() > before:
            break
        await asyncio.sleep(0.1)
    assert await analyses() > before
    await assert_projection_matches_registry(pg)
