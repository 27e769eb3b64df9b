"""The real Redis the replica tests share state through: ``SIIR_TEST_REDIS_URL``, default the
machine's 127.0.0.1:6379. Each test module writes under a prefix of its own, deleted afterwards.
Without a Redis that answers, those tests skip and say why (``./siirw test`` on a machine with only
Python); CI's machine runs one."""

from __future__ import annotations

import os
import uuid
from typing import Iterator

import pytest
import redis

REDIS_URL = os.environ.get("SIIR_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture(scope="module")
def prefix() -> Iterator[str]:
    """A key prefix of this module's own in the test Redis (skips when no Redis answers)."""
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as error:
        pytest.skip(f"no Redis answers at {REDIS_URL} ({error}); set SIIR_TEST_REDIS_URL")
    prefix = f"siir-test-{uuid.uuid4().hex[:12]}:"
    yield prefix
    keys = list(client.scan_iter(f"{prefix}*"))
    if keys:
        client.delete(*keys)
    client.close()
