"""The policy layer's cost: two git revisions of the whole registry + gateway, side by side in one run.

    .venv/bin/python bench/access/policy.py --baseline main --candidate policy

(issue 10: "the policy layer costs at most 10%"). Needs PostgreSQL (``--server``, default the local
one) and wrk for the gateway part (``apt-get install -y wrk``). Options: ``--database NAME`` reuses a
database already seeded by an earlier run (default ``siir_policy_bench``: seeded with ``--count`` demo
IR when missing or empty, kept for the next run unless ``--drop``), ``--duration`` seconds per target
per round, ``--rounds`` rounds, ``--concurrency`` clients.

What it does:
1. ``git worktree add --detach`` each revision into a temporary folder (removed at the end). Both run
   on this checkout's virtualenv (a revision that needs a new dependency: install it here first).
2. Seeds one database once with the candidate's code (``siir seed``: its migrations, demo data); a
   database reused from an earlier run gets the candidate's migrations (``siir migrate``).
3. Starts, for each revision, its registry and its gateway (its own ``schema/supergraph.graphql``,
   rate limit raised so that it counts but never refuses; reporting is not started: the page does
   not reach it), and for the gateway benchmark the fixture subgraphs of ``bench/gateway`` once plus
   each revision's gateway on their supergraph.
4. (a) A page of 50 IR of ``homeIndustries`` with the personal fields (owner name, NIK, phone,
   address, location, village and its parent, latest assessment) as MINISTRY (national, masked) and
   as DISTRICT_OFFICER of the largest regency (full), straight at the registry and through the
   gateway: baseline and candidate at the same time (``--concurrency`` asyncio clients each, for
   ``--duration`` s), so that both see the same load from whatever else runs on the machine (when
   one costs more CPU per request, the scheduler's fair share turns that into lower throughput),
   repeated in ``--rounds`` rounds whose spread is the noise. Every response is checked:
   HTTP 200, no ``errors``, 50 nodes, the ids expected, NIK/phone/address masked for MINISTRY (their
   first and last characters those of the stored value) and exactly the stored values for the
   district office. One wrong response stops the run: a benchmark of errors measures nothing.
   (b) The gateway benchmark's operation (``bench/gateway/run.py``: 3 fetches across 2 subgraphs) with
   wrk against both revisions' gateways at the same time (``--connections`` each), in the same rounds;
   its answer is checked before and after.
5. Prints one Markdown table: p50, p99 and throughput per revision, and candidate/baseline ratios
   (pooled, and the median of the per-round throughput ratios, whose spread is the noise).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import importlib.util
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import orjson

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.command_line import cli_module  # noqa: E402
from bench.databases import admin  # noqa: E402
from siir.auth.keys import load_or_create_signing_key  # noqa: E402
from siir.auth.tokens import issue_token  # noqa: E402
from siir.database import asyncpg_dsn  # noqa: E402

PAGE = (
    "query Page { homeIndustries(first: 50) { edges { node { id registrationNumber businessName currentClass "
    "owner { name nik phone } address location { latitude longitude } "
    "village { code name parent { name } } latestAssessment { assessedOn score class } } } } }"
)
ISSUER, AUDIENCE = "siir-local", "siir"


def _gateway_bench() -> Any:
    """bench/gateway/run.py (its operation, wrk runner and fixture subgraphs), loaded under its own name."""
    spec = importlib.util.spec_from_file_location("gateway_bench", ROOT / "bench" / "gateway" / "run.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --- revisions, database, processes ----------------------------------------------------------------


@dataclass
class Revision:
    label: str  # "baseline" or "candidate"
    ref: str
    commit: str
    tree: Path
    registry_port: int = 0
    gateway_port: int = 0
    bench_gateway_port: int = 0


def checkout(label: str, ref: str, into: Path) -> Revision:
    commit = subprocess.run(["git", "rev-parse", "--verify", f"{ref}^{{commit}}"], cwd=ROOT, check=True,
                            capture_output=True, text=True).stdout.strip()
    tree = into / label
    subprocess.run(["git", "worktree", "add", "--detach", "--quiet", str(tree), commit], cwd=ROOT, check=True)
    return Revision(label, ref, commit[:10], tree)


def remove_checkout(revision: Revision) -> None:
    subprocess.run(["git", "worktree", "remove", "--force", str(revision.tree)], cwd=ROOT, check=False)


def environment(revision: Revision, data_dir: Path, url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SIIR_", "DATABASE_URL"))}
    # cwd and PYTHONPATH both put the revision's packages before this checkout's editable install.
    env.update(PYTHONPATH=str(revision.tree), SIIR_DATA_DIR=str(data_dir), DATABASE_URL=url, SIIR_DB_POOL_SIZE="10",
               SIIR_AUTH_ISSUER=ISSUER, SIIR_AUTH_AUDIENCE=AUDIENCE,
               SIIR_GATEWAY_RATE_LIMIT="1000000000", SIIR_GATEWAY_RATE_BURST="1000000000", **extra)
    return env


def imports_its_own_code(revision: Revision, env: dict[str, str]) -> None:
    out = subprocess.run([sys.executable, "-c", "import siir, services.registry, gateway; "
                          "print(siir.__file__, services.registry.__file__, gateway.__file__)"],
                         cwd=revision.tree, env=env, check=True, capture_output=True, text=True).stdout
    if any(not path.startswith(str(revision.tree)) for path in out.split()):
        raise SystemExit(f"{revision.label} would import another checkout's code: {out}")


def wait_healthy(url: str, process: subprocess.Popen[bytes], timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{url}: the process exited ({process.returncode})")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"{url} did not become healthy")


def seeded(server: str, database: str, count: int, candidate: Revision, data_dir: Path) -> tuple[str, int]:
    """The database's URL and IR count; seeds it with the candidate's code when missing or empty."""
    url = f"{server}/{database}"
    exists = asyncio.run(admin(server, f"SELECT 1 FROM pg_database WHERE datname = '{database}'"))
    present = 0
    if exists:
        present = asyncio.run(_count(url))
    if present:  # an earlier run's data: bring it to the candidate's migrations (idempotent)
        subprocess.run([sys.executable, "-m", cli_module(candidate.tree), "migrate"], cwd=candidate.tree,
                       env=environment(candidate, data_dir, url), check=True)
    if not present:
        if not exists:
            asyncio.run(admin(server, f'CREATE DATABASE "{database}"'))
        print(f"seeding {database} with {count} IR (candidate {candidate.commit})…", flush=True)
        subprocess.run([sys.executable, "-m", cli_module(candidate.tree), "seed", "--count", str(count), "--seed", "1"],
                       cwd=candidate.tree, env=environment(candidate, data_dir, url), check=True)
        present = asyncio.run(_count(url))
    return url, present


async def _count(url: str) -> int:
    connection = await asyncpg.connect(**asyncpg_dsn(url))
    try:
        if not await connection.fetchval("SELECT to_regclass('registry.home_industries') IS NOT NULL"):
            return 0
        return int(await connection.fetchval("SELECT count(*) FROM registry.home_industries"))
    finally:
        await connection.close()


# --- what a correct answer is ----------------------------------------------------------------------


@dataclass(frozen=True)
class Expected:
    """The first 50 IR (id order) in a scope, as stored: what the page must show."""

    role: str
    rows: tuple[dict[str, Any], ...]

    def check(self, payload: Any) -> str | None:
        if not isinstance(payload, dict) or payload.get("errors"):
            return f"errors: {str(payload)[:500]}"
        edges = payload["data"]["homeIndustries"]["edges"]
        if len(edges) != 50:
            return f"{len(edges)} nodes, not 50"
        for edge, stored in zip(edges, self.rows):
            node = edge["node"]
            if int(node["id"]) != stored["id"]:
                return f"id {node['id']} where {stored['id']} was expected"
            if node["village"] is None or node["village"]["parent"] is None or node["latestAssessment"] is None:
                return f"IR {stored['id']}: village, its parent or the latest assessment missing"
            for name, shown, value in (("nik", node["owner"]["nik"], stored["owner_nik"]),
                                       ("phone", node["owner"]["phone"], stored["owner_phone"]),
                                       ("address", node["address"], stored["address"])):
                if self.role == "DISTRICT_OFFICER":
                    if shown != value:
                        return f"IR {stored['id']} {name}: {shown!r}, stored {value!r} (full value expected)"
                elif value is not None and (shown is None or shown == value or "*" not in shown
                                            or shown[0] != value[0]):
                    return f"IR {stored['id']} {name}: {shown!r} is not a mask of the stored value"
            if self.role == "MINISTRY" and stored["owner_nik"][-4:] != node["owner"]["nik"][-4:]:
                return f"IR {stored['id']} nik mask {node['owner']['nik']!r} lost the serial"
        return None


async def expected(url: str, role: str, regency: str | None) -> Expected:
    connection = await asyncpg.connect(**asyncpg_dsn(url))
    try:
        where = "WHERE village_code LIKE $1" if regency else ""
        rows = await connection.fetch(
            f"SELECT id, owner_nik, owner_phone, address FROM registry.home_industries {where} ORDER BY id LIMIT 50",
            *([regency + ".%"] if regency else []),
        )
    finally:
        await connection.close()
    if len(rows) < 50:
        raise SystemExit(f"{role}: only {len(rows)} IR in scope; seed more (--count)")
    return Expected(role, tuple(dict(r) for r in rows))


# --- load ------------------------------------------------------------------------------------------


@dataclass
class Target:
    name: str
    revision: Revision
    url: str
    headers: dict[str, str]
    expected: Expected
    latencies: list[float] = field(default_factory=list)
    seconds: float = 0.0
    rounds: list[float] = field(default_factory=list)  # throughput of each round


async def load(target: Target, duration: float, concurrency: int, record: bool = True) -> None:
    body = orjson.dumps({"query": PAGE})
    headers = {**target.headers, "content-type": "application/json"}
    stop = time.perf_counter() + duration
    latencies: list[float] = []
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=60) as client:
        async def worker() -> None:
            while time.perf_counter() < stop:
                began = time.perf_counter()
                response = await client.post(target.url, content=body, headers=headers)
                elapsed = time.perf_counter() - began
                problem = (f"HTTP {response.status_code}: {response.text[:300]}" if response.status_code != 200
                           else target.expected.check(orjson.loads(response.content)))
                if problem:
                    raise SystemExit(f"{target.name}: wrong response, the run stops: {problem}")
                latencies.append(elapsed)

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        seconds = time.perf_counter() - began
    if record:
        target.latencies += latencies
        target.seconds += seconds
        target.rounds.append(len(latencies) / seconds)


def percentile(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1] * 1000


@dataclass
class WrkTarget:
    name: str
    revision: Revision
    url: str
    rounds: list[dict[str, float]] = field(default_factory=list)


# --- the run ---------------------------------------------------------------------------------------


def main(args: argparse.Namespace) -> None:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed for the gateway benchmark: apt-get install -y wrk")
    gateway_bench = _gateway_bench()
    gateway_bench.ensure_installed()  # Node.js tools, to compose the fixture subgraphs
    temporary = Path(tempfile.mkdtemp(prefix="siir-policy-bench-"))
    data_dir = temporary / "data"
    key = load_or_create_signing_key(data_dir)
    revisions: list[Revision] = []
    processes: list[subprocess.Popen[bytes]] = []
    try:
        for label, ref in (("baseline", args.baseline), ("candidate", args.candidate)):
            revisions.append(checkout(label, ref, temporary))
        baseline, candidate = revisions
        url, count = seeded(args.server, args.database, args.count, candidate, data_dir)
        regency = asyncio.run(_largest_regency(url))

        def start(argv: list[str], revision: Revision, health: str, **extra: str) -> None:
            env = environment(revision, data_dir, url, **extra)
            processes.append(subprocess.Popen([sys.executable, *argv], cwd=revision.tree, env=env))
            wait_healthy(health, processes[-1])

        # The gateway benchmark's fixture subgraphs and supergraph (this checkout's), shared by both.
        sub_port = free_port()
        processes.append(subprocess.Popen([sys.executable, str(ROOT / "bench/gateway/subgraph_server.py"),
                                           "--port", str(sub_port)]))
        gateway_bench.wait(f"http://127.0.0.1:{sub_port}/products/graphql", processes[-1])
        bench_supergraph = temporary / "bench-supergraph.graphql"
        bench_supergraph.write_text(gateway_bench.compose_services(
            [{"name": n, "url": f"http://127.0.0.1:{sub_port}/{n}/graphql", "sdl": s[0]}
             for n, s in gateway_bench.SUBGRAPHS.items()]))
        closed = free_port()  # reporting is not started: nothing here reaches it
        for revision in revisions:
            imports_its_own_code(revision, environment(revision, data_dir, url))
            revision.registry_port, revision.gateway_port, revision.bench_gateway_port = free_port(), free_port(), free_port()
            start(["-m", cli_module(revision.tree), "registry", "--port", str(revision.registry_port)], revision,
                  f"http://127.0.0.1:{revision.registry_port}/healthcheck")
            start(["-m", cli_module(revision.tree), "gateway", "--supergraph", str(revision.tree / "schema" / "supergraph.graphql"),
                   "--port", str(revision.gateway_port)], revision, f"http://127.0.0.1:{revision.gateway_port}/healthcheck",
                  SIIR_SUBGRAPH_REGISTRY_URL=f"http://127.0.0.1:{revision.registry_port}/graphql",
                  SIIR_SUBGRAPH_REPORTING_URL=f"http://127.0.0.1:{closed}/graphql")
            start(["-m", "gateway", "--supergraph", str(bench_supergraph), "--port", str(revision.bench_gateway_port)],
                  revision, f"http://127.0.0.1:{revision.bench_gateway_port}/healthcheck")

        def bearer(role: str, region: str | None = None) -> dict[str, str]:
            token = issue_token(key, subject=f"bench-{role.lower()}", role=role, region=region, issuer=ISSUER,
                                audience=AUDIENCE, lifetime=6 * 3600)
            return {"authorization": f"Bearer {token}"}

        callers = {
            "MINISTRY": (bearer("MINISTRY"), asyncio.run(expected(url, "MINISTRY", None))),
            f"DISTRICT_OFFICER {regency}": (bearer("DISTRICT_OFFICER", regency),
                                            asyncio.run(expected(url, "DISTRICT_OFFICER", regency))),
        }
        targets: list[Target] = []
        for caller, (headers, answer) in callers.items():
            for via in ("registry", "gateway"):
                for revision in revisions:
                    port = revision.registry_port if via == "registry" else revision.gateway_port
                    targets.append(Target(f"{caller}, {via}", revision, f"http://127.0.0.1:{port}/graphql", headers, answer))
        ministry = bearer("MINISTRY")["authorization"].split(" ", 1)[1]
        wrk_targets = [WrkTarget("gateway benchmark", r, f"http://127.0.0.1:{r.bench_gateway_port}/graphql")
                       for r in revisions]
        gw_body = orjson.dumps({"query": gateway_bench.GATEWAY_QUERY})

        def gateway_answer(target: WrkTarget) -> Any:
            response = httpx.post(target.url, content=gw_body, headers={"content-type": "application/json",
                                                                         "authorization": f"Bearer {ministry}"})
            body = response.json()
            if response.status_code != 200 or body.get("errors") or not body["data"]["topProducts"]:
                raise SystemExit(f"gateway benchmark, {target.revision.label}: wrong answer {response.text[:300]}")
            return body

        reference = gateway_answer(wrk_targets[0])
        if gateway_answer(wrk_targets[1]) != reference:
            raise SystemExit("the two gateways answer the gateway benchmark differently")

        async def warm_up() -> None:
            for target in targets:
                await load(target, 2, args.concurrency, record=False)

        asyncio.run(warm_up())
        for target in wrk_targets:
            gateway_bench.wrk(target.url, gw_body, 2, args.connections, 1, temporary, ministry)
        for round_number in range(args.rounds):

            async def one_round() -> None:
                for pair in range(0, len(targets), 2):  # baseline and candidate at the same time
                    both = targets[pair:pair + 2]
                    # Whose clients start first alternates, so that neither gets the head start every round.
                    await asyncio.gather(*(load(t, args.duration, args.concurrency)
                                           for t in (both[::-1] if round_number % 2 else both)))

            asyncio.run(one_round())
            with ThreadPoolExecutor(2) as pool:
                # Each its own folder for wrk's script: the two would otherwise rewrite one file as the other reads it.
                results = list(pool.map(lambda t: gateway_bench.wrk(t.url, gw_body, int(args.duration), args.connections,
                                                                    1, t.revision.tree, ministry), wrk_targets))
            for target, result in zip(wrk_targets, results):
                target.rounds.append(result)
            print(f"round {round_number + 1}/{args.rounds} done", flush=True)
        for target in wrk_targets:
            if gateway_answer(target) != reference:
                raise SystemExit(f"gateway benchmark, {target.revision.label}: the answer changed during the run")
        print(report(args, baseline, candidate, count, targets, wrk_targets))
    finally:
        for process in reversed(processes):
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
        for revision in revisions:
            remove_checkout(revision)
        shutil.rmtree(temporary, ignore_errors=True)
        if args.drop:
            asyncio.run(admin(args.server, f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)'))


async def _largest_regency(url: str) -> str:
    connection = await asyncpg.connect(**asyncpg_dsn(url))
    try:
        return str(await connection.fetchval(
            "SELECT regency_code FROM registry.home_industries GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1"))
    finally:
        await connection.close()


def report(args: argparse.Namespace, baseline: Revision, candidate: Revision, count: int,
           targets: list[Target], wrk_targets: list[WrkTarget]) -> str:
    def median(values: list[float]) -> float:
        return statistics.median(values)

    lines = [
        f"{datetime.date.today().isoformat()}, {os.cpu_count()} cores (shared, noisy); baseline `{baseline.ref}`"
        f" ({baseline.commit}), candidate `{candidate.ref}` ({candidate.commit}); {count} IR in `{args.database}`;",
        f"page of 50 IR with personal fields: {args.concurrency} asyncio clients, {args.duration:g} s per target per round;"
        f" gateway benchmark: wrk, {args.connections} connections;\n{args.rounds} rounds, baseline and candidate"
        " loaded at the same time in each; every response checked.",
        "",
        "| target | revision | p50 (ms) | p99 (ms) | requests/s | candidate/baseline: p50 | p99 | requests/s (pooled) "
        "| requests/s (median of rounds) |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for pair in range(0, len(targets), 2):
        before, after = targets[pair], targets[pair + 1]
        rows = []
        for target in (before, after):
            rows.append((percentile(target.latencies, 50), percentile(target.latencies, 99),
                         len(target.latencies) / target.seconds))
        per_round = [a / b for a, b in zip(after.rounds, before.rounds)]
        for target, (p50, p99, rate) in zip((before, after), rows):
            ratios = ""
            if target is after:
                ratios = (f"{rows[1][0] / rows[0][0]:.2f} | {rows[1][1] / rows[0][1]:.2f} | {rows[1][2] / rows[0][2]:.2f} "
                          f"| **{median(per_round):.2f}** ({', '.join(f'{r:.2f}' for r in per_round)})")
            else:
                ratios = " | | | "
            lines.append(f"| {target.name} | {target.revision.label} | {p50:.1f} | {p99:.1f} | {rate:.0f} | {ratios} |")
    before, after = wrk_targets
    stats = []
    for target in (before, after):
        stats.append((median([r["p50"] for r in target.rounds]), median([r["p99"] for r in target.rounds]),
                      median([r["rps"] for r in target.rounds])))
    per_round = [a["rps"] / b["rps"] for a, b in zip(after.rounds, before.rounds)]
    lines.append(f"| gateway benchmark (medians of rounds) | baseline | {stats[0][0]:.2f} | {stats[0][1]:.2f} | {stats[0][2]:.0f} | | | | |")
    lines.append(
        f"| gateway benchmark (medians of rounds) | candidate | {stats[1][0]:.2f} | {stats[1][1]:.2f} | {stats[1][2]:.0f} "
        f"| {stats[1][0] / stats[0][0]:.2f} | {stats[1][1] / stats[0][1]:.2f} | {stats[1][2] / stats[0][2]:.2f} "
        f"| **{median(per_round):.2f}** ({', '.join(f'{r:.2f}' for r in per_round)}) |"
    )
    return "\n".join(lines)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--baseline", required=True, help="git revision before the change (e.g. main)")
    parser.add_argument("--candidate", required=True, help="git revision after it (e.g. the policy branch)")
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="siir_policy_bench", help="reused when it already holds IR")
    parser.add_argument("--count", type=int, default=20_000, help="IR to seed when the database is new")
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per target per round")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--concurrency", type=int, default=4, help="asyncio clients for the 50-IR page")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections for the gateway benchmark")
    parser.add_argument("--drop", action="store_true", help="drop the database at the end")
    main(parser.parse_args())
