"""The outbox consumer: registry events → reporting's projection and rollups.

At least once, applied exactly once: each batch reads the events after the stored cursor, applies
them and moves the cursor in one transaction of the reporting database, so a crash before the
commit replays the batch and a crash after it never does. Only one consumer runs at a time: each
holds a session advisory lock on the reporting database, so extra reporting replicas wait as
standbys. Facilitators and their assignments (which scope a facilitator's reports) are kept as
their newest snapshots. Events of kinds reporting does not know (teams, interventions, …) are
stepped over.

Catching up (a bulk load, a rebuild from an empty projection): the feed is behind when more than a
batch waits (the lag, asked before the first batch) or a batch came back full. When the feed is in
the reporting database itself (the default: one PostgreSQL database, two schemas), the next step is
then a **window** of up to ``catch_up_window`` events (10,000,000: a national rebuild in one; each
window takes its IR's old contributions out again) applied set-based by PostgreSQL
(``data/catch_up_window.py``: each IR's events folded into its new record, its old contributions out
of the rollups and its new ones in, without the events coming into Python); from a feed in another
database, a batch of ``catch_up_batch_size`` events. Either is one transaction. Small batches return once the feed is drained, so a live consumer's transactions stay
short. Measured in BENCHMARKS.md ("Catch-up windows in SQL").
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass

import asyncpg

from services.reporting import consumer_metrics
from services.reporting.data import catch_up_window, outbox_feed, projection_store, window_steps
from services.reporting.data.outbox_feed import Cursor
from services.reporting.domain.disclosure import record_key
from services.reporting.domain import assignments
from services.reporting.domain.projection import (
    HOME_INDUSTRY_EVENTS,
    IrRecord,
    RollupDelta,
    apply_event,
)
from services.reporting.domain.periods import JAKARTA
from siir.database import asyncpg_dsn

logger = logging.getLogger("siir.reporting.consumer")

#: The cursor's row in reporting.consumer_state.
CONSUMER = "registry-outbox"
#: pg_advisory_lock key: one consumer per reporting database.
CONSUMER_LOCK_KEY = 0x5EB0_27A1
#: Events per batch while the feed is behind (the previous batch came back full).
CATCH_UP_BATCH_SIZE = 50_000
#: Events per window while the feed (in the same database) is behind.
CATCH_UP_WINDOW = 10_000_000
#: A catch-up at least this long ends with the projection's tables analysed.
ANALYZE_AFTER = 50_000
#: Session settings of the consumer's connections.
SESSION = {"application_name": "siir-reporting-consumer", "timezone": "Asia/Jakarta", "jit": "off"}


@dataclass(frozen=True, slots=True)
class BatchResult:
    events: int
    applied: int
    skipped: int
    cursor: Cursor


async def apply_batch(source: asyncpg.Connection, target: asyncpg.Connection, batch_size: int) -> BatchResult:
    """Apply the next batch of settled events (none: an empty result); one target transaction."""
    async with target.transaction():
        cursor = await projection_store.lock_cursor(target, CONSUMER)
        events = await outbox_feed.read_events(source, cursor, batch_size)
        if not events:
            return BatchResult(0, 0, 0, cursor)
        ours = [e for e in events if e.aggregate_type == "HomeIndustry" and e.event_type in HOME_INDUSTRY_EVENTS]
        facilitator_changes = assignments.FacilitatorChanges()
        facilitator_events = [e for e in events if e.aggregate_type == assignments.AGGREGATE]
        facilitator_applied = sum(facilitator_changes.apply(e.event_type, e.payload, e.id) for e in facilitator_events)
        ids = sorted({int(e.aggregate_id) for e in ours})
        moving_away: dict[int, list[str]] = {}
        for event in ours:
            moving_away.setdefault(int(event.aggregate_id), []).extend(event.payload.get("assessmentsMovedAway") or ())
        before = await projection_store.load_records(target, ids, moving_away)
        secret = await projection_store.record_key_secret(target)
        delta = RollupDelta()
        known_assessments = {i: set(r.history) for i, r in before.items()}
        for record in before.values():
            delta.add(record, -1)
        after: dict[int, IrRecord] = dict(before)
        last_event: dict[int, int] = {}
        skipped = len(events) - len(ours) - facilitator_applied
        for event in ours:
            home_industry_id = int(event.aggregate_id)
            updated = apply_event(after.get(home_industry_id), event.event_type, event.payload,
                                  event.occurred_at.astimezone(JAKARTA).date())
            if updated is None:
                skipped += 1
                continue
            if updated.record_key is None:  # first seen: its key, fixed for good
                updated.record_key = record_key(secret, home_industry_id)
            after[home_industry_id] = updated
            last_event[home_industry_id] = event.id
        changed = [after[i] for i in ids if i in last_event]
        for record in changed:
            delta.add(record, 1)
        new_assessments = [
            (record.id, assessment)
            for record in changed
            for assessment_id, assessment in record.history.items()
            if assessment_id not in known_assessments.get(record.id, ())
        ]
        stock, moves, needs = delta.nonzero()
        await projection_store.save_batch(
            target, [(r, last_event[r.id]) for r in changed], new_assessments, stock, moves, needs
        )
        await projection_store.save_indicator_counts(target, delta.indicator_rows())
        await projection_store.save_facilitators(
            target, facilitator_changes.facilitators.values(), facilitator_changes.assignments.values()
        )
        last = events[-1]
        cursor = Cursor(last.transaction_id, last.id)
        await projection_store.advance_cursor(
            target, CONSUMER, cursor, len(events) - skipped, skipped, max(e.occurred_at for e in events)
        )
    return BatchResult(len(events), len(events) - skipped, skipped, cursor)


async def apply_window(target: asyncpg.Connection, size: int, connect: window_steps.Connect) -> BatchResult:
    """Apply up to ``size`` events set-based in PostgreSQL (the feed in the same database): its working tables
    built on connections of its own (``connect``), the projection written in one transaction."""
    async with target.transaction():
        cursor = await projection_store.lock_cursor(target, CONSUMER)
        result = await catch_up_window.apply_window(target, cursor, size, connect)
        if result.events:
            await projection_store.advance_cursor(
                target, CONSUMER, result.cursor, result.applied, result.skipped, result.last_event_at
            )
    return BatchResult(result.events, result.applied, result.skipped, result.cursor)


class OutboxConsumer:
    """Polls the outbox and applies it; ``run`` until stopped, ``catch_up`` until nothing is left."""

    def __init__(
        self, source_url: str, target_url: str, *, batch_size: int = 5000, poll_interval: float = 0.5,
        catch_up_batch_size: int | None = None, analyze_after: int = ANALYZE_AFTER,
        catch_up_window: int | None = None,
    ) -> None:
        self.source_url = source_url
        self.target_url = target_url
        self.batch_size = batch_size
        #: Events per batch while behind; never below ``batch_size``.
        self.catch_up_batch_size = max(batch_size, CATCH_UP_BATCH_SIZE if catch_up_batch_size is None else catch_up_batch_size)
        #: Events per set-based window while behind, when the feed is in the target database (0: never).
        self.catch_up_window = (CATCH_UP_WINDOW if catch_up_window is None else catch_up_window) \
            if source_url == target_url else 0
        #: Whether the feed is behind: None until the first batch finds out (from the lag).
        self.behind: bool | None = None
        #: Events applied since the feed was last found behind (see ``next_batch``).
        self.caught_up_events = 0
        self.analyze_after = analyze_after
        self.poll_interval = poll_interval
        self.source: asyncpg.Connection | None = None
        self.target: asyncpg.Connection | None = None
        self.holds_lock = False

    async def connect(self) -> None:
        self.source = await asyncpg.connect(**asyncpg_dsn(self.source_url), server_settings=SESSION)
        self.target = await self._connect_target()
        await projection_store.prepare_staging(self.target)

    async def _connect_target(self, settings: dict[str, str] | None = None) -> asyncpg.Connection:
        """A connection to the reporting database (the consumer's own, or one of a window's, with ``settings``)."""
        return await asyncpg.connect(**asyncpg_dsn(self.target_url), server_settings={**SESSION, **(settings or {})})

    async def close(self) -> None:
        for connection in (self.source, self.target):
            if connection is not None and not connection.is_closed():
                await connection.close()
        self.source = self.target = None
        self.holds_lock = False
        self.behind = None

    async def _found_behind(self) -> bool:
        """Whether more than a batch is waiting, so a rebuild's first step is already a window (or a large
        batch) and finds the read model's tables empty (data/empty_table_fill.py)."""
        state = await projection_store.read_cursor(self.target, CONSUMER)  # type: ignore[arg-type]
        cursor = Cursor(int(state["transaction_id"]), state["event_id"]) if state else Cursor()
        return (await outbox_feed.lag(self.source, cursor)).events > self.batch_size  # type: ignore[arg-type]

    async def next_batch(self) -> BatchResult:
        """Apply one batch, a large one while the previous batch came back full (the feed is behind).

        When a catch-up of at least ``analyze_after`` events ends, the projection's tables are analysed:
        a rebuild fills them from empty, and until the planner has their statistics it guesses (a
        region's statistics read the whole projection instead of its transferred IR: seconds, not
        a millisecond); autovacuum may be late, or off.
        """
        if self.behind is None:
            self.behind = await self._found_behind()
        if self.behind and self.catch_up_window:
            size = max(self.batch_size, self.catch_up_window)
            result = await apply_window(self.target, size, self._connect_target)  # type: ignore[arg-type]
        else:
            size = self.catch_up_batch_size if self.behind else self.batch_size
            result = await apply_batch(self.source, self.target, size)  # type: ignore[arg-type]
        was_behind, self.behind = self.behind, result.events >= size
        self.caught_up_events = self.caught_up_events + result.events if was_behind or self.behind else 0
        if was_behind and not self.behind and self.caught_up_events >= self.analyze_after:
            started = time.perf_counter()
            await projection_store.analyze(self.target)  # type: ignore[arg-type]
            logger.info("caught up %d events; analysed the projection in %.1f s", self.caught_up_events,
                        time.perf_counter() - started)
            self.caught_up_events = 0
        return result

    async def try_lock(self) -> bool:
        """Become the active consumer if no other holds the lock (it is released with the session)."""
        assert self.target is not None
        if not self.holds_lock:
            self.holds_lock = bool(await self.target.fetchval("SELECT pg_try_advisory_lock($1)", CONSUMER_LOCK_KEY))
        return self.holds_lock

    async def catch_up(self, *, max_batches: int | None = None) -> int:
        """Apply batches until none is left (or ``max_batches``); return the events read."""
        assert self.source is not None and self.target is not None
        if not await self.try_lock():
            raise RuntimeError("another reporting consumer holds the lock")
        total = batches = 0
        while max_batches is None or batches < max_batches:
            result = await self.next_batch()
            if not result.events:
                break
            total += result.events
            batches += 1
        return total

    async def catch_up_to_latest(self, *, timeout: float = 600.0) -> int:
        """Apply until everything written before this call is applied; return the events read.

        Events of a committed transaction wait while any older transaction on the server is still
        running (see ``outbox_feed``), so this polls until the newest event now in the outbox is in.
        """
        assert self.source is not None and self.target is not None
        latest = await outbox_feed.latest_position(self.source)
        deadline = time.monotonic() + timeout
        total = 0
        while True:
            total += await self.catch_up()
            state = await projection_store.read_cursor(self.target, CONSUMER)
            position = Cursor(int(state["transaction_id"]), state["event_id"]) if state else Cursor()
            if (position.transaction_id, position.event_id) >= (latest.transaction_id, latest.event_id):
                return total
            if time.monotonic() > deadline:
                raise TimeoutError(f"the consumer is at {position}, not yet at {latest}")
            await asyncio.sleep(self.poll_interval)

    async def run(self, stop: asyncio.Event) -> None:
        """Until ``stop``: apply what is there, wait, repeat; reconnect after a lost connection."""
        while not stop.is_set():
            try:
                if self.target is None:
                    await self.connect()
                locked = await self.try_lock()
                consumer_metrics.ACTIVE.set(1 if locked else 0)
                if locked:
                    started = time.perf_counter()
                    result = await self.next_batch()
                    seconds = time.perf_counter() - started
                    lag = await outbox_feed.lag(self.source, result.cursor)  # type: ignore[arg-type]
                    consumer_metrics.LAG_EVENTS.set(lag.events)
                    if result.events:
                        consumer_metrics.batch_applied(seconds, result.applied, result.skipped)
                        logger.info("applied %d events (%d skipped) in %.2f s", result.events, result.skipped, seconds)
                        continue
            except (OSError, asyncpg.PostgresConnectionError, asyncpg.InterfaceError) as error:
                logger.warning("consumer connection lost (%s); reconnecting", error)
                await self.close()
            except Exception:
                logger.exception("consumer batch failed; retrying")
                await self.close()
            try:
                await asyncio.wait_for(stop.wait(), self.poll_interval)
            except asyncio.TimeoutError:
                pass
        consumer_metrics.ACTIVE.set(0)
        await self.close()


async def catch_up_once(source_url: str, target_url: str) -> int:
    """Connect, apply every event pending now, close: a one-off catch-up (tests, rebuilds)."""
    consumer = OutboxConsumer(source_url, target_url)
    await consumer.connect()
    try:
        return await consumer.catch_up_to_latest()
    finally:
        await consumer.close()
