"""A problem of one survey row: what is wrong, in which cell, in English and in Indonesian."""

from __future__ import annotations

from dataclasses import dataclass

from siir.errors import DomainError

from services.registry.imports.columns import column_for_field
from services.registry.imports.messages import pesan as indonesian


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem of a row. ``column``/``header`` are None when no single column is at fault."""

    row: int  #: the spreadsheet row number as the office sees it
    column: str | None  #: the column key
    header: str | None  #: the column's Indonesian header
    field: str | None  #: the input path (``input.owner.nik``)
    code: str  #: BAD_USER_INPUT, CONFLICT, FORBIDDEN, ...
    message: str  #: English, as the API would say it
    pesan: str  #: Indonesian, for the office


def problem(row: int, code: str, field: str | None, message: str, pesan: str | None = None) -> Problem:
    """The problem of ``row`` at ``field``; ``pesan`` defaults to the catalogue's wording of ``message``."""
    column = column_for_field(field)
    return Problem(
        row=row,
        column=column.key if column else None,
        header=column.header if column else None,
        field=field,
        code=code,
        message=message,
        pesan=pesan if pesan is not None else indonesian(code, field, message),
    )


def problem_of(row: int, error: DomainError) -> Problem:
    """The problem of ``row`` that a domain error raised later (validation, registrar) names."""
    field = error.extensions.get("field")
    return problem(row, error.extensions.get("code", error.code), field, error.message)
