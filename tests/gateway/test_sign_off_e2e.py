"""End-to-end through our gateway on the real registry and reporting subgraphs (reporting's consumer
running): one year's sign-off cycle in DI Yogyakarta, then a registry change after approval that shows
as a revision while the approved figures stay as signed."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from gateway.app import build_app
from gateway.limits import Limits
from siir.settings import Settings
from tests.conftest import ServerThread, prepared_database
from tests.gateway.test_reporting_e2e import SUPERGRAPH
from tests.registry.test_registry_api import REGISTER, register_input

YEAR = 2026
PROVINCE, REGENCY = "34", "34.71"  # DI Yogyakarta, Kota Yogyakarta
OTHER_REGENCIES = ["34.01", "34.02", "34.03", "34.04"]
VILLAGE = "34.71.01.1001"  # Kricak

SIGN_OFF = """query($year: Int!, $code: String!) { signOff(year: $year, regionCode: $code) {
  signOff { regionCode state version late deadline submittedBy decidedBy comment }
  narrative { achievements problems followUpPlan }
  approvedFigures { name value } liveFigures { name value }
  revisions { figure approved live difference }
  history { nodes { action fromState toState actor actorRole actorRegion comment version } }
  submissions { nodes { submittedBy narrative { problems } figures { name value } } }
} }"""
SUBMIT = """mutation($input: SubmitAnnualReportInput!) { submitAnnualReport(input: $input) { regionCode state version } }"""
RETURN = """mutation($code: String!, $comment: String!) { returnAnnualReport(regionCode: $code, year: 2026, comment: $comment)
  { state version comment } }"""
APPROVE = """mutation($code: String!, $v: Int) { approveAnnualReport(regionCode: $code, year: 2026, expectedVersion: $v)
  { state version decidedBy } }"""
WAIVE = """mutation($code: String!) { waiveAnnualReport(regionCode: $code, year: 2026, reason: "tidak ada IR terdaftar")
  { state comment } }"""
STATUS = """query($level: SignOffLevel!, $code: String) { signOffStatus(year: 2026, level: $level, regionCode: $code) {
  level counts { state count } late signOffs { nodes { regionCode regionName state submittedBy decidedBy late } } } }"""
ASSESS = """mutation($id: ID!, $input: AssessmentInput!) { recordAssessment(homeIndustryId: $id, input: $input)
  { homeIndustry { currentClass } } }"""


def narrative(problems: str) -> dict[str, str]:
    return {"achievements": "IR baru terdaftar dan dinilai", "problems": problems,
            "followUpPlan": "pendampingan pemasaran daring"}


@pytest.fixture(scope="module")
def own_database(admin_url: str) -> Iterator[str]:
    """A database of this module's own: its figures (a regency's year) must not hold other tests' IR."""
    with prepared_database(admin_url, "siir_sign_off") as url:
        yield url


@pytest.fixture(scope="module")
def registry_url(own_database: str, tokens: Any) -> Iterator[str]:
    from services.registry.app import build_app as build_registry

    with ServerThread(build_registry(own_database, verifier=tokens.verifier)) as server:
        yield server.url + "/graphql"


@pytest.fixture(scope="module")
def reporting_url(own_database: str, tokens: Any) -> Iterator[str]:
    from services.reporting.app import build_app as build_reporting

    with ServerThread(build_reporting(own_database, Settings(reporting_poll_interval=0.1), run_consumer=True,
                                      verifier=tokens.verifier)) as server:
        yield server.url + "/graphql"


class Gateway:
    def __init__(self, client: httpx.AsyncClient, tokens: Any) -> None:
        self.client, self.tokens = client, tokens

    async def __call__(self, role: tuple[str, ...], query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        response = await self.client.post("/graphql", json={"query": query, "variables": variables or {}},
                                          headers=self.tokens.headers(*role))
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture
async def gateway(registry_url: str, reporting_url: str, tokens: Any) -> AsyncIterator[Gateway]:
    app = build_app(SUPERGRAPH.read_text(), subgraph_urls={"registry": registry_url,
                                                           "reporting": reporting_url},
                    verifier=tokens.verifier, limits=Limits())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway", timeout=60) as client:
        yield Gateway(client, tokens)
    await app.state.gateway.client.aclose()


D, P, OTHER_P, M = ("DISTRICT_OFFICER", REGENCY), ("PROVINCE_OFFICER", PROVINCE), ("PROVINCE_OFFICER", "33"), ("MINISTRY",)


def code_of(body: dict[str, Any]) -> str:
    assert body.get("errors"), body
    return body["errors"][0]["extensions"]["code"]


def figures(items: list[dict[str, Any]]) -> dict[str, int]:
    return {f["name"]: f["value"] for f in items}


async def until(check: Any, what: str) -> Any:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        value = await check()
        if value:
            return value
        await asyncio.sleep(0.2)
    raise AssertionError(f"reporting never showed {what}")


async def test_a_year_signed_off_up_to_the_ministry_then_revised(gateway: Gateway) -> None:
    # A regency office registers an IR (BERKEMBANG) in 2026; reporting's consumer picks it up.
    owner = {"name": "Sri Lestari", "nik": "3471015507900001", "isFemaleHeadOfHousehold": True, "phone": "0812-1111-2222"}
    registered = await gateway(D, REGISTER, {"input": register_input(
        villageCode=VILLAGE, owner=owner, registeredOn="2026-02-01", businessStartedOn="2025-03-01",
        consent={"granted": True, "recordedOn": "2026-02-01"},
        firstAssessment={"assessedOn": "2026-02-01", "workerCount": 3, "productionTechnology": "SEMI_MANUAL",
                         "capitalSource": "OWN", "capitalAmount": 7500000, "productionPattern": "SEMI_CONTINUOUS"})})
    assert "errors" not in registered, registered
    ir = registered["data"]["registerHomeIndustry"]

    async def live_total() -> int:
        body = await gateway(D, SIGN_OFF, {"year": YEAR, "code": REGENCY})
        return "errors" not in body and figures(body["data"]["signOff"]["liveFigures"]).get("endOfYear.total", 0)
    await until(live_total, "the registration")

    # Bad input names its path in the input; a sub-district does not sign off.
    empty = await gateway(D, SUBMIT, {"input": {"regionCode": REGENCY, "year": YEAR, **narrative("  ")}})
    assert (code_of(empty), empty["errors"][0]["extensions"]["field"]) == ("BAD_USER_INPUT", "input.problems")
    village = await gateway(D, SUBMIT, {"input": {"regionCode": "34.71.01", "year": YEAR, **narrative("x")}})
    assert (code_of(village), village["errors"][0]["extensions"]["field"]) == ("BAD_USER_INPUT", "input.regionCode")

    # The regency submits; the province returns it with comments; nobody else may act on it.
    first = await gateway(D, SUBMIT, {"input": {"regionCode": REGENCY, "year": YEAR, **narrative("modal terbatas")}})
    assert "errors" not in first, first
    assert first["data"]["submitAnnualReport"] == {"regionCode": REGENCY, "state": "SUBMITTED", "version": 1}
    assert code_of(await gateway(D, APPROVE, {"code": REGENCY})) == "FORBIDDEN"          # its own
    assert code_of(await gateway(OTHER_P, APPROVE, {"code": REGENCY})) == "FORBIDDEN"    # another province
    assert code_of(await gateway(P, APPROVE, {"code": REGENCY, "v": 0})) == "CONFLICT"   # a stale version
    assert code_of(await gateway(P, RETURN, {"code": REGENCY, "comment": " "})) == "BAD_USER_INPUT"
    returned = await gateway(P, RETURN, {"code": REGENCY, "comment": "lengkapi data pemasaran"})
    assert returned["data"]["returnAnnualReport"] == {"state": "RETURNED", "version": 2, "comment": "lengkapi data pemasaran"}
    assert code_of(await gateway(P, APPROVE, {"code": REGENCY})) == "CONFLICT"          # approving a returned report

    # The regency resubmits (a new snapshot, the first kept); the province cannot submit yet.
    await gateway(D, SUBMIT, {"input": {"regionCode": REGENCY, "year": YEAR, **narrative("modal dan pemasaran")}})
    early = await gateway(P, SUBMIT, {"input": {"regionCode": PROVINCE, "year": YEAR, **narrative("-")}})
    assert code_of(early) == "CONFLICT"
    assert early["errors"][0]["extensions"]["missing"] == sorted([*OTHER_REGENCIES, REGENCY])

    # The province approves it, waives the regencies without IR, and submits its own.
    approved = await gateway(P, APPROVE, {"code": REGENCY, "v": 3})
    assert approved["data"]["approveAnnualReport"] == {"state": "APPROVED", "version": 4, "decidedBy": approved[
        "data"]["approveAnnualReport"]["decidedBy"]}
    for code in OTHER_REGENCIES:
        assert (await gateway(P, WAIVE, {"code": code}))["data"]["waiveAnnualReport"]["state"] == "WAIVED"
    province = await gateway(P, SUBMIT, {"input": {"regionCode": PROVINCE, "year": YEAR, **narrative("SDM pendamping")}})
    assert province["data"]["submitAnnualReport"]["state"] == "SUBMITTED", province

    # The ministry sees it in the national status, and the province's regencies.
    national = (await gateway(M, STATUS, {"level": "PROVINCE"}))["data"]["signOffStatus"]
    assert len(national["signOffs"]["nodes"]) == 38
    yogya = next(s for s in national["signOffs"]["nodes"] if s["regionCode"] == PROVINCE)
    assert (yogya["regionName"], yogya["state"], yogya["late"]) == ("Daerah Istimewa Yogyakarta", "SUBMITTED", False)
    assert {c["state"]: c["count"] for c in national["counts"]}["SUBMITTED"] >= 1
    regencies = (await gateway(M, STATUS, {"level": "REGENCY", "code": PROVINCE}))["data"]["signOffStatus"]
    assert {c["state"]: c["count"] for c in regencies["counts"]} == {
        "NOT_STARTED": 0, "SUBMITTED": 0, "RETURNED": 0, "APPROVED": 1, "WAIVED": 4}
    assert code_of(await gateway(D, STATUS, {"level": "PROVINCE"})) == "FORBIDDEN"  # a regency sees no nation
    assert code_of(await gateway(P, APPROVE, {"code": PROVINCE})) == "FORBIDDEN"    # a province approving its own
    assert (await gateway(M, APPROVE, {"code": PROVINCE}))["data"]["approveAnnualReport"]["state"] == "APPROVED"

    # The signed figures, the audit trail, both submissions.
    signed = (await gateway(P, SIGN_OFF, {"year": YEAR, "code": REGENCY}))["data"]["signOff"]
    approved_figures = figures(signed["approvedFigures"])
    assert approved_figures["endOfYear.berkembang"] >= 1 and signed["revisions"] == []
    assert [(h["action"], h["fromState"], h["toState"], h["actorRole"]) for h in signed["history"]["nodes"]] == [
        ("SUBMIT", "NOT_STARTED", "SUBMITTED", "DISTRICT_OFFICER"), ("RETURN", "SUBMITTED", "RETURNED", "PROVINCE_OFFICER"),
        ("SUBMIT", "RETURNED", "SUBMITTED", "DISTRICT_OFFICER"), ("APPROVE", "SUBMITTED", "APPROVED", "PROVINCE_OFFICER")]
    assert signed["history"]["nodes"][1]["comment"] == "lengkapi data pemasaran" and signed["history"]["nodes"][1]["actorRegion"] == PROVINCE
    assert [s["narrative"]["problems"] for s in signed["submissions"]["nodes"]] == ["modal terbatas", "modal dan pemasaran"]
    assert code_of(await gateway(D, SUBMIT, {"input": {"regionCode": REGENCY, "year": YEAR, **narrative("x")}})) == "CONFLICT"

    # A later registry change: the IR is re-assessed MAJU. It shows as a revision; the signed figures stay.
    assessed = await gateway(D, ASSESS, {"id": ir["id"], "input": {
        "assessedOn": "2026-11-02", "workerCount": 7, "productionTechnology": "HIGH_TECHNOLOGY",
        "capitalSource": "OWN_AND_FORMAL_LOAN", "capitalAmount": 30000000, "productionPattern": "CONTINUOUS"}})
    assert assessed["data"]["recordAssessment"]["homeIndustry"]["currentClass"] == "MAJU", assessed

    async def revised() -> dict[str, Any] | None:
        body = (await gateway(P, SIGN_OFF, {"year": YEAR, "code": REGENCY}))["data"]["signOff"]
        return body if body["revisions"] else None
    after = await until(revised, "the re-assessment as a revision")
    assert figures(after["approvedFigures"]) == approved_figures
    changes = {r["figure"]: (r["approved"], r["live"], r["difference"]) for r in after["revisions"]}
    assert changes["endOfYear.maju"] == (approved_figures["endOfYear.maju"], approved_figures["endOfYear.maju"] + 1, 1)
    assert changes["endOfYear.berkembang"][2] == -1
    assert after["signOff"]["state"] == "APPROVED" and after["signOff"]["version"] == 4
    # The province's own signed figures are revised the same way.
    province_after = (await gateway(M, SIGN_OFF, {"year": YEAR, "code": PROVINCE}))["data"]["signOff"]
    assert {r["figure"] for r in province_after["revisions"]} >= {"endOfYear.maju", "endOfYear.berkembang"}
