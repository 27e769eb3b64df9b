"""``/healthcheck`` of a service: 503 until its start-up is done or while its database is down."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import text
from starlette.requests import Request
from starlette.responses import JSONResponse


def healthcheck(service: str, state: dict[str, Any]) -> Callable[[Request], Awaitable[JSONResponse]]:
    """The endpoint of ``service``, reading ``state["ready"]`` and ``state["engine"]`` set by its lifespan."""

    async def endpoint(request: Request) -> JSONResponse:
        if not state.get("ready"):
            return JSONResponse({"status": "starting"}, status_code=503)
        try:
            async with state["engine"].connect() as connection:
                await connection.execute(text("SELECT 1"))
        except Exception:  # the database is down: report, do not crash
            return JSONResponse({"status": "database unavailable"}, status_code=503)
        return JSONResponse({"status": "ok", "service": service})

    return endpoint
