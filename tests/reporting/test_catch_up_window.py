"""A catch-up window (the feed folded set-based in PostgreSQL) builds the batch consumer's projection, row by row.

The same feed — random registrations, back-dated assessments, updates, closures, graduations,
facilitators, transfers between regencies (some IR twice) and merges of duplicates, then more
changes of the moved and merged IR — is applied from an empty projection in small batches (the
live consumer's way, rules in Python), then through windows: one window for the whole feed, and
small windows that start on a half-built projection (an IR's old contributions taken out, its new
ones put in). Every table the consumer writes must come out equal.
"""

from __future__ import annotations

import datetime as dt
import random

import asyncpg
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from services.registry import registrar, transfer_registrar
from services.registry.domain.classification import (
    CapitalSource, Criteria, ProductionPattern, ProductionTechnology,
)
from services.reporting import consumer as consumer_module
from siir.auth.identity import Identity, Role
from services.registry.data.audit import Actor
from tests.reporting.projection_check import assert_projection_matches_registry
from tests.reporting.projection_tables import assert_same_projection, build, empty_projection, projection_rows
from tests.reporting.registry_changes import ACTOR, ANYWHERE, RegistryChanges

TODAY = dt.date(2026, 12, 4)


async def _transfers_and_merges(registry_engine: AsyncEngine, pg: asyncpg.Connection, changes: RegistryChanges,
                                seed: int) -> None:
    rng = random.Random(seed)
    ministry = Identity("test-window-ministry", Role.MINISTRY, None, None, 2**31, "")
    rows = await pg.fetch(
        "SELECT id, regency_code, registered_on FROM registry.home_industries"
        " WHERE status = 'ACTIVE' AND regency_code = ANY($1::text[]) ORDER BY id", list(changes.villages))
    for index, row in enumerate(rng.sample(list(rows), 12)):
        day = row["registered_on"] + dt.timedelta(days=rng.randint(1, max(1, (TODAY - row["registered_on"]).days - 1)))
        regency = row["regency_code"]
        for move in range(2 if index % 3 == 0 else 1):
            target = rng.choice([code for code in changes.villages if code != regency])
            regency = target
            version = await pg.fetchval("SELECT version FROM registry.home_industries WHERE id = $1", row["id"])
            await transfer_registrar.propose(registry_engine, ministry, row["id"], version,
                                             rng.choice(changes.villages[target]), "pindah", day + dt.timedelta(days=move),
                                             ANYWHERE, Actor.of(ministry, "mutation WindowTest"))
    assessed = await pg.fetch(
        "SELECT h.id, h.regency_code FROM registry.home_industries h WHERE h.status = 'ACTIVE'"
        " AND EXISTS (SELECT 1 FROM registry.assessments a WHERE a.home_industry_id = h.id) ORDER BY h.id")
    by_regency: dict[str, list[int]] = {}
    for row in assessed:
        by_regency.setdefault(row["regency_code"], []).append(row["id"])
    pairs = [pair for ids in by_regency.values() for pair in zip(ids[0::2], ids[1::2])]
    for keep, drop in rng.sample(pairs, min(8, len(pairs))):
        await registrar.merge(registry_engine, keep, drop, "pendaftaran ganda", TODAY, ANYWHERE, ACTOR)


async def _up_and_down_in_one_year(registry_engine: AsyncEngine, pg: asyncpg.Connection, changes: RegistryChanges) -> int:
    """An IR that climbs from Pemula to Berkembang twice in 2022: the indicator counts it once that year."""
    pk = await pg.fetchval(
        "SELECT h.id FROM registry.home_industries h WHERE h.status = 'ACTIVE' AND h.registered_on < '2021-06-01'"
        " AND NOT EXISTS (SELECT 1 FROM registry.assessments a WHERE a.home_industry_id = h.id"
        "                 AND a.assessed_on >= '2022-01-01') ORDER BY h.id LIMIT 1")
    levels = ((1, ProductionTechnology.MANUAL, CapitalSource.OWN, 500_000, ProductionPattern.NOT_CONTINUOUS),
              (4, ProductionTechnology.SEMI_MANUAL, CapitalSource.OWN_AND_INFORMAL_LOAN, 10_000_000, ProductionPattern.SEMI_CONTINUOUS))
    for month, level in ((2, 0), (3, 1), (4, 0), (5, 1)):
        workers, technology, source, amount, pattern = levels[level]

        def build(started: dt.date, month: int = month) -> tuple[Criteria, dict[str, object]]:
            return (Criteria(workers, technology, source, amount, started, pattern),
                    {"assessed_on": dt.date(2022, month, 1), "assets_excluding_land_and_buildings": None,
                     "annual_turnover": None, "assessor": "Pendamping Uji", "notes": None})

        await registrar.record_assessment(registry_engine, pk, build, changes.rule_set, changes.thresholds, ANYWHERE, ACTOR)
    classes = await pg.fetch("SELECT ir_class FROM registry.assessments WHERE home_industry_id = $1"
                             " AND assessed_on >= '2022-01-01' ORDER BY assessed_on", pk)
    assert [row["ir_class"] for row in classes] == ["PEMULA", "BERKEMBANG", "PEMULA", "BERKEMBANG"]
    return pk


async def test_windows_build_the_batch_consumers_projection_row_by_row(
    registry_engine: AsyncEngine, database_url: str, pg: asyncpg.Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    windows: list[int] = []
    original = consumer_module.apply_window

    async def counted(target: asyncpg.Connection, size: int, connect: object) -> consumer_module.BatchResult:
        result = await original(target, size, connect)
        windows.append(result.events)
        return result

    monkeypatch.setattr(consumer_module, "apply_window", counted)
    changes = RegistryChanges(registry_engine, seed=59, facilitators=True)
    await changes.run(500)
    await _transfers_and_merges(registry_engine, pg, changes, seed=59)
    await changes.run(250)
    await _up_and_down_in_one_year(registry_engine, pg, changes)
    assert await pg.fetchval("SELECT count(*) FROM registry.outbox WHERE event_type = 'HomeIndustryTransferred'") >= 12
    assert await pg.fetchval("SELECT count(*) FROM registry.outbox WHERE payload ? 'assessmentsMovedAway'") >= 1

    await empty_projection(pg)
    await build(database_url, batch_size=53, catch_up_window=0)
    batches = await projection_rows(pg)
    await assert_projection_matches_registry(pg)

    await empty_projection(pg)
    assert windows == []
    indexes = "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'reporting' ORDER BY 1"
    constraints = ("SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint"
                   " WHERE connamespace = 'reporting'::regnamespace ORDER BY 1, 2")
    indexes_before, constraints_before = await pg.fetch(indexes), await pg.fetch(constraints)
    await build(database_url, batch_size=53, catch_up_window=1_000_000)
    # The empty tables it filled got back their indexes and keys (data/empty_table_fill.py).
    assert (await pg.fetch(indexes), await pg.fetch(constraints)) == (indexes_before, constraints_before)
    assert_same_projection(await projection_rows(pg), batches)
    events = await pg.fetchval("SELECT count(*) FROM registry.outbox")
    assert windows == [events]  # the lag said the feed was behind: one window did it all

    # Small windows, each on the projection the ones before built (old contributions out, new in).
    await empty_projection(pg)
    await build(database_url, batch_size=53, catch_up_window=0, max_batches=5)
    windows.clear()
    await build(database_url, batch_size=53, catch_up_window=97)
    assert_same_projection(await projection_rows(pg), batches)
    assert len(windows) > 3 and 97 in windows
