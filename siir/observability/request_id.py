"""The request id: taken from ``X-Request-Id`` when it is safe to log and forward, else made here.

A client's id is kept so a portal can quote it to an operator; it is bounded and restricted to
characters that cannot break a log line or a header (no spaces, quotes, CR or LF).
"""

from __future__ import annotations

import re
import uuid

HEADER = b"x-request-id"
#: Letters, digits and ``._:-``, 1 to 128 of them: a UUID, a ULID, a trace id or a load balancer's id fit.
SAFE = re.compile(rb"[A-Za-z0-9._:\-]{1,128}")


def accepted(value: bytes | None) -> str:
    """The client's id if it is safe, else a new one (a UUID4 in hex)."""
    if value is not None and SAFE.fullmatch(value):
        return value.decode("ascii")
    return uuid.uuid4().hex


def from_headers(headers: list[tuple[bytes, bytes]]) -> str:
    """The request id for an ASGI request's raw headers (the first ``X-Request-Id``)."""
    for name, value in headers:
        if name == HEADER or name.lower() == HEADER:
            return accepted(value)
    return accepted(None)
