"""The national sign-off status through the gateway: p50 / p99, next to the same query straight at reporting.

    .venv/bin/python bench/reporting/sign_off_status.py --admin-url postgresql://postgres@127.0.0.1:5432/postgres \
        [--requests 500]

The status reads one row per province or regency/city (``reporting.sign_offs``) and the region list,
never the IR projection: its cost does not grow with the number of IR. So the run needs no large
seeded database: it creates a scratch database (migrations and the 91,000-row region list, as every
start does), gives each of the 38 provinces and 514 regencies/cities a sign-off in a spread of states,
serves the registry, reporting and our gateway in process (as the tests do), and sends ``--requests``
sequential requests per query (after 20 warm-up calls). The scratch database is dropped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from siir.auth.keys import load_or_create_signing_key  # noqa: E402
from siir.database import asyncpg_dsn  # noqa: E402
from siir.settings import Settings  # noqa: E402
from tests.conftest import ServerThread, Tokens, create_database, drop_database  # noqa: E402

YEAR = 2026
QUERIES = {
    "national, provinces (38)": ('{ signOffStatus(year: 2026, level: PROVINCE) { counts { state count } late '
                                 'signOffs { nodes { regionCode regionName state late submittedAt decidedBy } } } }'),
    "national, regencies (514)": ('{ signOffStatus(year: 2026, level: REGENCY) { counts { state count } late '
                                  'signOffs { nodes { regionCode regionName state late submittedAt decidedBy } } } }'),
    "one province's regencies (35)": ('{ signOffStatus(year: 2026, level: REGENCY, regionCode: "33") { counts '
                                      '{ state count } late signOffs { nodes { regionCode regionName state late } } } }'),
}
STATES = ["APPROVED", "APPROVED", "WAIVED", "SUBMITTED", "RETURNED", "NOT_STARTED"]


async def fill(url: str) -> int:
    connection = await asyncpg.connect(**asyncpg_dsn(url))
    try:
        regions = await connection.fetch("SELECT code, level FROM reporting.regions WHERE level IN (1, 2) ORDER BY code")
        await connection.executemany(
            "INSERT INTO reporting.sign_offs (region_code, year, level, state, version, submitted_at, submitted_by) "
            "VALUES ($1, $2, $3, $4, $5, CASE WHEN $4 <> 'NOT_STARTED' THEN now() END, "
            "CASE WHEN $4 <> 'NOT_STARTED' THEN 'bench' END)",
            [(r["code"], YEAR, "PROVINCE" if r["level"] == 1 else "REGENCY", STATES[i % len(STATES)], i % 4)
             for i, r in enumerate(regions)])
        return len(regions)
    finally:
        await connection.close()


def measure(client: httpx.Client, url: str, query: str, headers: dict[str, str], requests: int) -> tuple[float, float]:
    for _ in range(20):
        body = client.post(url, json={"query": query}, headers=headers).json()
        assert "errors" not in body, body
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.post(url, json={"query": query}, headers=headers)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.99))]


def main(admin_url: str, requests: int) -> None:
    from gateway.app import build_app as build_gateway
    from gateway.limits import Limits
    from services.registry.app import build_app as build_registry
    from services.reporting.app import build_app as build_reporting
    from siirctl.preparation import prepare_database

    tokens = Tokens(load_or_create_signing_key(Path(tempfile.mkdtemp())))
    url = create_database(admin_url, "siir_signoff_bench")
    try:
        prepare_database(url)
        print(f"sign-offs: {asyncio.run(fill(url))} regions", flush=True)
        # One token plays every request: the per-caller rate limit is raised for the run.
        limits = Limits.from_settings(Settings(gateway_rate_limit=1e6, gateway_rate_burst=1_000_000))
        with ServerThread(build_registry(url, verifier=tokens.verifier)) as registry, \
                ServerThread(build_reporting(url, run_consumer=False, verifier=tokens.verifier)) as reporting:
            gateway_app = build_gateway((ROOT / "schema" / "supergraph.graphql").read_text(), verifier=tokens.verifier,
                                        limits=limits, subgraph_urls={"registry": registry.url + "/graphql",
                                                                      "reporting": reporting.url + "/graphql"})
            with ServerThread(gateway_app) as gateway, httpx.Client(timeout=60) as client:
                headers = tokens.headers("MINISTRY")
                print(f"{'query':32} {'gateway p50':>12} {'p99':>8} {'direct p50':>11} {'p99':>8} {'p50 ratio':>10}")
                for name, query in QUERIES.items():
                    g50, g99 = measure(client, gateway.url + "/graphql", query, headers, requests)
                    d50, d99 = measure(client, reporting.url + "/graphql", query, headers, requests)
                    print(f"{name:32} {g50:10.2f}ms {g99:6.2f}ms {d50:9.2f}ms {d99:6.2f}ms {g50 / d50:10.2f}", flush=True)
    finally:
        drop_database(admin_url, url)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--admin-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--requests", type=int, default=500)
    args = parser.parse_args()
    main(args.admin_url, args.requests)
