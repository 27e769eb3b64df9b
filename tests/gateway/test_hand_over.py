"""The hand-over package to the Ministry of Cooperatives and SMEs, through the gateway: the graduated IR of
a year and region with NIB, KBLI, Kemendagri village code, owner as the policy discloses it and class
history, compared with the registry's rows; approval by the province office (audited, once), refusals
per role, coded errors."""

from __future__ import annotations

import datetime as dt
from typing import Any

import asyncpg
import httpx

from services.registry import hand_over_export as HandOverExport
from tests.reporting.export_reading import read_csv, read_xlsx
from tests.gateway.test_reporting_e2e import our_gateway, reporting_url  # noqa: F401  (fixture)
from tests.registry.test_registry_api import ASSESS, MAJU, NIK_WOMAN_1990, REGISTER, register_input

PACKAGE = """query($y: Int!, $r: String!) { handOverPackage(year: $y, regionCode: $r) {
  year regionCode approval { approvedBy approvedRole approvedAt homeIndustryCount changedSince }
  homeIndustries { nodes { id registrationNumber legality { nib kbli legalForm } village { code } owner { name nik }
                   status statusChangedOn assessments { class assessedOn } } } } }"""
APPROVE = """mutation($y: Int!, $r: String!) { approveHandOver(year: $y, regionCode: $r) {
  year regionCode approvedBy approvedRole homeIndustryCount changedSince } }"""
GRADUATE = 'mutation($id: ID!) { graduateHomeIndustry(id: $id, graduatedOn: "2025-03-04") { status } }'


def codes(body: dict[str, Any]) -> list[tuple[str, str | None]]:
    return [(e["extensions"]["code"], e["extensions"].get("field")) for e in body.get("errors", [])]


async def test_the_hand_over_package_its_approval_and_its_refusals(
    registry_server: Any, reporting_url: str, tokens: Any, pg: asyncpg.Connection  # noqa: F811
) -> None:
    app = our_gateway(registry_server, reporting_url, tokens)

    async def call(role: str, region: str | None, query: str, variables: dict[str, Any] | None = None,
                   **extra: Any) -> dict[str, Any]:
        headers = tokens.headers(role, region, **extra)
        response = await gateway.post("/graphql", json={"query": query, "variables": variables or {}}, headers=headers)
        return response.json()

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway", timeout=60) as gateway:
        office = ("DISTRICT_OFFICER", "33.74")

        async def graduated_ir(kbli: str) -> str:
            body = await call(*office, REGISTER, {"input": register_input(legality={"nib": "9120001234567", "kbli": kbli,
                                                                              "legalForm": "COOPERATIVE"})})
            assert "errors" not in body, body
            ir = body["data"]["registerHomeIndustry"]["id"]
            assessed = await call(*office, ASSESS, {"id": ir, "input": {**MAJU, "assessedOn": "2024-02-01",
                                                                         "assetsExcludingLandAndBuildings": 60000000}})
            assert "errors" not in assessed, assessed
            moved = await call(*office, GRADUATE, {"id": ir})
            assert moved["data"]["graduateHomeIndustry"]["status"] == "GRADUATED", moved
            return ir

        first = await graduated_ir("10792")
        still_active = (await call(*office, REGISTER, {"input": register_input()}))["data"]["registerHomeIndustry"]["id"]
        where = {"y": 2025, "r": "33.74"}

        province = await call("PROVINCE_OFFICER", "33", PACKAGE, where)
        assert "errors" not in province, province
        package = province["data"]["handOverPackage"]
        assert package["approval"] is None
        expected = await pg.fetch(
            "SELECT id, registration_number, nib, kbli, legal_form, village_code, owner_name FROM registry.home_industries "
            "WHERE status = 'GRADUATED' AND status_changed_on BETWEEN '2025-01-01' AND '2025-12-31' "
            "AND regency_code = '33.74' ORDER BY id")
        seen = package["homeIndustries"]["nodes"]
        assert [int(h["id"]) for h in seen] == [r["id"] for r in expected] and first in {h["id"] for h in seen}
        assert still_active not in {h["id"] for h in seen}
        for h, row in zip(seen, expected):
            assert h["registrationNumber"] == row["registration_number"] and h["village"]["code"] == row["village_code"]
            assert h["legality"] == {"nib": row["nib"], "kbli": row["kbli"], "legalForm": row["legal_form"]}
            assert h["statusChangedOn"] >= "2025-01-01"
            history = await pg.fetch("SELECT ir_class, assessed_on FROM registry.assessments WHERE home_industry_id = $1 "
                                     "ORDER BY assessed_on DESC, id DESC", row["id"])
            assert [(a["class"], a["assessedOn"]) for a in h["assessments"]] == [
                (r["ir_class"], r["assessed_on"].isoformat()) for r in history]
        mine = next(h for h in seen if h["id"] == first)
        assert mine["legality"]["kbli"] == "10792"
        assert mine["owner"]["nik"] != NIK_WOMAN_1990  # masked for a province office, as everywhere
        ministry = (await call("MINISTRY", None, PACKAGE, where))["data"]["handOverPackage"]
        assert [h["id"] for h in ministry["homeIndustries"]["nodes"]] == [h["id"] for h in seen]

        # Who may not: partners and analysts read no records; a regency office does not approve; another
        # province neither reads nor approves.
        assert codes(await call("PARTNER", None, PACKAGE, where, partner="900001"))[0][0] == "FORBIDDEN"
        assert codes(await call("ANALYST", None, PACKAGE, where))[0][0] == "FORBIDDEN"
        assert codes(await call("PROVINCE_OFFICER", "35", PACKAGE, where))[0][0] == "FORBIDDEN"
        assert codes(await call(*office, APPROVE, where))[0][0] == "FORBIDDEN"
        assert codes(await call("PROVINCE_OFFICER", "35", APPROVE, where))[0][0] == "FORBIDDEN"
        assert codes(await call("PROVINCE_OFFICER", "33", APPROVE, {"y": 1999, "r": "33.74"})) == [("BAD_USER_INPUT", "year")]
        assert codes(await call("PROVINCE_OFFICER", "33", APPROVE, {"y": 2025, "r": "33.74.01"})) == [
            ("BAD_USER_INPUT", "regionCode")]
        assert await pg.fetchval("SELECT count(*) FROM registry.hand_over_approvals") == 0

        approved = await call("PROVINCE_OFFICER", "33", APPROVE, where)
        assert "errors" not in approved, approved
        assert approved["data"]["approveHandOver"] == {
            "year": 2025, "regionCode": "33.74", "approvedBy": "test-province_officer-33",
            "approvedRole": "PROVINCE_OFFICER", "homeIndustryCount": len(seen), "changedSince": False}
        again = await call("MINISTRY", None, APPROVE, where)
        assert codes(again) == [("CONFLICT", None)]
        audited = await pg.fetch("SELECT role, after FROM registry.audit_events WHERE action = 'WRITE' "
                                 "AND entity_type = 'HandOverApproval'")
        assert len(audited) == 1 and audited[0]["role"] == "PROVINCE_OFFICER"

        shown = (await call(*office, PACKAGE, where))["data"]["handOverPackage"]["approval"]
        assert shown["approvedRole"] == "PROVINCE_OFFICER" and shown["changedSince"] is False and shown["approvedAt"]
        # A later graduation in that year and region shows against the approved package.
        await graduated_ir("10710")
        shown = (await call(*office, PACKAGE, where))["data"]["handOverPackage"]
        assert shown["approval"]["changedSince"] is True and len(shown["homeIndustries"]["nodes"]) == len(seen) + 1

        # The package as files, on the gateway's host: JSON is GraphQL's answer; XLSX and CSV the same rows.
        province_headers = tokens.headers("PROVINCE_OFFICER", "33")
        as_json = await gateway.get("/exports/hand-over.json?year=2025&regionCode=33.74", headers=province_headers)
        xlsx = await gateway.get("/exports/hand-over.xlsx?year=2025&regionCode=33.74", headers=province_headers)
        english = await gateway.get("/exports/hand-over.csv?year=2025&regionCode=33.74&lang=en", headers=province_headers)
        # The export's own query, with a page the gateway's cost limit admits (the export pages in process).
        graphql = (await call("PROVINCE_OFFICER", "33", HandOverExport.PACKAGE_QUERY.replace("first: 500", "first: 50"),
                              {"year": 2025, "regionCode": "33.74"}))
        refused = {role: await gateway.get("/exports/hand-over.xlsx?year=2025&regionCode=33.74", headers=tokens.headers(role, **extra))
                   for role, extra in (("PARTNER", {"partner": "900001"}), ("ANALYST", {}))}
        other = await gateway.get("/exports/hand-over.xlsx?year=2025&regionCode=33.74", headers=tokens.headers("PROVINCE_OFFICER", "35"))
        bad = await gateway.get("/exports/hand-over.xlsx?year=2025&regionCode=33.74.01", headers=province_headers)
    assert as_json.status_code == 200, as_json.text[:300]
    package = graphql["data"]["handOverPackage"]
    assert not package["homeIndustries"]["pageInfo"]["hasNextPage"]
    # The JSON file holds every page's IR as one list.
    package = {**package, "homeIndustries": package["homeIndustries"]["nodes"]}
    assert as_json.json() == {"handOverPackage": package}
    read = read_xlsx(xlsx.content)
    assert list(read.sheets) == ["Serah terima", "Persetujuan"]
    table = read.sheets["Serah terima"]
    assert table.header[:5] == ["Nomor registrasi IR", "Nama usaha", "NIB", "KBLI", "Bentuk badan usaha"]
    records = table.records()
    # This test's IR graduated as a cooperative (other tests' IR in the same regency and year may not have).
    assert "COOPERATIVE" in {r["Bentuk badan usaha"] for r in records}
    assert [r["Nomor registrasi IR"] for r in records] == [h["registrationNumber"] for h in package["homeIndustries"]]
    for r, h in zip(records, package["homeIndustries"]):
        assert r["KBLI"] == h["legality"]["kbli"] and r["NIB"] == h["legality"]["nib"]
        assert r["Bentuk badan usaha"] == h["legality"]["legalForm"]
        assert r["Kode desa/kelurahan"] == h["village"]["code"]
        assert r["NIK pemilik"] == h["owner"]["nik"] != NIK_WOMAN_1990  # masked exactly as GraphQL masks it
        assert r["Tanggal naik ke usaha kecil"] == dt.datetime.fromisoformat(h["statusChangedOn"])
        assert r["Riwayat kelas"] == "; ".join(f"{a['class']} {a['assessedOn']}" for a in h["assessments"])
    approval = read.sheets["Persetujuan"].records()
    assert [(a["Disetujui oleh"], a["Peran"], a["Berubah sejak disetujui"]) for a in approval] == [
        ("test-province_officer-33", "PROVINCE_OFFICER", "ya")]
    assert isinstance(approval[0]["Disetujui pada (WIB)"], dt.datetime)
    assert "KBLI" in read.metadata["Kode referensi lapangan usaha"]
    assert read_csv(english.content).sheets["Hand-over"].header[:4] == ["IR registration number", "Business name", "NIB", "KBLI"]
    for role, response in refused.items():
        assert response.status_code == 403 and response.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN", role
    assert other.status_code == 403
    assert bad.status_code == 400 and bad.json()["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "regionCode"}
    await app.state.gateway.client.aclose()
