"""What one request notes about itself while it runs, for its log line and metrics.

The middleware opens a ``RequestNotes`` per request and keeps it in a context variable; the code
that learns the operation name, the caller's role or that GraphQL errors were answered notes them
here, without knowing where they end up. Outside a request the notes go nowhere.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(slots=True)
class RequestNotes:
    """One request's facts; never personal data (a role, not a subject; a name, not variables)."""

    request_id: str
    method: str
    path: str
    operation: str | None = None
    role: str | None = None
    graphql_errors: bool = False
    trace_id: str | None = None


CURRENT: ContextVar[RequestNotes | None] = ContextVar("siir_request_notes", default=None)


def current() -> RequestNotes | None:
    """The notes of the request being served, if any."""
    return CURRENT.get()


def note_operation(name: str | None) -> None:
    """The GraphQL operation's name (``None``: an anonymous operation)."""
    notes = CURRENT.get()
    if notes is not None:
        notes.operation = name or "anonymous"


def note_role(role: str) -> None:
    """The verified caller's role."""
    notes = CURRENT.get()
    if notes is not None:
        notes.role = role


def note_graphql_errors() -> None:
    """The answer carries GraphQL errors (with data or without)."""
    notes = CURRENT.get()
    if notes is not None:
        notes.graphql_errors = True
