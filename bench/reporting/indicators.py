"""The programme's indicator table and a regency's re-assessment worklist through the gateway, at scale.

    .venv/bin/python bench/reporting/indicators.py --database-url postgresql://postgres@127.0.0.1:5432/siir_bench_1m \
        [--repeat 200] [--pages 100]

The database must be seeded (``bench/seed/run_seed.py --count 1000000 --seed 1 --database siir_bench_1m``),
migrated (``DATABASE_URL=... python -m siirctl migrate``) and the projection caught up
(``bench/reporting/catch_up.py --database-url ...``). Starts registry, reporting (with its consumer) and
our gateway as processes (as bench/reporting/run.py does) and measures, over HTTP through the gateway:

1. the national indicator table for a year (``programmeIndicators``, every figure), repeated: the
   answer kept by reporting's report cache (the usual case: dashboards ask again until the consumer
   applies a batch);
2. the same table uncached: each of nation × years and 38 provinces × years asked once (a distinct
   cache key each), so every request computes it from ``reporting.indicator_counts``;
3. the national table with its 38 provinces (``groupByChildren``), uncached, one per year;
4. the national re-assessment round (``reassessmentRound``) with its provinces, one per year (uncached);
5. the largest regency's worklist (``reassessmentWorklist``, 50 IR a page with name, registration
   number, last assessment, facilitators) as its DISTRICT_OFFICER: the first page repeated, then
   ``--pages`` consecutive pages by cursor.

Prints p50 and p99 (ms) of each. The machine is shared: compare figures of one run side by side.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from pathlib import Path
from typing import Any

import asyncpg
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import LOGS, ROOT, _start  # noqa: E402

from siir.auth.keys import load_or_create_signing_key  # noqa: E402
from siir.auth.tokens import issue_token  # noqa: E402
from siir.database import asyncpg_dsn  # noqa: E402
from siir.settings import Settings  # noqa: E402
from tests.conftest import free_port  # noqa: E402

assert ROOT
FIGURES = "{ indicator value femaleOwned maleOwned femaleHeadOfHousehold target achievement }"
TABLE = f"query($y: Int!, $r: String) {{ programmeIndicators(year: $y, regionCode: $r) {{ year region {{ regionCode figures {FIGURES} }} }} }}"
TABLE_CHILDREN = (f"query($y: Int!) {{ programmeIndicators(year: $y, groupByChildren: true) {{ region {{ figures {FIGURES} }}"
                  f" children {{ nodes {{ regionCode figures {FIGURES} }} }} }} }}")
BASELINE = "{ classDistribution { counts { pemula berkembang maju closed graduated total } } }"
ROUND = ("query($y: Int!) { reassessmentRound(year: $y) { total { activeHomeIndustries assessed shareAssessed }"
         " children { nodes { regionCode shareAssessed } } } }")
WORKLIST = ("query($r: String, $a: String) { reassessmentWorklist(regionCode: $r, first: 50, after: $a) { nodes {"
            " homeIndustry { id registrationNumber businessName facilitators { id } } lastAssessedOn dueOn overdue daysOverdue }"
            " pageInfo { endCursor hasNextPage } } }")


def _headers(role: str, region: str | None = None) -> dict[str, str]:
    settings = Settings.from_environment()
    token = issue_token(load_or_create_signing_key(settings.data_dir), subject=f"bench-{role.lower()}", role=role,
                        issuer=settings.auth_issuer, audience=settings.auth_audience, region=region)
    return {"Authorization": f"Bearer {token}"}


def _percentiles(samples: list[float]) -> str:
    s = sorted(samples)
    p50 = s[len(s) // 2] * 1000
    p99 = s[min(len(s) - 1, int(round(0.99 * (len(s) - 1))))] * 1000
    return f"p50 {p50:.1f} ms, p99 {p99:.1f} ms (n={len(s)})"


async def _post(client: httpx.AsyncClient, url: str, query: str, variables: dict[str, Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    body = (await client.post(url, json={"query": query, "variables": variables})).json()
    elapsed = time.perf_counter() - started
    assert "errors" not in body, body
    return elapsed, body["data"]


async def measure(gateway: str, regency: str, repeat: int, pages: int, provinces: list[str]) -> None:
    years = list(range(2016, 2027))
    async with httpx.AsyncClient(timeout=600, headers=_headers("MINISTRY")) as client:
        await _post(client, gateway, TABLE, {"y": 2025, "r": None})  # warm-up (connections, cache)
        # Side by side, the same machine state: an existing report's cached answer through the same path.
        await _post(client, gateway, BASELINE, {})
        baseline = [(await _post(client, gateway, BASELINE, {}))[0] for _ in range(repeat)]
        print(f"baseline: national classDistribution, cached answer: {_percentiles(baseline)}", flush=True)
        cached = [(await _post(client, gateway, TABLE, {"y": 2025, "r": None}))[0] for _ in range(repeat)]
        print(f"national indicator table 2025, cached answer: {_percentiles(cached)}", flush=True)
        uncached = [(await _post(client, gateway, TABLE, {"y": y, "r": r}))[0] for y in years for r in [None, *provinces]]
        print(f"indicator table, nation or a province × {years[0]}..{years[-1]}, each asked once (uncached): "
              f"{_percentiles(uncached)}", flush=True)
        national_uncached = [(await _post(client, gateway, TABLE, {"y": y, "r": None}))[0] for y in years]
        print(f"  of which the national table (second asking, cached): {_percentiles(national_uncached)}", flush=True)
        children = [(await _post(client, gateway, TABLE_CHILDREN, {"y": y}))[0] for y in years]
        print(f"national table with its 38 provinces, one per year (uncached): {_percentiles(children)}", flush=True)
        rounds = [(await _post(client, gateway, ROUND, {"y": y}))[0] for y in (2023, 2024, 2025, 2026)]
        print(f"national re-assessment round with its provinces, one per year (uncached): {_percentiles(rounds)}", flush=True)
    async with httpx.AsyncClient(timeout=600, headers=_headers("DISTRICT_OFFICER", regency)) as client:
        await _post(client, gateway, WORKLIST, {"r": regency, "a": None})
        first = [(await _post(client, gateway, WORKLIST, {"r": regency, "a": None}))[0] for _ in range(repeat)]
        print(f"worklist {regency}, first page of 50: {_percentiles(first)}", flush=True)
        walk, after, listed = [], None, 0
        for _ in range(pages):
            elapsed, data = await _post(client, gateway, WORKLIST, {"r": regency, "a": after})
            walk.append(elapsed)
            listed += len(data["reassessmentWorklist"]["nodes"])
            after = data["reassessmentWorklist"]["pageInfo"]["endCursor"]
            if not data["reassessmentWorklist"]["pageInfo"]["hasNextPage"]:
                break
        print(f"worklist {regency}, {len(walk)} consecutive pages ({listed:,} IR): {_percentiles(walk)}", flush=True)


async def main(args: argparse.Namespace) -> None:
    url = args.database_url
    pg = await asyncpg.connect(**asyncpg_dsn(url))
    regency = await pg.fetchval("SELECT regency_code FROM registry.home_industries GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")
    due = await pg.fetchval(
        "SELECT count(*) FROM registry.home_industries WHERE regency_code = $1 AND status = 'ACTIVE'"
        " AND coalesce(last_assessed_on, DATE '0001-01-01') <= current_date + 30 - interval '1 year'", regency)
    size = await pg.fetchval("SELECT count(*) FROM registry.home_industries WHERE regency_code = $1", regency)
    provinces = [r["code"] for r in await pg.fetch("SELECT code FROM registry.regions WHERE level = 1 ORDER BY code")]
    counts = await pg.fetchval("SELECT count(*) FROM reporting.indicator_counts")
    await pg.close()
    print(f"service logs: {LOGS}; largest regency {regency}: {size:,} IR, {due:,} due within 30 days; "
          f"indicator_counts: {counts:,} rows", flush=True)
    ports = {name: free_port() for name in ("registry", "reporting", "gateway")}
    env = {**os.environ, "DATABASE_URL": url, "SIIR_REGISTRY_PORT": str(ports["registry"]),
           "SIIR_REPORTING_PORT": str(ports["reporting"]), "SIIR_GATEWAY_PORT": str(ports["gateway"]),
           "SIIR_SUBGRAPH_REGISTRY_URL": f"http://127.0.0.1:{ports['registry']}/graphql",
           "SIIR_SUBGRAPH_REPORTING_URL": f"http://127.0.0.1:{ports['reporting']}/graphql",
           # One client asking back to back: the per-caller rate limit would measure itself, not the queries.
           "SIIR_GATEWAY_RATE_LIMIT": "1000000000", "SIIR_GATEWAY_RATE_BURST": "1000000000"}
    processes = [
        _start(["registry"], env, f"http://127.0.0.1:{ports['registry']}/healthcheck"),
        _start(["reporting"], env, f"http://127.0.0.1:{ports['reporting']}/healthcheck"),
        _start(["gateway"], env, f"http://127.0.0.1:{ports['gateway']}/healthcheck"),
    ]
    try:
        await measure(f"http://127.0.0.1:{ports['gateway']}/graphql", regency, args.repeat, args.pages, provinces)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(10)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/siir_bench_1m")
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--pages", type=int, default=100)
    asyncio.run(main(parser.parse_args()))
