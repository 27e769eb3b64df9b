"""A per-subject rate limit: one token bucket per caller, in this process.

Each verified subject gets ``burst`` requests at once and ``rate`` more per second. The buckets
live in this process: with N gateway replicas behind a load balancer a subject gets up to N
times the rate. To share one limit, either route by subject (consistent hashing on ``sub``)
so each caller's buckets live on one replica, or keep the buckets in a shared store (e.g.
Redis, one key per subject updated atomically by a script doing this same arithmetic).
"""

from __future__ import annotations

import time
from typing import Callable


class RateLimiter:
    """Token buckets by subject; ``rate`` 0 disables the limit."""

    def __init__(self, rate: float, burst: int, *, clock: Callable[[], float] = time.monotonic,
                 max_subjects: int = 100_000) -> None:
        self.rate = rate
        self.burst = max(burst, 1)
        self.clock = clock
        self.max_subjects = max_subjects
        self._buckets: dict[str, tuple[float, float]] = {}  # subject -> (tokens, at)

    def take(self, subject: str) -> float:
        """Spend one token: 0.0 when allowed, else the seconds until the next token."""
        if self.rate <= 0:
            return 0.0
        now = self.clock()
        tokens, at = self._buckets.get(subject, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - at) * self.rate)
        if tokens < 1.0:
            self._buckets[subject] = (tokens, now)
            return (1.0 - tokens) / self.rate
        if len(self._buckets) >= self.max_subjects and subject not in self._buckets:
            self._forget_idle(now)
        self._buckets[subject] = (tokens - 1.0, now)
        return 0.0

    def _forget_idle(self, now: float) -> None:
        # A bucket refilled to the brim is the same as no bucket: drop those to bound memory.
        full = [s for s, (tokens, at) in self._buckets.items() if tokens + (now - at) * self.rate >= self.burst]
        for subject in full:
            del self._buckets[subject]
