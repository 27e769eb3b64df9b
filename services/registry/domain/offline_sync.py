"""Offline capture: the rules of a batch a facilitator's app syncs after working without signal.

Each item carries a client-generated id (a UUID). Replaying an item answers what it answered the
first time and writes nothing; the same id sent with other content is refused, because the client
is confused about what it already sent and guessing would lose or double work.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import json
import uuid
from collections.abc import Mapping
from typing import Any

from siir.errors import InvalidInput

#: The most items one sync request carries; a longer backlog is sent in several batches.
MAX_ITEMS = 50

REGISTRATION, ASSESSMENT, MENTORING_NOTE, UPDATE = "REGISTRATION", "ASSESSMENT", "MENTORING_NOTE", "UPDATE"
#: Item kinds by the GraphQL input field that carries them.
KINDS = {"registration": REGISTRATION, "assessment": ASSESSMENT, "mentoring_note": MENTORING_NOTE, "update": UPDATE}


def check_batch_size(count: int) -> None:
    """A batch holds one to ``MAX_ITEMS`` items."""
    if count == 0:
        raise InvalidInput("items", "is empty: send at least one item")
    if count > MAX_ITEMS:
        raise InvalidInput("items", f"has {count} items, more than {MAX_ITEMS}: send the rest in another batch")


def client_id(field: str, value: str) -> uuid.UUID:
    """A client-generated id: a UUID in its canonical text form."""
    try:
        parsed = uuid.UUID(str(value))
    except ValueError:
        raise InvalidInput(field, "is not a UUID") from None
    if str(parsed) != str(value).lower():
        raise InvalidInput(field, "is not a UUID in its canonical form (8-4-4-4-12 hexadecimal digits)")
    return parsed


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {field.name: _plain(getattr(value, field.name)) for field in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return _plain(value.value)
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)  # dates, decimals; an omitted (UNSET) field reads the same every time


def fingerprint(kind: str, content: Any) -> str:
    """SHA-256 of an item's kind and content: the same item replayed has the same one."""
    text = json.dumps([kind, _plain(content)], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def reused_id(stored: Mapping[str, Any], kind: str, print_: str, subject: str) -> bool:
    """Whether a stored item with this client id is another item (not a replay of this one)."""
    return stored["kind"] != kind or stored["fingerprint"] != print_ or stored["subject"] != subject


def differing_fields(sent: Mapping[str, Any], current: Mapping[str, Any]) -> list[str]:
    """The record's columns the client's change sets to a value the server's current record does not
    have (what it would overwrite), by their API names (camelCase)."""
    return sorted(
        _camel(name) for name, value in sent.items() if name in current and _plain(current[name]) != _plain(value)
    )


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)
