"""The bulk import's write path: ``registrar.register_many`` against one ``register`` per IR (issue 14).

    .venv/bin/python bench/imports/register_many.py [--database siir_bench_1m] [--rows 10000] [--chunk 500] [--singles 1000]

On a fresh database (``siirctl.preparation.prepare_database``, dropped at the end) or a given one
(whose IR are kept: the registrations are committed). Three measures, in one run:

1. ``--singles`` single registrations, each its own transaction, alternating in blocks of 50 between
   the path before ``register_many`` (kept below as ``_register_one_by_one``: ~11 statements per IR)
   and today's ``register`` (``register_many`` with one registration): ms per IR and the ratio.
2. ``--rows`` registrations validated in chunks of ``--chunk`` with ``write=False`` (the dry run).
3. The same registrations written in chunks, each chunk one transaction (``UnitOfWork``).

The registrations: new owners in the villages of 33.74, 1 in 50 a second business of an owner
earlier in the same call (with a reason), 1 in 50 such an owner again without a reason (refused), 1 in 100 with a village code that is not a village, so
the refusals and the in-call duplicate check are part of the cost. Checks after the write: every
registered IR has its assessment, two events and one audit row, and the regency's counter equals
the highest registration number.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import random
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, insert, select, text  # noqa: E402

from services.registry import registrar  # noqa: E402
from services.registry.data import home_industries as home_industry_data  # noqa: E402
from services.registry.data.tables import home_industries  # noqa: E402
from services.registry.data.audit import Actor  # noqa: E402
from services.registry.data.rule_sets import load_graduation_thresholds, load_rule_set  # noqa: E402
from services.registry.domain import duplicates, events  # noqa: E402
from services.registry.domain.access import RecordScope  # noqa: E402
from services.registry.domain.classification import CapitalSource, Criteria, ProductionPattern, ProductionTechnology  # noqa: E402
from services.registry.domain.registration import regency_of, registration_number  # noqa: E402
from services.registry.unit_of_work import UnitOfWork, unit_of_work  # noqa: E402
from siir.database import create_engine  # noqa: E402
from siir.errors import Conflict, DomainError, InvalidInput  # noqa: E402

ACTOR = Actor("bench-imports", "DISTRICT_OFFICER", "33.74", None, "mutation BenchImport")
TODAY = dt.date(2026, 12, 4)
SCOPE = RecordScope(region="33.74")


# The per-row statements of that path, kept here only for the ratio (the services register set-based).


async def _lock_owner(connection: Any, nik: str) -> None:
    await connection.execute(text("SELECT pg_advisory_xact_lock(hashtextextended('registry.owner:' || :nik, 0))"), {"nik": nik})


async def _active_of_owner(connection: Any, nik: str, business_name: str) -> list[Any]:
    column = home_industries.c
    result = await connection.execute(
        select(column.id, column.registration_number, column.regency_code, column.village_code, column.status,
               column.consent_to_share, func.similarity(column.business_name, business_name).label("business_name_similarity"))
        .where(column.owner_nik == nik, column.status == "ACTIVE").order_by(column.id)
    )
    return list(result.mappings().all())


async def _insert_home_industry(connection: Any, values: dict[str, Any]) -> Any:
    result = await connection.execute(insert(home_industries).values(**values).returning(home_industries))
    return result.mappings().one()


async def _register_one_by_one(target: Any, values: dict[str, Any], assessment: Any, rule_set: Any, thresholds: Any,
                               today: dt.date, actor: Actor, *, scope: RecordScope | None = None,
                               additional_business_reason: str | None = None) -> Any:
    """``registrar.register`` as it was before ``register_many`` (commit 4355f38), for the ratio."""
    async with unit_of_work(target, actor) as work:
        connection = work.connection
        await registrar.require_village(connection, "input.villageCode", values["village_code"])
        regency = regency_of(values["village_code"])
        await _lock_owner(connection, values["owner_nik"])
        rows = await _active_of_owner(connection, values["owner_nik"], values["business_name"])
        existing = [duplicates.ActiveRegistration(row["id"], row["registration_number"], row["regency_code"],
                                                  float(row["business_name_similarity"]), scope is None or scope.admits(row))
                    for row in rows]
        refused = duplicates.refusal(existing, regency, additional_business_reason)
        if refused is not None:
            raise Conflict(f"{refused[0]}: {refused[1]}", field=refused[0])
        sequence = await home_industry_data.next_registration_sequence(connection, regency)
        registered_on = values.pop("registered_on", None) or today
        if registered_on < values["business_started_on"]:
            raise InvalidInput("input.registeredOn", "is before the business started")
        row = await _insert_home_industry(connection, {
            **values, "regency_code": regency, "registration_number": registration_number(regency, sequence),
            "registered_on": registered_on})
        await work.publish(events.HOME_INDUSTRY_REGISTERED, row["id"], events.event_payload(row))
        criteria, assessment_values = assessment
        row, assessment_row = await registrar._write_assessment(
            connection, row, criteria, assessment_values, rule_set, thresholds, "input.firstAssessment")
        return await work.changed(
            None, row, events.ASSESSMENT_RECORDED, events.event_payload(row, assessment=assessment_row),
            added={"firstAssessment": assessment_row}
            | ({"additionalBusiness": {"reason": additional_business_reason}} if additional_business_reason else {}))


def _assessment(started: dt.date, n: int) -> tuple[Criteria, dict[str, Any]]:
    criteria = Criteria(
        worker_count=1 + n % 12, production_technology=ProductionTechnology.SEMI_MANUAL, capital_source=CapitalSource.OWN,
        capital_amount=2_500_000 + (n % 40) * 500_000, business_started_on=started,
        production_pattern=ProductionPattern.SEMI_CONTINUOUS,
    )
    return criteria, {"assessed_on": TODAY, "assets_excluding_land_and_buildings": None, "annual_turnover": None,
                      "assessor": "Bench", "notes": None}


def _values(village: str, nik: str, n: int) -> dict[str, Any]:
    return {
        "village_code": village, "business_name": f"Usaha Survei Nomor {n}", "business_category": "FOOD_AND_BEVERAGE",
        "owner_name": f"Pemilik Survei {n}", "owner_nik": nik, "owner_sex": "FEMALE" if n % 3 else "MALE",
        "owner_is_female_head_of_household": n % 3 != 0 and n % 7 == 0, "business_started_on": dt.date(2015 + n % 10, 1 + n % 12, 1),
        "registered_on": TODAY, "workers_female": 1, "workers_male": n % 2, "constraints": ["modal"], "hopes": [],
        "products": [{"name": "Keripik"}], "assistance_received": [], "address": f"Jalan Survei {n}",
    }


def _registrations(rng: random.Random, villages: list[str], regency: str, count: int) -> list[registrar.Registration]:
    made: list[registrar.Registration] = []
    for n in range(count):
        if n % 100 == 99:  # not a village: refused by the village check
            made.append(registrar.Registration(_values(regency, _nik(rng), n), _assessment(dt.date(2020, 1, 1), n),
                                               prefix=f"rows.{n}"))
            continue
        values = _values(rng.choice(villages), _nik(rng), n)
        reason = None
        if n % 50 == 24:  # an owner earlier in the same chunk again, without a reason: refused (CONFLICT)
            values["owner_nik"] = made[n - 1 - rng.randrange(10)].values["owner_nik"]
        if n % 50 == 49:  # a second business of an owner earlier in the same chunk
            values["owner_nik"] = made[n - 1 - rng.randrange(10)].values["owner_nik"]
            values["business_name"] = f"Warung Kelontong {n}"
            reason = "usaha kedua"
        made.append(registrar.Registration(values, _assessment(values["business_started_on"], n), reason, f"rows.{n}"))
    return made


def _nik(rng: random.Random) -> str:
    return f"{rng.randint(10**15, 10**16 - 1)}"


async def _singles(engine: Any, rule_set: Any, thresholds: Any, villages: list[str], rng: random.Random, count: int) -> None:
    times: dict[str, list[float]] = {"before": [], "register_many": []}
    for block in range(count // 50):
        kind = ("before", "register_many")[block % 2]
        call = _register_one_by_one if kind == "before" else registrar.register
        for n in range(50):
            values = _values(rng.choice(villages), _nik(rng), n)
            started = time.perf_counter()
            await call(engine, values, _assessment(values["business_started_on"], n), rule_set, thresholds, TODAY, ACTOR,
                       scope=SCOPE)
            times[kind].append(time.perf_counter() - started)
    before, after = (sum(times[k]) / len(times[k]) * 1000 for k in ("before", "register_many"))
    print(f"single register, own transaction each ({count // 2} each, alternating blocks of 50): "
          f"before {before:.2f} ms/IR  now {after:.2f} ms/IR  ratio {after / before:.3f}")


async def _bulk(engine: Any, rule_set: Any, thresholds: Any, registrations: list[registrar.Registration], chunk: int,
                write: bool) -> list[Any]:
    outcomes: list[Any] = []
    started = time.perf_counter()
    for first in range(0, len(registrations), chunk):
        part = registrations[first:first + chunk]
        async with UnitOfWork.begin(engine, ACTOR) as work:
            outcomes += await registrar.register_many(work, part, rule_set, thresholds, TODAY, ACTOR, scope=SCOPE, write=write)
    elapsed = time.perf_counter() - started
    refused = sum(isinstance(outcome, DomainError) for outcome in outcomes)
    kinds = sorted({type(outcome).__name__ for outcome in outcomes if isinstance(outcome, DomainError)})
    print(f"register_many write={write!s:5} {len(registrations)} rows in chunks of {chunk}: {elapsed:6.2f} s "
          f"({elapsed / len(registrations) * 1000:.2f} ms/row, {len(registrations) / elapsed:,.0f} rows/s); "
          f"refused {refused} ({', '.join(kinds)})")
    return outcomes


async def _check_written(engine: Any, outcomes: list[Any], regency: str) -> None:
    ids = [outcome["id"] for outcome in outcomes if outcome is not None and not isinstance(outcome, DomainError)]
    async with engine.connect() as connection:
        counts = (await connection.execute(text(
            "SELECT (SELECT count(*) FROM registry.assessments WHERE home_industry_id = ANY(:ids)), "
            "(SELECT count(*) FROM registry.outbox WHERE aggregate_type = 'HomeIndustry' AND aggregate_id = ANY(:keys)), "
            "(SELECT count(*) FROM registry.audit_events WHERE action = 'WRITE' AND entity_id = ANY(:ids)), "
            "(SELECT last_number FROM registry.registration_counters WHERE regency_code = :r), "
            "(SELECT max(right(registration_number, 6)::int) FROM registry.home_industries WHERE regency_code = :r), "
            "(SELECT count(*) FROM registry.home_industries WHERE regency_code = :r)"),
            {"ids": ids, "keys": [str(pk) for pk in ids], "r": regency})).one()
    assessments, events_count, audits, counter, highest, registered = counts
    print(f"written: {len(ids)} IR, {assessments} assessments, {events_count} events, {audits} audit rows; "
          f"counter {counter}, highest number {highest}, IR in the regency {registered}")


async def measure(url: str, rows: int, chunk: int, singles: int) -> None:
    engine = create_engine(url, pool_size=2)
    rng = random.Random(14)
    async with engine.connect() as connection:
        rule_set = await load_rule_set(connection, "PERMEN_PPPA_2_2016")
        thresholds = await load_graduation_thresholds(connection, "UU_20_2008")
        villages = list((await connection.execute(text(
            "SELECT code FROM registry.regions WHERE level = 4 AND code LIKE '33.74.%' ORDER BY code"))).scalars())
    if singles:
        await _singles(engine, rule_set, thresholds, villages, rng, singles)
    registrations = _registrations(rng, villages, "33.74", rows)
    await _bulk(engine, rule_set, thresholds, registrations, chunk, write=False)
    outcomes = await _bulk(engine, rule_set, thresholds, registrations, chunk, write=True)
    await _check_written(engine, outcomes, "33.74")
    await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default=None, help="an existing database (default: a fresh one, dropped after)")
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--chunk", type=int, default=500)
    parser.add_argument("--singles", type=int, default=1000)
    args = parser.parse_args()
    if args.database:
        asyncio.run(measure(f"{args.server}/{args.database}", args.rows, args.chunk, args.singles))
        return
    from siirctl.preparation import prepare_database
    from tests.conftest import create_database, drop_database

    admin = f"{args.server}/postgres"
    url = create_database(admin, "siir_bench_imports")
    try:
        started = time.perf_counter()
        prepare_database(url)
        print(f"fresh database prepared in {time.perf_counter() - started:.1f} s")
        asyncio.run(measure(url, args.rows, args.chunk, args.singles))
    finally:
        drop_database(admin, url)


if __name__ == "__main__":
    main()
