"""An uploaded survey file (XLSX or CSV) read into raw rows, or refused as a whole.

Only the file's shape is judged here: its kind (by its bytes, not its name), its size, its header
and its formulas. Each data row keeps the spreadsheet row number the office sees and its cells as
they are (text, number, date); ``rows.py`` turns them into inputs.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from siir.errors import InvalidInput

from services.registry.imports.columns import BY_HEADER, REQUIRED, Column, normalized_header
from services.registry.imports.worksheet import TooManyRows, WorkbookUnreadable, read_sheet

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20_000
#: The sheet of the template; another workbook is read from its first sheet.
DATA_SHEET = "Data IR"
#: The status column the marked workbook adds: ignored when that workbook comes back corrected.
STATUS_HEADER = "Hasil pemeriksaan"
#: Most bytes the workbook's parts may hold once unzipped, and the most one part may grow by
#: (a zip bomb unpacks a small file into gigabytes).
MAX_UNZIPPED_BYTES = 100 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200
#: How many formula cells a refusal names before it counts the rest.
NAMED_CELLS = 10

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (_OLE, "an old Excel (.xls) or password-protected workbook",
     "berkas Excel lama (.xls) atau buku kerja berkata sandi"),
    (b"%PDF", "a PDF document", "dokumen PDF"),
    (b"\x89PNG", "an image", "gambar"),
    (b"\xff\xd8\xff", "an image", "gambar"),
    (b"GIF8", "an image", "gambar"),
    (b"RIFF", "an image or media file", "gambar atau berkas media"),
)
_SAVE_AS = ("Save it as an Excel workbook (.xlsx) or CSV UTF-8 and upload it again.",
            "Simpan sebagai Buku Kerja Excel (.xlsx) atau CSV UTF-8 lalu unggah lagi.")


class FileRefused(InvalidInput):
    """The uploaded file cannot be read as a survey file at all; ``pesan`` says why in Indonesian."""

    def __init__(self, message: str, pesan: str) -> None:
        super().__init__("file", message)
        self.pesan = pesan
        self.extensions["pesan"] = pesan


@dataclass(frozen=True, slots=True)
class SurveyRow:
    """One data row: its row number as the office sees it (the header is row 1) and its raw cells by column key."""

    number: int
    cells: dict[str, Any]


@dataclass(frozen=True, slots=True)
class SurveyFile:
    """A survey file that passed the checks of its shape."""

    format: Literal["xlsx", "csv"]
    sheet: str | None  #: the sheet read (None for a CSV)
    positions: dict[str, int]  #: column key → its 1-based column number in the file
    rows: list[SurveyRow] = field(default_factory=list)
    delimiter: str | None = None  #: the CSV's separator


def read_survey(content: bytes, filename: str) -> SurveyFile:
    """The survey file in ``content``, or ``FileRefused``; ``filename`` only helps to word a refusal."""
    if len(content) > MAX_FILE_BYTES:
        raise FileRefused(
            f"the file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB; split it into several files",
            f"Berkas lebih besar dari {MAX_FILE_BYTES // (1024 * 1024)} MiB; bagi menjadi beberapa berkas.",
        )
    if not content.strip():
        raise _empty()
    for signature, what, apa in _SIGNATURES:
        if content.startswith(signature):
            raise FileRefused(f"the file is {what}, not XLSX or CSV. {_SAVE_AS[0]}",
                              f"Berkas ini {apa}, bukan XLSX atau CSV. {_SAVE_AS[1]}")
    if content.startswith(b"PK\x03\x04") or content.startswith(b"PK\x05\x06"):
        return _read_xlsx(content)
    return _read_csv(content)


def _empty() -> FileRefused:
    return FileRefused("the file has no data rows", "Berkas tidak berisi baris data.")


# XLSX

def _check_zip(content: bytes) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        entries = archive.infolist()
        names = {entry.filename for entry in entries}
        mimetype = archive.read("mimetype")[:100] if "mimetype" in names else b""
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, NotImplementedError):
        raise FileRefused(f"the file is a damaged ZIP archive, not XLSX. {_SAVE_AS[0]}",
                          f"Berkas ini arsip ZIP yang rusak, bukan XLSX. {_SAVE_AS[1]}") from None
    if b"opendocument" in mimetype:
        raise FileRefused(f"the file is an OpenDocument spreadsheet (.ods), not XLSX. {_SAVE_AS[0]}",
                          f"Berkas ini lembar kerja OpenDocument (.ods), bukan XLSX. {_SAVE_AS[1]}")
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise FileRefused(f"the file is a ZIP archive, not an Excel workbook. {_SAVE_AS[0]}",
                          f"Berkas ini arsip ZIP, bukan buku kerja Excel. {_SAVE_AS[1]}")
    # The sizes the ZIP directory declares; zipfile refuses to unpack more than declared.
    total = sum(entry.file_size for entry in entries)
    if total > MAX_UNZIPPED_BYTES or any(
        entry.file_size > MAX_COMPRESSION_RATIO * max(entry.compress_size, 1024) for entry in entries
    ):
        raise FileRefused("the workbook unpacks to far more data than a survey holds (a ZIP bomb?)",
                          "Buku kerja ini membengkak jauh melebihi isi survei saat dibuka (bom ZIP?).")


def _read_xlsx(content: bytes) -> SurveyFile:
    _check_zip(content)
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            sheet = read_sheet(archive, DATA_SHEET, MAX_ROWS + 1)  # + 1: the header
    except TooManyRows:
        raise _too_many() from None
    except (WorkbookUnreadable, zipfile.BadZipFile, KeyError, ValueError, OSError, EOFError):
        raise FileRefused(f"the workbook cannot be read. {_SAVE_AS[0]}",
                          f"Buku kerja tidak dapat dibaca. {_SAVE_AS[1]}") from None
    if sheet.formulas:
        cells = [f"{_letter(column)}{row}" for row, column in sorted(sheet.formulas)]
        named = ", ".join(cells[:NAMED_CELLS])
        more = len(cells) - NAMED_CELLS
        raise FileRefused(
            f"cells hold formulas ({named}{f' and {more} more' if more > 0 else ''}): nothing is computed on the "
            "server; paste them as values",
            f"Sel berisi rumus ({named}{f' dan {more} lainnya' if more > 0 else ''}): server tidak menghitung "
            "rumus; salin lalu tempel sebagai nilai (Paste Values).",
        )
    header_cells = sheet.rows.pop(1, {})
    if not header_cells:
        raise _empty()
    header = [header_cells.get(column) for column in range(1, max(header_cells) + 1)]
    positions = _positions(header)
    wanted = list(positions.items())
    rows: list[SurveyRow] = []
    for number in sorted(sheet.rows):
        line = sheet.rows[number]
        cells: dict[str, Any] = {}
        for key, position in wanted:
            value = line.get(position)
            if value is not None and (value.__class__ is not str or value.strip()):
                cells[key] = value
        if cells:
            rows.append(SurveyRow(number, cells))
    if len(rows) > MAX_ROWS:
        raise _too_many()
    if not rows:
        raise _empty()
    return SurveyFile("xlsx", sheet.title, positions, rows)


def _letter(column: int) -> str:
    letters = ""
    while column:
        column, remainder = divmod(column - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _too_many() -> FileRefused:
    ribuan = f"{MAX_ROWS:,}".replace(",", ".")  # Indonesian thousands separator
    return FileRefused(f"the file has more than {MAX_ROWS:,} data rows; split it into several files",
                       f"Berkas berisi lebih dari {ribuan} baris data; bagi menjadi beberapa berkas.")


# CSV

def _read_csv(content: bytes) -> SurveyFile:
    if b"\x00" in content:
        raise FileRefused(f"the file is neither XLSX nor CSV text. {_SAVE_AS[0]}",
                          f"Berkas ini bukan XLSX maupun teks CSV. {_SAVE_AS[1]}")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise FileRefused(
            f"the CSV is not UTF-8 text (byte {error.start + 1}); save it as \"CSV UTF-8\"",
            f"CSV bukan teks UTF-8 (bita ke-{error.start + 1}); simpan sebagai \"CSV UTF-8 (Comma delimited)\".",
        ) from None
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";"), key=lambda sep: sum(
        normalized_header(part) in BY_HEADER for part in next(csv.reader([first_line], delimiter=sep), [])
    ))
    try:
        lines = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        header = next(lines, None)
        if header is None:
            raise _empty()
        positions = _positions(header)
        rows = list(_csv_rows(lines, positions))
    except csv.Error:
        raise FileRefused("the CSV cannot be read (unbalanced quotes?)",
                          "CSV tidak dapat dibaca (tanda kutip tidak berpasangan?).") from None
    if not rows:
        raise _empty()
    return SurveyFile("csv", None, positions, rows, delimiter)


def _csv_rows(lines: Iterable[list[str]], positions: dict[str, int]) -> Iterator[SurveyRow]:
    wanted = [(key, position - 1) for key, position in positions.items()]
    count = 0
    for number, line in enumerate(lines, start=2):
        cells = {key: line[index] for key, index in wanted if index < len(line) and line[index].strip()}
        if cells:
            count += 1
            if count > MAX_ROWS:
                raise _too_many()
            yield SurveyRow(number, cells)


# The header

def _positions(header: Sequence[Any]) -> dict[str, int]:
    """Column key → 1-based position, or the refusal naming what is wrong with the header."""
    positions: dict[str, int] = {}
    unknown: list[str] = []
    duplicated: list[str] = []
    for position, value in enumerate(header, start=1):
        text = "" if value is None else str(value)
        name = normalized_header(text)
        if not name or name == normalized_header(STATUS_HEADER):
            continue
        column: Column | None = BY_HEADER.get(name)
        if column is None:
            unknown.append(text.strip())
        elif column.key in positions:
            duplicated.append(column.header)
        else:
            positions[column.key] = position
    if not positions and not unknown:
        raise _empty()
    missing = [column.header for column in REQUIRED if column.key not in positions]
    problems, masalah = [], []
    if missing:
        problems.append(f"required columns are missing: {_names(missing)}")
        masalah.append(f"kolom wajib tidak ada: {_names(missing)}")
    if unknown:
        problems.append(f"unknown columns: {_names(unknown)}")
        masalah.append(f"kolom tidak dikenal: {_names(unknown)}")
    if duplicated:
        problems.append(f"columns given twice: {_names(duplicated)}")
        masalah.append(f"kolom tertulis dua kali: {_names(duplicated)}")
    if problems:
        raise FileRefused(
            "the header (row 1) does not match the template: " + "; ".join(problems),
            "Judul kolom (baris 1) tidak sesuai templat: " + "; ".join(masalah) + ".",
        )
    return positions


def _names(headers: Sequence[str]) -> str:
    return ", ".join(f'"{header}"' for header in headers)

