"""Codes and ids as tokens and clients write them: ASCII digits only.

Python's ``\\d``, ``str.isdigit()`` and ``int()`` also accept other scripts' digits (fullwidth
"３３", Arabic-Indic "٣٣"), and ``$`` matches before a trailing newline, so "٣٣" or "33\\n" would
otherwise be read as region 33. Every check of an identity claim or an id typed by a client goes
through here.
"""

from __future__ import annotations

import re

from siir.errors import InvalidInput

#: A Kemendagri region code of any level: "33", "33.74", "33.74.01", "33.74.01.1001".
REGION_CODE = re.compile(r"[0-9]{2}(?:\.[0-9]{2}(?:\.[0-9]{2}(?:\.[0-9]{4})?)?)?")
PROVINCE_CODE = re.compile(r"[0-9]{2}")
REGENCY_CODE = re.compile(r"[0-9]{2}\.[0-9]{2}")
_DECIMAL = re.compile(r"[0-9]{1,19}")
#: A region code or the start of one, as filters take it ("33", "33.7", "33.74.01").
_CODE_PREFIX = re.compile(r"[0-9]+(?:\.[0-9]+)*")


def is_region_code(text: object) -> bool:
    """Whether ``text`` is exactly a Kemendagri code (no surrounding space, ASCII digits)."""
    return isinstance(text, str) and REGION_CODE.fullmatch(text) is not None


def is_code_prefix(text: object) -> bool:
    """Whether ``text`` is dot-separated ASCII digits of at most 20 characters (a region filter)."""
    return isinstance(text, str) and len(text) <= 20 and _CODE_PREFIX.fullmatch(text) is not None


def check_code_form(field: str, text: str) -> str:
    """``text`` if it is written as a region code (``is_code_prefix``), else BAD_USER_INPUT naming
    ``field``: a scope check that follows never calls an empty or garbled code "outside your scope"."""
    if not is_code_prefix(text):
        raise InvalidInput(field, "is not a Kemendagri region code")
    return text


def decimal(text: object) -> int:
    """The non-negative integer written in ``text`` with 1–19 ASCII digits and below 2^63 (it fits
    PostgreSQL's bigint, so a cursor or id read with it never overflows a query); ValueError
    otherwise (no sign, underscore, space or other script's digits, which ``int()`` would take)."""
    if not isinstance(text, str) or _DECIMAL.fullmatch(text) is None:
        raise ValueError("is not a number in ASCII digits")
    number = int(text)
    if number >= 2**63:
        raise ValueError("is beyond 2^63 - 1")
    return number


def record_id(value: object) -> int | None:
    """A record id (1 ≤ id < 2^63): an int, or text in ASCII digits; else None."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value if 0 < value < 2**63 else None
    try:
        number = decimal(value)
    except ValueError:
        return None
    return number if 0 < number < 2**63 else None
