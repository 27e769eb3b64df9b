"""A per-subject rate limit, shared by every gateway replica through Redis when one is configured.

Each verified subject may send ``burst`` requests in any window of ``ceil(burst / rate)`` seconds
(a moving window: the defaults, 50 a second with bursts of 100, allow 100 in any 2 seconds). The
windows are kept in Redis (``SIIR_REDIS_URL``, keys under the deployment's prefix, by the ``limits``
library) so N replicas behind a load balancer share one limit, else in this process
(``LocalWindows``: the ``limits`` library's in-process storage hands every request's expiry sweep to
a worker thread, which was a quarter of the gateway's CPU under load).

Redis unreachable: the limiter fails open to this process's own windows (each replica still limits
every caller, so a caller gets at most N times the rate) and tries Redis again after
``SHARED_RETRY_S``. Every request is already authenticated before it is counted, so refusing every
caller because the shared counter is down would turn a Redis outage into an outage of the registry
for no protection gained; a warning is logged once per outage.
"""

from __future__ import annotations

import logging
import math
import time
from collections import deque

from limits import RateLimitItemPerSecond
from limits.aio.storage import RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import StorageError

from gateway.shared_store import REDIS_TIMEOUT_S

logger = logging.getLogger("gateway.rate_limit")

#: Seconds the limiter keeps to its own windows after Redis failed, before trying Redis again.
SHARED_RETRY_S = 5.0


def redis_storage(redis_url: str, prefix: str) -> RedisStorage:
    """The ``limits`` storage for a ``redis://`` (or ``rediss://``) URL, keys under ``prefix``."""
    return RedisStorage(f"async+{redis_url}", implementation="redispy", key_prefix=f"{prefix}rate",
                        wrap_exceptions=True, socket_connect_timeout=REDIS_TIMEOUT_S,
                        socket_timeout=REDIS_TIMEOUT_S)


class LocalWindows:
    """Moving windows in this process: per subject, the times of its last ``burst`` admitted requests.

    A request is admitted when fewer than ``burst`` were admitted in the last ``window_s`` seconds,
    the same rule as ``limits``' moving window. Subjects idle for a whole window are forgotten once a
    window (their next request starts an empty window anyway), so memory follows the active callers.
    """

    def __init__(self, burst: int, window_s: float) -> None:
        self.burst = burst
        self.window_s = window_s
        self.admitted: dict[str, deque[float]] = {}
        self._next_sweep = 0.0

    def take(self, subject: str, now: float | None = None) -> float:
        """0.0 when admitted (and counted), else the seconds until the oldest admitted one leaves the window."""
        now = time.monotonic() if now is None else now
        times = self.admitted.get(subject)
        if times is None:
            times = self.admitted[subject] = deque(maxlen=self.burst)
        elif len(times) == self.burst and now - times[0] < self.window_s:
            return max(times[0] + self.window_s - now, 0.01)
        times.append(now)  # a full deque drops its oldest, which has left the window
        if now >= self._next_sweep:
            self.admitted = {s: t for s, t in self.admitted.items() if now - t[-1] < self.window_s}
            self._next_sweep = now + self.window_s
        return 0.0


class RateLimiter:
    """Moving windows by subject; ``rate`` 0 disables the limit."""

    def __init__(self, rate: float, burst: int, *, shared: Storage | None = None) -> None:
        self.rate = rate
        self.burst = max(burst, 1)
        self.window_s = max(1, math.ceil(self.burst / rate)) if rate > 0 else 0
        self.item = RateLimitItemPerSecond(self.burst, self.window_s) if rate > 0 else None
        self.local = LocalWindows(self.burst, self.window_s)
        self.shared = MovingWindowRateLimiter(shared) if shared is not None else None
        self._shared_down_until = 0.0

    async def take(self, subject: str) -> float:
        """Count one request: 0.0 when allowed, else the seconds until the window admits one more."""
        if self.item is None:
            return 0.0
        if self.shared is not None and time.monotonic() >= self._shared_down_until:
            try:
                return await self._take_shared(self.shared, subject)
            except StorageError as error:
                if not self._shared_down_until:
                    logger.warning("rate limit: Redis unreachable (%s); counting in this process "
                                   "(each replica limits on its own) until it answers again", error.storage_error)
                self._shared_down_until = time.monotonic() + SHARED_RETRY_S
        return self.local.take(subject)

    async def _take_shared(self, limiter: MovingWindowRateLimiter, subject: str) -> float:
        assert self.item is not None
        if await limiter.hit(self.item, subject):
            if self._shared_down_until:
                logger.warning("rate limit: Redis answers again; limits are shared by the replicas again")
                self._shared_down_until = 0.0
            return 0.0
        stats = await limiter.get_window_stats(self.item, subject)
        return max(stats.reset_time - time.time(), 0.01)
