"""Custom scalars."""

from __future__ import annotations

import re
from typing import Any, NewType

import strawberry


def _parse_rupiah(value: Any) -> int:
    # Accept a JSON integer or a decimal string (clients in JavaScript past 2^53 send strings).
    if isinstance(value, bool):
        raise ValueError("Rupiah must be a whole number of rupiah")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?[0-9]{1,30}", value.strip()):  # ASCII digits only
        return int(value.strip())
    if isinstance(value, float) and value.is_integer():
        return int(value)
    raise ValueError("Rupiah must be a whole number of rupiah")


Rupiah = strawberry.scalar(
    NewType("Rupiah", int),
    name="Rupiah",
    description="An amount in whole rupiah (Rp). GraphQL's Int stops at 2^31; this does not. "
    "Sent as a JSON integer; a decimal string is accepted as input.",
    serialize=int,
    parse_value=_parse_rupiah,
)
