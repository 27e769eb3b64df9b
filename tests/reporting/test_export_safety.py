"""Exports write any stored text safely: a control character stored before the input rules existed
does not break the XLSX or CSV export, and text a spreadsheet would run as a formula stays text."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import asyncpg
import httpx
import pytest
from openpyxl import load_workbook

from services.reporting.consumer import catch_up_once
from services.reporting.domain.periods import today_in_jakarta
from siir.exports.cells import safe_cell
from siir.exports.files import to_csv, to_xlsx
from siir.exports.layout import Column, Export, Source, Table, TableLayout, Words
from tests.reporting.export_reading import read_csv, read_xlsx
from tests.conftest import GraphQLClient, ServerThread
from tests.registry.test_registry_api import REGISTER, VILLAGE, register_input

#: What an old row may hold: controls XML forbids, and the classic injections.
STORED = ["rusak\x01\x02", "=HYPERLINK(\"http://evil.example\",\"klik\")", "+62 812", "-", "@SUM(A1)", "\tTAB", "\rCR"]


def in_xml(text: str) -> str:
    """Text as an XML reader gives it back: XML reads a carriage return as a newline."""
    return text.replace("\r", "\n")


@pytest.mark.parametrize("value,safe", [
    ("Kota Semarang", "Kota Semarang"),
    ("rusak\x00\x01\x1f", "rusak"),
    ("baris 1\nbaris 2\tkolom", "baris 1\nbaris 2\tkolom"),
    ("=1+1", "'=1+1"),
    ("+62 812", "'+62 812"),
    ("-", "'-"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1", "'\t=1"),
    ("\r=1", "'\r=1"),
    ("\x01=1", "'=1"),  # the control is dropped first: what is left would be a formula
    ("a=1", "a=1"),
    (-5, -5),
    (12, 12),
    (None, None),
])
def test_a_safe_cell(value: Any, safe: Any) -> None:
    assert safe_cell(value) == safe


def _hostile_export() -> Export:
    layout = TableLayout("hostile", Words("Kebutuhan", "Needs"), Words("Needs =analysis", "=cmd"), Words("k", "c"), (
        Column("item", Words("item\x00", "item"), "text", Words("d", "d")),
        Column("home_industries", Words("home_industries", "home_industries"), "integer", Words("d", "d")),
    ))
    return Export(Words("=Laporan", "=Report"), "hostile", "33", "@Jawa", Words("-1", "-1"), None,
                  dt.datetime(2026, 1, 2, 3, 4, 5), "+subject", [Table(layout, [[item, -3] for item in STORED])],
                  Source(Words("=d", "=d")))


def test_a_workbook_of_hostile_text_opens_with_every_cell_as_text_and_numbers_as_numbers() -> None:
    export = _hostile_export()
    book = load_workbook(io.BytesIO(to_xlsx(export)))
    table = read_xlsx(to_xlsx(export)).sheets["Kebutuhan"]
    assert table.header == ["item", "home_industries"] and table.title == "Needs =analysis"
    assert [r[0] for r in table.rows] == [in_xml(safe_cell(item)) for item in STORED]
    assert all(cell.data_type != "f" for sheet in book.worksheets for row in sheet.iter_rows() for cell in row)
    assert [r[1] for r in table.rows] == [-3] * len(STORED)
    text = to_csv(export)
    assert [r[0] for r in read_csv(text).sheets["Kebutuhan"].rows] == [safe_cell(item) for item in STORED]
    assert "\x01" not in text.decode("utf-8-sig")
    assert "'=Laporan" in text.decode("utf-8-sig") and "'+subject" in text.decode("utf-8-sig")


async def test_an_old_row_with_control_characters_exports_as_xlsx_and_csv(
    registry_server: ServerThread, reporting_server: ServerThread, tokens: Any, database_url: str,
    pg: asyncpg.Connection,
) -> None:
    office = tokens.headers("DISTRICT_OFFICER", "33.74")
    async with httpx.AsyncClient(timeout=30) as client:
        body = await GraphQLClient(client, registry_server.url + "/graphql", office)(
            REGISTER, {"input": register_input(businessName="Warisan Data Lama", constraints=["modal"])})
        assert "errors" not in body, body
        home_industry = int(body["data"]["registerHomeIndustry"]["id"])
        await catch_up_once(database_url, database_url)
        # As a row stored before the input rules would be (the API refuses these today).
        changed = await pg.execute("UPDATE reporting.home_industries SET constraints = $2 WHERE id = $1",
                                   home_industry, STORED)
        assert changed == "UPDATE 1"

        year = str(today_in_jakarta().year)
        exports = httpx.AsyncClient(base_url=reporting_server.url, headers=office, timeout=60)
        try:
            async with exports:
                # A village's needs are read from the per-IR projection (a regency's from its rollup).
                where = {"regionCode": VILLAGE, "year": year}
                xlsx = await exports.get("/exports/annual-report.xlsx", params=where)
                plain = await exports.get("/exports/annual-report.csv", params=where)
        finally:
            # Put the projection back as the registry has it: later tests compare the two.
            await pg.execute("UPDATE reporting.home_industries SET constraints = $2 WHERE id = $1", home_industry, ["modal"])

    assert xlsx.status_code == 200, xlsx.text[:300]
    needs = load_workbook(io.BytesIO(xlsx.content))["Analisis kebutuhan"]
    items = {row[2]: row for row in needs.iter_rows(min_row=9, values_only=True) if row[1] == "Kendala"}
    for stored in STORED:
        assert in_xml(safe_cell(stored)) in items, (stored, sorted(items))
    assert all(cell.data_type != "f" for row in needs.iter_rows() for cell in row)

    assert plain.status_code == 200, plain.text[:300]
    text = plain.content.decode("utf-8-sig")
    assert "rusak," in text and "\x01" not in text
    assert '"\'=HYPERLINK(""http://evil.example"",""klik"")"' in text
