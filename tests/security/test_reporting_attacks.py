"""Attacks on reporting: each asserts the exact denial and that no figure of the other region leaked.

Reporting enforces scope itself (services/reporting/domain/access.py), called directly or through
the gateway. Decisions these tests pin: a region outside the caller's scope is FORBIDDEN (never an
empty or zero answer); an IR outside the scope asked through ``_entities`` has a null ``progress``,
as the registry resolves such an IR to null; record-level fields are FORBIDDEN to PARTNER and
ANALYST; partner-facing counts of 1–4 IR are null (``suppressed``), and so is every sum including one.
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
from tests.security.reporting_world import (  # noqa: F401 (fixtures)
    MALANG,
    SEMARANG,
    ReportingWorld,
    gateway,
    reporting_subgraph,
    reporting_world,
)

COUNTS = "{ unassessed pemula berkembang maju active closed graduated total suppressed }"
DISTRIBUTION = "query($r: String, $g: Boolean!) { classDistribution(regionCode: $r, groupByChildren: $g) { counts { total } } }"
CLASSES = ("unassessed", "pemula", "berkembang", "maju", "closed", "graduated")


def denied(body: dict[str, Any], path: list[Any], code: str = "FORBIDDEN", field: str | None = None) -> None:
    """Exactly one error, with ``code`` at ``path`` (and ``field``)."""
    assert len(body.get("errors") or []) == 1, body
    error = body["errors"][0]
    assert error["extensions"]["code"] == code and error["path"] == path, body
    if field is not None:
        assert error["extensions"].get("field") == field, body


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
    ('{ smallBusinessCandidates(regionCode: "35") { registrationNumber } }', ["smallBusinessCandidates"]),
    ('{ classDistribution { counts { total } } }', ["classDistribution"]),  # the nation is wider than a province
])
async def test_a_province_officer_reading_another_province_is_forbidden(
    reporting_world: ReportingWorld, query: str, path: list[Any]
) -> None:
    body = await reporting_world.as_role("PROVINCE_OFFICER", "33")(query)
    denied(body, path, field="regionCode")
    assert body["data"] is None  # every report field is non-null: nothing of the other region is left


async def test_a_drill_down_from_above_the_scope_is_forbidden_not_trimmed(reporting_world: ReportingWorld) -> None:
    officer = reporting_world.as_role("DISTRICT_OFFICER", SEMARANG)
    # Its own province grouped by regency would list other regencies: refused, not filtered.
    denied(await officer(DISTRIBUTION, {"r": "33", "g": True}), ["classDistribution"], field="regionCode")
    denied(await officer('{ classTransitions(regionCode: "33", from: "2024-01-01", to: "2024-12-31", groupByChildren: true)'
                         " { children { regionCode } } }"), ["classTransitions"], field="regionCode")
    # Its own regency drilled down stays inside it: every child is one of its sub-districts.
    mine = await officer("{ classDistribution(regionCode: \"33.74\", groupByChildren: true) { children { regionCode } } }")
    children = [c["regionCode"] for c in mine["data"]["classDistribution"]["children"]]
    assert children and all(code.startswith("33.74.") for code in children)


async def test_an_alias_does_not_smuggle_another_region_in(reporting_world: ReportingWorld) -> None:
    body = await reporting_world.as_role("DISTRICT_OFFICER", SEMARANG)(
        '{ mine: classDistribution(regionCode: "33.74") { counts { total } } '
        '  theirs: classDistribution(regionCode: "35.07") { counts { total } } }')
    denied(body, ["theirs"], field="regionCode")
    assert body["data"] is None


async def test_entities_region_statistics_of_another_region_is_forbidden(reporting_world: ReportingWorld) -> None:
    query = "query($r: [_Any!]!) { _entities(representations: $r) { ... on Region { code irStatistics { counts { total } } } } }"
    body = await reporting_world.as_role("PROVINCE_OFFICER", "33")(
        query, {"r": [{"__typename": "Region", "code": "33.74"}, {"__typename": "Region", "code": "35.07"}]})
    denied(body, ["_entities", 1, "irStatistics"], field="regionCode")
    mine, theirs = body["data"]["_entities"]
    assert mine["code"] == "33.74" and mine["irStatistics"]["counts"]["total"] > 0
    assert theirs is None


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


async def test_a_facilitator_reads_only_its_regency(reporting_world: ReportingWorld) -> None:
    facilitator = reporting_world.as_role("FACILITATOR", MALANG)
    denied(await facilitator(DISTRIBUTION, {"r": SEMARANG, "g": False}), ["classDistribution"], field="regionCode")


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
    denied(body, ["_entities", 0, "progress"], field="progress")
    assert body["data"]["_entities"] == [{"id": reporting_world.semarang_ir, "progress": None}]
    body = await caller('{ smallBusinessCandidates(regionCode: "33") { registrationNumber homeIndustry { id } } }')
    denied(body, ["smallBusinessCandidates"], field="smallBusinessCandidates")
    assert body["data"] is None


async def test_a_partner_gets_no_annual_report(reporting_world: ReportingWorld) -> None:
    partner = reporting_world.as_role("PARTNER", partner="900001")
    denied(await partner('{ annualReport(regionCode: "33.74", year: 2024) { year } }'), ["annualReport"], field="annualReport")
    response = await reporting_world.export("/exports/annual-report.csv?regionCode=33.74&year=2024", "PARTNER", partner="900001")
    assert response.status_code == 403 and response.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"


# --- small counts for partners -------------------------------------------------------------------


def _checked_block(seen: dict[str, Any], truth: dict[str, Any]) -> int:
    """One partner counts block against the ministry's: exact or null, never 1–4, sums null with a part."""
    withheld = 0
    for name in (*CLASSES, "active", "total"):
        if seen[name] is None:
            withheld += 1
        else:
            assert seen[name] == truth[name] and not 0 < seen[name] < 5, (name, seen, truth)
    for name in CLASSES:
        if 0 < truth[name] < 5:
            assert seen[name] is None, (name, seen, truth)
    if any(seen[name] is None for name in CLASSES):
        assert seen["total"] is None and seen["suppressed"] is True
    if any(seen[name] is None for name in ("unassessed", "pemula", "berkembang", "maju")):
        assert seen["active"] is None
    return withheld


async def test_a_partners_small_counts_are_withheld_and_cannot_be_recovered(reporting_world: ReportingWorld) -> None:
    query = f"""query($r: String) {{ classDistribution(regionCode: $r, groupByChildren: true) {{
      statistics {{ counts {COUNTS} femaleOwned {COUNTS} maleOwned {COUNTS} workers {{ women men }} suppressed }}
      children {{ regionCode statistics {{ counts {COUNTS} femaleOwned {COUNTS} maleOwned {COUNTS} workers {{ women }} }} }} }} }}"""
    withheld = shown = 0
    # The nation by province and Jawa Tengah by regency: the test data fills a few regencies only, so
    # deeper drill-downs here are all small cells (withheld whole).
    for region in (None, "33"):
        seen = (await reporting_world.as_role("PARTNER", partner="900001")(query, {"r": region}))["data"]["classDistribution"]
        truth = (await reporting_world.as_role("MINISTRY")(query, {"r": region}))["data"]["classDistribution"]
        blocks = [(seen["statistics"], truth["statistics"])] + [
            (s["statistics"], t["statistics"]) for s, t in zip(seen["children"], truth["children"])]
        for s, t in blocks:
            for part in ("counts", "femaleOwned", "maleOwned"):
                withheld += _checked_block(s[part], t[part])
                shown += sum(1 for name in CLASSES if s[part][name])
            # counts = women + men: a shown class count has both halves shown, so neither is a difference.
            for name in CLASSES:
                if s["counts"][name] is not None:
                    assert s["femaleOwned"][name] is not None and s["maleOwned"][name] is not None
        # A parent's class count is shown only if every child's is: parent − children never yields one.
        parent = seen["statistics"]
        for name in CLASSES:
            for part in ("counts", "femaleOwned", "maleOwned"):
                if parent[part][name] is not None:
                    assert all(c["statistics"][part][name] is not None for c in seen["children"]), (name, part)
                    assert parent[part][name] == sum(c["statistics"][part][name] for c in seen["children"])
        assert truth["statistics"]["suppressed"] is False  # nothing is withheld from the ministry
    assert withheld > 0 and shown > 0  # the data has both: the test exercised suppression


async def test_a_partners_small_moves_and_needs_items_are_withheld(reporting_world: ReportingWorld) -> None:
    query = """{ classTransitions(regionCode: "33.74", from: "2020-01-01", to: "2026-12-31", groupByChildren: true) {
        moves { from to homeIndustries femaleOwned maleOwned } summary { newRegistrations movedUp suppressed }
        children { summary { newRegistrations suppressed } } }
      needsAnalysis(regionCode: "33.74") { classes { homeIndustries products { item homeIndustries } } } }"""
    seen = (await reporting_world.as_role("PARTNER", partner="900001")(query))["data"]
    truth = (await reporting_world.as_role("MINISTRY")(query))["data"]
    truth_moves = {(m["from"], m["to"]): m for m in truth["classTransitions"]["moves"]}
    for move in seen["classTransitions"]["moves"]:
        real = truth_moves[(move["from"], move["to"])]
        for name in ("homeIndustries", "femaleOwned", "maleOwned"):
            assert move[name] is None or (move[name] == real[name] and not 0 < move[name] < 5)
            if 0 < real[name] < 5:
                assert move[name] is None
    if any(c["summary"]["newRegistrations"] is None for c in seen["classTransitions"]["children"]):
        assert seen["classTransitions"]["summary"]["newRegistrations"] is None
    for cls in seen["needsAnalysis"]["classes"]:
        assert cls["homeIndustries"] is None or cls["homeIndustries"] == 0 or cls["homeIndustries"] >= 5
        assert all(p["homeIndustries"] >= 5 for p in cls["products"])
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
        "query": '{ smallBusinessCandidates(regionCode: "33") { registrationNumber } '
                 ' annualReport(regionCode: "33", year: 2024) { year } }'})
    assert response.status_code == 403, response.text
    body = response.json()
    assert "data" not in body
    assert {(e["extensions"]["code"], e["extensions"]["field"]) for e in body["errors"]} == {
        ("FORBIDDEN", "Query.smallBusinessCandidates"), ("FORBIDDEN", "Query.annualReport")}
    assert json.dumps(body).count("requiresScopes") == 0  # a readable reason, not the directive's name


async def test_a_partner_cannot_subtract_children_from_a_region_joined_in_one_answer(
    reporting_world: ReportingWorld, statement_log: Any
) -> None:
    """Region.irStatistics of a province and of its regencies in one ``_entities`` answer (as the gateway
    asks for ``region { irStatistics children { irStatistics } }``): a province's count is shown only
    when no regency has 1–4 IR in it, so the province minus the regencies shown is never a small count."""
    ministry = reporting_world.as_role("MINISTRY")
    kids = [c["regionCode"] for c in (await ministry(
        '{ classDistribution(regionCode: "33", groupByChildren: true) { children { regionCode } } }'
    ))["data"]["classDistribution"]["children"]]
    query = f"""query($r: [_Any!]!) {{ _entities(representations: $r) {{ ... on Region {{ code
        irStatistics(asOf: "2026-11-20") {{ counts {COUNTS} femaleOwned {COUNTS} maleOwned {COUNTS} }} }} }} }}"""
    representations = [{"__typename": "Region", "code": code} for code in ["33", *kids]]
    statement_log.clear()
    seen = await reporting_world.as_role("PARTNER", partner="900001")(query, {"r": representations})
    # Per level (province, regencies, their sub-districts): a region look-up and a rollup read of two
    # statements, plus one for the children: a constant, not one per region (36 regions here).
    assert statement_log.count() <= 10
    truth = await ministry(query, {"r": representations})
    assert "errors" not in seen, seen
    province, *regencies = seen["data"]["_entities"]
    real_regencies = truth["data"]["_entities"][1:]
    withheld = 0
    for part in ("counts", "femaleOwned", "maleOwned"):
        for name in CLASSES:
            if province["irStatistics"][part][name] is None:
                withheld += 1
                continue
            # Province minus the regencies shown is what the withheld regencies hold together: each of
            # them is held back only because of its own sub-districts, never a count of 1–4 itself.
            hidden = [t["irStatistics"][part][name] for r, t in zip(regencies, real_regencies)
                      if r["irStatistics"][part][name] is None]
            assert all(n >= 5 for n in hidden), (part, name, hidden)
            shown = sum(r["irStatistics"][part][name] or 0 for r in regencies)
            assert province["irStatistics"][part][name] - shown == sum(hidden)
        for s, t in zip(seen["data"]["_entities"], truth["data"]["_entities"]):
            _checked_block(s["irStatistics"][part], t["irStatistics"][part])
    assert withheld > 0  # Kota Semarang's small cells hold back Jawa Tengah's


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
