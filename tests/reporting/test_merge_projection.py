"""Reporting stays exact after duplicates are merged in the registry.

Random registry changes, then merges of active IR pairs of one regency (several of them composed in
one unit of work, as an import or a sync batch would), then the consumer catches up: every IR's record
and class history, the stock and moves rollups equal SQL over the registry's own tables
(``projection_check``), and the merged-away IR count as closed, their assessments on the kept IR.
"""

from __future__ import annotations

import datetime as dt
import random

import asyncpg
from sqlalchemy.ext.asyncio import AsyncEngine

from services.registry import registrar
from services.registry.unit_of_work import UnitOfWork
from services.reporting.consumer import OutboxConsumer
from tests.reporting.projection_check import assert_projection_matches_registry
from tests.reporting.registry_changes import ACTOR, ANYWHERE, RegistryChanges

TODAY = dt.date(2026, 12, 4)


async def _pairs(pg: asyncpg.Connection, count: int, seed: int) -> list[tuple[int, int]]:
    """``count`` disjoint (keep, drop) pairs of active IR in one regency, each with assessments."""
    rows = await pg.fetch(
        "SELECT h.id, h.regency_code FROM registry.home_industries h WHERE h.status = 'ACTIVE'"
        " AND EXISTS (SELECT 1 FROM registry.assessments a WHERE a.home_industry_id = h.id) ORDER BY h.id"
    )
    by_regency: dict[str, list[int]] = {}
    for row in rows:
        by_regency.setdefault(row["regency_code"], []).append(row["id"])
    rng = random.Random(seed)
    pairs: list[tuple[int, int]] = []
    for ids in by_regency.values():
        rng.shuffle(ids)
        pairs.extend(zip(ids[0::2], ids[1::2]))
    rng.shuffle(pairs)
    return pairs[:count]


async def test_merges_keep_reporting_exact(registry_engine: AsyncEngine, consumer: OutboxConsumer, pg: asyncpg.Connection) -> None:
    await RegistryChanges(registry_engine, seed=23).run(600)
    await consumer.catch_up_to_latest()
    pairs = await _pairs(pg, 24, seed=23)
    assert len(pairs) == 24
    moved_before = {
        drop: await pg.fetchval("SELECT count(*) FROM registry.assessments WHERE home_industry_id = $1", drop)
        for _, drop in pairs
    }
    kept_before = {
        keep: await pg.fetchval("SELECT count(*) FROM registry.assessments WHERE home_industry_id = $1", keep)
        for keep, _ in pairs
    }
    # Half one merge per transaction, half four merges composed in one unit of work.
    for keep, drop in pairs[:12]:
        await registrar.merge(registry_engine, keep, drop, "pendaftaran ganda", TODAY, ANYWHERE, ACTOR)
    for start in range(12, 24, 4):
        async with UnitOfWork.begin(registry_engine, ACTOR) as work:
            for keep, drop in pairs[start:start + 4]:
                await registrar.merge(work, keep, drop, "pendaftaran ganda (satu berkas)", TODAY, ANYWHERE, ACTOR)
    await consumer.catch_up_to_latest()
    await assert_projection_matches_registry(pg)

    for keep, drop in pairs:
        status, reason = await pg.fetchrow("SELECT status, status_reason FROM registry.home_industries WHERE id = $1", drop)
        assert status == "CLOSED" and reason.startswith("DUPLICATE of ")
        assert await pg.fetchval("SELECT count(*) FROM registry.assessments WHERE home_industry_id = $1", drop) == 0
        assert await pg.fetchval("SELECT count(*) FROM registry.assessments WHERE home_industry_id = $1", keep) == (
            kept_before[keep] + moved_before[drop]
        )
        projected = await pg.fetchrow("SELECT status, current_class FROM reporting.home_industries WHERE id = $1", drop)
        assert projected["status"] == "CLOSED"


async def test_a_composed_unit_that_fails_writes_nothing(registry_engine: AsyncEngine, pg: asyncpg.Connection) -> None:
    await RegistryChanges(registry_engine, seed=29).run(200)
    (first_keep, first_drop), (second_keep, _) = await _pairs(pg, 2, seed=29)
    outbox_before = await pg.fetchval("SELECT count(*) FROM registry.outbox")
    audit_before = await pg.fetchval("SELECT count(*) FROM registry.audit_events")
    try:
        async with UnitOfWork.begin(registry_engine, ACTOR) as work:
            await registrar.merge(work, first_keep, first_drop, "ganda", TODAY, ANYWHERE, ACTOR)
            # The dropped IR is closed by now: merging it again is refused, and the whole unit rolls back.
            await registrar.merge(work, second_keep, first_drop, "ganda", TODAY, ANYWHERE, ACTOR)
    except Exception as error:  # noqa: BLE001 - the refusal's type is checked below
        assert getattr(error, "code", None) == "CONFLICT", error
    else:
        raise AssertionError("the second merge was not refused")
    assert await pg.fetchval("SELECT status FROM registry.home_industries WHERE id = $1", first_drop) == "ACTIVE"
    assert await pg.fetchval("SELECT count(*) FROM registry.outbox") == outbox_before
    assert await pg.fetchval("SELECT count(*) FROM registry.audit_events") == audit_before
