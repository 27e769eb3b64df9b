"""The programme's exports through the gateway: the indicator table (Tabel 3), the reassessment round and the
sign-off status, as office files with Indonesian headers and sheet names (English on ``lang=en``), figures
equal to GraphQL's, refused where the field's policy refuses, coded errors for bad parameters."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from openpyxl import load_workbook

from services.reporting.domain.indicators import Indicator
from services.reporting.domain.periods import today_in_jakarta
from services.reporting.export_programme import LAYOUTS
from siir.exports.layout import SHEET_NAME_LIMIT
from tests.gateway.test_office_exports import _session
from tests.gateway.test_reporting_e2e import our_gateway, reporting_url, seeded  # noqa: F401  (fixtures)
from tests.reporting.export_reading import read_csv, read_xlsx

FIGURE = "indicator value femaleOwned maleOwned femaleHeadOfHousehold target targetSetBy achievement"
INDICATORS = f"""query($y: Int!) {{ programmeIndicators(year: $y, regionCode: "33", groupByChildren: true) {{
  region {{ regionCode figures {{ {FIGURE} }} }} children {{ nodes {{ regionCode figures {{ {FIGURE} }} }} }} }} }}"""
SET_TARGET = """mutation($y: Int!) { setIndicatorTarget(input: {year: $y, regionCode: "33", indicator: NEW_PEMULA, target: 4})
  { target } }"""
ROUND = """query($y: Int!) { reassessmentRound(year: $y, regionCode: "33") {
  total { regionCode activeHomeIndustries assessed shareAssessed }
  children { nodes { regionCode activeHomeIndustries assessed shareAssessed } } } }"""
WAIVE = """mutation($y: Int!) { waiveAnnualReport(regionCode: "33.01", year: $y, reason: "tidak ada IR terdaftar") { state } }"""
STATUS = """query($y: Int!) { signOffStatus(year: $y, level: REGENCY, regionCode: "33") {
  counts { state count } late signOffs { nodes { regionCode regionName state version deadline late decidedBy } } } }"""


def test_every_programme_sheet_name_fits_excel_whole() -> None:
    for layout in LAYOUTS:
        for name in (layout.sheet.id, layout.sheet.en):
            assert len(name) <= SHEET_NAME_LIMIT, name


async def test_the_indicator_table_exports_graphql_figures_by_region_and_indicator(
    registry_server: Any, reporting_url: str, seeded: None, tokens: Any  # noqa: F811
) -> None:
    year = today_in_jakarta().year
    app, gateway = await _session(registry_server, reporting_url, tokens)
    async with gateway:
        set_ = (await gateway.post("/graphql", json={"query": SET_TARGET, "variables": {"y": year}})).json()
        assert "errors" not in set_, set_
        body = (await gateway.post("/graphql", json={"query": INDICATORS, "variables": {"y": year}})).json()
        assert "errors" not in body, body
        path = f"/exports/programme-indicators.{{}}?regionCode=33&year={year}&groupByChildren=true"
        xlsx = await gateway.get(path.format("xlsx"))
        plain = await gateway.get(path.format("csv"))
        english = await gateway.get(path.format("xlsx") + "&lang=en")
        partner = await gateway.get(path.format("csv"), headers=tokens.headers("PARTNER", partner="900001"))
        bad_year = await gateway.get("/exports/programme-indicators.csv?regionCode=33&year=dua")
        too_early = await gateway.get("/exports/programme-indicators.csv?regionCode=33&year=1900")
    await app.state.gateway.client.aclose()
    assert xlsx.status_code == plain.status_code == english.status_code == 200, xlsx.text[:300]
    assert load_workbook(io.BytesIO(xlsx.content)).sheetnames == ["Indikator Tabel 3", "Metadata"]
    read = read_xlsx(xlsx.content)
    assert read.title_block["Laporan"] == "Indikator program (Tabel 3)"
    assert read.title_block["Wilayah"] == "33 Jawa Tengah" and read.title_block["Periode"] == f"Tahun {year}"
    table = read.sheets["Indikator Tabel 3"]
    assert table.header == ["Kode wilayah", "Nama wilayah", "Tahun", "Kode indikator", "Indikator", "Nilai",
                            "Milik perempuan", "Milik laki-laki", "Milik KRTP", "Target", "Target ditetapkan oleh", "Capaian"]
    assert table.totals is None  # the province's own lines are rows, never a sum of its regencies'
    data = body["data"]["programmeIndicators"]
    lines = [data["region"], *data["children"]["nodes"]]
    expected = [[line["regionCode"], year, f["indicator"], f["value"], f["femaleOwned"], f["maleOwned"],
                 f["femaleHeadOfHousehold"], f["target"], f["targetSetBy"], f["achievement"]]
                for line in lines for f in line["figures"]]
    got = [[r[0], r[2], r[3], *r[5:]] for r in table.rows]
    assert got == [[v if v != "" else None for v in row] for row in expected]
    own = {r[3]: r for r in table.rows if r[0] == "33"}
    assert own["NEW_PEMULA"][9:11] == [4, "PROVINCE_OFFICER"] and own["NEW_PEMULA"][4] == "IR Pemula baru"
    assert len(own) == len(Indicator) and sum(r[5] for r in own.values()) > 0
    assert "Tabel 3" in read.metadata["Konsep"] and read.metadata["Definisi"]

    text = read_csv(plain.content)
    assert text.sheets["Indikator Tabel 3"].header == table.header
    assert len(text.sheets["Indikator Tabel 3"].rows) == len(table.rows)
    english_read = read_xlsx(english.content)
    assert list(english_read.sheets) == ["Tabel 3 indicators"]
    english_table = english_read.sheets["Tabel 3 indicators"]
    assert english_table.header[3:7] == ["Indicator code", "Indicator", "Value", "Owned by women"]
    assert {r[4] for r in english_table.rows} >= {"New IR Pemula", "Graduated to small enterprise"}
    assert 'filename="programme-indicators-33-' in english.headers["content-disposition"]

    assert partner.status_code == 403 and partner.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert bad_year.status_code == 400
    assert bad_year.json()["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "year"}
    assert too_early.status_code == 400 and too_early.json()["errors"][0]["extensions"]["field"] == "year"


async def test_the_reassessment_round_exports_each_regency_with_the_province_as_total(
    registry_server: Any, reporting_url: str, seeded: None, tokens: Any  # noqa: F811
) -> None:
    year = today_in_jakarta().year
    app, gateway = await _session(registry_server, reporting_url, tokens)
    async with gateway:
        body = (await gateway.post("/graphql", json={"query": ROUND, "variables": {"y": year}})).json()
        assert "errors" not in body, body
        xlsx = await gateway.get(f"/exports/reassessment-round.xlsx?regionCode=33&year={year}")
        english = await gateway.get(f"/exports/reassessment-round.csv?regionCode=33&year={year}&lang=en")
        partner = await gateway.get(f"/exports/reassessment-round.xlsx?regionCode=33&year={year}",
                                    headers=tokens.headers("PARTNER", partner="900001"))
        village = await gateway.get(f"/exports/reassessment-round.xlsx?regionCode=33.74.01&year={year}")
    await app.state.gateway.client.aclose()
    assert xlsx.status_code == english.status_code == 200, xlsx.text[:300]
    read = read_xlsx(xlsx.content)
    assert list(read.sheets) == ["Penilaian ulang"]
    table = read.sheets["Penilaian ulang"]
    assert table.header == ["Kode wilayah", "Nama wilayah", "Tahun", "IR aktif", "Sudah dinilai", "Porsi dinilai"]
    seen = body["data"]["reassessmentRound"]
    # The share as a number cell: XLSX keeps 15 significant digits, GraphQL's JSON the float's shortest repr.
    assert {r["Kode wilayah"]: (r["IR aktif"], r["Sudah dinilai"], None if r["Porsi dinilai"] is None else pytest.approx(r["Porsi dinilai"], rel=1e-12))
            for r in table.records()} == {
        c["regionCode"]: (c["activeHomeIndustries"], c["assessed"], c["shareAssessed"]) for c in seen["children"]["nodes"]}
    totals = dict(zip(table.header, table.totals))
    assert totals["Kode wilayah"] == "Jumlah: 33"
    assert totals["IR aktif"] == seen["total"]["activeHomeIndustries"] == sum(table.column("IR aktif")) > 0
    assert totals["Sudah dinilai"] == seen["total"]["assessed"]
    assert read.title_block["Periode"] == f"{year}-01-01 s.d. {today_in_jakarta().isoformat()}"
    text = read_csv(english.content)
    assert list(text.sheets) == ["Reassessment round"]
    assert text.sheets["Reassessment round"].header[3:] == ["Active IR", "Assessed", "Share assessed"]
    assert text.sheets["Reassessment round"].totals[0] == "Total: 33"
    assert partner.status_code == 403 and partner.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert village.status_code == 400
    assert village.json()["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "regionCode"}


async def test_the_sign_off_status_exports_each_regency_state_dates_and_lateness(
    registry_server: Any, reporting_url: str, seeded: None, tokens: Any  # noqa: F811
) -> None:
    year = today_in_jakarta().year
    app, gateway = await _session(registry_server, reporting_url, tokens)
    async with gateway:
        waived = (await gateway.post("/graphql", json={"query": WAIVE, "variables": {"y": year}})).json()
        assert "errors" not in waived, waived
        body = (await gateway.post("/graphql", json={"query": STATUS, "variables": {"y": year}})).json()
        assert "errors" not in body, body
        path = f"/exports/sign-off-status.{{}}?regionCode=33&year={year}&level=REGENCY"
        xlsx = await gateway.get(path.format("xlsx"))
        english = await gateway.get(path.format("csv") + "&lang=en")
        analyst = await gateway.get(path.format("csv"), headers=tokens.headers("ANALYST"))
        partner = await gateway.get(path.format("csv"), headers=tokens.headers("PARTNER", partner="900001"))
        nation = await gateway.get(f"/exports/sign-off-status.csv?year={year}&level=PROVINCE",
                                   headers=tokens.headers("DISTRICT_OFFICER", "33.74"))  # a regency sees no nation
        no_level = await gateway.get(f"/exports/sign-off-status.csv?regionCode=33&year={year}")
        wrong_level = await gateway.get(f"/exports/sign-off-status.csv?regionCode=33&year={year}&level=DESA")
    await app.state.gateway.client.aclose()
    assert xlsx.status_code == english.status_code == 200, xlsx.text[:300]
    assert load_workbook(io.BytesIO(xlsx.content)).sheetnames == ["Status pengesahan", "Metadata"]
    read = read_xlsx(xlsx.content)
    assert read.title_block["Periode"] == f"Tahun {year}, tingkat kabupaten/kota"
    table = read.sheets["Status pengesahan"]
    assert table.header[:8] == ["Kode wilayah", "Nama wilayah", "Tahun", "Status", "Keterangan status", "Versi",
                                "Batas waktu", "Terlambat"]
    seen = body["data"]["signOffStatus"]
    assert [(r["Kode wilayah"], r["Nama wilayah"], r["Status"], r["Versi"], r["Batas waktu"], r["Terlambat"],
             r["Diputuskan oleh"]) for r in table.records()] == [
        (s["regionCode"], s["regionName"], s["state"], s["version"], dt.datetime.fromisoformat(s["deadline"]),
         "Ya" if s["late"] else "Tidak", s["decidedBy"]) for s in seen["signOffs"]["nodes"]]
    cilacap = next(r for r in table.records() if r["Kode wilayah"] == "33.01")
    assert cilacap["Keterangan status"] == "Dibebaskan" and isinstance(cilacap["Diputuskan"], dt.datetime)
    assert table.totals is None
    counts = {c["state"]: c["count"] for c in seen["counts"]}
    assert counts["WAIVED"] >= 1
    assert read.metadata["Catatan"] == (
        f"Belum mulai: {counts['NOT_STARTED']}; Diajukan: {counts['SUBMITTED']}; Dikembalikan: {counts['RETURNED']}; "
        f"Disetujui: {counts['APPROVED']}; Dibebaskan: {counts['WAIVED']}; Terlambat: {seen['late']}")
    text = read_csv(english.content)
    assert text.sheets["Sign-off status"].header[3:8] == ["State", "State name", "Version", "Deadline", "Late"]
    assert text.title_block["Period"] == f"Year {year}, regencies/cities"
    for response in (analyst, partner, nation):
        assert response.status_code == 403 and response.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    for response in (no_level, wrong_level):
        assert response.status_code == 400
        assert response.json()["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "level"}
