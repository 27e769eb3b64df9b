"""Reporting stays exact when IR move between regencies/cities in the registry.

Random registry changes, then transfers of active IR to villages of other regencies, dated over the
years (moved directly by the ministry, or proposed by the sending office and accepted by the
receiving one; some IR move twice), then more random changes; the consumer catches up and every
stock and moves figure of the nation, provinces, regencies and sub-districts, on several dates and
periods, equals SQL over the registry's own tables with each IR placed where it was on the day
(``projection_check``). The registry's region counters equal a count over its rows.
"""

from __future__ import annotations

import datetime as dt
import random

import asyncpg
from sqlalchemy.ext.asyncio import AsyncEngine

from services.registry import transfer_registrar
from services.registry.data.audit import Actor
from services.registry.domain.access import RecordScope
from services.registry.unit_of_work import UnitOfWork
from services.reporting.consumer import OutboxConsumer
from siir.auth.identity import Identity, Role
from siir.errors import InvalidInput
from services.reporting import reports
from tests.reporting import registry_recompute
from tests.reporting.projection_check import DATES, assert_projection_matches_registry
from tests.reporting.registry_changes import ANYWHERE, RegistryChanges

TODAY = dt.date(2026, 12, 4)


def _identity(role: Role, region: str | None) -> Identity:
    return Identity(f"test-transfer-{role.value.lower()}-{region}", role, region, None, 2**31, "")


def _actor(identity: Identity) -> Actor:
    return Actor.of(identity, "mutation TransferTest")


async def test_transfers_count_out_of_the_old_regency_and_into_the_new_one_on_their_day(
    registry_engine: AsyncEngine, consumer: OutboxConsumer, pg: asyncpg.Connection
) -> None:
    changes = RegistryChanges(registry_engine, seed=41, facilitators=True)
    await changes.run(600)
    await consumer.catch_up_to_latest()
    rng = random.Random(41)
    rows = await pg.fetch(
        # With, for IR a facilitator is assigned to, the first day of that assignment worth moving on.
        "SELECT id, regency_code, registered_on, version, (SELECT min(greatest(a.active_from, h.registered_on) + 1)"
        " FROM registry.facilitator_assignments a WHERE a.home_industry_id = h.id"
        " AND greatest(a.active_from, h.registered_on) + 1 < $2"
        " AND (a.active_until IS NULL OR a.active_until > greatest(a.active_from, h.registered_on) + 1)) AS assisted"
        " FROM registry.home_industries h WHERE status = 'ACTIVE' AND regency_code = ANY($1::text[]) ORDER BY id",
        list(changes.villages), TODAY,
    )
    assisted = [row for row in rows if row["assisted"] is not None]
    assert assisted, "no IR with a facilitator assigned to it: the changes' seed no longer makes one"
    chosen = rng.sample(assisted, min(6, len(assisted)))
    chosen += rng.sample([row for row in rows if row not in chosen], 24 - len(chosen))
    ministry = _identity(Role.MINISTRY, None)
    moved = 0
    for index, row in enumerate(chosen):
        span = (TODAY - row["registered_on"]).days
        first_day = row["assisted"] or row["registered_on"] + dt.timedelta(days=rng.randint(1, max(1, span - 1)))
        days = [first_day]
        if index % 4 == 0 and first_day < TODAY:  # some move twice
            days.append(first_day + dt.timedelta(days=rng.randint(0, (TODAY - first_day).days)))
        regency = row["regency_code"]
        for day in days:
            target = rng.choice([code for code in changes.villages if code != regency])
            village = rng.choice(changes.villages[target])
            version = await pg.fetchval("SELECT version FROM registry.home_industries WHERE id = $1", row["id"])
            if index % 2:
                sender = _identity(Role.DISTRICT_OFFICER, regency)
                proposal = await transfer_registrar.propose(
                    registry_engine, sender, row["id"], version, village, "keluarga pindah", day,
                    RecordScope(region=regency), _actor(sender),
                )
                receiver = _identity(Role.DISTRICT_OFFICER, target)
                await transfer_registrar.accept(registry_engine, receiver, proposal["id"], proposal["version"], day,
                                                _actor(receiver))
            else:
                await transfer_registrar.propose(registry_engine, ministry, row["id"], version, village, "pindah", day,
                                                 ANYWHERE, _actor(ministry))
            regency = target
            moved += 1
    assert moved > 24
    # The facilitator assignments to a moved IR itself ended the day before it moved (village ones stay).
    running = await pg.fetchval(
        "SELECT count(*) FROM registry.facilitator_assignments a JOIN registry.home_industry_transfers t"
        " ON t.home_industry_id = a.home_industry_id AND t.status = 'ACCEPTED'"
        " WHERE a.active_from < t.transferred_on AND (a.active_until IS NULL OR a.active_until >= t.transferred_on)"
    )
    ended = await pg.fetchval(
        "SELECT count(*) FROM registry.audit_events e WHERE e.action = 'WRITE' AND e.after ? 'transfer'"
        " AND EXISTS (SELECT 1 FROM jsonb_object_keys(e.after) k WHERE k LIKE 'assignment %')"
    )
    assert running == 0
    assert ended > 0  # some moved IR had a facilitator of their own
    await changes.run(200)  # later changes of the moved IR count where they are now
    await consumer.catch_up_to_latest()
    await assert_projection_matches_registry(pg)
    await _villages_served_as_the_registry_counts_them(registry_engine, pg)

    differences = await pg.fetch(
        """
        WITH counted AS (
            SELECT r.code AS region_code, coalesce(h.current_class, '') AS ir_class, h.status, count(*) AS n
            FROM registry.home_industries h
            CROSS JOIN LATERAL (VALUES (''), (left(h.regency_code, 2)), (h.regency_code),
                (left(h.village_code, length(h.village_code) - 5))) AS r(code)
            GROUP BY 1, 2, 3)
        SELECT * FROM counted c FULL JOIN registry.home_industry_counts k USING (region_code, ir_class, status)
        WHERE coalesce(c.n, 0) <> coalesce(k.n, 0)
        """
    )
    assert differences == []


async def test_transfers_composed_in_one_unit_of_work_are_written_together_or_not_at_all(
    registry_engine: AsyncEngine, pg: asyncpg.Connection
) -> None:
    changes = RegistryChanges(registry_engine, seed=43)
    await changes.run(60)
    rows = await pg.fetch(
        "SELECT id, regency_code, version, registration_number FROM registry.home_industries WHERE status = 'ACTIVE'"
        " AND regency_code = '33.74' ORDER BY id DESC LIMIT 2"
    )
    first, second = rows
    ministry = _identity(Role.MINISTRY, None)
    malang = changes.villages["35.07"][0]
    before = [await pg.fetchval(f"SELECT count(*) FROM registry.{table}")
              for table in ("outbox", "audit_events", "home_industry_transfers")]
    try:
        async with UnitOfWork.begin(registry_engine, _actor(ministry)) as work:
            await transfer_registrar.propose(work, ministry, first["id"], first["version"], malang, "pindah", TODAY,
                                             ANYWHERE, _actor(ministry))
            # The second names a village of its own regency: refused, and the whole unit rolls back.
            await transfer_registrar.propose(work, ministry, second["id"], second["version"],
                                             changes.villages["33.74"][0], "pindah", TODAY, ANYWHERE, _actor(ministry))
    except InvalidInput as error:
        assert error.field == "villageCode"
    else:
        raise AssertionError("the second transfer was not refused")
    after = [await pg.fetchval(f"SELECT count(*) FROM registry.{table}")
             for table in ("outbox", "audit_events", "home_industry_transfers")]
    assert after == before
    assert await pg.fetchval("SELECT registration_number FROM registry.home_industries WHERE id = $1",
                             first["id"]) == first["registration_number"]

    async with UnitOfWork.begin(registry_engine, _actor(ministry)) as work:
        for row in rows:
            await transfer_registrar.propose(work, ministry, row["id"], row["version"], malang, "pindah bersama",
                                             TODAY, ANYWHERE, _actor(ministry))
    moved = await pg.fetch("SELECT regency_code FROM registry.home_industries WHERE id = ANY($1::bigint[])",
                           [row["id"] for row in rows])
    assert [row["regency_code"] for row in moved] == ["35.07", "35.07"]


async def _villages_served_as_the_registry_counts_them(engine: AsyncEngine, pg: asyncpg.Connection) -> None:
    """Village figures as ``irStatistics`` serves them (``reports.stock`` over the villages asked for, the
    IR moved away from them included) equal SQL over the registry, with each IR where it was on the day:
    asked for every village, and for the villages IR left only (their leavers now live elsewhere)."""
    everywhere = [r[0] for r in await pg.fetch("SELECT DISTINCT village_code FROM registry.home_industries UNION "
                                               "SELECT DISTINCT from_village_code FROM registry.home_industry_transfers")]
    left = [r[0] for r in await pg.fetch("SELECT DISTINCT from_village_code FROM registry.home_industry_transfers "
                                         "WHERE status = 'ACCEPTED'")]
    # The eve of transfers too: a moved IR still counts in the village it left.
    eves = [r[0] for r in await pg.fetch(
        "SELECT DISTINCT transferred_on - 1 FROM registry.home_industry_transfers WHERE status = 'ACCEPTED' ORDER BY 1 DESC LIMIT 8")]
    assert left and eves
    async with engine.connect() as connection:
        for villages in (everywhere, left):
            regions = [reports.RegionRef(code, "", 4) for code in villages]
            for day in (*DATES, *eves):
                served = await reports.stock(connection, regions, day)
                got = {(code, line.standing, line.owner_sex, line.female_head_of_household, line.candidate):
                       (line.home_industries, line.workers_female, line.workers_male)
                       for code, lines in served.items() for line in lines if line.home_industries}
                expected = {key: value for key, value in (await registry_recompute.stock(pg, 4, day)).items()
                            if key[0] in set(villages)}
                assert got == expected, (len(villages), day)
