"""Bulk survey import (issue 14) through our gateway to the real registry: the template, an upload's dry
run (JSON report and the marked XLSX), the commit (each row one registration with its assessment, audit
row and outbox events, counted in SQL), a re-upload that changes nothing, duplicates in the file and
against the registry, bad files, and who may do it."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import openpyxl
import pytest

from gateway.app import build_app
from gateway.limits import Limits
from services.registry.imports import template
from services.registry.imports.columns import COLUMNS
from tests.gateway.test_duplicates_e2e import SUPERGRAPH
from tests.registry.test_registry_api import fresh_nik, register_input

SAMPLE = Path(__file__).resolve().parents[1] / "registry" / "imports" / "survei-contoh.csv"
VILLAGES = ("33.74.01.1001", "33.74.01.1002", "33.74.02.1001")
COUNTS = """
SELECT (SELECT count(*) FROM registry.home_industries) AS home_industries,
       (SELECT count(*) FROM registry.assessments) AS assessments,
       (SELECT count(*) FROM registry.outbox) AS outbox,
       (SELECT count(*) FROM registry.audit_events WHERE action = 'WRITE') AS audit,
       (SELECT count(*) FROM registry.import_jobs) AS jobs
"""
JOB = "query($id: ID!) { importJob(id: $id) { status processed total errors valid alreadyImported registered " \
      "problems { row column header code pesan } } }"


def row(**cells: str) -> dict[str, str]:
    """A valid survey row (the template's column keys), for an owner of its own unless told."""
    return {"village_code": VILLAGES[0], "business_name": "Keripik Tempe Bu Sri", "business_category": "FOOD_AND_BEVERAGE",
            "owner_name": "Sri Wahyuni", "owner_nik": fresh_nik(), "business_started_on": "2019-03-01",
            "assessed_on": "2026-01-15", "worker_count": "3", "production_technology": "SEMI_MANUAL",
            "capital_source": "OWN", "capital_amount": "7.500.000", "production_pattern": "CONTINUOUS",
            "products": "Keripik tempe; Keripik singkong", **cells}


def csv_file(rows: list[dict[str, str]], *, delimiter: str = ",") -> bytes:
    """A CSV with the template's headers, in the template's column order."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow([c.header for c in COLUMNS])
    for cells in rows:
        writer.writerow([cells.get(c.key, "") for c in COLUMNS])
    return out.getvalue().encode("utf-8-sig")


class Office:
    """One caller of the gateway: the import routes and GraphQL."""

    def __init__(self, http: httpx.AsyncClient, headers: dict[str, str]) -> None:
        self.http, self.headers = http, headers

    async def upload(self, content: bytes, name: str = "survei.csv") -> httpx.Response:
        return await self.http.post("/imports", files={"file": (name, content)}, headers=self.headers)

    async def finished(self, job_id: str) -> dict[str, Any]:
        for _ in range(10):
            response = await self.http.get(f"/imports/{job_id}?wait=30", headers=self.headers)
            assert response.status_code == 200, response.text
            if response.json()["status"] not in ("VALIDATING", "COMMITTING"):
                return response.json()
        raise AssertionError("the job did not finish")

    async def dry_run(self, content: bytes, name: str = "survei.csv") -> dict[str, Any]:
        response = await self.upload(content, name)
        assert response.status_code == 202, response.text
        assert response.headers["location"] == f"/imports/{response.json()['id']}"
        return await self.finished(response.json()["id"])

    async def commit(self, job_id: str) -> dict[str, Any]:
        response = await self.http.post(f"/imports/{job_id}/commit", headers=self.headers)
        assert response.status_code == 202, response.text
        return await self.finished(job_id)

    async def report(self, job_id: str) -> dict[int, dict[str, Any]]:
        response = await self.http.get(f"/imports/{job_id}/report.json", headers=self.headers)
        assert response.status_code == 200, response.text
        return {entry["row"]: entry for entry in response.json()["rows"]}

    async def graphql(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        response = await self.http.post("/graphql", json={"query": query, "variables": variables}, headers=self.headers)
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture
async def gateway(registry_server: Any, tokens: Any) -> AsyncIterator[httpx.AsyncClient]:
    app = build_app(SUPERGRAPH.read_text(), subgraph_urls={"registry": registry_server.url + "/graphql"},
                    verifier=tokens.verifier, limits=Limits())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway", timeout=120) as http:
        yield http
    await app.state.gateway.client.aclose()


@pytest.fixture
async def pg(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    connection = await asyncpg.connect(database_url.replace("postgresql+asyncpg", "postgresql"))
    yield connection
    await connection.close()


def office(gateway: httpx.AsyncClient, tokens: Any, role: str = "DISTRICT_OFFICER", region: str | None = "33.74",
           **claims: Any) -> Office:
    return Office(gateway, tokens.headers(role, region, **claims))


async def counts(pg: asyncpg.Connection) -> dict[str, int]:
    return dict(await pg.fetchrow(COUNTS))


async def test_the_template_is_the_survey_with_drop_downs_and_instructions(gateway: Any, tokens: Any) -> None:
    caller = office(gateway, tokens)
    xlsx = await gateway.get("/imports/template.xlsx", headers=caller.headers)
    assert xlsx.status_code == 200 and "attachment" in xlsx.headers["content-disposition"]
    book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    assert "Data IR" in book.sheetnames and "Petunjuk" in book.sheetnames
    sheet = book["Data IR"]
    headers = [cell.value for cell in sheet[1]]
    assert headers == [c.header for c in COLUMNS] and sheet.max_row == 1  # no example row to import by mistake
    dropdowns = {str(ref) for validation in sheet.data_validations.dataValidation for ref in validation.sqref.ranges}
    category = headers.index("Kategori usaha") + 1
    assert any(ref.startswith(openpyxl.utils.get_column_letter(category)) for ref in dropdowns)
    # The office's own villages, to pick from: the village column's drop-down lists them by code and name.
    villages = book["Daftar desa"]
    listed = [row[0].value for row in villages.iter_rows(min_row=2)]
    assert len(listed) > 100 and all(code.startswith("33.74.") for code in listed) and VILLAGES[0] in listed
    village = openpyxl.utils.get_column_letter(headers.index("Kode desa/kelurahan") + 1)
    assert any(ref.startswith(village) for ref in dropdowns)
    as_csv = await gateway.get("/imports/template.csv", headers=caller.headers)
    assert next(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig")))) == headers


async def test_dry_run_then_commit_then_the_same_file_again(gateway: Any, tokens: Any, pg: Any) -> None:
    caller = office(gateway, tokens)
    rows = [row(business_name=f"Usaha Impor {n}", village_code=VILLAGES[n % 3]) for n in range(3)]
    rows[1]["village_code"] = template.village_choice(VILLAGES[1], "Nama Desa", "Nama Kecamatan")  # picked from the list
    rows.append(row(business_category="Bengkel motor", capital_amount="banyak"))  # two cells unreadable: row 5
    rows.append(row(owner_nik="33740155079"))  # readable, refused by the registration's own NIK rule: row 6
    content = csv_file(rows)
    before = await counts(pg)

    validated = await caller.dry_run(content)
    assert (validated["status"], validated["total"], validated["valid"], validated["errors"]) == ("VALIDATED", 5, 3, 2)
    after_dry_run = await counts(pg)
    assert after_dry_run == {**before, "jobs": before["jobs"] + 1}  # nothing registered, nothing published
    report = await caller.report(validated["id"])
    assert [report[n]["outcome"] for n in (2, 3, 4, 5, 6)] == ["VALID", "VALID", "VALID", "INVALID", "INVALID"]
    assert {p["column"] for p in report[5]["problems"]} == {"business_category", "capital_amount"}
    [nik] = report[6]["problems"]
    assert (nik["column"], nik["header"], nik["field"], nik["code"]) == (
        "owner_nik", "NIK pemilik", "input.owner.nik", "BAD_USER_INPUT")
    assert nik["pesan"] and nik["pesan"] != nik["message"]

    marked = await gateway.get(f"/imports/{validated['id']}/report.xlsx", headers=caller.headers)
    assert marked.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(marked.content)).worksheets[0]
    headers = [cell.value for cell in sheet[1]]
    nik_cell = sheet.cell(6, headers.index("NIK pemilik") + 1)
    assert nik_cell.comment is not None and nik_cell.comment.text
    assert sheet.cell(5, headers.index("NIK pemilik") + 1).comment is None
    assert sheet.cell(2, headers.index("Hasil pemeriksaan") + 1).value

    # The portal follows the job on the one GraphQL endpoint.
    followed = await caller.graphql(JOB, {"id": validated["id"]})
    job = followed["data"]["importJob"]
    assert (job["status"], job["processed"], job["total"], job["errors"]) == ("VALIDATED", 5, 5, 2)
    assert {p["column"] for p in job["problems"]} == {"business_category", "capital_amount", "owner_nik"}

    committed = await caller.commit(validated["id"])
    assert (committed["status"], committed["registered"], committed["errors"]) == ("COMMITTED", 3, 2)
    after = await counts(pg)
    assert after["home_industries"] - before["home_industries"] == 3
    assert after["assessments"] - before["assessments"] == 3
    assert after["outbox"] - before["outbox"] == 6  # registered + assessment recorded, per IR
    assert after["audit"] - before["audit"] == 3
    audited = await pg.fetch("SELECT operation, subject FROM registry.audit_events WHERE action = 'WRITE' "
                             "ORDER BY id DESC LIMIT 3")
    assert {(r["operation"], r["subject"]) for r in audited} == {(f"import {validated['id']}", "test-district_officer-33.74")}
    report = await caller.report(validated["id"])
    assert [report[n]["outcome"] for n in (2, 3, 4, 5, 6)] == ["REGISTERED"] * 3 + ["INVALID"] * 2
    numbers = [report[n]["registrationNumber"] for n in (2, 3, 4)]
    found = await pg.fetch("SELECT business_name, village_code FROM registry.home_industries "
                           "WHERE registration_number = ANY($1) ORDER BY business_name", numbers)
    assert [(r["business_name"], r["village_code"]) for r in found] == [
        (f"Usaha Impor {n}", VILLAGES[n]) for n in range(3)]

    again = await gateway.post(f"/imports/{validated['id']}/commit", headers=caller.headers)
    assert again.status_code == 409 and again.json()["errors"][0]["extensions"]["code"] == "CONFLICT"

    # The same file again: every row already imported or still wrong; committing registers nothing.
    second = await caller.dry_run(content)
    assert (second["valid"], second["alreadyImported"], second["errors"]) == (0, 3, 2)
    unchanged = await counts(pg)
    redone = await caller.commit(second["id"])
    assert redone["registered"] == 0
    assert {k: v for k, v in (await counts(pg)).items() if k != "jobs"} == {
        k: v for k, v in unchanged.items() if k != "jobs"}


async def test_duplicates_in_the_file_and_in_the_registry_are_refused(gateway: Any, tokens: Any) -> None:
    caller = office(gateway, tokens)
    existing_nik = fresh_nik()
    made = await caller.graphql(
        "mutation($input: RegisterHomeIndustryInput!) { registerHomeIndustry(input: $input) { registrationNumber } }",
        {"input": {**register_input(), "owner": {**register_input()["owner"], "nik": existing_nik}}})
    number = made["data"]["registerHomeIndustry"]["registrationNumber"]
    twice = fresh_nik()
    content = csv_file([
        row(owner_nik=existing_nik, business_name="Usaha Baru Sekali"),
        row(owner_nik=twice, business_name="Batik Tulis Lestari"),
        row(owner_nik=twice, business_name="Batik Tulis Lestari"),
    ])
    job = await caller.dry_run(content)
    report = await caller.report(job["id"])
    assert report[2]["outcome"] == "INVALID" and report[2]["problems"][0]["code"] == "CONFLICT"
    assert number in report[2]["problems"][0]["message"]  # in the office's own scope: the number is named
    assert report[3]["outcome"] == "VALID"
    assert report[4]["outcome"] == "INVALID" and report[4]["problems"][0]["code"] == "CONFLICT"
    assert report[4]["problems"][0]["column"] == "owner_nik"


async def test_a_row_outside_the_callers_regency_is_refused_on_its_village(gateway: Any, tokens: Any, pg: Any) -> None:
    caller = office(gateway, tokens)
    job = await caller.dry_run(csv_file([row(village_code="33.01.01.2001"), row()], delimiter=";"))
    report = await caller.report(job["id"])
    assert report[2]["outcome"] == "INVALID"
    assert [(p["code"], p["column"]) for p in report[2]["problems"]] == [("FORBIDDEN", "village_code")]
    assert report[3]["outcome"] == "VALID"
    # The refusal is in the audit trail like any FORBIDDEN: who, the job, the row and the region asked for.
    denied = await pg.fetch("SELECT path, region_code, subject FROM registry.audit_events WHERE action = 'DENIED' "
                            "AND operation = $1", f"import {job['id']}")
    assert [(d["path"], d["subject"]) for d in denied] == [
        ("import.row[2].input.villageCode", "test-district_officer-33.74")]


def _formula_workbook() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Data IR"
    sheet.append([c.header for c in COLUMNS])
    cells = row()
    sheet.append([cells.get(c.key, "") for c in COLUMNS])
    sheet.cell(2, 11).value = "=1+1"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize("name, content, says", [
    ("laporan.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "PDF"),
    ("survei.csv", "Nama usaha,Kolom asing\nA,B\n".encode(), "Kolom asing"),
    ("survei.csv", csv_file([]), "no data"),
    ("survei.xlsx", _formula_workbook(), "formula"),
    ("survei.csv", b"", "no data"),
])
async def test_a_bad_file_is_refused_with_a_coded_error_and_no_job(
    gateway: Any, tokens: Any, pg: Any, name: str, content: bytes, says: str,
) -> None:
    caller = office(gateway, tokens)
    before = await counts(pg)
    response = await caller.upload(content, name)
    assert response.status_code == 400, response.text
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT" and error["extensions"]["field"] == "file"
    assert says.casefold() in error["message"].casefold() and error["extensions"]["pesan"]
    assert await counts(pg) == before


async def test_a_file_of_fifty_megabytes_is_refused_before_it_is_read(gateway: Any, tokens: Any, pg: Any) -> None:
    caller = office(gateway, tokens)
    before = await counts(pg)
    response = await caller.upload(b"x" * (50 * 1024 * 1024), "besar.csv")
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "REQUEST_TOO_LARGE"
    # Under the gateway's limit but over the registry's 10 MiB file limit: the registry refuses it.
    response = await gateway.post("/imports?fileName=besar.csv", content=b"x" * (10 * 1024 * 1024 + 10),
                                  headers={**caller.headers, "content-type": "text/csv"})
    assert response.status_code == 413 and response.json()["errors"][0]["extensions"]["field"] == "file"
    assert await counts(pg) == before


async def test_only_a_regency_office_imports_and_only_its_own_jobs_are_visible(gateway: Any, tokens: Any) -> None:
    for role, region in (("PROVINCE_OFFICER", "33"), ("MINISTRY", None), ("ANALYST", None)):
        refused = await office(gateway, tokens, role, region).upload(csv_file([row()]))
        assert refused.status_code == 403 and refused.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    owner = office(gateway, tokens)
    job = await owner.dry_run(csv_file([row()]))
    other = office(gateway, tokens, "DISTRICT_OFFICER", "33.74", subject="someone-else")
    mine = (await gateway.get("/imports", headers=owner.headers)).json()["jobs"]
    assert mine[0]["id"] == job["id"]
    assert job["id"] not in {j["id"] for j in (await gateway.get("/imports", headers=other.headers)).json()["jobs"]}
    assert (await gateway.get(f"/imports/{job['id']}", headers=other.headers)).status_code == 404
    assert (await gateway.post(f"/imports/{job['id']}/commit", headers=other.headers)).status_code == 404
    answer = await other.graphql(JOB, {"id": job["id"]})
    assert answer["data"]["importJob"] is None, answer
    unknown = await gateway.get("/imports/not-a-job", headers=owner.headers)
    assert unknown.status_code == 404
    anonymous = await gateway.get(f"/imports/{job['id']}")
    assert anonymous.status_code == 401


async def test_the_sample_file_shipped_for_the_readme(gateway: Any, tokens: Any) -> None:
    """The README's file: rows that register, one with two mistakes, and one of an owner already registered
    (Sri Wahyuni, as the README registers her before): two rows refused, the rest registered."""
    caller = office(gateway, tokens)
    sri = register_input()
    sri["owner"] = {**sri["owner"], "nik": "3374015507900001"}
    await caller.graphql("mutation($input: RegisterHomeIndustryInput!) { registerHomeIndustry(input: $input) { id } }",
                         {"input": sri})  # CONFLICT when another test registered her already: either way she is
    job = await caller.dry_run(SAMPLE.read_bytes(), SAMPLE.name)
    assert (job["status"], job["total"], job["errors"], job["valid"]) == ("VALIDATED", 6, 2, 4)
    report = await caller.report(job["id"])
    assert [p["code"] for p in report[7]["problems"]] == ["CONFLICT"]
    assert {p["header"] for p in report[5]["problems"]} == {"Kategori usaha", "Jumlah modal (Rp)"}
    committed = await caller.commit(job["id"])
    assert (committed["status"], committed["registered"]) == ("COMMITTED", 4)
