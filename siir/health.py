"""The health endpoints of a service: ``/healthcheck`` (liveness) and ``/readiness``.

``/healthcheck`` says the process serves (503 only until its start-up is done): a supervisor restarts
a process that stops answering it. ``/readiness`` also asks each dependency (its database, a
background task) and answers 503 naming the ones that fail, so a load balancer sends no request to a
replica that could not answer it, without restarting a process that would not help.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from sqlalchemy import text
from starlette.requests import Request
from starlette.responses import JSONResponse

#: One dependency's probe: True when it can serve. It may raise; that counts as failing.
Check = Callable[[], Awaitable[bool]]

#: How long one probe may take before it counts as failing (a hung database must not hang the probe).
CHECK_TIMEOUT = 2.0


def healthcheck(service: str, state: dict[str, Any]) -> Callable[[Request], Awaitable[JSONResponse]]:
    """Liveness of ``service``: 200 once its lifespan set ``state["ready"]``, whatever its dependencies."""

    async def endpoint(request: Request) -> JSONResponse:
        if not state.get("ready"):
            return JSONResponse({"status": "starting"}, status_code=503)
        return JSONResponse({"status": "ok", "service": service})

    return endpoint


def readiness(service: str, state: dict[str, Any], checks: Mapping[str, Check]) -> Callable[[Request], Awaitable[JSONResponse]]:
    """Readiness of ``service``: started, and every check in ``checks`` passing (run concurrently)."""

    async def endpoint(request: Request) -> JSONResponse:
        if not state.get("ready"):
            return JSONResponse({"ready": False, "service": service, "status": "starting"}, status_code=503)
        outcomes = await asyncio.gather(*(_passes(check) for check in checks.values()))
        results = {name: "ok" if passed else "failing" for name, passed in zip(checks, outcomes)}
        ready = all(outcomes)
        return JSONResponse({"ready": ready, "service": service, "checks": results}, status_code=200 if ready else 503)

    return endpoint


async def _passes(check: Check) -> bool:
    try:
        return bool(await asyncio.wait_for(check(), CHECK_TIMEOUT))
    except Exception:  # a dependency that is down or hangs: report it, never crash the probe
        return False


def database_check(state: dict[str, Any], key: str = "engine") -> Check:
    """``SELECT 1`` on the engine the lifespan put at ``state[key]``."""

    async def check() -> bool:
        async with state[key].connect() as connection:
            await connection.execute(text("SELECT 1"))
        return True

    return check
