"""Which exceptions mean "a dependency is unavailable", by their types.

A database restart, a refused connection or an exhausted pool is not a bug: the caller is told
``SERVICE_UNAVAILABLE`` with a retry hint instead of ``INTERNAL_SERVER_ERROR`` (and is never told
the host or port it concerns).
"""

from __future__ import annotations

import socket

import asyncpg.exceptions as pg
import sqlalchemy.exc as sa

#: Seconds a client is asked to wait before retrying after an outage.
RETRY_AFTER_SECONDS = 5

_OUTAGES: tuple[type[BaseException], ...] = (
    ConnectionError,  # refused, reset, aborted
    TimeoutError,  # connecting timed out (asyncio.TimeoutError is this class since 3.11)
    socket.gaierror,  # the database's host name does not resolve
    pg.PostgresConnectionError,  # the server refused the connection (e.g. too many clients)
    pg.OperatorInterventionError,  # shutdown, crash shutdown, "the database system is starting up"
    pg.ConnectionDoesNotExistError,  # the connection went away mid-query
    sa.TimeoutError,  # no pooled connection came free in time
)


def is_outage(error: BaseException | None) -> bool:
    """Whether ``error`` (or what it wraps) says a dependency is down rather than that a request or
    the code is wrong."""
    seen = 0
    while error is not None and seen < 10:
        # asyncpg reports a connection refused on every address as a bare OSError.
        if isinstance(error, _OUTAGES) or type(error) is OSError:
            return True
        if isinstance(error, sa.DBAPIError) and error.connection_invalidated:
            return True
        error = getattr(error, "orig", None) or error.__cause__ or error.__context__
        seen += 1
    return False
