"""Registration latency with and without the duplicate check, side by side in one run (issue 14).

    .venv/bin/python bench/duplicates/registration.py [--databases siir_bench_1m,siir_bench_100k] [--rounds 300]

Calls ``registrar.register`` (the code path of ``registerHomeIndustry`` under the GraphQL layer) on a
seeded database, each registration in its own transaction that is rolled back, so the database is
left as it was. Each round registers twice with the same kind of input, once with the check and once
with the duplicate check's two statements (``lock_owners``, ``active_of_owners``) replaced by no-ops, in alternating order, so drift on the shared machine
falls on both. Two owners: a new NIK (the common case: an index probe finding nothing) and the NIK of
an owner who already has an active IR, registering a different business with a reason (the check
finds the rows and scores the names). Prints medians and p95 in ms and the with/without ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402

from services.registry import registrar  # noqa: E402
from services.registry.data import duplicates as duplicate_data  # noqa: E402
from services.registry.data.audit import Actor  # noqa: E402
from services.registry.data.rule_sets import load_graduation_thresholds, load_rule_set  # noqa: E402
from services.registry.domain.access import RecordScope  # noqa: E402
from services.registry.domain.classification import CapitalSource, Criteria, ProductionPattern, ProductionTechnology  # noqa: E402
from services.registry.unit_of_work import UnitOfWork  # noqa: E402
from siir.database import create_engine  # noqa: E402

ACTOR = Actor("bench-duplicates", "DISTRICT_OFFICER", "33.74", None, "mutation BenchRegister")
TODAY = dt.date(2026, 12, 4)
REAL_CHECK = (duplicate_data.lock_owners, duplicate_data.active_of_owners)


async def _no_lock(*args: Any, **kwargs: Any) -> None:
    return None


async def _none_found(*args: Any, **kwargs: Any) -> dict[int, list[Any]]:
    return {}


def _check(on: bool) -> None:
    duplicate_data.lock_owners, duplicate_data.active_of_owners = REAL_CHECK if on else (_no_lock, _none_found)  # type: ignore[assignment]


def _assessment(started: dt.date) -> tuple[Criteria, dict[str, Any]]:
    criteria = Criteria(
        worker_count=3, production_technology=ProductionTechnology.SEMI_MANUAL, capital_source=CapitalSource.OWN,
        capital_amount=7_500_000, business_started_on=started, production_pattern=ProductionPattern.SEMI_CONTINUOUS,
    )
    return criteria, {"assessed_on": TODAY, "assets_excluding_land_and_buildings": None, "annual_turnover": None,
                      "assessor": "Bench", "notes": None}


def _values(village: str, nik: str, n: int) -> dict[str, Any]:
    return {
        "village_code": village, "business_name": f"Usaha Bench Nomor {n}", "business_category": "FOOD_AND_BEVERAGE",
        "owner_name": "Pemilik Bench", "owner_nik": nik, "owner_sex": "FEMALE", "owner_is_female_head_of_household": False,
        "business_started_on": dt.date(2020, 1, 1), "registered_on": TODAY, "workers_female": 1, "workers_male": 0,
        "constraints": [], "hopes": [], "products": [{"name": "Keripik"}], "assistance_received": [],
    }


async def _one(engine: Any, rule_set: Any, thresholds: Any, values: dict[str, Any], reason: str | None, checked: bool) -> float:
    _check(checked)
    async with engine.connect() as connection:
        transaction = await connection.begin()
        started = time.perf_counter()
        await registrar.register(
            UnitOfWork(connection, ACTOR), dict(values), _assessment(values["business_started_on"]), rule_set, thresholds,
            TODAY, ACTOR, scope=RecordScope(region="33.74"), additional_business_reason=reason,
        )
        elapsed = time.perf_counter() - started
        await transaction.rollback()
    return elapsed * 1000


async def measure(url: str, rounds: int) -> None:
    engine = create_engine(url, pool_size=2)
    rng = random.Random(1)
    async with engine.connect() as connection:
        rule_set = await load_rule_set(connection, "PERMEN_PPPA_2_2016")
        thresholds = await load_graduation_thresholds(connection, "UU_20_2008")
        villages = list((await connection.execute(text(
            "SELECT code FROM registry.regions WHERE level = 4 AND code LIKE '33.74.%' ORDER BY code LIMIT 20"))).scalars())
        owners = list((await connection.execute(text(
            "SELECT owner_nik FROM registry.home_industries WHERE regency_code = '33.74' AND status = 'ACTIVE' "
            "ORDER BY id LIMIT 400"))).scalars())
        total = (await connection.execute(text("SELECT count(*) FROM registry.home_industries"))).scalar_one()
    print(f"{url.rsplit('/', 1)[1]}: {total} IR, {rounds} rounds per case")
    for case in ("new owner", "existing owner, other business"):
        times: dict[bool, list[float]] = {True: [], False: []}
        for n in range(rounds):
            village = rng.choice(villages)
            if case == "new owner":
                values, reason = _values(village, f"{rng.randint(10**15, 10**16 - 1)}", n), None
            else:
                values, reason = _values(village, rng.choice(owners), n), "usaha lain"
            order = (True, False) if n % 2 == 0 else (False, True)
            for checked in order:
                times[checked].append(await _one(engine, rule_set, thresholds, values, reason, checked))
        with_check, without = statistics.median(times[True]), statistics.median(times[False])
        p95 = {k: statistics.quantiles(v, n=20)[18] for k, v in times.items()}
        print(f"  {case:32} without {without:6.2f} ms (p95 {p95[False]:6.2f})  with {with_check:6.2f} ms "
              f"(p95 {p95[True]:6.2f})  added {with_check - without:+.2f} ms  ratio {with_check / without:.3f}")
    _check(True)
    await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--databases", default="siir_bench_1m")
    parser.add_argument("--rounds", type=int, default=300)
    args = parser.parse_args()
    for database in args.databases.split(","):
        asyncio.run(measure(f"{args.server}/{database}", args.rounds))


if __name__ == "__main__":
    main()
