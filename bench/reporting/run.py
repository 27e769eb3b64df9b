"""Reporting benchmark: report queries through the gateway vs a straight GROUP BY over the registry, and
the projection's lag under a sustained write load.

    .venv/bin/python bench/reporting/run.py --database-url postgresql://postgres@127.0.0.1:5432/siir_reporting_bench \
        [--repeat 50] [--group-by-repeat 3] [--write-rate 200] [--write-seconds 60]

The database must be seeded (``bench/seed/run_seed.py --count 1000000 --database siir_reporting_bench``)
and the projection caught up (``bench/reporting/catch_up.py``), the registry at its current migrations
(``DATABASE_URL=... python -m siirctl migrate``). Starts the registry, reporting (with its
consumer) and our gateway as processes on free ports, measures each report query ``--repeat`` times
over HTTP after a warm-up (p50/p95), runs the equivalent GROUP BY over ``registry.*`` tables
``--group-by-repeat`` times, prints both and the ratio, then writes ``--write-rate`` assessments a second
through ``registrar.record_assessment`` (as each IR's district office, audited) for ``--write-seconds``
while sampling ``reportingStatus``. Requests carry a MINISTRY token; the services' output goes to the
log directory printed at the start.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from services.registry import registrar  # noqa: E402
from services.registry.data.audit import Actor  # noqa: E402
from services.registry.data.rule_sets import load_graduation_thresholds, load_rule_set  # noqa: E402
from services.registry.domain.access import RecordScope  # noqa: E402
from services.registry.domain.classification import CapitalSource, Criteria, ProductionPattern, ProductionTechnology  # noqa: E402
from services.reporting.domain.periods import today_in_jakarta  # noqa: E402
from siir.auth.keys import load_or_create_signing_key  # noqa: E402
from siir.auth.tokens import issue_token  # noqa: E402
from siir.database import asyncpg_dsn, create_engine  # noqa: E402
from siir.settings import Settings  # noqa: E402
from tests.conftest import free_port  # noqa: E402
from tests.reporting import registry_recompute  # noqa: E402

YEAR = 2025


def _caller() -> dict[str, str]:
    """A MINISTRY token signed by the embedded default's key, which the started services trust."""
    settings = Settings.from_environment()
    token = issue_token(load_or_create_signing_key(settings.data_dir), subject="bench", role="MINISTRY",
                        issuer=settings.auth_issuer, audience=settings.auth_audience)
    return {"Authorization": f"Bearer {token}"}


LOGS = Path(tempfile.mkdtemp(prefix="siir-bench-reporting-"))


def _start(argv: list[str], env: dict[str, str], health: str) -> subprocess.Popen[bytes]:
    # Each service's output goes to a log file, so a service that dies mid-run can be told apart
    # from one that was killed (its exit code is reported at the end either way).
    log = open(LOGS / f"{argv[0]}.log", "wb")
    process = subprocess.Popen([sys.executable, "-m", "siirctl", *argv], env=env, cwd=ROOT,
                               stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{argv[0]} exited with {process.returncode}")
        try:
            if httpx.get(health, timeout=2).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"{argv[0]} did not start")


def _ms(samples: list[float]) -> tuple[float, float]:
    samples = sorted(samples)
    p95 = samples[min(len(samples) - 1, int(round(0.95 * (len(samples) - 1))))]
    return statistics.median(samples) * 1000, p95 * 1000


async def _timed(call: Callable[[], Awaitable[Any]], repeat: int, warm_up: int = 3) -> tuple[list[float], Any]:
    result = None
    for _ in range(warm_up):
        result = await call()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = await call()
        samples.append(time.perf_counter() - started)
    return samples, result


async def measure_queries(gateway: str, url: str, repeat: int, group_by_repeat: int, regency: str) -> list[tuple[str, float, float, float, float]]:
    first, last = dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31)
    queries = {
        "national classDistribution by province (today)":
            ("{ classDistribution(groupByChildren: true) { counts { total } children { nodes { regionCode statistics { counts { pemula berkembang maju closed graduated total } } } } } }", {}),
        f"national classDistribution by province (asOf {YEAR}-06-30)":
            ("query($d: Date) { classDistribution(asOf: $d, groupByChildren: true) { counts { total } children { nodes { regionCode statistics { counts { pemula berkembang maju closed graduated total } } } } } }",
             {"d": f"{YEAR}-06-30"}),
        f"national classTransitions {YEAR}":
            ("query($f: Date!, $t: Date!) { classTransitions(from: $f, to: $t) { moves { from to homeIndustries femaleOwned maleOwned } summary { newRegistrations movedUp movedDown closed graduated } } }",
             {"f": first.isoformat(), "t": last.isoformat()}),
        f"annualReport {regency} {YEAR}":
            ("query($r: String, $y: Int!) { annualReport(regionCode: $r, year: $y) { startOfYear { counts { total } } endOfYear { counts { pemula berkembang maju total } smallEnterpriseCandidates workers { women men } }"
             " moves { from to homeIndustries } summary { movedUp movedDown } children { nodes { regionCode startOfYear { total } endOfYear { total } moves { newRegistrations movedUp } } }"
             " needsAnalysis { classes { class homeIndustries products { item homeIndustries } constraints { item homeIndustries } } } } }",
             {"r": regency, "y": YEAR}),
    }
    connection = await asyncpg.connect(**asyncpg_dsn(url), server_settings={"jit": "off"})
    group_bys: dict[str, Callable[[], Awaitable[Any]]] = {
        "national classDistribution by province (today)": lambda: registry_recompute.stock(connection, 1, today_in_jakarta()),
        f"national classDistribution by province (asOf {YEAR}-06-30)": lambda: registry_recompute.stock(connection, 1, dt.date(YEAR, 6, 30)),
        f"national classTransitions {YEAR}": lambda: registry_recompute.moves(connection, 0, first, last),
        f"annualReport {regency} {YEAR}": lambda: _annual_group_by(connection, regency, first, last),
    }
    rows = []
    async with httpx.AsyncClient(timeout=600, headers=_caller()) as client:
        for name, (query, variables) in queries.items():
            async def call() -> Any:
                body = (await client.post(gateway, json={"query": query, "variables": variables})).json()
                assert "errors" not in body, body
                return body
            samples, _ = await _timed(call, repeat)
            direct, _ = await _timed(group_bys[name], group_by_repeat, warm_up=1)
            p50, p95 = _ms(samples)
            g50, g95 = _ms(direct)
            rows.append((name, p50, p95, g50, g50 / p50))
            print(f"{name}: gateway p50 {p50:.1f} ms p95 {p95:.1f} ms | GROUP BY p50 {g50:.0f} ms | ratio {g50 / p50:.0f}x", flush=True)
    await connection.close()
    return rows


async def _annual_group_by(connection: asyncpg.Connection, regency: str, first: dt.date, last: dt.date) -> Any:
    """What the annual report needs, straight from the registry: stock at both ends, moves, per sub-district."""
    start = await registry_recompute.stock(connection, 3, first - dt.timedelta(days=1), inside=regency)
    end = await registry_recompute.stock(connection, 3, last, inside=regency)
    moves = await registry_recompute.moves(connection, 3, first, last, inside=regency)
    needs = await connection.fetch(
        "SELECT current_class, c, count(*) FROM registry.home_industries, unnest(constraints) c"
        " WHERE status = 'ACTIVE' AND village_code LIKE $1 GROUP BY 1, 2", regency + ".%")
    return start, end, moves, needs


async def measure_lag(url: str, reporting: str, rate: int, seconds: int) -> dict[str, float]:
    engine = create_engine(url, pool_size=8)
    async with engine.connect() as connection:
        rule_set = await load_rule_set(connection, "PERMEN_PPPA_2_2016")
        thresholds = await load_graduation_thresholds(connection, "UU_20_2008")
    pg = await asyncpg.connect(**asyncpg_dsn(url))
    active = [(r["id"], r["regency_code"]) for r in await pg.fetch(
        "SELECT id, regency_code FROM registry.home_industries WHERE status = 'ACTIVE' ORDER BY random() LIMIT 50000")]
    await pg.close()
    rng = random.Random(5)
    today = today_in_jakarta()
    written = 0
    failures = 0
    first_failure: Exception | None = None
    samples: list[int] = []
    stop = asyncio.Event()

    def build(started: dt.date) -> Any:
        level = rng.randint(0, 2)
        criteria = Criteria(rng.choice(((1, 2), (3, 5), (6, 9))[level]), list(ProductionTechnology)[level],
                            list(CapitalSource)[rng.randint(0, 2)], (2_000_000, 10_000_000, 40_000_000)[level], started,
                            list(ProductionPattern)[level])
        return criteria, {"assessed_on": today, "assets_excluding_land_and_buildings": None,
                          "annual_turnover": rng.choice((None, 100_000_000, 400_000_000)), "assessor": "bench", "notes": None}

    async def write_one(pk: int, regency: str) -> None:
        # What recordAssessment does for the IR's district office: its regency's scope, and an
        # audit row in the same transaction (the write's cost since the audit trail, 0004_audit).
        nonlocal written, failures, first_failure
        actor = Actor(f"bench-district-{regency}", "DISTRICT_OFFICER", regency, None, "mutation BenchRecordAssessment")
        try:
            await registrar.record_assessment(engine, pk, build, rule_set, thresholds, RecordScope(region=regency), actor)
            written += 1
        except Exception as error:
            failures += 1
            first_failure = first_failure or error

    async def writer() -> None:
        started = time.perf_counter()
        pending: set[asyncio.Task[None]] = set()
        n = 0
        while time.perf_counter() - started < seconds:
            due = started + n / rate
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            task = asyncio.create_task(write_one(*rng.choice(active)))
            pending.add(task)
            task.add_done_callback(pending.discard)
            n += 1
        await asyncio.gather(*pending)
        stop.set()

    async def sampler(client: httpx.AsyncClient) -> None:
        while not stop.is_set():
            body = (await client.post(reporting, json={"query": "{ reportingStatus { lagEvents } }"})).json()
            samples.append(body["data"]["reportingStatus"]["lagEvents"])
            await asyncio.sleep(0.5)

    async with httpx.AsyncClient(timeout=60, headers=_caller()) as client:
        started, cpu = time.perf_counter(), time.process_time()
        await asyncio.gather(writer(), sampler(client))
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        drained_at = time.perf_counter()
        while True:
            body = (await client.post(reporting, json={"query": "{ reportingStatus { lagEvents } }"})).json()
            if body["data"]["reportingStatus"]["lagEvents"] == 0:
                break
            await asyncio.sleep(0.1)
        drain = time.perf_counter() - drained_at
    await engine.dispose()
    result = {
        "assessments written": written, "failed": failures, "seconds": elapsed, "achieved rate /s": written / elapsed,
        "lag p50 (events)": statistics.median(samples), "lag p95 (events)": sorted(samples)[int(0.95 * (len(samples) - 1))],
        "lag max (events)": max(samples), "drain after the load (s)": drain,
        # The writes run in this process: near 100% means the load generator, not the system, is the limit.
        "this process's CPU during the load (% of one core)": 100 * cpu / elapsed,
    }
    for key, value in result.items():
        print(f"  {key}: {value:.1f}" if isinstance(value, float) else f"  {key}: {value}", flush=True)
    if first_failure is not None:
        print(f"  first failure: {first_failure!r}", flush=True)
    return result


async def main(args: argparse.Namespace) -> None:
    url = args.database_url
    pg = await asyncpg.connect(**asyncpg_dsn(url))
    counts = await pg.fetchrow("SELECT (SELECT count(*) FROM registry.home_industries) AS ir, (SELECT count(*) FROM registry.assessments) AS a,"
                               " (SELECT count(*) FROM registry.outbox) AS e")
    regency = await pg.fetchval("SELECT regency_code FROM registry.home_industries GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")
    regency_size = await pg.fetchval("SELECT count(*) FROM registry.home_industries WHERE regency_code = $1", regency)
    await pg.close()
    print(f"service logs: {LOGS}", flush=True)
    print(f"registry: {counts['ir']:,} IR, {counts['a']:,} assessments, {counts['e']:,} outbox events; "
          f"largest regency {regency} ({regency_size:,} IR)", flush=True)
    ports = {name: free_port() for name in ("registry", "reporting", "gateway")}
    env = {**os.environ, "DATABASE_URL": url, "SIIR_REGISTRY_PORT": str(ports["registry"]),
           "SIIR_REPORTING_PORT": str(ports["reporting"]), "SIIR_GATEWAY_PORT": str(ports["gateway"]),
           "SIIR_SUBGRAPH_REGISTRY_URL": f"http://127.0.0.1:{ports['registry']}/graphql",
           "SIIR_SUBGRAPH_REPORTING_URL": f"http://127.0.0.1:{ports['reporting']}/graphql"}
    processes = [
        _start(["registry"], env, f"http://127.0.0.1:{ports['registry']}/healthcheck"),
        _start(["reporting"], env, f"http://127.0.0.1:{ports['reporting']}/healthcheck"),
        _start(["gateway"], env, f"http://127.0.0.1:{ports['gateway']}/healthcheck"),
    ]
    try:
        reporting = f"http://127.0.0.1:{ports['reporting']}/graphql"
        gateway = f"http://127.0.0.1:{ports['gateway']}/graphql"
        async with httpx.AsyncClient(timeout=600, headers=_caller()) as client:
            while (await client.post(reporting, json={"query": "{ reportingStatus { lagEvents } }"})).json()["data"]["reportingStatus"]["lagEvents"]:
                await asyncio.sleep(1)
        await measure_queries(gateway, url, args.repeat, args.group_by_repeat, regency)
        if args.write_seconds:
            print(f"lag under {args.write_rate} assessments/s for {args.write_seconds} s:", flush=True)
            await measure_lag(url, reporting, args.write_rate, args.write_seconds)
    finally:
        for name, process in zip(("registry", "reporting", "gateway"), processes):
            if process.poll() is not None:
                print(f"{name} had exited with {process.returncode} before the end; log: {LOGS / name}.log", flush=True)
            process.terminate()
        for process in processes:
            process.wait(10)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/siir_reporting_bench")
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--group-by-repeat", type=int, default=3)
    parser.add_argument("--write-rate", type=int, default=200)
    parser.add_argument("--write-seconds", type=int, default=60)
    asyncio.run(main(parser.parse_args()))
