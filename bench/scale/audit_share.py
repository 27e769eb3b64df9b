"""Serve the registry (the code on PYTHONPATH) and measure the read-audit write's share of each request.

    PYTHONPATH=<code root> DATABASE_URL=… SIIR_DATA_DIR=… .venv/bin/python bench/scale/audit_share.py --port 4801

Wraps ``ReadLog.flush`` (the audit rows' INSERT and commit, or the wait for the group commit that
holds them) and the whole HTTP request with wall-clock timers; on SIGTERM/SIGINT prints the sums:
the audit's share of request time is what the answer waits for its rows to be durable. Used for the
before/after figures in BENCHMARKS.md (load with wrk against /graphql meanwhile).
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import uvicorn

from services.registry.app import build_app
from services.registry.data import audit
from siir.settings import Settings

totals = {"flush_s": 0.0, "flushes": 0, "request_s": 0.0, "requests": 0}
original_flush = audit.ReadLog.flush


async def timed_flush(self: Any, *args: Any, **kwargs: Any) -> None:
    began = time.perf_counter()
    try:
        await original_flush(self, *args, **kwargs)
    finally:
        totals["flush_s"] += time.perf_counter() - began
        totals["flushes"] += 1


audit.ReadLog.flush = timed_flush  # type: ignore[method-assign]


class Timed:
    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"] != "/graphql":
            await self.app(scope, receive, send)
            return
        began = time.perf_counter()
        try:
            await self.app(scope, receive, send)
        finally:
            totals["request_s"] += time.perf_counter() - began
            totals["requests"] += 1


def report() -> None:
    requests, flushes = max(totals["requests"], 1), max(totals["flushes"], 1)
    writer_stats = ""
    for per_loop in getattr(audit, "AuditWriter", type("none", (), {"_writers": {}}))._writers.values():
        for writer in per_loop.values():
            writer_stats = f", {writer.requests} requests' rows in {writer.commits} commits"
    print(
        f"requests {totals['requests']}, mean {1000 * totals['request_s'] / requests:.1f} ms; audit flushes "
        f"{totals['flushes']}, mean {1000 * totals['flush_s'] / flushes:.1f} ms; audit share of request time "
        f"{100 * totals['flush_s'] / max(totals['request_s'], 1e-9):.1f}%{writer_stats}",
        flush=True,
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=4801)
    args = parser.parse_args()
    settings = Settings.from_environment()
    assert settings.database_url, "DATABASE_URL"
    try:
        uvicorn.run(Timed(build_app(settings.database_url, settings)), host="127.0.0.1", port=args.port,
                    loop="uvloop", http="httptools", log_level="warning", access_log=False)
    finally:
        report()
