"""Office-ready exports through the gateway: Indonesian headers and sheet names by default (English on
``?lang=en``), a title block, dates as dates, number formats, totals, column widths, a Satu Data
metadata sheet; the CSV carries the same content. Figures are compared with GraphQL's through the gateway."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import httpx
from openpyxl import load_workbook

from services.reporting.domain.periods import today_in_jakarta
from siir.exports.layout import SHEET_NAME_LIMIT
from services.reporting.export_tables import LAYOUTS
from tests.gateway.test_reporting_e2e import our_gateway, reporting_url, seeded  # noqa: F401  (fixtures)
from tests.reporting.export_reading import read_csv, read_xlsx

COUNTS = "unassessed pemula berkembang maju active closed graduated total"
DISTRIBUTION = f"""query($r: String!, $d: Date) {{ classDistribution(regionCode: $r, asOf: $d, groupByChildren: true) {{
  asOf regionName counts {{ {COUNTS} }} children {{ nodes {{ regionCode statistics {{ counts {{ {COUNTS} }} }} }} }} }} }}"""
ANNUAL = """query($r: String!, $y: Int!) { annualReport(regionCode: $r, year: $y) {
  summary { newRegistrations movedUp movedDown closed graduated }
  endOfYear { counts { total } } children { nodes { regionCode endOfYear { total } moves { newRegistrations } } } } }"""
ID_COUNTS = ["Belum dinilai", "IR Pemula", "IR Berkembang", "IR Maju", "IR aktif", "Tutup (gulung tikar)",
             "Naik ke usaha kecil", "Jumlah IR"]


async def _session(registry_server: Any, reporting_url: str, tokens: Any, role: str = "PROVINCE_OFFICER",  # noqa: F811
                   region: str | None = "33") -> tuple[Any, httpx.AsyncClient]:
    app = our_gateway(registry_server, reporting_url, tokens)
    headers = tokens.headers(role, region) if region else tokens.headers(role)
    return app, httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway", headers=headers,
                                  timeout=120)


def test_every_declared_sheet_name_fits_excel_whole() -> None:
    for layout in LAYOUTS:
        for name in (layout.sheet.id, layout.sheet.en):
            assert len(name) <= SHEET_NAME_LIMIT, name


async def test_class_distribution_is_office_ready_in_indonesian_and_english(
    registry_server: Any, reporting_url: str, seeded: None, tokens: Any  # noqa: F811
) -> None:
    as_of = today_in_jakarta().isoformat()
    app, gateway = await _session(registry_server, reporting_url, tokens)
    async with gateway:
        body = (await gateway.post("/graphql", json={"query": DISTRIBUTION, "variables": {"r": "33", "d": as_of}})).json()
        assert "errors" not in body, body
        seen = body["data"]["classDistribution"]
        path = f"/exports/class-distribution.{{}}?regionCode=33&groupByChildren=true&asOf={as_of}"
        xlsx = await gateway.get(path.format("xlsx"))
        plain = await gateway.get(path.format("csv"))
        english = await gateway.get(path.format("xlsx") + "&lang=en")
        english_csv = await gateway.get(path.format("csv") + "&lang=en")
        wrong = await gateway.get(path.format("csv") + "&lang=jv")
    await app.state.gateway.client.aclose()
    assert xlsx.status_code == plain.status_code == english.status_code == 200, xlsx.text[:300]

    book = load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames == ["Distribusi kelas", "Metadata"]
    read = read_xlsx(xlsx.content)
    block = read.title_block
    assert block["Laporan"] == "Distribusi kelas IR" and block["Wilayah"] == "33 Jawa Tengah"
    assert block["Keadaan per"] == dt.datetime.fromisoformat(as_of)  # a date cell: openpyxl reads a datetime
    assert isinstance(block["Dibuat pada (WIB)"], dt.datetime)
    assert abs(block["Dibuat pada (WIB)"] - dt.datetime.now()) < dt.timedelta(days=1)
    assert "PROVINCE_OFFICER, 33" in block["Dibuat oleh"]

    table = read.sheets["Distribusi kelas"]
    assert table.header[:3] == ["Kode wilayah", "Nama wilayah", "Keadaan per"]
    assert table.header[3:11] == ID_COUNTS
    by_code = {row[0]: row for row in table.rows}
    assert set(by_code) == {c["regionCode"] for c in seen["children"]["nodes"]} and len(by_code) == 35
    for child in seen["children"]["nodes"]:
        row = by_code[child["regionCode"]]
        assert row[2] == dt.datetime.fromisoformat(as_of)
        assert row[3:11] == [child["statistics"]["counts"][k] for k in COUNTS.split()]
    # The totals row is the province's own figures, and (exact figures) the children's sum.
    assert table.totals[0] == "Jumlah: 33" and table.totals[1] == "Jawa Tengah"
    assert table.totals[3:11] == [seen["counts"][k] for k in COUNTS.split()]
    assert table.totals[10] == sum(table.column("Jumlah IR")) > 0

    sheet = book["Distribusi kelas"]
    header_row = 8
    assert sheet.freeze_panes == f"A{header_row + 1}"
    assert sheet.cell(header_row + 1, 3).number_format == "yyyy-mm-dd"
    assert sheet.cell(header_row + 1, 4).number_format == "#,##0"
    assert sheet.cell(header_row + 1, 1).data_type == "s"  # a region code is text
    assert sheet.cell(sheet.max_row, 11).font.b
    assert (sheet.column_dimensions["B"].width or 0) >= len("Nama wilayah")

    assert read.metadata["Definisi"].startswith("IR (Industri Rumahan)")
    for label in ("Konsep", "Sumber data", "Frekuensi", "Tingkat penyajian"):
        assert read.metadata[label], label
    assert "Kemendagri" in read.metadata["Kode referensi wilayah"]
    assert "KBLI" in read.metadata["Kode referensi lapangan usaha"]
    variables = {(row[0], row[2]): row for row in read.variables[1:]}
    assert all(("Distribusi kelas", label) in variables for label in table.header)
    assert variables[("Distribusi kelas", "Jumlah IR")][1:] [-2:] == ["integer", "ya"]

    # The CSV carries the same content: title block, the table with its totals, the metadata.
    text = read_csv(plain.content)
    assert plain.headers["content-type"].startswith("text/csv")
    assert {k: v for k, v in text.title_block.items() if k != "Dibuat pada (WIB)"} == {
        k: (v.date().isoformat() if isinstance(v, dt.datetime) else v) for k, v in block.items() if k != "Dibuat pada (WIB)"}
    csv_table = text.sheets["Distribusi kelas"]
    assert csv_table.header == table.header and csv_table.title == table.title
    as_text = [[(v.date().isoformat() if isinstance(v, dt.datetime) else "" if v is None else str(v)) for v in row]
               for row in [*table.rows, table.totals]]
    assert [*csv_table.rows, csv_table.totals] == as_text
    assert text.metadata == read.metadata
    assert text.variables == [[("" if v is None else v) for v in row] for row in read.variables]

    # English on request; an unknown language is a coded error on its field.
    assert load_workbook(io.BytesIO(english.content)).sheetnames == ["Class distribution", "Metadata"]
    english_read = read_xlsx(english.content)
    assert english_read.title_block["Report"] == "IR class distribution"
    assert english_read.sheets["Class distribution"].header[:3] == ["Region code", "Region name", "As of"]
    assert english_read.sheets["Class distribution"].totals[0] == "Total: 33"
    assert english_read.sheets["Class distribution"].rows == table.rows
    assert "KBLI" in english_read.metadata["Business classification codes"]
    assert 'filename="class-distribution-33-' in english.headers["content-disposition"]
    assert read_csv(english_csv.content).sheets["Class distribution"].header == english_read.sheets["Class distribution"].header
    assert wrong.status_code == 400
    assert wrong.json()["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "lang"}


async def test_the_annual_report_keeps_every_sheet_name_whole_and_its_totals_right(
    registry_server: Any, reporting_url: str, seeded: None, tokens: Any  # noqa: F811
) -> None:
    year = today_in_jakarta().year - 1
    app, gateway = await _session(registry_server, reporting_url, tokens)
    async with gateway:
        body = (await gateway.post("/graphql", json={"query": ANNUAL, "variables": {"r": "33", "y": year}})).json()
        assert "errors" not in body, body
        seen = body["data"]["annualReport"]
        xlsx = await gateway.get(f"/exports/annual-report.xlsx?regionCode=33&year={year}")
        plain = await gateway.get(f"/exports/annual-report.csv?regionCode=33&year={year}")
    await app.state.gateway.client.aclose()
    assert xlsx.status_code == plain.status_code == 200, xlsx.text[:300]
    assert load_workbook(io.BytesIO(xlsx.content)).sheetnames == [
        "Ringkasan", "Perpindahan kelas", "Wilayah", "Analisis kebutuhan", "Metadata"]
    read = read_xlsx(xlsx.content)
    assert read.title_block["Periode"] == f"Tahun {year} (1 Januari–31 Desember)"
    assert read.title_block["Keadaan per"] == dt.datetime(year, 12, 31)

    summary = read.sheets["Ringkasan"]
    assert summary.totals is None  # start and end of year are not added up
    assert summary.column("Keadaan per") == [dt.datetime(year - 1, 12, 31), dt.datetime(year, 12, 31)]
    assert summary.column("Tahun") == [year, year]
    assert summary.column("Jumlah IR")[1] == seen["endOfYear"]["counts"]["total"]

    moves = read.sheets["Perpindahan kelas"]
    totals = dict(zip(moves.header, moves.totals))
    assert totals["IR baru terdaftar"] == seen["summary"]["newRegistrations"] == sum(moves.column("IR baru terdaftar"))
    assert totals["Naik kelas"] == seen["summary"]["movedUp"] and totals["Tutup (gulung tikar)"] == seen["summary"]["closed"]
    by_code = {c["regionCode"]: c for c in seen["children"]["nodes"]}
    assert {r["Kode wilayah"]: r["IR baru terdaftar"] for r in moves.records()} == {
        code: c["moves"]["newRegistrations"] for code, c in by_code.items()}

    regions = read.sheets["Wilayah"]
    end_total = "Jumlah IR (akhir tahun)"
    assert dict(zip(regions.header, regions.totals))[end_total] == sum(regions.column(end_total)) \
        == seen["endOfYear"]["counts"]["total"]

    text = read_csv(plain.content)
    assert list(text.sheets) == ["Ringkasan", "Perpindahan kelas", "Wilayah", "Analisis kebutuhan"]
    assert text.sheets["Perpindahan kelas"].totals == [("" if v is None else str(v)) for v in moves.totals]
    assert len(text.sheets["Analisis kebutuhan"].rows) == len(read.sheets["Analisis kebutuhan"].rows)


TRANSITIONS = """query($r: String!, $f: Date!, $t: Date!) { classTransitions(regionCode: $r, from: $f, to: $t, groupByChildren: true) {
  summary { newRegistrations movedUp closed } children { nodes { regionCode summary { newRegistrations movedUp closed } } } } }"""


async def test_class_transitions_and_needs_analysis_export_through_the_same_layout(
    registry_server: Any, reporting_url: str, seeded: None, tokens: Any  # noqa: F811
) -> None:
    today = today_in_jakarta()
    first = dt.date(today.year - 1, 1, 1).isoformat()
    app, gateway = await _session(registry_server, reporting_url, tokens)
    async with gateway:
        body = (await gateway.post("/graphql", json={"query": TRANSITIONS,
                                                     "variables": {"r": "33", "f": first, "t": today.isoformat()}})).json()
        assert "errors" not in body, body
        seen = body["data"]["classTransitions"]
        xlsx = await gateway.get(f"/exports/class-transitions.xlsx?regionCode=33&from={first}&to={today}&groupByChildren=true")
        needs = await gateway.get("/exports/needs-analysis.csv?regionCode=33&lang=en")
        no_from = await gateway.get(f"/exports/class-transitions.csv?regionCode=33&to={today}")
        other_province = await gateway.get("/exports/needs-analysis.csv?regionCode=35")
    await app.state.gateway.client.aclose()
    assert xlsx.status_code == 200, xlsx.text[:300]
    read = read_xlsx(xlsx.content)
    assert list(read.sheets) == ["Perpindahan kelas"]
    assert read.title_block["Periode"] == f"{first} s.d. {today}"
    table = read.sheets["Perpindahan kelas"]
    assert table.header[2:5] == ["Dari tanggal", "Sampai tanggal", "IR baru terdaftar"]
    assert all(row[2] == dt.datetime.fromisoformat(first) for row in table.rows)
    assert {r["Kode wilayah"]: r["IR baru terdaftar"] for r in table.records()} == {
        c["regionCode"]: c["summary"]["newRegistrations"] for c in seen["children"]["nodes"]}
    totals = dict(zip(table.header, table.totals))
    assert totals["IR baru terdaftar"] == seen["summary"]["newRegistrations"] == sum(table.column("IR baru terdaftar"))
    assert totals["Naik kelas"] == seen["summary"]["movedUp"] and totals["Tutup (gulung tikar)"] == seen["summary"]["closed"]

    assert needs.status_code == 200, needs.text[:300]
    text = read_csv(needs.content)
    assert list(text.sheets) == ["Needs analysis"] and text.title_block["Report"] == "IR needs analysis"
    assert text.sheets["Needs analysis"].header == ["Class", "Kind", "Item", "Provider kind", "Home industries"]
    assert {row[1] for row in text.sheets["Needs analysis"].rows} >= {"IR"}

    assert no_from.status_code == 400
    assert no_from.json()["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "from"}
    assert other_province.status_code == 403
    assert other_province.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"


CANDIDATE_LIST = """{ smallBusinessCandidates(regionCode: "33", first: 500) {
  nodes { registrationNumber village { code } businessCategory assessedOn score } } }"""


async def test_the_small_enterprise_candidate_list_exports_as_graphql_lists_it_and_is_refused_to_partners_and_analysts(
    registry_server: Any, reporting_url: str, seeded: None, tokens: Any  # noqa: F811
) -> None:
    app, gateway = await _session(registry_server, reporting_url, tokens)
    async with gateway:
        body = (await gateway.post("/graphql", json={"query": CANDIDATE_LIST})).json()
        assert "errors" not in body, body
        xlsx = await gateway.get("/exports/small-business-candidates.xlsx?regionCode=33&first=500")
        refused = {}
        for role, extra in (("PARTNER", {"partner": "900001"}), ("ANALYST", {})):
            headers = tokens.headers(role, **extra)
            refused[role] = await gateway.get("/exports/small-business-candidates.csv?regionCode=33", headers=headers)
        too_many = await gateway.get("/exports/small-business-candidates.csv?regionCode=33&first=10001")
    await app.state.gateway.client.aclose()
    assert xlsx.status_code == 200, xlsx.text[:300]
    table = read_xlsx(xlsx.content).sheets["Calon usaha kecil"]
    assert table.header == ["Nomor registrasi IR", "Kode desa/kelurahan", "Jenis usaha", "Tanggal penilaian", "Skor"]
    assert table.rows == [[c["registrationNumber"], c["village"]["code"], c["businessCategory"],
                           dt.datetime.fromisoformat(c["assessedOn"]) if c["assessedOn"] else None, c["score"]]
                          for c in body["data"]["smallBusinessCandidates"]["nodes"]]
    assert table.rows, "the seeded changes make some candidates"
    for role, response in refused.items():
        assert response.status_code == 403, (role, response.text)
        assert response.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert too_many.status_code == 400 and too_many.json()["errors"][0]["extensions"]["field"] == "first"
