"""``registrar.register_many``: many IR in one unit of work, each refused or registered as alone."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from typing import Any

from sqlalchemy import text

from services.registry import registrar
from services.registry.data.audit import Actor
from services.registry.data.rule_sets import load_graduation_thresholds, load_rule_set
from services.registry.domain.access import RecordScope
from services.registry.domain.classification import CapitalSource, Criteria, ProductionPattern, ProductionTechnology
from services.registry.unit_of_work import UnitOfWork
from siir.database import create_engine
from siir.errors import Conflict, InvalidInput
from tests.conftest import StatementLog

ACTOR = Actor("test-register-many", "DISTRICT_OFFICER", "35.07", None, "mutation ImportSurvey")
TODAY = dt.date(2026, 12, 4)
SCOPE = RecordScope(region="35.07")
_NIK = itertools.count(3507_0000_0000_0001)


def _registration(village: str, n: int, *, nik: str | None = None, name: str | None = None,
                  reason: str | None = None, registered_on: dt.date | None = None) -> registrar.Registration:
    started = dt.date(2021, 3, 1)
    values: dict[str, Any] = {
        "village_code": village, "business_name": name or f"Keripik Singkong Import {n}",
        "business_category": "FOOD_AND_BEVERAGE", "owner_name": f"Pemilik Import {n}", "owner_nik": nik or str(next(_NIK)),
        "owner_sex": "FEMALE", "owner_is_female_head_of_household": False, "business_started_on": started,
        "registered_on": registered_on, "workers_female": 2, "workers_male": 0,
        "constraints": [], "hopes": [], "products": [{"name": "Keripik"}], "assistance_received": [],
    }
    criteria = Criteria(worker_count=2, production_technology=ProductionTechnology.MANUAL, capital_source=CapitalSource.OWN,
                        capital_amount=3_000_000, business_started_on=started, production_pattern=ProductionPattern.SEMI_CONTINUOUS)
    assessment = {"assessed_on": TODAY, "assets_excluding_land_and_buildings": None, "annual_turnover": None,
                  "assessor": "Import", "notes": None}
    return registrar.Registration(values, (criteria, assessment), reason, f"rows.{n}")


async def _world(database_url: str) -> tuple[Any, Any, Any, list[str]]:
    engine = create_engine(database_url, pool_size=2)
    async with engine.connect() as connection:
        rule_set = await load_rule_set(connection, "PERMEN_PPPA_2_2016")
        thresholds = await load_graduation_thresholds(connection, "UU_20_2008")
        villages = list((await connection.execute(text(
            "SELECT code FROM registry.regions WHERE level = 4 AND code LIKE '35.07.%' ORDER BY code LIMIT 3"))).scalars())
    return engine, rule_set, thresholds, villages


async def test_each_registration_is_refused_or_registered_as_alone_and_the_rest_go_on(database_url: str, pg: Any) -> None:
    engine, rule_set, thresholds, villages = await _world(database_url)
    owner = str(next(_NIK))
    batch = [
        _registration(villages[0], 0, nik=owner, name="Tempe Bu Sri"),
        _registration("35.07.01", 1),  # a sub-district, not a village
        _registration(villages[1], 2, registered_on=dt.date(2020, 1, 1)),  # before the business started
        _registration(villages[1], 3, nik=owner, name="Jahe Instan Bu Sri"),  # same owner, no reason
        _registration(villages[2], 4, nik=owner, name="Tempe Bu Sri 2", reason="usaha kedua"),  # near-identical name
        _registration(villages[2], 5, nik=owner, name="Jahe Instan Bu Sri", reason="usaha kedua"),
        _registration(villages[0], 6),
    ]
    counter = await pg.fetchval("SELECT coalesce(max(last_number), 0) FROM registry.registration_counters WHERE regency_code = '35.07'")
    outcomes = await registrar.register_many(engine, batch, rule_set, thresholds, TODAY, ACTOR, scope=SCOPE)

    first, sub_district, early, no_reason, same_name, second_business, last = outcomes
    assert isinstance(sub_district, InvalidInput) and sub_district.field == "rows.1.villageCode"
    assert "not a village" in sub_district.message
    assert isinstance(early, InvalidInput) and early.field == "rows.2.registeredOn"
    # The owner's first IR of this call counts as registered: named by the number it got.
    assert isinstance(no_reason, Conflict) and no_reason.extensions["field"] == "rows.3.owner.nik"
    assert f"registration number {first['registration_number']}" in no_reason.message
    assert isinstance(same_name, Conflict) and same_name.extensions["field"] == "rows.4.businessName"
    numbers = [row["registration_number"] for row in (first, second_business, last)]
    # Gap-free: the three registered IR took the next three numbers, the refused ones none.
    assert numbers == [f"IR-35.07-{counter + k:06d}" for k in (1, 2, 3)]
    assert await pg.fetchval("SELECT last_number FROM registry.registration_counters WHERE regency_code = '35.07'") == counter + 3
    assert await pg.fetchval("SELECT count(*) FROM registry.home_industries WHERE owner_nik = $1", owner) == 2
    assert first["current_class"] is not None and first["last_assessed_on"] == TODAY
    await engine.dispose()


async def test_a_registration_publishes_and_audits_as_the_single_mutation(database_url: str, pg: Any) -> None:
    engine, rule_set, thresholds, villages = await _world(database_url)
    alone = await registrar.register(engine, dict(_registration(villages[0], 10).values),
                                     _registration(villages[0], 10).assessment, rule_set, thresholds, TODAY, ACTOR, scope=SCOPE)
    together = await registrar.register_many(
        engine, [_registration(villages[0], 11), _registration(villages[0], 12)], rule_set, thresholds, TODAY, ACTOR, scope=SCOPE
    )

    async def trail(pk: int) -> tuple[list[Any], Any]:
        # An IR's own events: a team (or another aggregate) can have the same id.
        rows = await pg.fetch("SELECT event_type, payload::text FROM registry.outbox WHERE aggregate_type = 'HomeIndustry'"
                              " AND aggregate_id = $1 ORDER BY id", str(pk))
        audit = await pg.fetchrow(
            "SELECT fields, before::text AS before, array(SELECT jsonb_object_keys(after) ORDER BY 1) AS keys "
            "FROM registry.audit_events WHERE entity_id = $1 AND action = 'WRITE'", pk)
        return [(r["event_type"], json.loads(r["payload"])) for r in rows], audit

    def plain(events: list[Any]) -> list[Any]:
        for _, payload in events:
            for key in ("id", "registrationNumber", "businessStartedOn"):
                payload["homeIndustry"].pop(key)
            payload.get("assessment", {}).pop("id", None)
        return events

    alone_events, alone_audit = await trail(alone["id"])
    assert [kind for kind, _ in alone_events] == ["HomeIndustryRegistered", "AssessmentRecorded"]
    assert alone_events[0][1]["homeIndustry"]["currentClass"] is None
    for row in together:
        events, audit = await trail(row["id"])
        assert plain(events) == plain([(kind, dict(payload, homeIndustry=dict(payload["homeIndustry"]))) for kind, payload in alone_events])
        assert (audit["fields"], audit["before"], audit["keys"]) == (alone_audit["fields"], alone_audit["before"], alone_audit["keys"])
    ids = [pk for pk, in await pg.fetch(
        "SELECT aggregate_id::bigint FROM registry.outbox WHERE aggregate_type = 'HomeIndustry'"
        " AND aggregate_id = ANY($1::text[]) ORDER BY id",
        [str(row["id"]) for row in together])]
    assert ids == [together[0]["id"]] * 2 + [together[1]["id"]] * 2  # per IR: registered, then assessed
    await engine.dispose()


async def test_a_dry_run_writes_nothing_and_refuses_the_same(database_url: str, pg: Any) -> None:
    engine, rule_set, thresholds, villages = await _world(database_url)
    owner = str(next(_NIK))
    batch = [_registration(villages[0], 20, nik=owner), _registration(villages[1], 21, nik=owner), _registration("99.99.99.9999", 22)]
    before = await pg.fetchval("SELECT (SELECT count(*) FROM registry.home_industries) + (SELECT count(*) FROM registry.outbox)")
    dry = await registrar.register_many(engine, batch, rule_set, thresholds, TODAY, ACTOR, scope=SCOPE, write=False)
    assert await pg.fetchval("SELECT (SELECT count(*) FROM registry.home_industries) + (SELECT count(*) FROM registry.outbox)") == before
    written = await registrar.register_many(engine, batch, rule_set, thresholds, TODAY, ACTOR, scope=SCOPE)
    assert dry[0] is None and written[0]["owner_nik"] == owner
    assert [(type(e), e.message) for e in dry[1:]] == [(type(e), e.message) for e in written[1:]]
    assert isinstance(dry[1], Conflict) and isinstance(dry[2], InvalidInput)
    await engine.dispose()


async def test_the_statements_do_not_grow_with_the_registrations(database_url: str, statement_log: StatementLog) -> None:
    engine, rule_set, thresholds, villages = await _world(database_url)
    counts = []
    for size in (3, 60):
        async with engine.connect() as connection:
            async with connection.begin():
                statement_log.clear()
                outcomes = await registrar.register_many(
                    UnitOfWork(connection, ACTOR), [_registration(villages[n % 3], n) for n in range(size)],
                    rule_set, thresholds, TODAY, ACTOR, scope=SCOPE,
                )
                counts.append(statement_log.count())
        assert all(row is not None for row in outcomes)
    assert counts[0] == counts[1] <= 12
    await engine.dispose()
