"""An ``Export`` (layout.py) → XLSX (a sheet per table and a metadata sheet) or CSV (the same content).

XLSX: every table sheet starts with the title block (report, region, period, as-of, generated at, by
whom), a blank row, the header (bold, frozen), the rows (dates as dates, numbers with the column's
number format) and a bold totals row; column widths fit the content. The metadata sheet follows
Satu Data Indonesia: indicator metadata lines, then one row per variable.

CSV (UTF-8 with a byte-order mark, CRLF): the same content one block after another, each block
introduced by a line ``#`` + the sheet's name; the title block is ``# <label>,<value>`` lines at the
top; a blank line ends each block. A reader takes a table as the lines between its ``# <sheet>``
line and the next blank line: header first, the totals row last. Dates are ISO 8601.

Every cell, titles and headers included, goes through ``safe_cell`` (cells.py).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from siir.exports.cells import safe_cell, safe_row
from siir.exports.layout import METADATA_SHEET, NUMBER_FORMATS, Export, Table

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
#: Widest a column is made (characters); longer text wraps in the cell.
MAX_WIDTH = 60


def _plain(value: Any) -> Any:
    """A value as CSV writes it: dates ISO 8601 (a timestamp to the second), the rest as is."""
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def to_csv(export: Export) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for label, value in export.title_block():
        writer.writerow(safe_row([f"# {label}", _plain(value)]))
    for table in export.tables:
        writer.writerow([])
        writer.writerow([safe_cell(f"# {table.layout.sheet.in_(export.language)}")])
        writer.writerow([safe_cell(f"# {table.layout.title.in_(export.language)}")])
        writer.writerow(safe_row(table.layout.header(export.language)))
        writer.writerows(safe_row([_plain(v) for v in row]) for row in table.rows)
        totals = table.totals_row(export.language)
        if totals is not None:
            writer.writerow(safe_row([_plain(v) for v in totals]))
    indicator, header, rows = export.metadata()
    writer.writerow([])
    writer.writerow([safe_cell(f"# {METADATA_SHEET.in_(export.language)}")])
    for label, value in indicator:
        writer.writerow(safe_row([f"# {label}", value]))
    writer.writerow(safe_row(header))
    writer.writerows(safe_row(row) for row in rows)
    # A byte-order mark so that spreadsheet programs read the region names as UTF-8.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _title_block(sheet: Any, export: Export) -> None:
    for label, value in export.title_block():
        sheet.append(safe_row([label, value]))
        sheet.cell(sheet.max_row, 1).font = Font(bold=True)
        if isinstance(value, dt.datetime):
            sheet.cell(sheet.max_row, 2).number_format = NUMBER_FORMATS["datetime"]
        elif isinstance(value, dt.date):
            sheet.cell(sheet.max_row, 2).number_format = NUMBER_FORMATS["date"]
    sheet.cell(1, 2).font = Font(bold=True, size=13)


def _widths(sheet: Any, first_row: int) -> None:
    widths: dict[int, int] = {}
    for row in sheet.iter_rows(min_row=first_row):
        for cell in row:
            if cell.value is None:
                continue
            length = 11 if isinstance(cell.value, dt.date) else len(str(cell.value))
            widths[cell.column] = max(widths.get(cell.column, 8), min(length + 2, MAX_WIDTH))
    for column, width in widths.items():
        sheet.column_dimensions[get_column_letter(column)].width = width


def _table_sheet(workbook: Workbook, export: Export, table: Table) -> None:
    lang = export.language
    sheet = workbook.create_sheet(table.layout.sheet.in_(lang))
    _title_block(sheet, export)
    sheet.append(safe_row([table.layout.title.in_(lang)]))
    sheet.cell(sheet.max_row, 1).font = Font(bold=True, italic=True)
    sheet.append(safe_row(table.layout.header(lang)))
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    body = [*table.rows]
    totals = table.totals_row(lang)
    for row in body + ([totals] if totals is not None else []):
        sheet.append(safe_row(row))
        for column, cell in zip(table.layout.columns, sheet[sheet.max_row]):
            cell.number_format = NUMBER_FORMATS[column.kind]
    if totals is not None:
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
    sheet.freeze_panes = sheet.cell(header_row + 1, 1)
    _widths(sheet, header_row)
    sheet.column_dimensions["A"].width = max(sheet.column_dimensions["A"].width or 0, 16)


def _metadata_sheet(workbook: Workbook, export: Export) -> None:
    sheet = workbook.create_sheet(METADATA_SHEET.in_(export.language))
    _title_block(sheet, export)
    indicator, header, rows = export.metadata()
    sheet.append([])
    for label, value in indicator:
        sheet.append(safe_row([label, value]))
        sheet.cell(sheet.max_row, 1).font = Font(bold=True)
        sheet.cell(sheet.max_row, 2).alignment = Alignment(wrap_text=True, vertical="top")
    sheet.append([])
    sheet.append(safe_row(header))
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(safe_row(row))
    _widths(sheet, 1)


def to_xlsx(export: Export) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for table in export.tables:
        _table_sheet(workbook, export, table)
    _metadata_sheet(workbook, export)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def render(export: Export, file_format: str) -> bytes:
    return to_csv(export) if file_format == "csv" else to_xlsx(export)
