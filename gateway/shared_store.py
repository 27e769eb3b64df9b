"""The Redis every gateway replica shares (``SIIR_REDIS_URL``), for state that must not be per process.

The rate limit's windows (gateway/rate_limit.py, through the ``limits`` library), the APQ cache
(gateway/apq.py) and registered persisted documents (gateway/persisted_documents.py) keep their
keys under ``SIIR_REDIS_PREFIX``. Timeouts are short: each user of this client falls back to what
it can do alone rather than make every request wait on a Redis that does not answer.
"""

from __future__ import annotations

from redis.asyncio import Redis

#: Seconds to wait for Redis before a caller falls back. Not less: on a loaded machine a healthy
#: Redis was seen taking more than 0.25 s to answer; the rate limit then retries Redis only every
#: few seconds (gateway/rate_limit.py), so a hung Redis costs one slow request per interval.
REDIS_TIMEOUT_S = 1.0


def shared_redis(url: str) -> Redis:
    """A client for ``redis://…`` (connections are made on first use)."""
    return Redis.from_url(url, socket_connect_timeout=REDIS_TIMEOUT_S, socket_timeout=REDIS_TIMEOUT_S)
