"""Reading an export back as its documented layout says (siir/exports/files.py):
the title block, then per sheet its header, rows and totals row; in CSV and in XLSX alike."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from openpyxl import load_workbook


@dataclass
class Block:
    header: list[str]
    rows: list[list[Any]]
    totals: list[Any] | None = None
    title: str = ""

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.header, row)) for row in self.rows]

    def column(self, label: str) -> list[Any]:
        i = self.header.index(label)
        return [row[i] for row in self.rows]


@dataclass
class Read:
    title_block: dict[str, Any]
    sheets: dict[str, Block] = field(default_factory=dict)
    metadata: dict[str, Any] = field(default_factory=dict)
    variables: list[list[Any]] = field(default_factory=list)


TOTAL_LABELS = ("Jumlah", "Total")


def _split_totals(rows: list[list[Any]]) -> tuple[list[list[Any]], list[Any] | None]:
    if rows and isinstance(rows[-1][0], str) and rows[-1][0].startswith(TOTAL_LABELS):
        return rows[:-1], rows[-1]
    return rows, None


def read_csv(content: bytes) -> Read:
    assert content.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))
    blocks: list[list[list[str]]] = [[]]
    for line in lines:
        if line == []:
            blocks.append([])
        else:
            blocks[-1].append(line)
    read = Read({line[0].removeprefix("# "): line[1] for line in blocks[0]})
    *tables, metadata = blocks[1:]
    for table in tables:
        sheet, title, header, *rows = table
        body, totals = _split_totals(rows)
        read.sheets[sheet[0].removeprefix("# ")] = Block(header, body, totals, title[0].removeprefix("# "))
    read.metadata = {line[0].removeprefix("# "): line[1] for line in metadata[1:] if line[0].startswith("# ")}
    read.variables = [line for line in metadata[1:] if not line[0].startswith("# ")]
    return read


def read_xlsx(content: bytes) -> Read:
    workbook = load_workbook(io.BytesIO(content))
    *tables, metadata = workbook.worksheets
    first = list(tables[0].iter_rows(values_only=True)) if tables else list(metadata.iter_rows(values_only=True))
    read = Read({row[0]: row[1] for row in first[:6]})
    for sheet in tables:
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
        assert {row[0]: row[1] for row in rows[:6]} == read.title_block, sheet.title
        title, header, *body = rows[6:]
        width = len([h for h in header if h is not None])
        body, totals = _split_totals([r[:width] for r in body])
        read.sheets[sheet.title] = Block(list(header[:width]), body, totals, title[0])
    rows = [list(r) for r in metadata.iter_rows(values_only=True)][7:]
    lines = [r for r in rows if any(v is not None for v in r)]
    split = next(i for i, r in enumerate(lines) if r[2] is not None)
    read.metadata = {r[0]: r[1] for r in lines[:split]}
    read.variables = [r[:7] for r in lines[split:]]
    return read


def by_variable_code(content: bytes) -> tuple[list[str], list[str]]:
    """A CSV export's first table as (variable codes, first row): its labels mapped to codes by the metadata."""
    read = read_csv(content)
    sheet, table = next(iter(read.sheets.items()))
    code = {row[2]: row[1] for row in read.variables[1:] if row[0] == sheet}
    return [code[label] for label in table.header], table.rows[0]
