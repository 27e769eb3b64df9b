"""Issue 16's seven portal workloads at national scale, two revisions side by side, through the gateway.

    .venv/bin/python bench/scale/run.py [--databases siir_bench_100k,siir_bench_1m] [--baseline 6a575d6] \
        [--duration 10] [--clients 1,16]

Uses seeded databases by name (``bench/seed/run_seed.py --count 1000000 --seed 1 --database siir_bench_1m``,
their reporting projection caught up with ``bench/reporting/catch_up.py``): each revision gets its own
copy (``<db>__base``, ``<db>__cand``, ``CREATE DATABASE … TEMPLATE``), migrated by that revision's code
(a seed made by newer code is first taken back to the revision's newest migration with this checkout's
downgrades), so the baseline never benefits from the candidate's indexes. For each revision it starts registry,
reporting (``--no-consumer``: the projection is already caught up, and a consumer would compete for
the CPU) and our gateway on ports of their own, from the baseline's ``git archive`` and from this
checkout. Every workload is first checked once per revision (no errors, the right ``totalCount``
against a SQL count on the copy), then loaded with wrk (one thread; 1 and 16 connections; a Lua
``response`` counts every non-200 answer or body with ``"errors"``). One revision's services run at
a time (both at once exceed a shared server's ``max_connections``); ``--rounds`` alternates them and
reports medians, so drift on the shared machine falls on both. Prints the issue's table for
each database and revision, the candidate/baseline ratios, and the candidate's 1M/100k ratios.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import re
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.command_line import cli_module  # noqa: E402
from siir.auth.keys import load_or_create_signing_key  # noqa: E402
from siir.auth.tokens import issue_token  # noqa: E402
from siir.database import asyncpg_dsn  # noqa: E402
from siir.settings import Settings  # noqa: E402

REGENCY = "33.74"
PROVINCE = "35"
SEARCH = "keripik"
YEAR = 2025

PAGE_NODE = (
    "id registrationNumber businessName currentClass village { name parent { name } } "
    "owner { name nik phone } latestAssessment { assessedOn score class }"
)


def page(filter_: str) -> str:
    return (
        f"query Page {{ homeIndustries(filter: {{{filter_}}}, first: 50) {{ totalCount "
        f"pageInfo {{ hasNextPage endCursor }} edges {{ node {{ {PAGE_NODE} }} }} }} }}"
    )


DETAIL = (
    "query Detail($id: ID!) { homeIndustry(id: $id) { id businessName currentClass owner { name nik phone } "
    "village { name parent { name } } assessments { id assessedOn score class } "
    "interventions { nodes { id type topic startedOn endedOn classBefore classAfter } } facilitators { id personName phone } } }"
)
DISTRIBUTION = (
    "query Distribution { classDistribution(groupByChildren: true) { regionCode counts { unassessed pemula "
    "berkembang maju } children { nodes { regionCode regionName statistics { counts { unassessed pemula berkembang maju } } } } } }"
)
ANNUAL = (
    "query Annual($year: Int!, $region: String!) { annualReport(year: $year, regionCode: $region) { regionName "
    "startOfYear { counts { pemula berkembang maju } } endOfYear { counts { pemula berkembang maju } } "
    "summary { newRegistrations movedUp movedDown } children { nodes { regionCode endOfYear { pemula berkembang maju } "
    "moves { movedUp } } } smallBusinessCandidates } }"
)
WITH_STATISTICS = (
    "query ListWithStatistics { homeIndustries(filter: {regionCode: \"" + REGENCY + "\"}, first: 50) { edges { node { "
    "id businessName currentClass village { name irStatistics { counts { pemula berkembang maju } } } } } } }"
)


@dataclass
class Workload:
    name: str
    role: str
    region: str | None
    query: str
    variables: dict[str, Any] = field(default_factory=dict)
    #: SQL whose single value the answer's ``totalCount`` must equal (None: no count to check).
    count_sql: str | None = None
    check: Callable[[dict[str, Any]], bool] = lambda data: True


def workloads(detail_id: int) -> list[Workload]:
    region_like = f"village_code LIKE '{REGENCY}.%'"
    return [
        Workload(
            f"regency office ({REGENCY}): page of 50 + totalCount", "DISTRICT_OFFICER", REGENCY,
            page(f'regionCode: "{REGENCY}"'),
            count_sql=f"SELECT count(*) FROM registry.home_industries WHERE {region_like}",
            check=lambda d: len(d["homeIndustries"]["edges"]) == 50,
        ),
        Workload(
            f"ministry: province {PROVINCE}, BERKEMBANG, same page", "MINISTRY", None,
            page(f'regionCode: "{PROVINCE}", class: BERKEMBANG'),
            count_sql=f"SELECT count(*) FROM registry.home_industries WHERE village_code LIKE '{PROVINCE}.%' "
            "AND current_class = 'BERKEMBANG'",
            check=lambda d: len(d["homeIndustries"]["edges"]) == 50,
        ),
        Workload(
            f'national name search "{SEARCH}", same page', "MINISTRY", None, page(f'search: "{SEARCH}"'),
            count_sql=f"SELECT count(*) FROM registry.home_industries WHERE business_name || ' ' || owner_name "
            f"ILIKE '%{SEARCH}%'",
            check=lambda d: len(d["homeIndustries"]["edges"]) == 50,
        ),
        Workload(
            "one IR with assessments, interventions, facilitators", "DISTRICT_OFFICER", REGENCY, DETAIL,
            {"id": str(detail_id)},
            check=lambda d: d["homeIndustry"] is not None and bool(d["homeIndustry"]["assessments"])
            and bool(d["homeIndustry"]["interventions"]["nodes"]),
        ),
        Workload(
            "national classDistribution by province", "MINISTRY", None, DISTRIBUTION,
            check=lambda d: len(d["classDistribution"]["children"]["nodes"]) >= 30,
        ),
        Workload(
            f"one regency's annualReport ({REGENCY}, {YEAR})", "DISTRICT_OFFICER", REGENCY, ANNUAL,
            {"year": YEAR, "region": REGENCY},
            check=lambda d: d["annualReport"]["regionName"] != "",
        ),
        Workload(
            "registry list joined with Region.irStatistics", "DISTRICT_OFFICER", REGENCY, WITH_STATISTICS,
            check=lambda d: len(d["homeIndustries"]["edges"]) == 50
            and all(e["node"]["village"]["irStatistics"] is not None for e in d["homeIndustries"]["edges"]),
        ),
    ]


SERVE_ENV = {
    # The benchmark measures the services, not the gateway's abuse limits: the rate limit counts but
    # never refuses, and the depth/cost limits admit the portal's pages as written here.
    "SIIR_GATEWAY_RATE_LIMIT": "1000000",
    "SIIR_GATEWAY_RATE_BURST": "1000000",
    "SIIR_GATEWAY_MAX_DEPTH": "12",
    "SIIR_GATEWAY_MAX_COST": "1000000",
    # SIIR_DB_POOL_SIZE is left to each revision's default: 10 with 10 overflow (a27175f..7581134) holds at
    # most 20 connections, as 10 kept two-fold does since (siir/database.py).
    "SIIR_LOG_LEVEL": "warning",
}

WRK_SCRIPT = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) bad = 0 end
function response(status, headers, body)
  if status ~= 200 or string.find(body, '"errors"', 1, true) then bad = bad + 1 end
end
function done(summary, latency, requests)
  local b = 0
  for _, t in ipairs(threads) do b = b + t:get("bad") end
  local e = summary.errors
  io.write(string.format('RESULT {"requests": %d, "duration_us": %d, "p50": %d, "p99": %d, "bad": %d, '
    .. '"socket_errors": %d}\\n', summary.requests, summary.duration, latency:percentile(50),
    latency:percentile(99), b, e.connect + e.read + e.write + e.timeout))
end
"""


@dataclass
class Revision:
    label: str
    code_root: Path
    commit: str
    port: int
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def gateway(self) -> str:
        return f"http://127.0.0.1:{self.port + 2}/graphql"


async def admin(server: str, sql: str) -> None:
    connection = await asyncpg.connect(**asyncpg_dsn(f"{server}/postgres"))
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


async def copy_database(server: str, template: str, copy: str, reuse: bool) -> bool:
    connection = await asyncpg.connect(**asyncpg_dsn(f"{server}/postgres"))
    try:
        exists = await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", copy)
        if exists and reuse:
            return False
        await connection.execute(f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)')
        # FILE_COPY: a checkpoint and a file copy, much faster than WAL-logging 6 GB block by block.
        await connection.execute(f'CREATE DATABASE "{copy}" TEMPLATE "{template}" STRATEGY FILE_COPY')
        return True
    finally:
        await connection.close()


def export(ref: str, into: Path) -> str:
    commit = subprocess.run(["git", "rev-parse", "--short", ref], cwd=ROOT, check=True, capture_output=True, text=True).stdout.strip()
    # Revisions from before the command line moved to siirctl/ have no such folder.
    folders = subprocess.run(["git", "ls-tree", "--name-only", commit], cwd=ROOT, check=True, capture_output=True,
                             text=True).stdout.split()
    wanted = [name for name in ("services", "siir", "siirctl", "gateway", "schema") if name in folders]
    archive = subprocess.run(["git", "archive", commit, *wanted], cwd=ROOT, check=True,
                             capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return commit


async def step_back(revision: Revision, url: str) -> None:
    """A seed made by newer code than ``revision``: take each service's schema back to the revision's
    newest migration, with this checkout's downgrades (a revision cannot run on a schema it does not know)."""
    from alembic import command
    from alembic.script import ScriptDirectory
    from siir.migrations import alembic_config
    from siirctl.preparation import MIGRATION_DIRS

    for service, directory in MIGRATION_DIRS.items():
        theirs = ScriptDirectory.from_config(alembic_config(revision.code_root / directory.relative_to(ROOT), url))
        connection = await asyncpg.connect(**asyncpg_dsn(url))
        try:
            current = await connection.fetchval(f"SELECT version_num FROM {service}.alembic_version")
        finally:
            await connection.close()
        if current not in {script.revision for script in theirs.walk_revisions()}:
            head = theirs.get_current_head()
            await asyncio.to_thread(command.downgrade, alembic_config(directory, url), head)
            print(f"{url.rsplit('/', 1)[1]}: {service} schema taken back from {current} to {head}", flush=True)


def migrate(revision: Revision, url: str) -> float:
    began = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", cli_module(revision.code_root), "migrate"], cwd=revision.code_root,
        env={**os.environ, "PYTHONPATH": str(revision.code_root), "DATABASE_URL": url}, check=True,
    )
    return time.perf_counter() - began


def start(revision: Revision, url: str, data_dir: Path, scratch: Path) -> None:
    supergraph = (revision.code_root / "schema" / "supergraph.graphql").read_text()
    supergraph = supergraph.replace("127.0.0.1:4001/", f"127.0.0.1:{revision.port}/")
    supergraph = supergraph.replace("127.0.0.1:4002/", f"127.0.0.1:{revision.port + 1}/")
    supergraph_file = scratch / f"supergraph-{revision.label}.graphql"
    supergraph_file.write_text(supergraph)
    env = {**os.environ, **SERVE_ENV, "PYTHONPATH": str(revision.code_root), "DATABASE_URL": url,
           "SIIR_DATA_DIR": str(data_dir), "SIIR_REGISTRY_METRICS_PORT": str(revision.port + 5),
           "SIIR_REPORTING_METRICS_PORT": str(revision.port + 6)}
    commands = [
        ["registry", "--port", str(revision.port)],
        ["reporting", "--port", str(revision.port + 1), "--no-consumer"],
        ["gateway", "--port", str(revision.port + 2), "--supergraph", str(supergraph_file)],
    ]
    for command in commands:
        revision.processes.append(
            subprocess.Popen([sys.executable, "-m", cli_module(revision.code_root), *command], cwd=revision.code_root, env=env)
        )
    for offset in (0, 1, 2):
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{revision.port + offset}/healthcheck", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"{revision.label}: port {revision.port + offset} did not become healthy")
            time.sleep(0.3)


def stop(revision: Revision) -> None:
    for process in revision.processes:
        process.terminate()
    for process in revision.processes:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
    revision.processes.clear()


def verify(revision: Revision, workload: Workload, headers: dict[str, str], expected: int | None) -> str | None:
    """None when the answer is right, else what is wrong (also serves as warm-up)."""
    problem = None
    for _ in range(3):
        response = httpx.post(revision.gateway, json={"query": workload.query, "variables": workload.variables},
                              headers=headers, timeout=120)
        body = response.json()
        if response.status_code != 200 or body.get("errors") or not body.get("data"):
            return f"HTTP {response.status_code}: {json.dumps(body)[:400]}"
        data = body["data"]
        if not workload.check(data):
            problem = f"unexpected answer: {json.dumps(data)[:400]}"
        if expected is not None and data["homeIndustries"]["totalCount"] != expected:
            problem = f"totalCount {data['homeIndustries']['totalCount']} != {expected}"
    return problem


def run_wrk(revision: Revision, workload: Workload, headers: dict[str, str], clients: int, duration: float,
            scratch: Path) -> dict[str, Any]:
    body = json.dumps({"query": workload.query, "variables": workload.variables})
    lines = ['wrk.method = "POST"', f"wrk.body = {json.dumps(body)}", 'wrk.headers["Content-Type"] = "application/json"']
    lines += [f'wrk.headers["{name}"] = "{value}"' for name, value in headers.items()]
    script = scratch / "load.lua"
    script.write_text("\n".join(lines) + WRK_SCRIPT)
    output = subprocess.run(
        ["wrk", "-t1", f"-c{clients}", f"-d{duration:.0f}s", "--timeout", "60s", "-s", str(script), revision.gateway],
        check=True, capture_output=True, text=True,
    ).stdout
    match = re.search(r"RESULT (\{.*\})", output)
    if match is None:
        raise SystemExit(f"wrk printed no result:\n{output}")
    result = json.loads(match.group(1))
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


def answer_cache_outcomes(revision: Revision) -> dict[str, float]:
    """Each subgraph's answer-cache counter by outcome, as {"registry hit": n, …} (none: a revision without it)."""
    outcomes = {}
    for service, offset in (("registry", 5), ("reporting", 6)):
        try:
            text = httpx.get(f"http://127.0.0.1:{revision.port + offset}/metrics", timeout=5).text
        except httpx.HTTPError:
            continue
        outcomes.update({f"{service} {m.group(1)}": float(m.group(2)) for m in re.finditer(
            rf'^siir_{service}_answer_cache_total\{{outcome="(\w+)"\}} (\S+)$', text, re.M)})
    return outcomes


def served_from_cache(before: dict[str, float], after: dict[str, float]) -> str:
    spent = {k: after.get(k, 0) - before.get(k, 0) for k in after}
    shown = []
    for service in ("registry", "reporting"):
        asked = sum(spent.get(f"{service} {k}", 0) for k in ("hit", "miss", "stale"))
        if asked:
            shown.append(f"{service} {100 * spent.get(f'{service} hit', 0) / asked:.1f}% hits "
                         f"({spent.get(f'{service} stale', 0):.0f} stale, {spent.get(f'{service} miss', 0):.0f} misses)")
    return "; ".join(shown) or "n/a"


def ratio(a: float, b: float, suffix: str = "") -> str:
    return f"{a / b:.2f}{suffix}" if a and b else "n/a"


def fmt_ms(us: float) -> str:
    if not us:
        return "none done"  # no request finished within the duration
    ms = us / 1000
    return f"{ms:,.0f}" if ms >= 10 else f"{ms:.1f}"


async def facts(url: str, items: list[Workload] | None = None) -> tuple[int, dict[str, int]]:
    connection = await asyncpg.connect(**asyncpg_dsn(url))
    try:
        detail = await connection.fetchval(
            "SELECT i.home_industry_id FROM registry.interventions i "
            "JOIN registry.home_industries h ON h.id = i.home_industry_id "
            "JOIN registry.facilitator_assignments a ON a.home_industry_id = h.id OR a.village_code = h.village_code "
            f"WHERE h.regency_code = '{REGENCY}' ORDER BY i.home_industry_id LIMIT 1"
        )
        counts = {}
        for workload in items or workloads(detail):
            if workload.count_sql:
                counts[workload.name] = await connection.fetchval(workload.count_sql)
        return detail, counts
    finally:
        await connection.close()


async def main(args: argparse.Namespace) -> None:
    settings = Settings()
    results: dict[tuple[str, str, str, int], Any] = {}
    problems: list[str] = []
    sizes: dict[str, int] = {}
    with tempfile.TemporaryDirectory() as temporary:
        scratch = Path(temporary)
        data_dir = scratch / "data"
        key = load_or_create_signing_key(data_dir)
        base_root = scratch / "baseline"
        base_root.mkdir()
        base_commit = export(args.baseline, base_root)
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, check=True, capture_output=True,
                              text=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True,
                               text=True).stdout.strip()
        revisions = [
            Revision("baseline", base_root, base_commit, args.port),
            Revision("candidate", ROOT, head + ("+dirty" if dirty else ""), args.port + 10),
        ]

        def bearer(role: str, region: str | None) -> dict[str, str]:
            token = issue_token(key, subject=f"bench-{role.lower()}", role=role, region=region,
                                issuer=settings.auth_issuer, audience=settings.auth_audience)
            return {"Authorization": f"Bearer {token}"}

        for database in args.databases.split(","):
            urls = {}
            for revision in revisions:
                copy = f"{database}__{revision.label[:4]}"
                copied = await copy_database(args.server, database, copy, args.reuse)
                urls[revision.label] = f"{args.server}/{copy}"
                await step_back(revision, urls[revision.label])
                seconds = migrate(revision, urls[revision.label])
                print(f"{copy}: {'copied and ' if copied else ''}migrated by {revision.commit} in {seconds:.1f} s", flush=True)
            connection = await asyncpg.connect(**asyncpg_dsn(urls["baseline"]))
            sizes[database] = await connection.fetchval("SELECT count(*) FROM registry.home_industries")
            await connection.close()
            detail, counts = await facts(urls["baseline"])
            items = workloads(detail)
            if args.only:
                items = [items[int(i) - 1] for i in args.only.split(",")]
            try:
                # One revision's services at a time: six processes with their pools would exceed a
                # shared server's max_connections. Rounds alternate the revisions against drift.
                for round_ in range(args.rounds):
                    for revision in revisions:
                        start(revision, urls[revision.label], data_dir, scratch)
                        try:
                            for workload in items:
                                headers = bearer(workload.role, workload.region)
                                problem = verify(revision, workload, headers, counts.get(workload.name))
                                if problem:
                                    problems.append(f"{database} {revision.label} {workload.name}: {problem}")
                                    print("WRONG:", problems[-1], flush=True)
                                for clients in args.clients:
                                    before = answer_cache_outcomes(revision)
                                    result = run_wrk(revision, workload, headers, clients, args.duration, scratch)
                                    result["cache"] = served_from_cache(before, answer_cache_outcomes(revision))
                                    slot = (database, revision.label, workload.name, clients)
                                    results.setdefault(slot, []).append(result)
                                    print(f"{database} {revision.label:9} round {round_ + 1} c={clients:<2} {workload.name}: "
                                          f"p50 {fmt_ms(result['p50'])} ms p99 {fmt_ms(result['p99'])} ms "
                                          f"{result['rps']:.1f} req/s, {result['requests']} requests, {result['bad']} bad, "
                                          f"{result['socket_errors']} socket errors; answer cache: {result['cache']}", flush=True)
                        finally:
                            stop(revision)
            finally:
                for revision in revisions:
                    stop(revision)
                if args.drop_copies:
                    for url in urls.values():
                        await admin(args.server, f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')

    # Several rounds: the median of each figure.
    results = {
        key: {stat: statistics.median(r[stat] for r in runs) for stat in ("p50", "p99", "rps")}
        | {stat: sum(r[stat] for r in runs) for stat in ("bad", "socket_errors", "requests")}
        for key, runs in results.items()
    }
    print()
    low, high = args.clients[0], args.clients[-1]
    for database in args.databases.split(","):
        print(f"\n### {database}: {sizes[database]:,} IR\n")
        print(f"| workload | revision | {low} client p50 / p99 (ms) | {high} clients p50 / p99 (ms) | throughput at {high} (req/s) "
              "| wrong answers |")
        print("|---|---|---:|---:|---:|---:|")
        for revision in revisions:
            for (db, label, name, clients), r in results.items():
                if db != database or label != revision.label or clients != low:
                    continue
                h = results[(db, label, name, high)]
                bad = r["bad"] + r["socket_errors"] + h["bad"] + h["socket_errors"]
                print(f"| {name} | {label} ({revision.commit}) | {fmt_ms(r['p50'])} / {fmt_ms(r['p99'])} | "
                      f"{fmt_ms(h['p50'])} / {fmt_ms(h['p99'])} | {h['rps']:,.1f} | {bad} |")
        print(f"\n| workload | candidate / baseline: {low}-client p50 | {high}-client p99 | throughput |")
        print("|---|---:|---:|---:|")
        for (db, label, name, clients), r in results.items():
            if db != database or label != "candidate" or clients != low:
                continue
            b1, bh, ch = results[(db, "baseline", name, low)], results[(db, "baseline", name, high)], results[(db, label, name, high)]
            print(f"| {name} | {ratio(r['p50'], b1['p50'])} | {ratio(ch['p99'], bh['p99'])} | {ratio(ch['rps'], bh['rps'], '×')} |")
    databases = args.databases.split(",")
    if len(databases) == 2:
        small, large = databases
        print(f"\n### candidate, {large} / {small} (goal: latency grows by at most 1.5×)\n")
        print(f"| workload | {low}-client p50 | {high}-client p50 | {high}-client p99 |")
        print("|---|---:|---:|---:|")
        for (db, label, name, clients), r in results.items():
            if db != large or label != "candidate" or clients != low:
                continue
            s1, sh, lh = results[(small, label, name, low)], results[(small, label, name, high)], results[(db, label, name, high)]
            print(f"| {name} | {ratio(r['p50'], s1['p50'])} | {ratio(lh['p50'], sh['p50'])} | {ratio(lh['p99'], sh['p99'])} |")
    print("\nwrong answers:", "none" if not problems else "")
    for problem in problems:
        print("-", problem)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--databases", default="siir_bench_100k,siir_bench_1m", help="seeded databases (templates)")
    parser.add_argument("--baseline", default="a27175f")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds of load per workload, revision and client count")
    parser.add_argument("--clients", type=lambda s: [int(c) for c in s.split(",")], default=[1, 16])
    parser.add_argument("--port", type=int, default=4700)
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--reuse", action="store_true", help="reuse existing copies (<db>__base, <db>__cand)")
    parser.add_argument("--drop-copies", action="store_true")
    parser.add_argument("--only", default="", help="workload numbers 1-7, comma-separated")
    parser.add_argument("--rounds", type=int, default=1, help="baseline then candidate, this many times")
    asyncio.run(main(parser.parse_args()))
