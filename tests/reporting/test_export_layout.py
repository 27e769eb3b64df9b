"""The declarative export layout refuses what a spreadsheet would mangle, at declaration."""

from __future__ import annotations

import datetime as dt

import pytest

from siir.exports.layout import Column, Export, Source, Table, TableLayout, Words

COUNT = Column("n", Words("Jumlah", "Count"), "integer", Words("d", "d"), total=True)
NAME = Column("name", Words("Nama", "Name"), "text", Words("d", "d"))


def layout(sheet: str = "Distribusi kelas", *columns: Column) -> TableLayout:
    return TableLayout("t", Words(sheet, sheet), Words("t", "t"), Words("c", "c"), columns or (NAME, COUNT))


def test_a_sheet_name_excel_would_cut_or_refuse_is_refused_when_declared() -> None:
    # The name that lost its year's last digit: the year now lives in the title block.
    with pytest.raises(ValueError, match="31"):
        layout("Class distribution Kota Semarang 2024")
    with pytest.raises(ValueError):
        layout("Tahun 2024/2025")
    assert layout("x" * 31).sheet.id == "x" * 31


def test_only_numbers_are_totalled_and_rows_fit_their_columns() -> None:
    with pytest.raises(ValueError, match="only numbers"):
        Column("name", Words("Nama", "Name"), "text", Words("d", "d"), total=True)
    with pytest.raises(ValueError, match="2 columns"):
        Table(layout(), [["a"]])


def test_the_totals_row_sums_totalled_columns_or_shows_the_given_total() -> None:
    table = Table(layout(), [["a", 2], ["b", 3], ["c", None]])
    assert table.totals_row("id") == ["Jumlah", 5]
    assert table.totals_row("en") == ["Total", 5]
    assert Table(layout(), [["a", 2]], total=["33", 7]).totals_row("id") == ["Jumlah: 33", 7]
    assert Table(layout(), [["a", 2]], summed=False).totals_row("id") is None


def test_two_sheets_of_one_name_in_a_file_are_refused() -> None:
    tables = [Table(layout("Wilayah"), []), Table(layout("Wilayah"), [])]
    with pytest.raises(ValueError, match="two sheets"):
        Export(Words("r", "r"), "f", "33", "Jawa Tengah", Words("p", "p"), None, dt.datetime(2026, 1, 1), "x",
               tables, Source(Words("d", "d")))
