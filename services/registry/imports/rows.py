"""One survey row's cells turned into the ``RegisterHomeIndustryInput`` the mutation takes.

Cells are read by their column's kind (dates as date cells or ``yyyy-mm-dd``/``dd/mm/yyyy``, numbers as
numbers or text with ``.`` thousands separators, Ya/Tidak, choices by Indonesian label or enum name),
under the same rules every GraphQL argument obeys (``siir/argument_rules.py``: text, date window,
rupiah range), since an import does not pass through GraphQL. The object built is the very input
the mutation validates with ``record_values``/``assessment_values``; that validation runs later,
on the whole row. Here every cell that cannot be read is reported, not only the first.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from enum import Enum
from typing import Any

from siir import argument_rules
from siir.errors import InvalidInput

from services.registry.graphql.inputs import (
    AssessmentInput,
    AssistanceReceivedInput,
    ConsentInput,
    LegalityInput,
    LocationInput,
    OwnerInput,
    ProductInput,
    RegisterHomeIndustryInput,
    WorkforceInput,
)
from services.registry.graphql.enums import LegalForm
from services.registry.imports.columns import BY_KEY, COLUMNS, Choice, Column, Kind
from services.registry.imports.files import SurveyRow
from services.registry.imports.problems import Problem, problem

LIST_SEPARATOR = ";"


class _Unreadable(Exception):
    """A cell (or an item of it) that is not of its column's kind."""

    def __init__(self, message: str, pesan: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.pesan = pesan
        self.field = field


# Reading one cell by its kind

def _text(raw: Any) -> str:
    if isinstance(raw, bool):
        return "Ya" if raw else "Tidak"
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))  # a NIK or phone typed as a number
    if isinstance(raw, dt.datetime):
        return raw.date().isoformat() if raw.time() == dt.time() else raw.isoformat(sep=" ")
    if isinstance(raw, dt.date):
        return raw.isoformat()
    return str(raw).strip()


def _clean(field: str, value: str, *, long_text: bool = False) -> str:
    maximum = argument_rules.MAX_LONG_TEXT if long_text else argument_rules.MAX_LINE
    return argument_rules.clean_text(field, value, long_text=long_text, max_length=maximum)


_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_DMY = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")


def _date(field: str, raw: Any) -> dt.date:
    if isinstance(raw, dt.datetime):
        day = raw.date()
    elif isinstance(raw, dt.date):
        day = raw
    else:
        text = _text(raw)
        iso, dmy = _ISO.fullmatch(text), _DMY.fullmatch(text)
        try:
            if iso:
                day = dt.date(int(iso[1]), int(iso[2]), int(iso[3]))
            elif dmy:
                day = dt.date(int(dmy[3]), int(dmy[2]), int(dmy[1]))
            else:
                raise ValueError(text)
        except ValueError:
            raise _Unreadable("is not a date (yyyy-mm-dd or dd/mm/yyyy)",
                              "bukan tanggal (yyyy-mm-dd atau dd/mm/yyyy, misalnya 2026-11-15 atau 15/11/2026).") from None
    argument_rules.in_date_window(field, day)
    return day


_WHOLE = re.compile(r"-?(\d{1,3}(\.\d{3})+|\d+)")


def _whole(raw: Any) -> int:
    if isinstance(raw, bool):
        raise _Unreadable("is not a whole number", "bukan bilangan bulat.")
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float):
        if raw.is_integer():
            return int(raw)
        raise _Unreadable("is not a whole number", "bukan bilangan bulat (tanpa desimal).")
    text = _text(raw).replace(" ", "")
    if not _WHOLE.fullmatch(text):
        raise _Unreadable("is not a whole number", "bukan bilangan bulat (angka saja; titik sebagai pemisah ribuan).")
    return int(text.replace(".", ""))


_RUPIAH_PREFIX = re.compile(r"^rp\.?\s*", re.IGNORECASE)
_NO_CENTS = re.compile(r",(00?|-)$")


def _rupiah(field: str, raw: Any) -> int:
    if isinstance(raw, str):
        raw = _NO_CENTS.sub("", _RUPIAH_PREFIX.sub("", raw.strip()))
    try:
        amount = _whole(raw)
    except _Unreadable:
        raise _Unreadable("is not an amount of rupiah (a whole number)",
                          "bukan jumlah rupiah (bilangan bulat, misalnya 7500000 atau 7.500.000).") from None
    return argument_rules.in_rupiah_range(field, amount)


def _decimal(raw: Any) -> float:
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        return float(raw)
    text = _text(raw).replace(" ", "")
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    if re.fullmatch(r"-?\d+(\.\d+)?", text):
        return float(text)
    raise _Unreadable("is not a decimal number", "bukan bilangan desimal (misalnya -6,9932).")


_YES = {"ya", "y", "yes", "true", "1", "benar"}
_NO = {"tidak", "t", "no", "false", "0", "tdk", "salah"}


def _yes_no(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = _text(raw).casefold()
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise _Unreadable("is neither Ya nor Tidak", "isi Ya atau Tidak.")


def _key(text: str) -> str:
    return " ".join(text.replace("_", " ").split()).casefold()


def _lookup(choices: tuple[Choice, ...]) -> dict[str, Enum]:
    table: dict[str, Enum] = {}
    for choice in choices:
        for name in (choice.label, choice.member.name, *choice.aliases):
            table[_key(name)] = choice.member
    return table


_LOOKUPS: dict[str, dict[str, Enum]] = {column.key: _lookup(column.choices) for column in COLUMNS if column.choices}


def _choice(column: Column, text: str) -> Enum:
    member = _LOOKUPS[column.key].get(_key(text))
    if member is None:
        allowed = ", ".join(column.labels)
        raise _Unreadable(f"is not one of the choices ({', '.join(c.member.name for c in column.choices)})",
                          f"\"{text}\" bukan salah satu pilihan: {allowed}.")
    return member


def _items(raw: Any) -> list[str]:
    return [item.strip() for item in _text(raw).split(LIST_SEPARATOR) if item.strip()]


_ASSISTANCE = re.compile(r"(?P<type>[^:]+):(?P<provider>.*?)(?:\((?P<year>\d{4})\))?")


def _assistance(column: Column, field: str, raw: Any) -> list[AssistanceReceivedInput]:
    received = []
    for i, item in enumerate(_items(raw)):
        found = _ASSISTANCE.fullmatch(item)
        if not found or not found["provider"].strip():
            raise _Unreadable(
                "is not written as \"Type: provider (year)\"",
                f"\"{item}\" tidak ditulis sebagai \"Jenis: Pemberi (tahun)\", misalnya \"Pelatihan: Dinas Koperasi (2022)\".",
                f"{field}[{i}]",
            )
        received.append(AssistanceReceivedInput(
            type=_choice(column, found["type"].strip()),  # type: ignore[arg-type]
            provider=_clean(f"{field}[{i}].provider", found["provider"].strip()),
            year=int(found["year"]) if found["year"] else None,
        ))
    return received


def _cell(column: Column, raw: Any) -> Any:
    """The typed value of one cell, or _Unreadable / InvalidInput."""
    field = column.field
    kind = column.kind
    if kind in (Kind.TEXT, Kind.LONG_TEXT):
        return _clean(field, _text(raw), long_text=kind is Kind.LONG_TEXT)
    if kind is Kind.DATE:
        return _date(field, raw)
    if kind is Kind.WHOLE:
        return _whole(raw)
    if kind is Kind.RUPIAH:
        return _rupiah(field, raw)
    if kind is Kind.DECIMAL:
        return _decimal(raw)
    if kind is Kind.YES_NO:
        return _yes_no(raw)
    if kind is Kind.CHOICE:
        return _choice(column, _text(raw))
    if kind is Kind.TEXT_LIST:
        item_field: Callable[[int], str] = (
            (lambda i: f"{field}[{i}].name") if column.key == "products" else (lambda i: f"{field}[{i}]")
        )
        return [_clean(item_field(i), item) for i, item in enumerate(_items(raw))]
    if kind is Kind.CHOICE_LIST:
        chosen: list[Enum] = []
        for i, item in enumerate(_items(raw)):
            try:
                member = _choice(column, item)
            except _Unreadable as error:
                error.field = f"{field}[{i}]"
                raise
            if member not in chosen:
                chosen.append(member)
        return chosen
    if kind is Kind.ASSISTANCE_LIST:
        return _assistance(column, field, raw)
    raise AssertionError(kind)


_LISTED_VILLAGE = re.compile(r"(\d{2}\.\d{2}\.\d{2}\.\d{4})\s.*", re.DOTALL)


def village_code(text: str) -> str:
    """The code of a village cell: the code itself, or a choice of the template's village list
    (``33.74.01.1001 Sekaran (Kec. Gunung Pati)``), whose first word is the code."""
    listed = _LISTED_VILLAGE.fullmatch(text)
    return listed.group(1) if listed else text


# The row

def read_row(row: SurveyRow) -> tuple[RegisterHomeIndustryInput | None, list[Problem]]:
    """The row's input, or None with every problem its cells have."""
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    for key, raw in row.cells.items():
        column = BY_KEY[key]
        try:
            values[key] = _cell(column, raw)
        except _Unreadable as error:
            problems.append(problem(row.number, "BAD_USER_INPUT", error.field or column.field, error.message,
                                    f"{column.header}: {error.pesan}"))
        except InvalidInput as error:
            problems.append(problem(row.number, error.code, error.field, error.message))
    for column in COLUMNS:
        if column.required and column.key not in row.cells:
            problems.append(problem(row.number, "BAD_USER_INPUT", column.field, "is required"))
    problems.extend(_pairs(row.number, values, row.cells))
    if problems:
        return None, problems
    return _input(values), []


def _pairs(number: int, values: dict[str, Any], cells: dict[str, Any]) -> list[Problem]:
    """Cells that only mean something together."""
    found = []
    for one, other in (("latitude", "longitude"), ("longitude", "latitude")):
        if one in cells and other not in cells:
            found.append(problem(number, "BAD_USER_INPUT", BY_KEY[other].field, "needs both latitude and longitude"))
    if "consent_recorded_on" in cells and "consent" not in cells:
        found.append(problem(
            number, "BAD_USER_INPUT", BY_KEY["consent"].field, "is required when the consent date is given",
            f"{BY_KEY['consent'].header}: wajib diisi (Ya/Tidak) bila {BY_KEY['consent_recorded_on'].header} diisi.",
        ))
    return found


_LEGALITY = ("nib", "kbli", "pirt_number", "halal_certificate_number", "legal_form")
_WORKFORCE = ("workers_female", "workers_male", "average_wage", "weekly_hours", "protection", "special_treatment",
              "trainings_attended", "trainings_wanted")


def _input(v: dict[str, Any]) -> RegisterHomeIndustryInput:
    get = v.get
    owner = OwnerInput(
        name=v["owner_name"],
        nik=v["owner_nik"],
        sex=get("owner_sex"),
        birth_year=get("owner_birth_year"),
        education=get("owner_education"),
        is_female_head_of_household=get("owner_krtp", False),
        phone=get("owner_phone"),
    )
    assessment = AssessmentInput(
        assessed_on=v["assessed_on"],
        worker_count=v["worker_count"],
        production_technology=v["production_technology"],
        capital_source=v["capital_source"],
        capital_amount=v["capital_amount"],
        production_pattern=v["production_pattern"],
        assets_excluding_land_and_buildings=get("assets"),
        annual_turnover=get("annual_turnover"),
        assessor=get("assessor"),
        notes=get("assessment_notes"),
    )
    legality = None
    if any(key in v for key in _LEGALITY):
        legality = LegalityInput(
            nib=get("nib"),
            kbli=get("kbli"),
            pirt_number=get("pirt_number"),
            halal_certificate_number=get("halal_certificate_number"),
            legal_form=get("legal_form", LegalForm.INDIVIDUAL),
        )
    workforce = None
    if any(key in v for key in _WORKFORCE):
        workforce = WorkforceInput(
            female_workers=get("workers_female", 0),
            male_workers=get("workers_male", 0),
            average_monthly_wage=get("average_wage"),
            weekly_hours=get("weekly_hours"),
            protection=get("protection", []),
            special_treatment=get("special_treatment"),
            trainings_attended=get("trainings_attended", []),
            trainings_wanted=get("trainings_wanted", []),
        )
    location = None
    if "latitude" in v and "longitude" in v:
        location = LocationInput(latitude=v["latitude"], longitude=v["longitude"])
    consent = None
    if "consent" in v:
        consent = ConsentInput(granted=v["consent"], recorded_on=get("consent_recorded_on"))
    return RegisterHomeIndustryInput(
        village_code=village_code(v["village_code"]),
        business_name=v["business_name"],
        business_category=v["business_category"],
        owner=owner,
        business_started_on=v["business_started_on"],
        first_assessment=assessment,
        registered_on=get("registered_on"),
        address=get("address"),
        location=location,
        legality=legality,
        products=[ProductInput(name=name) for name in get("products", [])],
        monthly_gross_income=get("monthly_gross_income"),
        infrastructure=get("infrastructure", []),
        workforce=workforce,
        marketing_channels=get("marketing_channels", []),
        constraints=get("constraints", []),
        hopes=get("hopes", []),
        assistance_received=get("assistance_received", []),
        consent=consent,
        additional_business_reason=get("additional_business_reason"),
    )
