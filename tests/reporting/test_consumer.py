"""The consumer against a real registry: random changes through the registry's own write functions,
then the projection must equal a recomputation from the registry's tables, exactly, and every
facilitator's assignment as reporting's access layer reads it must be the registry's."""

from __future__ import annotations

import asyncio
import datetime as dt

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from services.reporting import consumer as consumer_module
from services.reporting.consumer import OutboxConsumer
from services.registry.data import facilitators as registry_facilitators
from services.reporting.data import facilitators as reporting_facilitators
from services.reporting.data import projection_store
from tests.reporting.projection_check import assert_projection_matches_registry
from tests.reporting.registry_changes import RegistryChanges


async def _applied(pg: asyncpg.Connection) -> tuple[int, int]:
    row = await pg.fetchrow("SELECT events_applied, events_skipped FROM reporting.consumer_state WHERE consumer = 'registry-outbox'")
    return (row["events_applied"], row["events_skipped"]) if row else (0, 0)


async def _settled(pg: asyncpg.Connection) -> None:
    """Wait until every outbox event is readable (older transactions elsewhere on the server have ended)."""
    for _ in range(3000):
        if await pg.fetchval("SELECT coalesce(max(transaction_id) < pg_snapshot_xmin(pg_current_snapshot()), true)"
                             " FROM registry.outbox"):
            return
        await asyncio.sleep(0.2)
    raise AssertionError("outbox events did not settle")


async def assert_access_matches_registry(engine: AsyncEngine) -> int:
    """For every facilitator login, on several days: the villages and IR reporting scopes her by are
    exactly those the registry's own access layer scopes her by. Returns the logins compared."""
    async with engine.connect() as connection:
        subjects = list((await connection.execute(text(
            "SELECT subject FROM registry.facilitators WHERE subject IS NOT NULL ORDER BY id"))).scalars())
        for subject in subjects:
            found = await registry_facilitators.facilitator_by_subject(connection, subject)
            assert found is not None
            for day in (dt.date(2019, 6, 30), dt.date(2024, 1, 1), dt.date(2026, 11, 20), dt.date(2026, 12, 31)):
                villages, ids = await registry_facilitators.assigned_scope(connection, found["id"], day)
                seen = await reporting_facilitators.assignment_of(connection, subject, day)
                assert seen is not None, subject
                assert (seen.facilitator_id, seen.villages, seen.home_industry_ids) == (
                    found["id"], frozenset(villages), frozenset(ids)), (subject, day)
    return len(subjects)


async def test_random_changes_project_exactly(registry_engine: AsyncEngine, consumer: OutboxConsumer, pg: asyncpg.Connection) -> None:
    changes = RegistryChanges(registry_engine, seed=7, facilitators=True)
    log = await changes.run(3000)
    assert log.registered > 500 and log.assessed > 1200 and log.closed > 20 and log.graduated > 5 and log.updated > 200
    assert log.facilitator_changes > 500
    await consumer.catch_up_to_latest()
    await assert_projection_matches_registry(pg)
    # The facilitator changes covered what access depends on: ended, re-assigned and single-IR assignments,
    # changed logins and ended services.
    ended, single, reassigned = await pg.fetchrow(
        "SELECT count(*) FILTER (WHERE active_until IS NOT NULL), count(*) FILTER (WHERE home_industry_id IS NOT NULL),"
        " (SELECT count(*) FROM reporting.facilitator_assignments a JOIN reporting.facilitator_assignments b"
        "   ON b.facilitator_id <> a.facilitator_id AND b.active_from = a.active_until + 1"
        "  AND (b.village_code = a.village_code OR b.home_industry_id = a.home_industry_id))"
        " FROM reporting.facilitator_assignments")
    assert ended > 50 and single > 50 and reassigned > 20, (ended, single, reassigned)
    assert await pg.fetchval("SELECT count(*) FROM reporting.facilitators WHERE version > 1") > 20
    assert await assert_access_matches_registry(registry_engine) > 50
    # Both ways: the random assessments moved IR down as well as up.
    down = await pg.fetchval("SELECT count(*) FROM reporting.move_counts WHERE level = 0 AND period = 'Y'"
                             " AND from_standing IN ('MAJU', 'BERKEMBANG') AND to_standing IN ('PEMULA', 'BERKEMBANG')"
                             " AND from_standing <> to_standing AND home_industries > 0")
    assert down > 0
    applied, skipped = await _applied(pg)
    assert applied + skipped == await pg.fetchval("SELECT count(*) FROM registry.outbox")


async def test_stopped_part_way_and_restarted_loses_and_doubles_nothing(
    registry_engine: AsyncEngine, database_url: str, pg: asyncpg.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    changes = RegistryChanges(registry_engine, seed=11, facilitators=True)
    await changes.run(800)
    # Batches of 97 (no window: one would apply the whole backlog; test_catch_up_batches crashes those).
    first = OutboxConsumer(database_url, database_url, batch_size=97, catch_up_batch_size=97, catch_up_window=0)
    await first.connect()
    try:
        await _settled(pg)
        assert await first.catch_up(max_batches=3) == 3 * 97  # stopped part-way
        # A crash between writing a batch and committing it: nothing of that batch stays.
        before = await _applied(pg)
        state_before = await pg.fetchval("SELECT sum(home_industries) FROM reporting.stock_changes WHERE level = 0")

        async def crash(*args: object, **kwargs: object) -> None:
            raise ConnectionResetError("consumer killed before commit")

        monkeypatch.setattr(projection_store, "advance_cursor", crash)
        with pytest.raises(ConnectionResetError):
            await consumer_module.apply_batch(first.source, first.target, 97)  # type: ignore[arg-type]
        monkeypatch.undo()
        assert await _applied(pg) == before
        assert await pg.fetchval("SELECT sum(home_industries) FROM reporting.stock_changes WHERE level = 0") == state_before
    finally:
        await first.close()

    changes.rng.seed(12)
    await changes.run(changes.log.total + 700)  # more writes while no consumer runs

    second = OutboxConsumer(database_url, database_url, batch_size=250)
    await second.connect()
    try:
        await second.catch_up_to_latest()
    finally:
        await second.close()
    await assert_projection_matches_registry(pg)
    await assert_access_matches_registry(registry_engine)
    applied, skipped = await _applied(pg)
    assert applied + skipped == await pg.fetchval("SELECT count(*) FROM registry.outbox")


async def test_a_transaction_committing_late_is_not_skipped_and_unknown_events_are_stepped_over(
    registry_engine: AsyncEngine, consumer: OutboxConsumer, pg: asyncpg.Connection, database_url: str
) -> None:
    await consumer.catch_up_to_latest()
    _, skipped_before = await _applied(pg)
    slow = await asyncpg.connect(**__import__("siir.database", fromlist=["asyncpg_dsn"]).asyncpg_dsn(database_url))
    try:
        transaction = slow.transaction()
        await transaction.start()
        # An older transaction writes an event of a kind reporting does not know, and stays open…
        await slow.execute(
            "INSERT INTO registry.outbox (aggregate_type, aggregate_id, event_type, payload)"
            " VALUES ('TestUnknownKind', '1', 'TestUnknownHappened', '{\"schema\": 1}')"
        )
        # …while a newer one registers an IR and commits first.
        changes = RegistryChanges(registry_engine, seed=21)
        await changes.prepare()
        await changes.register()
        newest = changes.log.ids[-1]
        await consumer.catch_up()
        assert await pg.fetchval("SELECT count(*) FROM reporting.home_industries WHERE id = $1", newest) == 0
        await transaction.commit()
    finally:
        await slow.close()
    await consumer.catch_up_to_latest()
    assert await pg.fetchval("SELECT count(*) FROM reporting.home_industries WHERE id = $1", newest) == 1
    assert (await _applied(pg))[1] == skipped_before + 1
    await assert_projection_matches_registry(pg)


async def test_only_one_consumer_holds_the_lock(database_url: str, consumer: OutboxConsumer) -> None:
    assert await consumer.try_lock()
    other = OutboxConsumer(database_url, database_url)
    await other.connect()
    try:
        assert not await other.try_lock()
        with pytest.raises(RuntimeError):
            await other.catch_up()
    finally:
        await other.close()


async def test_the_registrys_republished_facilitators_are_the_payloads_it_publishes(
    registry_engine: AsyncEngine, pg: asyncpg.Connection
) -> None:
    """Registry migration 0005 republishes every facilitator and assignment from SQL: the same payloads
    as ``events.py`` builds (the subject included), so reporting reads them like any other."""
    import importlib
    import json

    from services.registry.domain import events

    migration = importlib.import_module("services.registry.migrations.versions.0005_republish_facilitators")
    changes = RegistryChanges(registry_engine, seed=57, facilitators=True)
    await changes.run(150)
    async with registry_engine.connect() as connection:
        facilitators = {str(r["id"]): r for r in (await connection.execute(text("SELECT * FROM registry.facilitators"))).mappings()}
        assigned = {str(r["id"]): r for r in (await connection.execute(
            text("SELECT * FROM registry.facilitator_assignments"))).mappings()}
        await connection.rollback()  # end the reads' implicit transaction; the republishing gets its own
        transaction = await connection.begin()
        try:
            first = await connection.scalar(text("SELECT coalesce(max(id), 0) FROM registry.outbox"))
            for statement in migration.REPUBLISH.split(";\n"):
                await connection.execute(text(statement))
            published = (await connection.execute(text(
                "SELECT event_type, payload::text AS payload FROM registry.outbox WHERE id > :first"), {"first": first})).all()
        finally:
            await transaction.rollback()  # nothing is left for the other tests' consumers
    assert len(published) == len(facilitators) + len(assigned) and any(f["subject"] for f in facilitators.values())
    for event_type, payload in published:
        body = json.loads(payload)
        if event_type == "FacilitatorUpdated":
            assert body == events.facilitator_payload(facilitators[body["facilitator"]["id"]])
        else:
            assert event_type == events.FACILITATOR_ASSIGNMENT_REPUBLISHED
            assert body == events.facilitator_assignment_payload(assigned[body["assignment"]["id"]])
