"""CPU per request added by the observability middleware (siir/observability/observed.py).

Drives a trivial ASGI app (one 200 answer) directly, with and without ``Observed`` around it, in
one event loop, and prints the added microseconds per request: request id, notes, metrics, and the
access line formatted as JSON (or text) and written to /dev/null, or the access log off. Tracing
off (its cost is the OpenTelemetry SDK's, paid only when configured).

    .venv/bin/python bench/operations/observed_overhead.py [--requests 200000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from siir.observability.observed import Observed  # noqa: E402
from siir.observability.request import note_operation, note_role  # noqa: E402
from siir.observability.request_log import ACCESS, JsonLines, PlainText  # noqa: E402
from siir.settings import Settings  # noqa: E402

SCOPE = {"type": "http", "method": "POST", "path": "/graphql",
         "headers": [(b"content-type", b"application/json"), (b"x-request-id", b"bench-0001")]}
START = {"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]}
BODY = {"type": "http.response.body", "body": b'{"data":{}}'}


async def app(scope: dict, receive: object, send: object) -> None:
    note_role("MINISTRY")  # what the gateway notes on a real request
    note_operation("TopProducts")
    await send(START)  # type: ignore[operator]
    await send(BODY)  # type: ignore[operator]


async def sink(message: dict) -> None:
    pass


async def receive() -> dict:
    return {"type": "http.request", "body": b""}


async def per_request(target: object, requests: int) -> float:
    started = time.perf_counter()
    for _ in range(requests):
        await target(SCOPE, receive, sink)  # type: ignore[operator]
    return (time.perf_counter() - started) / requests * 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    handler = logging.StreamHandler(open("/dev/null", "w"))
    ACCESS.addHandler(handler)
    ACCESS.propagate = False
    observed = Observed(app, service="gateway", settings=Settings())
    cases = {"json access line": (JsonLines(), logging.INFO), "text access line": (PlainText(), logging.INFO),
             "access log off": (JsonLines(), logging.WARNING)}
    for name, (formatter, level) in cases.items():
        handler.setFormatter(formatter)
        ACCESS.setLevel(level)
        added = []
        for _ in range(args.rounds):
            bare = asyncio.run(per_request(app, args.requests))
            wrapped = asyncio.run(per_request(observed, args.requests))
            added.append(wrapped - bare)
        print(f"{name}: +{statistics.median(added):.1f} µs per request "
              f"(rounds: {', '.join(f'{a:.1f}' for a in added)})")


if __name__ == "__main__":
    main()
