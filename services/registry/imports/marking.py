"""The office's own survey workbook returned with what the check found.

Each problem cell is filled red with an Indonesian comment, a status column (``Hasil pemeriksaan``)
ends the data sheet, and a ``Laporan pemeriksaan`` sheet lists every problem. A CSV upload comes back
as an XLSX built from its rows. Every cell written goes through ``safe_cell``: text taken from an
upload must not come back as a formula.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum

from siir.exports.cells import safe_cell

from services.registry.imports.columns import BY_KEY
from services.registry.imports.files import DATA_SHEET, STATUS_HEADER, SurveyFile
from services.registry.imports.problems import Problem

REPORT_SHEET = "Laporan pemeriksaan"
_RED = "FFC7CE"
_GREEN = "C6EFCE"
_AMBER = "FFEB9C"


class RowStatus(Enum):
    """What became of a row."""

    VALID = "VALID"  #: passed every check; would be registered
    INVALID = "INVALID"  #: has problems
    ALREADY_IMPORTED = "ALREADY_IMPORTED"  #: the same row was registered by an earlier import
    REGISTERED = "REGISTERED"  #: registered by this import


@dataclass(frozen=True, slots=True)
class RowOutcome:
    status: RowStatus
    problems: Sequence[Problem] = field(default_factory=tuple)
    registration_number: str | None = None


def status_text(outcome: RowOutcome) -> str:
    """The row's status as the office reads it."""
    number = outcome.registration_number
    if outcome.status is RowStatus.REGISTERED:
        return f"Terdaftar: {number}" if number else "Terdaftar"
    if outcome.status is RowStatus.ALREADY_IMPORTED:
        return f"Sudah terdaftar ({number})" if number else "Sudah terdaftar"
    if outcome.status is RowStatus.VALID and not outcome.problems:
        return "Siap didaftarkan"
    return "\n".join(problem.pesan for problem in outcome.problems) or "Tidak dapat didaftarkan"


def marked_xlsx(survey: SurveyFile, content: bytes, outcomes: Mapping[int, RowOutcome]) -> bytes:
    """The uploaded workbook (or, for a CSV, one built from its rows) marked with ``outcomes`` by row number."""
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill

    book, sheet = _open(survey, content)
    red = PatternFill("solid", fgColor=_RED)
    fills = {RowStatus.REGISTERED: PatternFill("solid", fgColor=_GREEN),
             RowStatus.VALID: PatternFill("solid", fgColor=_GREEN),
             RowStatus.ALREADY_IMPORTED: PatternFill("solid", fgColor=_AMBER),
             RowStatus.INVALID: red}
    status_column = _status_column(sheet)
    header = sheet.cell(row=1, column=status_column, value=STATUS_HEADER)
    header.font = Font(bold=True)
    sheet.column_dimensions[header.column_letter].width = 60
    wrap = Alignment(wrap_text=True, vertical="top")
    for number, outcome in sorted(outcomes.items()):
        by_cell: dict[int, list[str]] = {}
        for problem in outcome.problems:
            position = survey.positions.get(problem.column) if problem.column else None
            if position is not None:
                by_cell.setdefault(position, []).append(problem.pesan)
        for position, texts in by_cell.items():
            cell = sheet.cell(row=number, column=position)
            cell.fill = red
            comment = Comment(safe_cell("\n".join(texts)), "SIIR")
            comment.width, comment.height = 300, 120
            cell.comment = comment
        status = sheet.cell(row=number, column=status_column, value=safe_cell(status_text(outcome)))
        status.fill = fills[outcome.status if not outcome.problems else RowStatus.INVALID]
        status.alignment = wrap
    _report(book, outcomes)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _open(survey: SurveyFile, content: bytes):  # type: ignore[no-untyped-def]
    from openpyxl import Workbook, load_workbook

    if survey.format == "xlsx":
        book = load_workbook(io.BytesIO(content))
        return book, book[survey.sheet] if survey.sheet in book.sheetnames else book.worksheets[0]
    book = Workbook()
    sheet = book.active
    sheet.title = DATA_SHEET
    for key, position in survey.positions.items():
        sheet.cell(row=1, column=position, value=BY_KEY[key].header)
    for row in survey.rows:
        for key, value in row.cells.items():
            sheet.cell(row=row.number, column=survey.positions[key], value=safe_cell(value))
    sheet.freeze_panes = "A2"
    return book, sheet


def _status_column(sheet) -> int:  # type: ignore[no-untyped-def]
    """The existing status column (a marked file uploaded again), or the one after the last."""
    for cell in next(sheet.iter_rows(min_row=1, max_row=1), ()):
        if isinstance(cell.value, str) and cell.value.strip().casefold() == STATUS_HEADER.casefold():
            return cell.column
    return sheet.max_column + 1


def _report(book, outcomes: Mapping[int, RowOutcome]) -> None:  # type: ignore[no-untyped-def]
    from openpyxl.styles import Font

    if REPORT_SHEET in book.sheetnames:
        del book[REPORT_SHEET]
    report = book.create_sheet(REPORT_SHEET)
    report.append(["Baris", "Kolom", "Kode", "Pesan"])
    for cell in report[1]:
        cell.font = Font(bold=True)
    for number, outcome in sorted(outcomes.items()):
        for problem in outcome.problems:
            report.append([number, safe_cell(problem.header or ""), problem.code, safe_cell(problem.pesan)])
    for letter, width in zip("ABCD", (8, 34, 18, 90)):
        report.column_dimensions[letter].width = width
    report.freeze_panes = "A2"
