"""Attacks on reporting: each asserts the exact denial and that no figure of the other region leaked.

Reporting enforces scope itself (services/reporting/domain/access.py), called directly or through
the gateway. Decisions these tests pin: a region outside the caller's scope is FORBIDDEN (never an
empty or zero answer); an IR outside the scope asked through ``_entities`` has a null ``progress``,
as the registry resolves such an IR to null; record-level fields are FORBIDDEN to PARTNER and
ANALYST; partner-facing counts are perturbed by the cell-key method (never 1–4; the differencing
attacks are in test_partner_differencing.py).
"""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from siir.auth.keys import key_id
from siir.auth.tokens import issue_token
from tests.conftest import Tokens
from services.reporting.domain.disclosure import possible_counts
from tests.security.reporting_world import (  # noqa: F401 (fixtures)
    MALANG,
    RARE_PRODUCT,
    SEMARANG,
    ReportingWorld,
    gateway,
    reporting_subgraph,
    reporting_world,
)

COUNTS = "{ unassessed pemula berkembang maju active closed graduated total suppressed }"
DISTRIBUTION = "query($r: String, $g: Boolean!) { classDistribution(regionCode: $r, groupByChildren: $g) { counts { total } } }"
CLASSES = ("unassessed", "pemula", "berkembang", "maju", "closed", "graduated")


def denied(body: dict[str, Any], path: list[Any], code: str = "FORBIDDEN", field: str | None = None,
           coordinate: str | None = None) -> None:
    """Exactly one error, with ``code`` at ``path`` (and ``field``, the input refused, or ``coordinate``,
    the output field)."""
    assert len(body.get("errors") or []) == 1, body
    error = body["errors"][0]
    assert error["extensions"]["code"] == code and error["path"] == path, body
    if field is not None:
        assert error["extensions"].get("field") == field, body
    if coordinate is not None:
        assert error["extensions"].get("coordinate") == coordinate, body


def unauthenticated(response: httpx.Response) -> None:
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert [e["extensions"]["code"] for e in response.json()["errors"]] == ["UNAUTHENTICATED"]
    assert "data" not in response.json()


# --- identity: a direct call without a valid token -----------------------------------------------


def _expired(tokens: Tokens) -> str:
    return issue_token(tokens.key, subject="late", role="MINISTRY", issuer=tokens.ISSUER, audience=tokens.AUDIENCE,
                       now=int(time.time()) - 7200, lifetime=3600)


def _wrong_key(tokens: Tokens) -> str:
    other = ec.generate_private_key(ec.SECP256R1())
    claims = {"sub": "mallory", "role": "MINISTRY", "iss": tokens.ISSUER, "aud": tokens.AUDIENCE,
              "iat": int(time.time()), "exp": int(time.time()) + 600}
    return jwt.encode(claims, other, algorithm="ES256", headers={"kid": key_id(other.public_key())})


@pytest.mark.parametrize("make", [lambda t: None, _expired, _wrong_key], ids=["no-token", "expired", "wrong-key"])
async def test_a_direct_graphql_call_without_a_valid_token_is_401(reporting_world: ReportingWorld, make: Any) -> None:
    token = make(reporting_world.tokens)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = await reporting_world.client.post(reporting_world.url + "/graphql", headers=headers,
                                                 json={"query": "{ classDistribution { counts { total } } }"})
    unauthenticated(response)


async def test_a_direct_export_without_a_token_is_401_and_the_health_check_stays_open(reporting_world: ReportingWorld) -> None:
    unauthenticated(await reporting_world.export("/exports/class-distribution.csv?regionCode=33"))
    health = await reporting_world.client.get(reporting_world.url + "/healthcheck")
    assert health.status_code == 200 and health.json()["status"] == "ok"


# --- another region through every entry point ----------------------------------------------------


@pytest.mark.parametrize("query,path", [
    ('{ classDistribution(regionCode: "35") { counts { total } } }', ["classDistribution"]),
    ('{ classDistribution(regionCode: "35.07.01", groupByChildren: true) { counts { total } } }', ["classDistribution"]),
    ('{ classTransitions(regionCode: "35", from: "2024-01-01", to: "2024-12-31") { summary { movedUp } } }', ["classTransitions"]),
    ('{ annualReport(regionCode: "35.07", year: 2024) { endOfYear { counts { total } } } }', ["annualReport"]),
    ('{ needsAnalysis(regionCode: "35.07") { classes { homeIndustries } } }', ["needsAnalysis"]),
    ('{ smallBusinessCandidates(regionCode: "35") { nodes { registrationNumber } } }', ["smallBusinessCandidates"]),
    ('{ classDistribution { counts { total } } }', ["classDistribution"]),  # the nation is wider than a province
])
async def test_a_province_officer_reading_another_province_is_forbidden(
    reporting_world: ReportingWorld, query: str, path: list[Any]
) -> None:
    body = await reporting_world.as_role("PROVINCE_OFFICER", "33")(query)
    denied(body, path, field="regionCode")
    assert not any((body["data"] or {}).values())  # the refused report is null: nothing of the other region is left


async def test_a_drill_down_from_above_the_scope_is_forbidden_not_trimmed(reporting_world: ReportingWorld) -> None:
    officer = reporting_world.as_role("DISTRICT_OFFICER", SEMARANG)
    # Its own province grouped by regency would list other regencies: refused, not filtered.
    denied(await officer(DISTRIBUTION, {"r": "33", "g": True}), ["classDistribution"], field="regionCode")
    denied(await officer('{ classTransitions(regionCode: "33", from: "2024-01-01", to: "2024-12-31", groupByChildren: true)'
                         " { children { nodes { regionCode } } } }"), ["classTransitions"], field="regionCode")
    # Its own regency drilled down stays inside it: every child is one of its sub-districts.
    mine = await officer("{ classDistribution(regionCode: \"33.74\", groupByChildren: true) { children { nodes { regionCode } } } }")
    children = [c["regionCode"] for c in mine["data"]["classDistribution"]["children"]["nodes"]]
    assert children and all(code.startswith("33.74.") for code in children)


async def test_an_alias_does_not_smuggle_another_region_in(reporting_world: ReportingWorld) -> None:
    body = await reporting_world.as_role("DISTRICT_OFFICER", SEMARANG)(
        '{ mine: classDistribution(regionCode: "33.74") { counts { total } } '
        '  theirs: classDistribution(regionCode: "35.07") { counts { total } } }')
    denied(body, ["theirs"], field="regionCode")
    # Partial results: the refused alias is null, the caller's own region stands.
    assert body["data"]["theirs"] is None and body["data"]["mine"]["counts"]["total"] > 0


async def test_entities_region_statistics_of_another_region_is_forbidden(reporting_world: ReportingWorld) -> None:
    query = "query($r: [_Any!]!) { _entities(representations: $r) { ... on Region { code irStatistics { counts { total } } } } }"
    body = await reporting_world.as_role("PROVINCE_OFFICER", "33")(
        query, {"r": [{"__typename": "Region", "code": "33.74"}, {"__typename": "Region", "code": "35.07"}]})
    denied(body, ["_entities", 1, "irStatistics"], field="regionCode")
    mine, theirs = body["data"]["_entities"]
    assert mine["code"] == "33.74" and mine["irStatistics"]["counts"]["total"] > 0
    assert theirs == {"code": "35.07", "irStatistics": None}  # only the refused field is null


async def test_entities_progress_of_another_regions_ir_is_null(reporting_world: ReportingWorld) -> None:
    query = "query($r: [_Any!]!) { _entities(representations: $r) { ... on HomeIndustry { id progress { currentStanding } } } }"
    body = await reporting_world.as_role("DISTRICT_OFFICER", SEMARANG)(query, {"r": [
        {"__typename": "HomeIndustry", "id": reporting_world.malang_ir},
        {"__typename": "HomeIndustry", "id": reporting_world.semarang_ir},
        {"__typename": "HomeIndustry", "id": "987654321"},
    ]})
    assert "errors" not in body, body
    theirs, mine, missing = body["data"]["_entities"]
    # Another region's IR answers exactly as one that does not exist: its id cannot be probed.
    assert theirs == {"id": reporting_world.malang_ir, "progress": None}
    assert missing == {"id": "987654321", "progress": None}
    assert mine["progress"]["currentStanding"]


async def test_a_facilitator_reporting_does_not_know_gets_nothing_not_her_regency(reporting_world: ReportingWorld) -> None:
    # Her own regency included: reporting scopes a facilitator by her assignments (more cases in
    # test_reporting_facilitator_attacks.py), so a login it knows no facilitator for reaches nothing.
    facilitator = reporting_world.as_role("FACILITATOR", MALANG)
    for region in (SEMARANG, MALANG):
        body = await facilitator(DISTRIBUTION, {"r": region, "g": False})
        denied(body, ["classDistribution"])
        assert body["errors"][0]["extensions"] == {"code": "FORBIDDEN", "reason": "NO_FACILITATOR_RECORD"}


async def test_a_regional_analyst_reads_only_its_region(reporting_world: ReportingWorld) -> None:
    analyst = reporting_world.as_role("ANALYST", "35")
    denied(await analyst(DISTRIBUTION, {"r": "33", "g": False}), ["classDistribution"], field="regionCode")
    assert "errors" not in await analyst(DISTRIBUTION, {"r": MALANG, "g": True})


# --- record-level fields -------------------------------------------------------------------------

PROGRESS = "query($r: [_Any!]!) { _entities(representations: $r) { ... on HomeIndustry { id progress { currentStanding } } } }"


@pytest.mark.parametrize("role,claims", [("PARTNER", {"partner": "900001"}), ("ANALYST", {})])
async def test_record_level_fields_are_forbidden_to_partners_and_analysts(
    reporting_world: ReportingWorld, role: str, claims: dict[str, str]
) -> None:
    caller = reporting_world.as_role(role, **claims)
    body = await caller(PROGRESS, {"r": [{"__typename": "HomeIndustry", "id": reporting_world.semarang_ir}]})
    denied(body, ["_entities", 0, "progress"], coordinate="HomeIndustry.progress")
    assert body["data"]["_entities"] == [{"id": reporting_world.semarang_ir, "progress": None}]
    body = await caller('{ smallBusinessCandidates(regionCode: "33") { nodes { registrationNumber homeIndustry { id } } } }')
    denied(body, ["smallBusinessCandidates"], coordinate="Query.smallBusinessCandidates")
    assert not any((body["data"] or {}).values())


async def test_a_partner_gets_no_annual_report(reporting_world: ReportingWorld) -> None:
    partner = reporting_world.as_role("PARTNER", partner="900001")
    denied(await partner('{ annualReport(regionCode: "33.74", year: 2024) { year } }'), ["annualReport"], coordinate="Query.annualReport")
    response = await reporting_world.export("/exports/annual-report.csv?regionCode=33.74&year=2024", "PARTNER", partner="900001")
    assert response.status_code == 403 and response.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"


# --- small counts for partners -------------------------------------------------------------------


def _checked_block(seen: dict[str, Any], truth: dict[str, Any]) -> int:
    """One partner counts block against the ministry's: never 1–4, within the p-table's reach of the
    truth, zero where the truth is zero; returns how many differ from the truth."""
    moved = 0
    for name in (*CLASSES, "active", "total"):
        assert seen[name] == 0 or seen[name] >= 5, (name, seen)
        assert truth[name] in possible_counts(seen[name]), (name, seen, truth)
        if truth[name] == 0:
            assert seen[name] == 0
        moved += seen[name] != truth[name]
    assert seen["suppressed"] is True and truth["suppressed"] is False
    return moved


async def test_a_partners_counts_are_perturbed_never_small_and_the_same_set_reads_the_same(reporting_world: ReportingWorld) -> None:
    query = f"""query($r: String) {{ classDistribution(regionCode: $r, groupByChildren: true, asOf: "2026-10-31") {{
      statistics {{ counts {COUNTS} femaleOwned {COUNTS} maleOwned {COUNTS} workers {{ women men }} suppressed }}
      children {{ nodes {{ regionCode statistics {{ counts {COUNTS} femaleOwned {COUNTS} maleOwned {COUNTS} workers {{ women }} }} }} }} }} }}"""
    moved = small = 0
    for region in (None, "33", SEMARANG):
        seen = (await reporting_world.as_role("PARTNER", partner="900001")(query, {"r": region}))["data"]["classDistribution"]
        truth = (await reporting_world.as_role("MINISTRY")(query, {"r": region}))["data"]["classDistribution"]
        blocks = [(seen["statistics"], truth["statistics"])] + [
            (s["statistics"], t["statistics"]) for s, t in zip(seen["children"]["nodes"], truth["children"]["nodes"])]
        for s, t in blocks:
            for part in ("counts", "femaleOwned", "maleOwned"):
                moved += _checked_block(s[part], t[part])
                small += sum(1 for name in CLASSES if 0 < t[part][name] < 5)
        # A child holding as many IR of a class as its parent holds the same IR (a subset of equal size):
        # the same set, so the same number, whichever level asks.
        for s, t in zip(seen["children"]["nodes"], truth["children"]["nodes"]):
            for part in ("counts", "femaleOwned", "maleOwned"):
                for name in (*CLASSES, "active", "total"):
                    if t["statistics"][part][name] == truth["statistics"][part][name]:
                        assert s["statistics"][part][name] == seen["statistics"][part][name], (part, name)
        again = (await reporting_world.as_role("PARTNER", partner="900002")(query, {"r": region}))["data"]["classDistribution"]
        assert again == seen  # another partner, another request: the same figures
    assert moved > 0 and small > 0  # the data has small cells and the perturbation changed figures


async def test_a_partners_moves_and_needs_are_perturbed_and_rare_items_left_out(reporting_world: ReportingWorld) -> None:
    query = """{ classTransitions(regionCode: "33.74", from: "2020-01-01", to: "2026-10-31", groupByChildren: true) {
        moves { from to homeIndustries femaleOwned maleOwned } summary { newRegistrations movedUp suppressed }
        children { nodes { summary { newRegistrations suppressed } } } }
      needsAnalysis(regionCode: "33.74") { classes { homeIndustries products { item homeIndustries } } } }"""
    seen = (await reporting_world.as_role("PARTNER", partner="900001")(query))["data"]
    truth = (await reporting_world.as_role("MINISTRY")(query))["data"]
    truth_moves = {(m["from"], m["to"]): m for m in truth["classTransitions"]["moves"]}
    for move in seen["classTransitions"]["moves"]:
        real = truth_moves[(move["from"], move["to"])]
        for name in ("homeIndustries", "femaleOwned", "maleOwned"):
            assert move[name] == 0 or move[name] >= 5
            assert real[name] in possible_counts(move[name])
        assert move["homeIndustries"] > 0  # a move shown as 0 is not listed
    assert seen["classTransitions"]["summary"]["suppressed"] is True
    for child in seen["classTransitions"]["children"]["nodes"]:
        assert child["summary"]["newRegistrations"] == 0 or child["summary"]["newRegistrations"] >= 5
    for cls in seen["needsAnalysis"]["classes"]:
        assert cls["homeIndustries"] == 0 or cls["homeIndustries"] >= 5
        assert all(p["homeIndustries"] >= 5 and p["item"] != RARE_PRODUCT for p in cls["products"])
    assert any(0 < p["homeIndustries"] < 5 for c in truth["needsAnalysis"]["classes"] for p in c["products"])


# --- through the gateway -------------------------------------------------------------------------


async def test_an_export_through_the_gateway_needs_a_token_and_the_scope(
    reporting_world: ReportingWorld, gateway: httpx.AsyncClient, tokens: Tokens
) -> None:
    path = "/exports/class-distribution.csv?regionCode=35&groupByChildren=true"
    unauthenticated(await gateway.get(path))
    unauthenticated(await gateway.get(path, headers={"Authorization": f"Bearer {_expired(tokens)}"}))
    refused = await gateway.get(path, headers=tokens.headers("PROVINCE_OFFICER", "33"))
    assert refused.status_code == 403, refused.text
    assert refused.json()["errors"][0]["extensions"] == {"code": "FORBIDDEN", "field": "regionCode"}
    refused = await gateway.get("/exports/annual-report.xlsx?regionCode=35.07&year=2024",
                                headers=tokens.headers("DISTRICT_OFFICER", SEMARANG))
    assert refused.status_code == 403 and "35" not in refused.headers.get("content-disposition", "")
    allowed = await gateway.get("/exports/class-distribution.csv?regionCode=33&groupByChildren=true",
                                headers=tokens.headers("PROVINCE_OFFICER", "33"))
    assert allowed.status_code == 200 and allowed.text.count("\n33.") == 35


async def test_the_gateway_refuses_record_level_fields_to_a_partner_before_planning(
    reporting_world: ReportingWorld, gateway: httpx.AsyncClient, tokens: Tokens
) -> None:
    response = await gateway.post("/graphql", headers=tokens.headers("PARTNER", partner="900001"), json={
        "query": '{ smallBusinessCandidates(regionCode: "33") { nodes { registrationNumber } } '
                 ' annualReport(regionCode: "33", year: 2024) { year } }'})
    # Refused at the gateway as a subgraph refuses: field errors beside null data, 200 (docs/errors.md).
    assert response.status_code == 200, response.text
    body = response.json()
    assert not any((body["data"] or {}).values())
    assert {(e["extensions"]["code"], e["extensions"]["coordinate"], tuple(e["path"])) for e in body["errors"]} == {
        ("FORBIDDEN", "Query.smallBusinessCandidates", ("smallBusinessCandidates",)),
        ("FORBIDDEN", "Query.annualReport", ("annualReport",))}
    assert json.dumps(body).count("requiresScopes") == 0  # a readable reason, not the directive's name


async def test_a_partners_region_and_its_children_in_one_answer_are_perturbed_cell_by_cell(
    reporting_world: ReportingWorld, statement_log: Any
) -> None:
    """Region.irStatistics of a province and of its regencies in one ``_entities`` answer (as the gateway
    asks for ``region { irStatistics children { irStatistics } }``): every count is its own cell,
    perturbed, never 1–4; the partner's ``asOf`` is the last completed month's end."""
    ministry = reporting_world.as_role("MINISTRY")
    kids = [c["regionCode"] for c in (await ministry(
        '{ classDistribution(regionCode: "33", groupByChildren: true) { children { nodes { regionCode } } } }'
    ))["data"]["classDistribution"]["children"]["nodes"]]
    query = f"""query($r: [_Any!]!, $d: Date) {{ _entities(representations: $r) {{ ... on Region {{ code
        irStatistics(asOf: $d) {{ asOf counts {COUNTS} femaleOwned {COUNTS} maleOwned {COUNTS} }} }} }} }}"""
    representations = [{"__typename": "Region", "code": code} for code in ["33", *kids]]
    statement_log.clear()
    seen = await reporting_world.as_role("PARTNER", partner="900001")(query, {"r": representations, "d": "2026-11-20"})
    # One region look-up and one rollup read per level: a constant, not one per region (36 regions here).
    assert statement_log.count() <= 6
    truth = await ministry(query, {"r": representations, "d": "2026-10-31"})
    assert "errors" not in seen, seen
    assert {e["irStatistics"]["asOf"] for e in seen["data"]["_entities"]} == {"2026-10-31"}
    for s, t in zip(seen["data"]["_entities"], truth["data"]["_entities"]):
        for part in ("counts", "femaleOwned", "maleOwned"):
            _checked_block(s["irStatistics"][part], t["irStatistics"][part])


@pytest.mark.parametrize("path", [
    "/exports/..%2Fgraphql?query=%7BreportingStatus%7BlagEvents%7D%7D",
    "/exports/%2e%2e%2Fgraphql?query=%7BreportingStatus%7BlagEvents%7D%7D",
    "/exports/class-distribution.csv%2F..%2F..%2Fgraphql?query=%7BreportingStatus%7BlagEvents%7D%7D",
])
async def test_the_gateway_export_route_cannot_reach_another_path_of_the_subgraph(
    reporting_world: ReportingWorld, gateway: httpx.AsyncClient, tokens: Tokens, path: str
) -> None:
    """A dot-segment in the export name would take the proxy to reporting's /graphql over GET, past
    the gateway's limits and directives: only ``<report>.<format>`` names are forwarded."""
    response = await gateway.get(path, headers=tokens.headers("MINISTRY"))
    assert response.status_code == 404, response.text
    assert response.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert "lagEvents" not in response.text
