"""Gateway benchmark: direct subgraph call vs our gateway vs Hive Gateway, in one run.

Starts the benchmark subgraphs, our gateway (uvicorn, 1 worker) and Hive Gateway (1 process)
on the same composed supergraph, then runs wrk at a fixed concurrency against each target
and prints a Markdown table (and writes it into BENCHMARKS.md's Gateway section with
``--write``).

    .venv/bin/python bench/gateway/run.py [--duration 10] [--connections 32] [--write] [--baseline REF]

Every request carries a bearer token (our gateway verifies it; the others ignore it); our
gateway runs with its default limits, the rate limit raised so that it counts but never
refuses. ``--baseline REF`` also serves the gateway of git revision REF (``git archive``
into a temporary folder) in the same run, to measure a change as a ratio.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import orjson

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "gateway" / "subgraphs"))

from gw_catalog import SUBGRAPHS  # noqa: E402

from cryptography.hazmat.primitives import serialization  # noqa: E402

from gateway.compose import compose_services  # noqa: E402
from gateway.node_tools import ensure_installed, node_binary  # noqa: E402
from siir.auth.keys import load_or_create_signing_key  # noqa: E402
from siir.auth.tokens import issue_token  # noqa: E402

# Needs three fetches across two subgraphs: products → reviews → products.
GATEWAY_QUERY = "{ topProducts { name reviews { body product { name price } } } }"
# The direct call: the first of those fetches, straight to the products subgraph.
DIRECT_QUERY = "{ topProducts { name __typename upc } }"

WRK_LUA = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer {token}"
wrk.body = {body}
"""
BASELINE = "our gateway before"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait(url: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"{url}: process exited ({proc.returncode})")
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not start")


def wrk(url: str, body: bytes, duration: int, connections: int, threads: int, tmp: Path,
        token: str) -> dict[str, float]:
    script = tmp / f"req{abs(hash(body))}.lua"
    script.write_text(WRK_LUA.format(body="[[" + body.decode() + "]]", token=token))
    out = subprocess.run(["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{duration}s", "--latency",
                          "-s", str(script), url], capture_output=True, text=True, check=True).stdout
    def ms(label: str) -> float:
        m = re.search(rf"^\s*{label}\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        assert m, out
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise SystemExit(f"{url}: {errors.group(1)} failed responses\n{out}")
    return {"rps": rps, "p50": ms("50%"), "p99": ms("99%")}


def machine() -> str:
    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    return f"{os.cpu_count()} cores (nproc), {cpu}, {platform.system()} {platform.release()}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--write", action="store_true", help="write the results into BENCHMARKS.md")
    parser.add_argument("--baseline", help="also measure the gateway of this git revision (e.g. a commit)")
    parser.add_argument("--rounds", type=int, default=5,
                        help="with --baseline: alternating now/before rounds for the ratio (median)")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install -y wrk")
    node_modules = ensure_installed()
    tmp = Path(tempfile.mkdtemp(prefix="siir-bench-"))
    procs: list[subprocess.Popen] = []
    try:
        sub_port = free_port()
        procs.append(subprocess.Popen([sys.executable, str(ROOT / "bench/gateway/subgraph_server.py"), "--port", str(sub_port)]))
        wait(f"http://127.0.0.1:{sub_port}/products/graphql", procs[-1])
        sdl = compose_services([{"name": n, "url": f"http://127.0.0.1:{sub_port}/{n}/graphql", "sdl": s[0]}
                                for n, s in SUBGRAPHS.items()])
        supergraph = tmp / "supergraph.graphql"
        supergraph.write_text(sdl)
        ours_port, hive_port = free_port(), free_port()
        key = load_or_create_signing_key(tmp)
        token = issue_token(key, subject="bench", role="MINISTRY", issuer="siir-bench", audience="siir")
        public = tmp / "public.pem"
        public.write_bytes(key.public_key.public_bytes(serialization.Encoding.PEM,
                                                       serialization.PublicFormat.SubjectPublicKeyInfo))
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SIIR_GATEWAY_", "SIIR_AUTH_"))}
        env.update(SIIR_AUTH_PUBLIC_KEYS=str(public), SIIR_AUTH_ISSUER="siir-bench", SIIR_AUTH_AUDIENCE="siir",
                   SIIR_GATEWAY_RATE_LIMIT="1000000000", SIIR_GATEWAY_RATE_BURST="1000000000")
        procs.append(subprocess.Popen([sys.executable, "-m", "gateway", "--supergraph", str(supergraph),
                                       "--port", str(ours_port)], cwd=ROOT, env=env))
        wait(f"http://127.0.0.1:{ours_port}/healthcheck", procs[-1])
        baseline_port = free_port()
        if args.baseline:
            source = tmp / "baseline"
            source.mkdir()
            archive = subprocess.run(["git", "archive", args.baseline, "gateway"], cwd=ROOT, check=True,
                                     capture_output=True).stdout
            subprocess.run(["tar", "-x", "-C", str(source)], input=archive, check=True)
            # cwd first on sys.path: this process imports the archived gateway package.
            procs.append(subprocess.Popen([sys.executable, "-m", "gateway", "--supergraph", str(supergraph),
                                           "--port", str(baseline_port)], cwd=source, env=env))
            wait(f"http://127.0.0.1:{baseline_port}/healthcheck", procs[-1])
        config = tmp / "gateway.config.mjs"
        config.write_text("export const gatewayConfig = { logging: 'error' };\n")
        procs.append(subprocess.Popen(
            [node_binary(), str(node_modules / "@graphql-hive/gateway/dist/bin.js"), "supergraph", str(supergraph),
             "--port", str(hive_port), "--host", "127.0.0.1", "--fork", "1", "-c", str(config), "--disable-websockets"],
            cwd=node_modules.parent, env={**os.environ, "NODE_ENV": "production"}, stdout=subprocess.DEVNULL))
        wait(f"http://127.0.0.1:{hive_port}/healthcheck", procs[-1])

        gw_body = orjson.dumps({"query": GATEWAY_QUERY})
        direct_body = orjson.dumps({"query": DIRECT_QUERY})
        targets = {
            "direct (products subgraph)": (f"http://127.0.0.1:{sub_port}/products/graphql", direct_body),
            "our gateway": (f"http://127.0.0.1:{ours_port}/graphql", gw_body),
            "Hive Gateway": (f"http://127.0.0.1:{hive_port}/graphql", gw_body),
        }
        if args.baseline:
            targets[BASELINE] = (f"http://127.0.0.1:{baseline_port}/graphql", gw_body)
        # Same answer from every gateway before measuring anything.
        headers = {"content-type": "application/json", "authorization": f"Bearer {token}"}
        hive = httpx.post(targets["Hive Gateway"][0], content=gw_body, headers=headers).json()
        assert "errors" not in hive, hive
        for name in ("our gateway", BASELINE):
            if name in targets:
                answer = httpx.post(targets[name][0], content=gw_body, headers=headers).json()
                assert answer == hive, (name, answer, hive)
        results, latency = {}, {}
        for name, (url, body) in targets.items():
            wrk(url, body, 3, args.connections, args.threads, tmp, token)  # warm-up (JIT, caches, pools)
            results[name] = wrk(url, body, args.duration, args.connections, args.threads, tmp, token)
        # The same targets one request at a time: latency without queueing, i.e. the overhead.
        for name, (url, body) in targets.items():
            latency[name] = wrk(url, body, args.duration, 1, 1, tmp, token)
        pairs: list[float] = []
        if args.baseline:
            # The machine is shared: alternate now/before so both see the same background load.
            for _ in range(args.rounds):
                now = wrk(*targets["our gateway"], args.duration, args.connections, args.threads, tmp, token)
                before = wrk(*targets[BASELINE], args.duration, args.connections, args.threads, tmp, token)
                pairs.append(now["rps"] / before["rps"])
        report = render(results, latency, args, pairs, checks_overhead(supergraph, public, token))
        print(report)
        if args.write:
            write_section(report)
    finally:
        for p in reversed(procs):
            p.terminate()
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()


def checks_overhead(supergraph: Path, public: Path, token: str, count: int = 20000) -> dict[str, float]:
    """CPU time per request of the new checks, in process: token verification (cached, as on
    every request after the first), rate limit, prepared-operation lookup with its limits and
    authorization guards, next to the lookup alone (what the gateway did before)."""
    import asyncio

    from gateway.app import build_app
    from gateway.limits import Limits
    from siir.auth.tokens import TokenVerifier, key_id
    from siir.auth.keys import load_public_key

    key = load_public_key(public)
    verifier = TokenVerifier(issuer="siir-bench", audience="siir", public_keys={key_id(key): key})
    gateway = build_app(supergraph.read_text(), verifier=verifier, limits=Limits(rate_limit=1e9, rate_burst=10**9)
                        ).state.gateway
    header = f"Bearer {token}"
    raw = [(b"authorization", header.encode())]

    async def checks() -> float:
        start = time.perf_counter()
        for _ in range(count):
            identity = await gateway.authenticate(raw)
            prepared = gateway.operations.get(GATEWAY_QUERY, None)
            gateway.propagated_headers(raw, identity)
            if prepared.guards:
                raise AssertionError("the benchmark operation has no guards")
        return (time.perf_counter() - start) / count * 1e6

    def lookup() -> float:
        start = time.perf_counter()
        for _ in range(count):
            gateway.operations.get(GATEWAY_QUERY, None)
        return (time.perf_counter() - start) / count * 1e6

    with_checks = asyncio.run(checks())
    return {"checks_us": with_checks, "lookup_us": lookup()}


def render(results: dict[str, dict[str, float]], latency: dict[str, dict[str, float]],
           args: argparse.Namespace, pairs: list[float], overhead: dict[str, float]) -> str:
    names = ("direct (products subgraph)", "our gateway", "Hive Gateway")
    direct, ours, hive = (results[k] for k in names)
    l_direct, l_ours, l_hive = (latency[k] for k in names)
    lines = [
        "## Gateway",
        "",
        f"Measured {datetime.date.today().isoformat()} on {machine()}; the 2 cores are shared by wrk, the",
        "subgraphs and the gateway under test (and by other work on the machine), so absolute figures are noisy.",
        "",
        "Command: `.venv/bin/python bench/gateway/run.py"
        f" --duration {args.duration} --connections {args.connections} --threads {args.threads}"
        f"{' --write' if args.write else ''}{f' --baseline {args.baseline}' if args.baseline else ''}`"
        f" (wrk, {args.connections} connections, {args.duration} s per target after a 3 s warm-up).",
        "",
        f"Gateway operation (3 fetches, 2 subgraphs: products → reviews → products): `{GATEWAY_QUERY}`.",
        f"Direct call: the first of those fetches straight to the products subgraph: `{DIRECT_QUERY}`.",
        "Subgraphs memoise their answers so that they cost the same for every target.",
        "Our gateway: `python -m gateway` (uvicorn, uvloop + httptools, 1 worker), verifying the ES256 bearer token"
        " every request carries and enforcing its default limits (rate limit raised so it counts but never refuses)."
        " Hive Gateway 2.15.1:"
        " `hive-gateway supergraph` with one process (`--fork 1`), default settings (no `--jit`), NODE_ENV=production.",
        "",
        f"| target | requests/s ({args.connections} conn.) | p50 (ms) | p99 (ms) "
        "| requests/s (1 conn.) | p50 (ms) | p99 (ms) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    if BASELINE in results:
        names += (BASELINE,)
    for name in names:
        r, q = results[name], latency[name]
        lines.append(f"| {name} | {r['rps']:.0f} | {r['p50']:.2f} | {r['p99']:.2f} "
                     f"| {q['rps']:.0f} | {q['p50']:.2f} | {q['p99']:.2f} |")
    lines += [
        "",
        f"- throughput ours / Hive Gateway at {args.connections} connections: **{ours['rps'] / hive['rps']:.2f}** (goal ≥ 1)",
        f"- p50 ours / Hive Gateway: {ours['p50'] / hive['p50']:.2f}; p99 ours / Hive Gateway: {ours['p99'] / hive['p99']:.2f}",
        f"- p50 overhead over the direct call at {args.connections} connections (mostly queueing behind the"
        f" gateway's CPU): ours {ours['p50'] - direct['p50']:.2f} ms, Hive Gateway {hive['p50'] - direct['p50']:.2f} ms",
        f"- p50 overhead over the direct call at 1 connection (goal ≤ 1 ms): ours **{l_ours['p50'] - l_direct['p50']:.2f} ms**,"
        f" Hive Gateway {l_hive['p50'] - l_direct['p50']:.2f} ms. Ours makes three sequential subgraph calls"
        " where the direct call makes one, so this includes two extra subgraph round trips.",
    ]
    if BASELINE in results:
        before, l_before = results[BASELINE], latency[BASELINE]
        ordered = sorted(pairs)
        lines += [
            f"- {BASELINE} = the gateway of `{args.baseline}` (no token verification, limits or rate limit)."
            f" Throughput now / before at {args.connections} connections, {len(pairs)} alternating rounds:"
            f" median **{ordered[len(ordered) // 2]:.2f}** (rounds: {', '.join(f'{r:.2f}' for r in pairs)});"
            f" in the table above {ours['rps'] / before['rps']:.2f} at {args.connections} connections,"
            f" {l_ours['rps'] / l_before['rps']:.2f} at 1 connection.",
        ]
    lines += [
        f"- The new checks in process (cached token verification, rate limit, operation lookup with its limits"
        f" and guards, header lines): {overhead['checks_us']:.1f} µs per request, against"
        f" {overhead['lookup_us']:.1f} µs for the operation lookup alone.",
    ]
    lines.append("")
    return "\n".join(lines)


def write_section(section: str) -> None:
    path = ROOT / "BENCHMARKS.md"
    text = path.read_text() if path.exists() else "# Benchmarks\n\n"
    start = text.find("## Gateway\n")
    if start == -1:
        text = text.rstrip("\n") + "\n\n" + section.rstrip("\n") + "\n"
    else:
        end = text.find("\n## ", start + 1)
        text = text[:start] + section.rstrip("\n") + "\n" + (text[end:] if end != -1 else "")
    path.write_text(text)


if __name__ == "__main__":
    main()
