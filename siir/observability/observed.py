"""The one ASGI middleware every service runs outermost: request id, access line, metrics, traces.

Per HTTP request it takes or makes the request id (echoed as ``X-Request-Id``), opens the
request's notes, and when the answer is sent counts it, times it and logs one line. On the
lifespan's start-up it sets up the process's logging, tracing, the metrics listener and the
database pool gauge; on shutdown it closes what it opened.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from siir.observability import metrics, request_id, request_log, tracing
from siir.observability.request import CURRENT, RequestNotes, current
from siir.settings import Settings

#: Longest path an access line or metric keeps (paths are the client's).
MAX_PATH = 200


class Observed:
    """Observes ``app`` as the service ``service`` (gateway, registry, reporting)."""

    def __init__(self, app: Any, *, service: str, settings: Settings, metrics_port: int = 0,
                 engine: Callable[[], Any] | None = None) -> None:
        self.app = app
        self.inner = app  # OpenTelemetry's ASGI middleware around ``app`` while tracing
        self.service = service
        self.settings = settings
        self.metrics_port = metrics_port
        self.engine = engine
        self._closers: list[Callable[[], None]] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            await self._http(scope, receive, send)
        elif scope["type"] == "lifespan":
            await self.app(scope, self._lifespan_receive(receive), send)
        else:
            await self.inner(scope, receive, send)

    async def _http(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        notes = RequestNotes(request_id.from_headers(scope["headers"]), scope["method"], scope["path"][:MAX_PATH])
        echoed = (request_id.HEADER, notes.request_id.encode("ascii"))
        status = 500  # unless a response starts: the app failed

        async def reply(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message = {**message, "headers": [*message.get("headers", ()), echoed]}
            await send(message)

        token = CURRENT.set(notes)
        started = time.perf_counter()
        try:
            await self.inner(scope, receive, reply)
        finally:
            seconds = time.perf_counter() - started
            outcome = metrics.outcome(status, notes.graphql_errors)
            metrics.observe_request(self.service, metrics.operation_label(notes.operation, notes.path), outcome,
                                    seconds)
            request_log.log_request(self.service, notes, status, outcome, seconds)
            CURRENT.reset(token)

    def _lifespan_receive(self, receive: Any) -> Any:
        async def wrapped() -> dict[str, Any]:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self.start()
            elif message["type"] == "lifespan.shutdown":
                self.stop()
            return message
        return wrapped

    def start(self) -> None:
        """Logging, tracing, the metrics listener and the pool gauge (before the app's own start-up)."""
        settings = self.settings
        request_log.configure(settings)
        tracing.configure(self.service, settings.tracing)
        self.inner = tracing.server_span(self.app, _note_trace) if tracing.active() else self.app
        self._closers.append(metrics.LISTENERS.open(settings.metrics_host, self.metrics_port))
        if self.engine is not None:
            self._closers.append(metrics.watch_pool(self.service, self.engine))

    def stop(self) -> None:
        """Close what ``start`` opened."""
        while self._closers:
            self._closers.pop()()


def _note_trace(trace_id: str) -> None:
    notes = current()
    if notes is not None:
        notes.trace_id = trace_id
