"""What an audit event says about a write: the columns it changed, before and after."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

#: Bookkeeping columns every write touches; the trail records what a person changed.
NOT_AUDITED = frozenset({"updated_at", "created_at"})


def _plain(value: Any) -> Any:
    """A JSON value (dates as ISO text)."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def changes(before: Mapping[str, Any] | None, after: Mapping[str, Any]) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """(before, after) restricted to the columns that differ; ``before`` None for a new record."""
    if before is None:
        return None, {k: _plain(v) for k, v in after.items() if k not in NOT_AUDITED}
    changed = [k for k in after if k not in NOT_AUDITED and before.get(k) != after[k]]
    return {k: _plain(before.get(k)) for k in changed}, {k: _plain(after[k]) for k in changed}
