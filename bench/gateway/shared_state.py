"""Per-request cost of the state gateway replicas share: the rate limit and the APQ look-up, in this
process and in Redis (the real one at 127.0.0.1:6379, under a prefix of this run's own, deleted after).

    .venv/bin/python bench/gateway/shared_state.py [--count 5000] [--redis redis://127.0.0.1:6379/0]

One caller, one request at a time (what one request pays, not throughput under load). Prints
microseconds per call, median of ``--rounds`` rounds.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import redis  # noqa: E402

from gateway.apq import ApqCache  # noqa: E402
from gateway.document_lookup import DocumentLookup  # noqa: E402
from gateway.http_request import GraphQLParams  # noqa: E402
from gateway.rate_limit import RateLimiter, redis_storage  # noqa: E402
from gateway.shared_store import shared_redis  # noqa: E402

QUERY = "{ topProducts { name reviews { body product { name price } } } }"


async def per_call(call, count: int) -> float:
    start = time.perf_counter()
    for _ in range(count):
        await call()
    return (time.perf_counter() - start) / count * 1e6


async def measure(redis_url: str, prefix: str, count: int) -> dict[str, float]:
    # The defaults' window (100 in 2 s) over 100 subjects, so no call is refused and none waits.
    local = RateLimiter(50.0, 100)
    shared = RateLimiter(50.0, 100, shared=redis_storage(redis_url, prefix))
    subjects = [f"s{i}" for i in range(100)]
    turn = iter(range(10**9))
    client = shared_redis(redis_url)
    sha = hashlib.sha256(QUERY.encode()).hexdigest()
    plain = GraphQLParams(QUERY, None, {})
    by_hash = GraphQLParams(None, None, {}, None, sha)
    in_process = DocumentLookup(apq=ApqCache(), store=None)
    await in_process.remember(sha, QUERY)
    through_redis = DocumentLookup(apq=ApqCache(client, prefix), store=None)
    await through_redis.remember(sha, QUERY)

    async def redis_miss_locally() -> None:
        through_redis.apq.local.clear()  # a replica that has not seen the hash yet
        await through_redis.text(by_hash)

    try:
        return {
            "Redis PING (one round trip, for reference)": await per_call(client.ping, count),
            "rate limit, in process": await per_call(lambda: local.take(subjects[next(turn) % 100]), count),
            "rate limit, Redis": await per_call(lambda: shared.take(subjects[next(turn) % 100]), count),
            "query text, no APQ": await per_call(lambda: in_process.text(plain), count),
            "APQ hit, in process": await per_call(lambda: in_process.text(by_hash), count),
            "APQ hit, from Redis (first on this replica)": await per_call(redis_miss_locally, count),
        }
    finally:
        await client.aclose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    args = parser.parse_args()
    prefix = f"siir-bench-{uuid.uuid4().hex[:8]}:"
    try:
        rounds = [asyncio.run(measure(args.redis, prefix, args.count)) for _ in range(args.rounds)]
    finally:
        client = redis.Redis.from_url(args.redis)
        keys = list(client.scan_iter(f"{prefix}*"))
        if keys:
            client.delete(*keys)
    print("| per request | µs, median of rounds | rounds |\n| --- | ---: | --- |")
    for name in rounds[0]:
        values = [r[name] for r in rounds]
        print(f"| {name} | {statistics.median(values):.1f} | {', '.join(f'{v:.1f}' for v in values)} |")


if __name__ == "__main__":
    main()
