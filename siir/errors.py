"""Errors a caller can act on, each with the ``extensions.code`` clients switch on.

Plain exceptions with an ``extensions`` attribute: graphql-core copies it onto the GraphQL
error when a resolver raises one, so domain code raises these without importing GraphQL.
Anything else a resolver raises is masked as INTERNAL_SERVER_ERROR (see ``siir.graphql``).
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of the errors reported to callers as they are."""

    code = "INTERNAL_SERVER_ERROR"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.extensions: dict[str, Any] = {"code": self.code, **details}


class InvalidInput(DomainError):
    """The request asks for something invalid; ``field`` is the path of the offending input."""

    code = "BAD_USER_INPUT"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}", field=field)
        self.field = field


class NotFound(DomainError):
    code = "NOT_FOUND"


class Conflict(DomainError):
    """The change lost a race or breaks a uniqueness rule; re-read and try again."""

    code = "CONFLICT"


class Forbidden(DomainError):
    """The caller is known but its role or region does not reach what it asked for.

    ``region`` and ``record`` say what was asked for, for an audit trail of denied attempts; they
    are not sent to the caller.
    """

    code = "FORBIDDEN"

    def __init__(self, message: str, *, region: str | None = None, record: Any = None, **details: Any) -> None:
        super().__init__(message, **details)
        self.region = region
        self.record = record

    def concerning(self, record: Any) -> "Forbidden":
        """The same refusal, naming the record (the service's own description of it) it was about."""
        self.record = record
        return self


class Unauthenticated(DomainError):
    """No credential, or one that does not verify (expired, wrong key, wrong audience…)."""

    code = "UNAUTHENTICATED"


class ServiceUnavailable(DomainError):
    """A dependency (the database, a subgraph) is down, restarting or saturated: the same request
    may well succeed later. ``retryAfter`` says how many seconds to wait first."""

    code = "SERVICE_UNAVAILABLE"

    def __init__(self, message: str, retry_after: int = 5) -> None:
        super().__init__(message, retryAfter=retry_after)
        self.retry_after = retry_after


class BadRequest(DomainError):
    """The HTTP request itself is malformed or ambiguous (e.g. two ``Authorization`` headers)."""

    code = "BAD_REQUEST"
