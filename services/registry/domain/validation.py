"""Input rules for IR records and assessments, as plain Python.

Each check raises ``InvalidInput`` naming the offending field by its GraphQL input path, so a
portal can put the message next to the right box. Nothing here touches the database; whether a
village code exists is checked where the regions are (``registrar``). Every value has passed the
rules of all arguments already (siir/argument_rules.py: no control characters, NFC, lengths, the
date window); these are the rules of particular fields.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from lokal import parse_nik, parse_phone

from siir import argument_rules, identifiers
from siir.errors import InvalidInput

MAX_NAME = 200
MAX_TEXT = argument_rules.MAX_LONG_TEXT
MAX_LIST = 50
MAX_COUNT = 100_000
MAX_RUPIAH = argument_rules.MAX_RUPIAH
EARLIEST_DATE = argument_rules.DATE_WINDOW[0]
#: Indonesia's extent, with a margin: coordinates outside are a swapped or mistyped pair.
LATITUDE_RANGE = (-11.5, 6.5)
LONGITUDE_RANGE = (94.5, 141.5)


def text(field: str, value: str | None, *, required: bool = False, max_length: int = MAX_NAME) -> str | None:
    if value is None:
        if required:
            raise InvalidInput(field, "is required")
        return None
    value = value.strip()
    if required and not value:
        raise InvalidInput(field, "must not be empty")
    if len(value) > max_length:
        raise InvalidInput(field, f"is longer than {max_length} characters")
    return value or None


def kbli(field: str, value: str | None) -> str | None:
    """A KBLI 2020 business classification code: exactly five ASCII digits (e.g. ``10792``), or none."""
    code = text(field, value, max_length=40)
    if code is None:
        return None
    if not (len(code) == 5 and code.isascii() and code.isdigit()):
        raise InvalidInput(field, "is not a KBLI code: five digits such as 10792")
    return code


def list_length(field: str, items: Sequence[Any]) -> None:
    if len(items) > MAX_LIST:
        raise InvalidInput(field, f"has more than {MAX_LIST} items")


def text_list(field: str, values: Sequence[str] | None, *, max_length: int = MAX_NAME) -> list[str]:
    if values is None:
        return []
    list_length(field, values)
    cleaned = [text(f"{field}[{i}]", v, required=True, max_length=max_length) for i, v in enumerate(values)]
    return [v for v in cleaned if v is not None]


def count(field: str, value: int | None, *, minimum: int = 0) -> int | None:
    if value is None:
        return None
    if value < minimum or value > MAX_COUNT:
        raise InvalidInput(field, f"must be between {minimum} and {MAX_COUNT}")
    return value


def rupiah(field: str, value: int | None) -> int | None:
    if value is None:
        return None
    if value < 0 or value > MAX_RUPIAH:
        raise InvalidInput(field, f"must be between 0 and {MAX_RUPIAH} rupiah")
    return value


def record_id(field: str, value: str | None, *, required: bool = False, what: str = "") -> int | None:
    """A record id as the API shows it (a positive integer as a string); ``what`` names the record in
    the refusal ("is not a transfer id")."""
    if value is None:
        if required:
            raise InvalidInput(field, "is required")
        return None
    number = identifiers.record_id(str(value))
    if number is None:  # ASCII digits only: int() would also read "١٢" or "1_2" as 12
        raise InvalidInput(field, f"is not a {what} id" if what else "is not an id")
    return number


def required_id(field: str, value: str | None, *, what: str = "") -> int:
    """``record_id`` for an id the input must carry."""
    number = record_id(field, value, required=True, what=what)
    assert number is not None
    return number


def reference_id(value: object) -> int | None:
    """The record id in an entity representation or look-up, or None when it cannot name a record
    (such an id resolves as missing, like one of another region: nothing to learn from it)."""
    return identifiers.record_id(str(value))


def period(field: str, start: dt.date | None, end: dt.date | None, *, required: bool = True) -> tuple[dt.date | None, dt.date | None]:
    """``[start, end]``: end on or after start; dates in the programme's era."""
    if start is None:
        if required:
            raise InvalidInput(f"{field}From", "is required")
    elif start < EARLIEST_DATE:
        raise InvalidInput(f"{field}From", f"is before {EARLIEST_DATE.isoformat()}")
    if end is not None:
        if end < EARLIEST_DATE:
            raise InvalidInput(f"{field}Until", f"is before {EARLIEST_DATE.isoformat()}")
        if start is not None and end < start:
            raise InvalidInput(f"{field}Until", "is before the period starts")
    return start, end


def email(field: str, value: str | None) -> str | None:
    value = text(field, value, max_length=254)
    if value is None:
        return None
    local, at, domain = value.partition("@")
    if not at or not local or "." not in domain or " " in value:
        raise InvalidInput(field, "is not an e-mail address")
    return value


def past_date(field: str, value: dt.date | None, today: dt.date, *, required: bool = False) -> dt.date | None:
    if value is None:
        if required:
            raise InvalidInput(field, "is required")
        return None
    if value > today:
        raise InvalidInput(field, "is in the future")
    if value < EARLIEST_DATE:
        raise InvalidInput(field, f"is before {EARLIEST_DATE.isoformat()}")
    return value


def nik(field: str, value: str) -> tuple[str, str, int]:
    """A valid NIK as (16 digits, sex FEMALE/MALE, birth year), per lokal-id's structure checks."""
    info = parse_nik(value)
    if not info.valid or info.nik is None or info.birth_date is None:
        reason = "; ".join(issue.message for issue in info.errors) or "is not a valid NIK"
        raise InvalidInput(field, f"is not a valid NIK ({reason})")
    sex = "FEMALE" if info.gender == "P" else "MALE"
    return info.nik, sex, int(info.birth_date[:4])


def phone(field: str, value: str | None) -> str | None:
    value = text(field, value, max_length=40)
    if value is None:
        return None
    info = parse_phone(value)
    if not info.valid or not info.e164:
        raise InvalidInput(field, "is not an Indonesian phone number (08…, 62…, +62…)")
    return info.e164


def coordinates(field: str, latitude: float | None, longitude: float | None) -> tuple[float | None, float | None]:
    if latitude is None and longitude is None:
        return None, None
    if latitude is None or longitude is None:
        raise InvalidInput(field, "needs both latitude and longitude")
    if not LATITUDE_RANGE[0] <= latitude <= LATITUDE_RANGE[1]:
        raise InvalidInput(f"{field}.latitude", "is outside Indonesia")
    if not LONGITUDE_RANGE[0] <= longitude <= LONGITUDE_RANGE[1]:
        raise InvalidInput(f"{field}.longitude", "is outside Indonesia")
    return latitude, longitude


def owner(field: str, *, nik_value: str, sex: str | None, birth_year: int | None, krtp: bool, today: dt.date) -> dict[str, Any]:
    """The owner's identity: the NIK is authoritative for sex and birth year (it encodes both)."""
    digits, nik_sex, nik_birth_year = nik(f"{field}.nik", nik_value)
    if sex is not None and sex != nik_sex:
        raise InvalidInput(f"{field}.sex", f"is {sex} but the NIK encodes {nik_sex}")
    if birth_year is not None:
        if not EARLIEST_DATE.year <= birth_year <= today.year:
            raise InvalidInput(f"{field}.birthYear", f"must be between {EARLIEST_DATE.year} and {today.year}")
        if birth_year % 100 != nik_birth_year % 100:
            raise InvalidInput(f"{field}.birthYear", f"does not match the NIK's birth date ({nik_birth_year})")
    else:
        birth_year = nik_birth_year
    if krtp and nik_sex != "FEMALE":
        raise InvalidInput(f"{field}.isFemaleHeadOfHousehold", "only a woman can be a female head of household (KRTP)")
    return {"owner_nik": digits, "owner_sex": nik_sex, "owner_birth_year": birth_year}

