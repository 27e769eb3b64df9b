"""Access control's cost in the registry: the same page of 50 IR before and after, in one run.

    .venv/bin/python bench/access/run.py --count 20000 --duration 10 --concurrency 8 [--before-ref main]

Seeds a throwaway database (``siir_access_bench``) with demo data, exports the registry as it was
at ``--before-ref`` (``git archive``, default: the merge base with main) and serves both versions
from the same virtualenv on the same database, one uvicorn process each. Each target then gets
``--duration`` seconds of ``--concurrency`` concurrent clients, in two interleaved rounds (ABC…ABC)
so drift on the shared machine falls on every target alike. Prints a Markdown table.

Targets: the page with the owner's name/NIK/phone, address, coordinates and village ("personal"),
and without them ("plain"); after access control as MINISTRY (national scope, masked values, one
50-row audit INSERT per request) and as DISTRICT_OFFICER of the largest regency (scoped, full values,
audit). ``before`` has no token check at all.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import io
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.databases import admin, fresh_demo_database  # noqa: E402
from siir.auth.keys import load_or_create_signing_key  # noqa: E402
from siir.auth.tokens import issue_token  # noqa: E402
from siir.database import asyncpg_dsn  # noqa: E402
from siir.settings import Settings  # noqa: E402

PERSONAL = (
    "query Page { homeIndustries(first: 50) { edges { node { id businessName currentClass "
    "owner { name nik phone } address location { latitude longitude } village { name } } } } }"
)
PLAIN = "query Page { homeIndustries(first: 50) { edges { node { id businessName currentClass registrationNumber village { name } } } } }"

SERVE = """
import sys, uvicorn
from services.registry.app import build_app
from siir.settings import Settings
import services.registry.app as app_module
print("serving", app_module.__file__, flush=True)
uvicorn.run(build_app(sys.argv[1], Settings.from_environment()), host="127.0.0.1", port=int(sys.argv[2]),
            log_level="warning", access_log=False)
"""


@dataclass
class Target:
    name: str
    port: int
    query: str
    headers: dict[str, str]
    latencies: list[float] = field(default_factory=list)
    seconds: float = 0.0
    errors: int = 0


def export_before(ref: str, into: Path) -> str:
    commit = subprocess.run(["git", "rev-parse", "--short", ref], cwd=ROOT, check=True, capture_output=True, text=True).stdout.strip()
    archive = subprocess.run(["git", "archive", commit, "services", "siir"], cwd=ROOT, check=True, capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return commit


def start(code_root: Path, url: str, port: int, data_dir: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(code_root), "SIIR_DATA_DIR": str(data_dir), "SIIR_DB_POOL_SIZE": "10"}
    # cwd matters: ``python -c`` puts the working directory first on sys.path.
    process = subprocess.Popen(
        [sys.executable, "-c", SERVE, url, str(port)], cwd=code_root, env=env, stdout=subprocess.PIPE, text=True
    )
    line = process.stdout.readline() if process.stdout else ""
    if str(code_root) not in line:
        process.terminate()
        raise SystemExit(f"the {code_root} server imported the wrong code: {line}")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthcheck", timeout=2).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"server on {port} did not start")


async def load(target: Target, duration: float, concurrency: int) -> None:
    body = {"query": target.query}
    url = f"http://127.0.0.1:{target.port}/graphql"
    stop = time.perf_counter() + duration
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)

    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        async def worker() -> None:
            while time.perf_counter() < stop:
                began = time.perf_counter()
                response = await client.post(url, json=body, headers=target.headers)
                elapsed = time.perf_counter() - began
                payload = response.json()
                if response.status_code != 200 or "errors" in payload or not payload["data"]["homeIndustries"]["edges"]:
                    target.errors += 1
                target.latencies.append(elapsed)

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        target.seconds += time.perf_counter() - began


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] * 1000


async def main(args: argparse.Namespace) -> None:
    url = await fresh_demo_database(args.server, args.database, args.count)
    connection = await asyncpg.connect(**asyncpg_dsn(url))
    regency = await connection.fetchval(
        "SELECT regency_code FROM registry.home_industries GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
    )
    await connection.close()
    with tempfile.TemporaryDirectory() as temporary:
        before_root = Path(temporary) / "before"
        before_root.mkdir()
        ref = args.before_ref or subprocess.run(
            ["git", "merge-base", "HEAD", "main"], cwd=ROOT, check=True, capture_output=True, text=True
        ).stdout.strip()
        commit = export_before(ref, before_root)
        data_dir = Path(temporary) / "data"
        key = load_or_create_signing_key(data_dir)
        settings = Settings()

        def bearer(role: str, region: str | None = None) -> dict[str, str]:
            token = issue_token(key, subject=f"bench-{role.lower()}", role=role, region=region,
                                issuer=settings.auth_issuer, audience=settings.auth_audience)
            return {"Authorization": f"Bearer {token}"}

        before = start(before_root, url, args.port, data_dir)
        try:
            after = start(ROOT, url, args.port + 1, data_dir)
        except BaseException:
            before.terminate()
            raise
        try:
            targets = [
                Target(f"before ({commit}), personal", args.port, PERSONAL, {}),
                Target("after, MINISTRY, personal (masked + audit)", args.port + 1, PERSONAL, bearer("MINISTRY")),
                Target(f"after, DISTRICT_OFFICER {regency}, personal (full + audit)", args.port + 1, PERSONAL,
                       bearer("DISTRICT_OFFICER", regency)),
                Target(f"before ({commit}), plain", args.port, PLAIN, {}),
                Target("after, MINISTRY, plain (scope only)", args.port + 1, PLAIN, bearer("MINISTRY")),
            ]
            for target in targets:  # warm-up: connections, caches, JIT-less Python paths
                await load(Target(target.name, target.port, target.query, target.headers), 2, args.concurrency)
            for _ in range(args.rounds):
                for target in targets:
                    await load(target, args.duration / args.rounds, args.concurrency)
        finally:
            for process in (before, after):
                process.terminate()
                process.wait(timeout=10)
    print(f"{args.count} IR, page of 50, {args.concurrency} concurrent clients, {args.duration:.0f} s per target "
          f"in {args.rounds} interleaved rounds\n")
    print("| target | requests/s | p50 (ms) | p95 (ms) | errors |")
    print("| --- | ---: | ---: | ---: | ---: |")
    rates = {}
    for target in targets:
        rate = len(target.latencies) / target.seconds
        rates[target.name] = rate
        print(f"| {target.name} | {rate:.0f} | {percentile(target.latencies, 50):.1f} | "
              f"{percentile(target.latencies, 95):.1f} | {target.errors} |")
    names = [t.name for t in targets]
    print()
    print(f"- throughput after/before, personal page as MINISTRY: {rates[names[1]] / rates[names[0]]:.2f}; "
          f"as DISTRICT_OFFICER: {rates[names[2]] / rates[names[0]]:.2f}")
    print(f"- throughput after/before, plain page: {rates[names[4]] / rates[names[3]]:.2f}")
    if args.drop:
        await admin(args.server, f'DROP DATABASE "{args.database}" WITH (FORCE)')


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=20_000)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per target, over all rounds")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--port", type=int, default=4101)
    parser.add_argument("--before-ref", default="")
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="siir_access_bench")
    parser.add_argument("--drop", action="store_true")
    asyncio.run(main(parser.parse_args()))
