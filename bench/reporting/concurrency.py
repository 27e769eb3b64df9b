"""Reporting under concurrency: report queries through the gateway at 1 and 16 clients, with ``hey``.

    .venv/bin/python bench/reporting/concurrency.py --database-url postgresql://postgres@127.0.0.1:5432/siir_bench_1m_reporting \
        [--root /path/to/another/checkout] [--requests 2000] [--profile-seconds 0]

Starts ``siir reporting`` (its consumer off: the projection must be caught up, ``catch_up.py``) and
``siir gateway`` from ``--root`` (default: this checkout; give a checkout of main to compare, run
alternately) on free ports, mints a MINISTRY token and a token of the largest regency's district
office, then for each query: 20 warm-up calls, ``hey -c 1`` (``--requests`` / 10 calls) and
``hey -c 16`` (``--requests`` calls) through the gateway and the same straight at the subgraph,
printing p50 / p99 and requests a second. The gateway's
per-caller rate limit is raised for the run (one token plays 16 dashboards). With
``--profile-seconds N``, py-spy samples the reporting process for N s under 16 clients of the first query.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.command_line import cli_module  # noqa: E402
from siir.auth.keys import load_or_create_signing_key  # noqa: E402
from siir.auth.tokens import issue_token  # noqa: E402
from siir.database import asyncpg_dsn  # noqa: E402
from siir.settings import Settings  # noqa: E402
from tests.conftest import free_port  # noqa: E402

YEAR = 2025
DISTRIBUTION = ("{ classDistribution(groupByChildren: true) { counts { total } children { nodes { regionCode statistics"
                " { counts { pemula berkembang maju closed graduated total } } } } } }")
ANNUAL = ("query($r: String, $y: Int!) { annualReport(regionCode: $r, year: $y) { startOfYear { counts { total } }"
          " endOfYear { counts { pemula berkembang maju total } smallEnterpriseCandidates workers { women men } }"
          " moves { from to homeIndustries } summary { movedUp movedDown } children { nodes { regionCode startOfYear { total }"
          " endOfYear { total } moves { newRegistrations movedUp } } } needsAnalysis { classes { class homeIndustries"
          " products { item homeIndustries } constraints { item homeIndustries } } } } }")


def token(role: str, region: str | None = None) -> str:
    settings = Settings.from_environment()
    return issue_token(load_or_create_signing_key(settings.data_dir), subject=f"bench-{role.lower()}", role=role,
                       region=region, issuer=settings.auth_issuer, audience=settings.auth_audience)


def start(root: Path, argv: list[str], env: dict[str, str], health: str, logs: Path) -> subprocess.Popen[bytes]:
    log = open(logs / f"{argv[0]}.log", "wb")
    process = subprocess.Popen([sys.executable, "-m", cli_module(root), *argv], env={**env, "PYTHONPATH": str(root)}, cwd=root,
                               stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{argv[0]} exited with {process.returncode}; log {logs / argv[0]}.log")
        try:
            if httpx.get(health, timeout=2).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"{argv[0]} did not start")


def hey(url: str, bearer: str, body: dict[str, object], clients: int, requests: int) -> dict[str, float]:
    """Run hey; return p50, p99 (ms), requests a second and the count of non-200 answers."""
    out = subprocess.run(
        ["hey", "-n", str(requests), "-c", str(clients), "-m", "POST", "-T", "application/json",
         "-H", f"Authorization: Bearer {bearer}", "-d", json.dumps(body), url],
        capture_output=True, text=True, check=True,
    ).stdout
    percentile = {int(p): float(s) * 1000 for p, s in re.findall(r"\s(\d+)% in ([\d.]+) secs", out)}
    statuses = {int(code): int(n) for code, n in re.findall(r"\[(\d+)\]\s+(\d+) responses", out)}
    return {"p50": percentile[50], "p99": percentile[99], "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "not_ok": sum(n for code, n in statuses.items() if code != 200)}


def main(args: argparse.Namespace) -> None:
    root = Path(args.root).resolve()
    url = args.database_url

    async def largest_regency() -> tuple[str, int]:
        connection = await asyncpg.connect(**asyncpg_dsn(url))
        try:
            row = await connection.fetchrow("SELECT regency_code, count(*) AS n FROM reporting.home_industries"
                                            " GROUP BY 1 ORDER BY 2 DESC LIMIT 1")
            return row["regency_code"], row["n"]
        finally:
            await connection.close()

    import asyncio
    regency, size = asyncio.run(largest_regency())
    logs = Path(tempfile.mkdtemp(prefix="siir-bench-concurrency-"))
    ports = {name: free_port() for name in ("registry", "reporting", "gateway")}
    # Both checkouts trust the key of this one (the tokens are minted with it).
    env = {**os.environ, "DATABASE_URL": url, "SIIR_REPORTING_CONSUMER": "off", "SIIR_DATA_DIR": str(Settings.from_environment().data_dir),
           "SIIR_REPORTING_PORT": str(ports["reporting"]), "SIIR_GATEWAY_PORT": str(ports["gateway"]),
           "SIIR_GATEWAY_RATE_LIMIT": "100000", "SIIR_GATEWAY_RATE_BURST": "100000",
           "SIIR_SUBGRAPH_REGISTRY_URL": f"http://127.0.0.1:{ports['registry']}/graphql",
           "SIIR_SUBGRAPH_REPORTING_URL": f"http://127.0.0.1:{ports['reporting']}/graphql"}
    print(f"code: {root}; database: {url}; largest regency {regency} ({size:,} IR); logs {logs}", flush=True)
    processes = [
        start(root, ["reporting"], env, f"http://127.0.0.1:{ports['reporting']}/healthcheck", logs),
        start(root, ["gateway"], env, f"http://127.0.0.1:{ports['gateway']}/healthcheck", logs),
    ]
    gateway = f"http://127.0.0.1:{ports['gateway']}/graphql"
    queries = {
        "national classDistribution by province": (token("MINISTRY"), {"query": DISTRIBUTION}),
        f"annualReport {regency} {YEAR} (its district office)":
            (token("DISTRICT_OFFICER", regency), {"query": ANNUAL, "variables": {"r": regency, "y": YEAR}}),
    }
    try:
        for name, (bearer, body) in queries.items():
            for _ in range(20):
                answer = httpx.post(gateway, json=body, headers={"Authorization": f"Bearer {bearer}"}, timeout=60).json()
                assert "errors" not in answer, answer
            one = hey(gateway, bearer, body, 1, max(50, args.requests // 10))
            if args.profile_seconds and name.startswith("national"):
                profiler = shutil.which("py-spy") or "py-spy"
                spy = subprocess.Popen([profiler, "record", "-p", str(processes[0].pid), "-d", str(args.profile_seconds),
                                        "-f", "raw", "-o", str(logs / "reporting.pyspy.txt")],
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            many = hey(gateway, bearer, body, 16, args.requests)
            direct = hey(f"http://127.0.0.1:{ports['reporting']}/graphql", bearer, body, 16, args.requests)
            print(f"{name}: 1 client p50 {one['p50']:.1f} / p99 {one['p99']:.1f} ms; 16 clients p50 {many['p50']:.1f}"
                  f" / p99 {many['p99']:.1f} ms, {many['rps']:.0f} req/s; straight at the subgraph, 16 clients p50"
                  f" {direct['p50']:.1f} / p99 {direct['p99']:.1f} ms, {direct['rps']:.0f} req/s;"
                  f" non-200: {one['not_ok'] + many['not_ok'] + direct['not_ok']}", flush=True)
            if args.profile_seconds and name.startswith("national"):
                spy.wait()
                print(f"  py-spy profile of reporting: {logs / 'reporting.pyspy.txt'}", flush=True)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(10)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/siir_bench_1m_reporting")
    parser.add_argument("--root", default=str(ROOT), help="the checkout whose services are measured")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--profile-seconds", type=int, default=0)
    main(parser.parse_args())
