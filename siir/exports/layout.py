"""The declarative description every export is built from: a table's columns, labels, types, formats, totals.

A report says *what* it exports, once: a ``TableLayout`` (its sheet name and title in Indonesian and
English, its ``Column``s with labels, type, unit, definition and whether they are summed) and, per
request, a ``Table`` (that layout and the rows) inside an ``Export`` (the title block: report, region,
period, as-of, generated at and by whom; and the indicator metadata of Satu Data Indonesia, Perpres
39/2019). files.py renders any ``Export`` as XLSX or CSV; nothing in it knows a report.
To add a report: docs/exports.md.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

#: The languages an export is written in: Indonesian by default, English on request (``?lang=en``).
Language = Literal["id", "en"]
LANGUAGES: tuple[Language, ...] = ("id", "en")

#: Excel refuses a sheet name longer than this (and the characters ``[]:*?/\``).
SHEET_NAME_LIMIT = 31
_NOT_IN_SHEET_NAMES = set("[]:*?/\\")

#: A column's type: how its cells are written and formatted.
Kind = Literal["code", "text", "year", "integer", "decimal", "date", "datetime"]
#: The XLSX number format per kind (text and codes are text: a region code "33.74" is not a number).
NUMBER_FORMATS: dict[str, str] = {"code": "@", "text": "@", "year": "0", "integer": "#,##0", "decimal": "#,##0.00",
                                  "date": "yyyy-mm-dd", "datetime": "yyyy-mm-dd hh:mm"}


@dataclass(frozen=True, slots=True)
class Words:
    """The same words in Indonesian (``id``) and English (``en``)."""

    id: str
    en: str

    def in_(self, language: Language) -> str:
        return self.id if language == "id" else self.en


@dataclass(frozen=True, slots=True)
class Column:
    """One variable of a table: its code (``key``), label, type, unit, definition, and whether it is totalled."""

    key: str
    label: Words
    kind: Kind
    definition: Words
    unit: Words = Words("", "")
    total: bool = False  # summed in the table's totals row

    def __post_init__(self) -> None:
        if self.total and self.kind not in ("integer", "decimal"):
            raise ValueError(f"column {self.key}: only numbers are totalled")


@dataclass(frozen=True, slots=True)
class TableLayout:
    """A table as every export of it looks: sheet name, title, concept (indicator metadata) and columns."""

    key: str
    sheet: Words
    title: Words
    concept: Words
    columns: tuple[Column, ...]

    def __post_init__(self) -> None:
        for name in (self.sheet.id, self.sheet.en):
            if not name or len(name) > SHEET_NAME_LIMIT or set(name) & _NOT_IN_SHEET_NAMES:
                raise ValueError(f"sheet name {name!r}: at most {SHEET_NAME_LIMIT} characters, none of []:*?/\\")
        keys = [c.key for c in self.columns]
        if len(set(keys)) != len(keys):
            raise ValueError(f"table {self.key}: a column key twice")

    @property
    def totalled(self) -> bool:
        return any(c.total for c in self.columns)

    def header(self, language: Language) -> list[str]:
        return [c.label.in_(language) for c in self.columns]


@dataclass(frozen=True, slots=True)
class Table:
    """A layout and its rows (values in column order). ``total``: the totals row if the report knows it
    better than a sum (a region's own figures, which small-count protection may make differ from the
    sum of its children's); else the ``total`` columns are summed."""

    layout: TableLayout
    rows: list[list[Any]]
    total: list[Any] | None = None
    summed: bool = True  # False: no totals row (a single region's row is its own total)

    def __post_init__(self) -> None:
        width = len(self.layout.columns)
        for row in [*self.rows, *([self.total] if self.total is not None else [])]:
            if len(row) != width:
                raise ValueError(f"table {self.layout.key}: a row of {len(row)} values for {width} columns")

    def totals_row(self, language: Language) -> list[Any] | None:
        """The row under the table: ``Jumlah``/``Total`` in its first text column, sums (or the given total)."""
        if not self.layout.totalled or not self.summed:
            return None
        if self.total is not None:
            values = list(self.total)
        else:
            values = [sum(row[i] or 0 for row in self.rows) if c.total else None
                      for i, c in enumerate(self.layout.columns)]
        label = Words("Jumlah", "Total").in_(language)
        first_text = next((i for i, c in enumerate(self.layout.columns) if c.kind in ("text", "code")), None)
        if first_text is not None and values[first_text] in (None, ""):
            values[first_text] = label
        elif first_text is not None:
            values[first_text] = f"{label}: {values[first_text]}"
        return values


@dataclass(frozen=True, slots=True)
class Source:
    """Indicator metadata shared by an export's tables (Satu Data Indonesia, Perpres 39/2019)."""

    definition: Words
    source: Words = Words(
        "SIIR: registri Industri Rumahan (Permen PPPA 2/2016), data per IR yang dinilai pendamping",
        "SIIR: the home-industry register (Permen PPPA 2/2016), per-IR data assessed by facilitators")
    frequency: Words = Words("Tahunan (dengan pembaruan harian)", "Annual (updated daily)")
    disaggregation: Words = Words(
        "Nasional, provinsi, kabupaten/kota, kecamatan, desa/kelurahan; jenis kelamin pemilik; KRTP",
        "National, province, regency/city, sub-district, village; owner's sex; female head of household (KRTP)")
    region_codes: Words = Words(
        "Kode wilayah Kemendagri (Permendagri 72/2019 dan pemutakhirannya): 33 provinsi, 33.74 kab/kota, "
        "33.74.01 kecamatan, 33.74.01.1001 desa/kelurahan",
        "Kemendagri region codes (Permendagri 72/2019 as updated): 33 province, 33.74 regency/city, "
        "33.74.01 sub-district, 33.74.01.1001 village")
    business_codes: Words = Words(
        "KBLI (Klasifikasi Baku Lapangan Usaha Indonesia) 2020, kode 5 digit, bila tercatat",
        "KBLI (Indonesian Standard Industrial Classification) 2020, 5-digit code, where recorded")


@dataclass(frozen=True, slots=True)
class Export:
    """A whole file: the title block, the tables, the metadata."""

    report: Words
    file_stem: str
    region_code: str
    region_name: str
    period: Words
    as_of: dt.date | None
    generated_at: dt.datetime
    generated_by: str
    tables: list[Table]
    source: Source
    language: Language = "id"
    notes: list[Words] = field(default_factory=list)

    def __post_init__(self) -> None:
        sheets = [t.layout.sheet.in_(self.language) for t in self.tables] + [METADATA_SHEET.in_(self.language)]
        if len(set(sheets)) != len(sheets):
            raise ValueError(f"two sheets named alike in {sheets}")

    def title_block(self) -> list[tuple[str, Any]]:
        """(label, value) lines at the top of every sheet and of the CSV."""
        lang = self.language
        region = f"{self.region_code} {self.region_name}".strip() if self.region_code else self.region_name
        return [
            (Words("Laporan", "Report").in_(lang), self.report.in_(lang)),
            (Words("Wilayah", "Region").in_(lang), region),
            (Words("Periode", "Period").in_(lang), self.period.in_(lang)),
            (Words("Keadaan per", "As of").in_(lang), self.as_of),
            (Words("Dibuat pada (WIB)", "Generated at (WIB, Jakarta time)").in_(lang), self.generated_at),
            (Words("Dibuat oleh", "Generated by").in_(lang), self.generated_by),
        ]

    def metadata(self) -> tuple[list[tuple[str, str]], list[str], list[list[str]]]:
        """The metadata sheet: indicator metadata lines, then the variable table (header, rows)."""
        lang, s = self.language, self.source
        indicator = [
            (Words("Konsep", "Concept").in_(lang), "; ".join(
                f"{t.layout.sheet.in_(lang)}: {t.layout.concept.in_(lang)}" for t in self.tables)),
            (Words("Definisi", "Definition").in_(lang), s.definition.in_(lang)),
            (Words("Sumber data", "Source").in_(lang), s.source.in_(lang)),
            (Words("Frekuensi", "Frequency").in_(lang), s.frequency.in_(lang)),
            (Words("Tingkat penyajian", "Level of disaggregation").in_(lang), s.disaggregation.in_(lang)),
            (Words("Kode referensi wilayah", "Region reference codes").in_(lang), s.region_codes.in_(lang)),
            (Words("Kode referensi lapangan usaha", "Business classification codes").in_(lang),
             s.business_codes.in_(lang)),
            *[(Words("Catatan", "Note").in_(lang), note.in_(lang)) for note in self.notes],
        ]
        header = [Words(*w).in_(lang) for w in (("Lembar", "Sheet"), ("Kode variabel", "Variable code"),
                                                 ("Nama variabel", "Variable name"), ("Definisi", "Definition"),
                                                 ("Satuan", "Unit"), ("Tipe data", "Data type"),
                                                 ("Dijumlahkan", "Totalled"))]
        yes, no = Words("ya", "yes").in_(lang), Words("tidak", "no").in_(lang)
        rows = [[t.layout.sheet.in_(lang), c.key, c.label.in_(lang), c.definition.in_(lang), c.unit.in_(lang),
                 c.kind, yes if c.total else no] for t in self.tables for c in t.layout.columns]
        return indicator, header, rows


#: The metadata sheet's name.
METADATA_SHEET = Words("Metadata", "Metadata")
