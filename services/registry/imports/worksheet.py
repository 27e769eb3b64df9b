"""The cells of one worksheet of an XLSX workbook, streamed with expat.

openpyxl's read-only mode builds a Python object per cell and took 8 s for a full 10,000-row survey
here; the survey needs only each cell's value, whether it holds a formula, and whether its style is a
date, so the parts are read directly: the workbook (sheet names, the 1904 date system), the shared
strings, the styles' number formats, and the sheet. A part with a document type declaration is refused
(an XLSX never has one; entity expansion is how XML bombs work), as defusedxml would.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from xml.parsers import expat

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


class WorkbookUnreadable(Exception):
    """The workbook's parts are not what an XLSX holds."""


@dataclass(slots=True)
class Sheet:
    """One worksheet's non-empty cells: row number → {column number: value}, and the formula cells."""

    title: str
    rows: dict[int, dict[int, Any]] = field(default_factory=dict)
    formulas: list[tuple[int, int]] = field(default_factory=list)


def _parse(data: bytes, start: Callable[[str, dict[str, str]], None], end: Callable[[str], None] | None = None,
           text: Callable[[str], None] | None = None) -> None:
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.buffer_text = True

    def no_doctype(*_: Any) -> None:
        raise WorkbookUnreadable("document type declaration")

    parser.StartDoctypeDeclHandler = no_doctype
    parser.EntityDeclHandler = no_doctype
    parser.StartElementHandler = start
    if end is not None:
        parser.EndElementHandler = end
    if text is not None:
        parser.CharacterDataHandler = text
    try:
        parser.Parse(data, True)
    except expat.ExpatError as error:
        raise WorkbookUnreadable(str(error)) from None


def _local(name: str) -> str:
    return name.rpartition(" ")[2]


def _part(archive: zipfile.ZipFile, name: str) -> bytes | None:
    try:
        return archive.read(name)
    except KeyError:
        return None


def _relationships(archive: zipfile.ZipFile, part: str) -> dict[str, str]:
    folder, base = posixpath.split(part)
    data = _part(archive, posixpath.join(folder, "_rels", base + ".rels"))
    targets: dict[str, str] = {}
    if data is None:
        return targets

    def start(name: str, attrs: dict[str, str]) -> None:
        if _local(name) == "Relationship":
            target = attrs.get("Target", "")
            targets[attrs.get("Id", "")] = (
                target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
            )

    _parse(data, start)
    return targets


def _shared_strings(archive: zipfile.ZipFile, name: str | None) -> list[str]:
    data = _part(archive, name) if name else None
    strings: list[str] = []
    if data is None:
        return strings
    pieces: list[str] = []
    state = {"t": False, "phonetic": 0}

    def start(tag: str, attrs: dict[str, str]) -> None:
        local = _local(tag)
        if local == "si":
            pieces.clear()
        elif local == "t":
            state["t"] = True
        elif local == "rPh":  # phonetic guide text is not the cell's text
            state["phonetic"] += 1

    def end(tag: str) -> None:
        local = _local(tag)
        if local == "si":
            strings.append("".join(pieces))
        elif local == "t":
            state["t"] = False
        elif local == "rPh":
            state["phonetic"] -= 1

    def text(data: str) -> None:
        if state["t"] and not state["phonetic"]:
            pieces.append(data)

    _parse(data, start, end, text)
    return strings


def _date_styles(archive: zipfile.ZipFile, name: str | None) -> set[int]:
    """The indexes of the cell styles whose number format shows a date."""
    data = _part(archive, name) if name else None
    if data is None:
        return set()
    custom: dict[int, str] = {}
    styles: list[int] = []
    state = {"cellXfs": False}

    def start(tag: str, attrs: dict[str, str]) -> None:
        local = _local(tag)
        if local == "numFmt":
            custom[int(attrs.get("numFmtId", "0"))] = attrs.get("formatCode", "")
        elif local == "cellXfs":
            state["cellXfs"] = True
        elif local == "xf" and state["cellXfs"]:
            styles.append(int(attrs.get("numFmtId", "0")))

    def end(tag: str) -> None:
        if _local(tag) == "cellXfs":
            state["cellXfs"] = False

    _parse(data, start, end)
    dates = set()
    for index, format_id in enumerate(styles):
        code = custom.get(format_id, BUILTIN_FORMATS.get(format_id, "General"))
        if is_date_format(code):
            dates.add(index)
    return dates


def _column_number(reference: str) -> int:
    number = 0
    for char in reference:
        if "A" <= char <= "Z":
            number = number * 26 + ord(char) - 64
        else:
            break
    return number


class TooManyRows(Exception):
    """The sheet has more non-empty rows than asked for."""


def read_sheet(archive: zipfile.ZipFile, preferred: str, max_rows: int) -> Sheet:
    """The sheet named ``preferred``, or else the workbook's first sheet; TooManyRows past ``max_rows``."""
    workbook_part = "xl/workbook.xml"
    for target in _relationships(archive, "").values():
        if target.endswith("workbook.xml"):
            workbook_part = target
    sheets: list[tuple[str, str]] = []
    system = {"epoch": CALENDAR_WINDOWS_1900}

    def workbook_start(tag: str, attrs: dict[str, str]) -> None:
        local = _local(tag)
        if local == "sheet":
            sheets.append((attrs.get("name", ""), attrs.get(f"{_REL} id", "")))
        elif local == "workbookPr" and attrs.get("date1904") in ("1", "true"):
            system["epoch"] = CALENDAR_MAC_1904

    data = _part(archive, workbook_part)
    if data is None:
        raise WorkbookUnreadable("no workbook part")
    _parse(data, workbook_start)
    if not sheets:
        raise WorkbookUnreadable("no sheet")
    targets = _relationships(archive, workbook_part)
    title, rel_id = next((sheet for sheet in sheets if sheet[0] == preferred), sheets[0])
    sheet_part = targets.get(rel_id)
    shared_name = next((t for t in targets.values() if t.endswith("sharedStrings.xml")), None)
    styles_name = next((t for t in targets.values() if t.endswith("styles.xml")), None)
    sheet_data = _part(archive, sheet_part) if sheet_part else None
    if sheet_data is None:
        raise WorkbookUnreadable("sheet part missing")
    shared = _shared_strings(archive, shared_name)
    dates = _date_styles(archive, styles_name)
    return _cells(title, sheet_data, shared, dates, system["epoch"], max_rows)


def _cells(title: str, data: bytes, shared: list[str], dates: set[int], epoch: dt.datetime, max_rows: int) -> Sheet:
    # Called for every element of the sheet: plain locals, no attribute look-ups where avoidable.
    sheet = Sheet(title)
    rows = sheet.rows
    formulas = sheet.formulas
    pieces: list[str] = []
    append = pieces.append
    row = column = style = 0
    kind = "n"
    formula = collect = False
    cells: dict[int, Any] = {}
    c_tag, row_tag, v_tag, t_tag, f_tag = (f"{_MAIN} {name}" for name in ("c", "row", "v", "t", "f"))
    midnight = dt.time()

    def start(tag: str, attrs: dict[str, str]) -> None:
        nonlocal row, column, style, kind, formula, collect, cells
        if tag == c_tag:
            reference = attrs.get("r")
            column = _column_number(reference) if reference else column + 1
            kind = attrs.get("t", "n")
            style = int(attrs.get("s", 0))
            formula = False
            pieces.clear()
        elif tag == v_tag or tag == t_tag:
            collect = True
        elif tag == row_tag:
            number = attrs.get("r")
            row = int(number) if number else row + 1
            column = 0
            cells = {}
        elif tag == f_tag:
            formula = True

    def end(tag: str) -> None:
        nonlocal collect
        if tag == c_tag:
            if formula:
                formulas.append((row, column))
                return
            if not pieces:
                return
            text = "".join(pieces)
            value: Any
            if kind == "s":
                value = shared[int(text)]
            elif kind == "inlineStr" or kind == "str" or kind == "e":
                value = text
            elif kind == "b":
                value = text == "1"
            elif kind == "d":
                value = dt.datetime.fromisoformat(text)
            elif style in dates:
                value = from_excel(float(text), epoch)
                if value.time() == midnight:
                    value = value.date()
            else:
                number = float(text)
                value = int(number) if number.is_integer() and "." not in text and "E" not in text else number
            if not cells:
                if len(rows) > max_rows:
                    raise TooManyRows()
                rows[row] = cells
            cells[column] = value
        elif tag == v_tag or tag == t_tag:
            collect = False

    def text(data: str) -> None:
        if collect:
            append(data)

    try:
        _parse(data, start, end, text)
    except (ValueError, IndexError, OverflowError, TypeError):
        raise WorkbookUnreadable("cell value") from None
    return sheet
