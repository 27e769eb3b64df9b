"""Which database constraint a failed write broke, so a registrar can answer CONFLICT with the field."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError


def violated_constraint(error: IntegrityError) -> str | None:
    """The constraint's name (asyncpg reports it on the driver's exception), or None."""
    cause = getattr(error.orig, "__cause__", None) or error.orig
    return getattr(cause, "constraint_name", None)
