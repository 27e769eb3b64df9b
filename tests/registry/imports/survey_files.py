"""Survey files for the tests, built as an office would: the template filled in with openpyxl, or CSV text."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

import openpyxl

from services.registry.imports.columns import COLUMNS
from services.registry.imports.template import template_xlsx

#: A complete row as the template's examples give it (Kota Semarang, a valid NIK).
EXAMPLE: dict[str, Any] = {column.key: column.example for column in COLUMNS}
del EXAMPLE["additional_business_reason"]


def filled_workbook(rows: Sequence[dict[str, Any]], *, header: Sequence[str] | None = None) -> bytes:
    """The template with ``rows`` (cells by column key) typed in from row 2."""
    book = openpyxl.load_workbook(io.BytesIO(template_xlsx()))
    sheet = book["Data IR"]
    if header is not None:
        for position in range(1, sheet.max_column + 1):
            sheet.cell(row=1, column=position, value=None)
        for position, text in enumerate(header, start=1):
            sheet.cell(row=1, column=position, value=text)
    keys = [column.key for column in COLUMNS]
    for number, row in enumerate(rows, start=2):
        for key, value in row.items():
            sheet.cell(row=number, column=keys.index(key) + 1, value=value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(rows: Sequence[dict[str, Any]], *, delimiter: str = ",", bom: bool = True,
              header: Sequence[str] | None = None, encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header if header is not None else [column.header for column in COLUMNS])
    for row in rows:
        writer.writerow([row.get(column.key, "") for column in COLUMNS])
    return (("\ufeff" if bom else "") + out.getvalue()).encode(encoding)
