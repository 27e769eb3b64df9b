"""Logs: JSON lines for a log shipper or plain text for a terminal, and one access line per request.

``configure`` sets up the process's logging once, when whoever runs the app (uvicorn under
``siir registry|reporting|gateway``) has not: a host that configured logging itself (a test runner)
keeps its own. The access line names the request id, the operation, the caller's role, the
status and the duration; never a subject, a token, a NIK, variables or a query string.
"""

from __future__ import annotations

import datetime as dt
import logging
import sys
from typing import Any

import orjson

from siir.observability.request import RequestNotes
from siir.settings import Settings

ACCESS = logging.getLogger("siir.access")
#: The fields of an access line, in the order a text line shows them.
ACCESS_FIELDS = ("service", "request_id", "method", "path", "operation", "role", "status", "outcome",
                 "duration_ms", "trace_id")
_configured = False


class JsonLines(logging.Formatter):
    """One JSON object per record: time, level, logger, message, and an access line's fields."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        access = getattr(record, "access", None)
        if access:
            line.update(access)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(line).decode()


class PlainText(logging.Formatter):
    """``time level logger message``; an access line's fields as ``key=value``."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        access = getattr(record, "access", None)
        if access:
            text += " " + " ".join(f"{k}={access[k]}" for k in ACCESS_FIELDS if access.get(k) is not None)
        return text


def configure(settings: Settings) -> None:
    """Logging for this process as ``settings`` say (once; not over a host's own set-up)."""
    global _configured
    if settings.log_format not in ("json", "text"):
        raise ValueError(f"SIIR_LOG_FORMAT is {settings.log_format!r}: use json or text")
    ACCESS.setLevel(logging.INFO if settings.access_log else logging.WARNING)
    root = logging.getLogger()
    if _configured or root.handlers:
        return
    _configured = True
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonLines() if settings.log_format == "json" else PlainText())
    root.addHandler(handler)
    root.setLevel(settings.log_level.upper())
    # uvicorn's own lines (start-up, errors) through the same handler, in the same format.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True


def log_request(service: str, notes: RequestNotes, status: int, outcome: str, seconds: float) -> None:
    """The access line of one request."""
    if not ACCESS.isEnabledFor(logging.INFO):
        return
    access = {
        "service": service,
        "request_id": notes.request_id,
        "method": notes.method,
        "path": notes.path,
        "operation": notes.operation,
        "role": notes.role,
        "status": status,
        "outcome": outcome,
        "duration_ms": round(seconds * 1000, 2),
        "trace_id": notes.trace_id,
    }
    # A record made here rather than by ACCESS.info: the caller's frame, file and line are not
    # looked up for a line whose origin is always this function (a fifth of its cost).
    record = logging.LogRecord(ACCESS.name, logging.INFO, __file__, 0, "%s %s %d",
                               (notes.method, notes.path, status), None, "log_request")
    record.access = access
    ACCESS.handle(record)
