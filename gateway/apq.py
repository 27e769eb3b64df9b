"""The automatic persisted query cache (Apollo's APQ): a query's text by its SHA-256.

A client sends ``extensions.persistedQuery {version: 1, sha256Hash}`` without the query; on a miss
(``PERSISTED_QUERY_NOT_FOUND``) it sends both, and the gateway, having checked the hash, remembers
the text. With Redis configured the texts are shared by every replica (one key per hash, expiring
after ``TTL_S`` unused), so a query registered through one replica is found through another; a
small in-process map in front saves the round trip for the hot ones. Redis unreachable: the cache
works in this process alone (a miss only costs the client one more request with the full text).
"""

from __future__ import annotations

import hashlib
import logging
from collections import OrderedDict

from redis.asyncio import Redis
from redis.exceptions import RedisError

logger = logging.getLogger("gateway.apq")

#: Seconds a registered query stays in Redis after its last use.
TTL_S = 24 * 3600
#: Queries kept in this process (least recently used dropped first).
LOCAL_SIZE = 2000


def sha256_hex(text: str) -> str:
    """The APQ hash of a query: SHA-256 of its UTF-8 bytes, lower-case hex."""
    return hashlib.sha256(text.encode()).hexdigest()


class ApqCache:
    """Query texts by hash: this process's, then the shared Redis's (when given)."""

    def __init__(self, redis: Redis | None = None, prefix: str = "siir:") -> None:
        self.redis = redis
        self.prefix = f"{prefix}apq:"
        self.local: OrderedDict[str, str] = OrderedDict()
        self.redis_down = False  # logged once per outage, not once per request

    async def get(self, sha: str) -> str | None:
        text = self.local.get(sha)
        if text is not None:
            self.local.move_to_end(sha)
            return text
        if self.redis is None:
            return None
        try:
            raw = await self.redis.getex(self.prefix + sha, ex=TTL_S)
        except (RedisError, OSError) as error:
            self._down(error)
            return None
        self._up()
        if raw is None:
            return None
        text = raw.decode()
        self._remember(sha, text)
        return text

    async def put(self, sha: str, text: str) -> None:
        """Remember a query whose hash the caller has checked."""
        self._remember(sha, text)
        if self.redis is not None:
            try:
                await self.redis.set(self.prefix + sha, text.encode(), ex=TTL_S)
            except (RedisError, OSError) as error:
                self._down(error)
                return
            self._up()

    def _down(self, error: Exception) -> None:
        if not self.redis_down:
            logger.warning("APQ: Redis unreachable (%s); queries are cached in this process only until it answers",
                           error)
        self.redis_down = True

    def _up(self) -> None:
        if self.redis_down:
            logger.warning("APQ: Redis answers again; the cache is shared by the replicas again")
        self.redis_down = False

    def _remember(self, sha: str, text: str) -> None:
        self.local[sha] = text
        self.local.move_to_end(sha)
        while len(self.local) > LOCAL_SIZE:
            self.local.popitem(last=False)
