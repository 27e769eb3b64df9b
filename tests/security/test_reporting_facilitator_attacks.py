"""Attacks by a facilitator on reporting: she reaches what is assigned to her today, never her regency.

The facilitators are the registry's (``facilitator_world`` in reporting_world.py), learned by
reporting from the outbox. Decisions these tests pin (services/reporting/domain/access.py): the
figures of a village assigned to her whole, and nothing above or beside it (FORBIDDEN, field
``regionCode``); an IR not hers has a null ``progress`` like an unknown id; her hand-over list keeps
her IR only; no facilitator record, or no current assignment, is FORBIDDEN with a ``reason``
everywhere; an assignment that ended gives nothing, and the facilitator it passed to reads it.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import httpx
import pytest

from tests.conftest import Tokens
from tests.security.reporting_world import (  # noqa: F401 (fixtures)
    MALANG,
    SEMARANG,
    FacilitatorWorld,
    ReportingWorld,
    facilitator_world,
    gateway,
    reporting_subgraph,
    reporting_world,
)
from tests.security.test_reporting_attacks import denied

DISTRIBUTION = "query($r: String) { classDistribution(regionCode: $r) { counts { total pemula maju } } }"
PROGRESS = "query($r: [_Any!]!) { _entities(representations: $r) { ... on HomeIndustry { id progress { currentStanding } } } }"
CANDIDATES = "query($r: String) { smallBusinessCandidates(regionCode: $r, first: 1000) { nodes { registrationNumber homeIndustry { id } village { code } } } }"


def representations(*ids: str) -> dict[str, Any]:
    return {"r": [{"__typename": "HomeIndustry", "id": i} for i in ids]}


def subdistrict(village: str) -> str:
    return village.rsplit(".", 1)[0]


# --- aggregates: only a village assigned to her whole ---------------------------------------------


AGGREGATES = {
    "regency": ('{ classDistribution(regionCode: "%(regency)s") { counts { total } } }', ["classDistribution"]),
    "nation": ("{ classDistribution { counts { total } } }", ["classDistribution"]),
    "sub-district-drill-down": ('{ classDistribution(regionCode: "%(subdistrict)s", groupByChildren: true) '
                                "{ children { nodes { regionCode } } } }", ["classDistribution"]),
    "unassigned-village": ('{ classDistribution(regionCode: "%(other)s") { counts { total } } }', ["classDistribution"]),
    "village-of-her-single-ir": ('{ classDistribution(regionCode: "%(single_village)s") { counts { total } } }',
                                 ["classDistribution"]),
    "transitions": ('{ classTransitions(regionCode: "%(regency)s", from: "2020-01-01", to: "2026-12-31") '
                    "{ summary { movedUp } } }", ["classTransitions"]),
    "needs": ('{ needsAnalysis(regionCode: "%(regency)s") { classes { homeIndustries } } }', ["needsAnalysis"]),
    "annual-report": ('{ annualReport(regionCode: "%(other)s", year: 2025) { endOfYear { counts { total } } } }',
                      ["annualReport"]),
}


@pytest.mark.parametrize("case", list(AGGREGATES))
async def test_aggregates_above_or_beside_her_villages_are_forbidden(
    reporting_world: ReportingWorld, facilitator_world: FacilitatorWorld, case: str
) -> None:
    query, path = AGGREGATES[case]
    f = facilitator_world
    body = await f.caller(reporting_world, "wulan")(query % {
        "regency": SEMARANG, "subdistrict": subdistrict(f.own_village), "other": f.other_village,
        "single_village": f.single_village})
    denied(body, path, field="regionCode")
    assert not any((body["data"] or {}).values())  # no figure of the region is left
    assert "not a village assigned to you" in body["errors"][0]["message"]


async def test_her_assigned_village_reads_exactly_as_the_ministry_reads_it(
    reporting_world: ReportingWorld, facilitator_world: FacilitatorWorld
) -> None:
    query = """query($r: String) { classDistribution(regionCode: $r) { counts { total pemula berkembang maju } }
      annualReport(regionCode: $r, year: 2025) { endOfYear { counts { total } } } }"""
    mine = await facilitator_world.caller(reporting_world, "wulan")(query, {"r": facilitator_world.own_village})
    truth = await reporting_world.as_role("MINISTRY")(query, {"r": facilitator_world.own_village})
    assert "errors" not in mine, mine
    assert mine == truth and truth["data"]["classDistribution"]["counts"]["total"] > 0


async def test_entities_region_statistics_of_a_village_not_hers_is_forbidden(
    reporting_world: ReportingWorld, facilitator_world: FacilitatorWorld
) -> None:
    query = "query($r: [_Any!]!) { _entities(representations: $r) { ... on Region { code irStatistics { counts { total } } } } }"
    body = await facilitator_world.caller(reporting_world, "wulan")(query, {"r": [
        {"__typename": "Region", "code": facilitator_world.own_village},
        {"__typename": "Region", "code": facilitator_world.other_village}]})
    denied(body, ["_entities", 1, "irStatistics"], field="regionCode")
    mine, theirs = body["data"]["_entities"]
    assert mine["code"] == facilitator_world.own_village and mine["irStatistics"]["counts"]["total"] > 0
    assert theirs == {"code": facilitator_world.other_village, "irStatistics": None}  # only the refused field is null


# --- records: her IR only ----------------------------------------------------------------------------


async def test_progress_of_an_ir_not_assigned_to_her_is_null_like_an_unknown_one(
    reporting_world: ReportingWorld, facilitator_world: FacilitatorWorld
) -> None:
    f = facilitator_world
    ids = (f.own_ir, f.single_ir, f.neighbour_ir, f.other_ir, reporting_world.malang_ir, "987654321")
    body = await f.caller(reporting_world, "wulan")(PROGRESS, representations(*ids))
    assert "errors" not in body, body
    own, single, neighbour, other, malang, unknown = body["data"]["_entities"]
    # Her single IR's neighbour in its village is not hers: the village is not assigned as a whole.
    assert neighbour == {"id": f.neighbour_ir, "progress": None}
    assert own["progress"]["currentStanding"] and single["progress"]["currentStanding"]
    # In her regency but not assigned, another regency, no such IR: the same null, nothing to probe.
    assert other == {"id": f.other_ir, "progress": None}
    assert malang == {"id": reporting_world.malang_ir, "progress": None}
    assert unknown == {"id": "987654321", "progress": None}


async def test_her_hand_over_list_keeps_her_ir_and_no_other(
    reporting_world: ReportingWorld, facilitator_world: FacilitatorWorld
) -> None:
    f = facilitator_world
    truth = (await reporting_world.as_role("MINISTRY")(CANDIDATES, {"r": SEMARANG}))["data"]["smallBusinessCandidates"]["nodes"]
    mine = await f.caller(reporting_world, "wulan")(CANDIDATES, {"r": SEMARANG})
    assert "errors" not in mine, mine
    expected = [c for c in truth if c["village"]["code"] == f.own_village or c["homeIndustry"]["id"] == f.single_ir]
    assert mine["data"]["smallBusinessCandidates"]["nodes"] == expected
    assert {c["homeIndustry"]["id"] for c in expected} >= {f.single_ir}
    assert any(c["village"]["code"] == f.own_village for c in expected)
    assert len(truth) > len(expected)  # the regency has candidates that are not hers: they were left out
    # Another regency, or the nation: refused, as the registry refuses a filter outside her region.
    for region in (MALANG, None):
        body = await f.caller(reporting_world, "wulan")(CANDIDATES, {"r": region})
        denied(body, ["smallBusinessCandidates"], field="regionCode")


async def test_her_exports_follow_her_assignment(reporting_world: ReportingWorld, facilitator_world: FacilitatorWorld) -> None:
    f = facilitator_world
    claims = {"subject": f.subjects["wulan"]}
    for path in (f"/exports/annual-report.csv?regionCode={SEMARANG}&year=2025",
                 f"/exports/class-distribution.xlsx?regionCode={f.other_village}",
                 f"/exports/class-distribution.csv?regionCode={subdistrict(f.own_village)}&groupByChildren=true"):
        refused = await reporting_world.export(path, "FACILITATOR", SEMARANG, **claims)
        assert refused.status_code == 403, (path, refused.text)
        assert refused.json()["errors"][0]["extensions"] == {"code": "FORBIDDEN", "field": "regionCode"}
        assert "content-disposition" not in refused.headers
    allowed = await reporting_world.export(f"/exports/annual-report.csv?regionCode={f.own_village}&year=2025",
                                           "FACILITATOR", SEMARANG, **claims)
    assert allowed.status_code == 200, allowed.text
    cells = [row[0] for row in csv.reader(io.StringIO(allowed.content.decode("utf-8-sig"))) if row]
    assert f.own_village in cells and SEMARANG not in cells and f.other_village not in cells


# --- assignments that ended, and re-assignments -------------------------------------------------------


async def test_an_ended_assignment_gives_nothing_and_the_facilitator_it_passed_to_reads_it(
    reporting_world: ReportingWorld, facilitator_world: FacilitatorWorld
) -> None:
    f = facilitator_world
    wulan, sari = f.caller(reporting_world, "wulan"), f.caller(reporting_world, "sari")
    # Wulan looked after the village until 2024-12-31: its figures and IR are no longer hers.
    denied(await wulan(DISTRIBUTION, {"r": f.moved_village}), ["classDistribution"], field="regionCode")
    assert (await wulan(PROGRESS, representations(f.moved_ir)))["data"]["_entities"] == [{"id": f.moved_ir, "progress": None}]
    # Sari has it since 2025-01-01, and nothing else.
    seen = await sari(DISTRIBUTION, {"r": f.moved_village})
    assert seen == await reporting_world.as_role("MINISTRY")(DISTRIBUTION, {"r": f.moved_village})
    assert (await sari(PROGRESS, representations(f.moved_ir)))["data"]["_entities"][0]["progress"]["currentStanding"]
    assert (await sari(PROGRESS, representations(f.own_ir)))["data"]["_entities"] == [{"id": f.own_ir, "progress": None}]
    denied(await sari(DISTRIBUTION, {"r": f.own_village}), ["classDistribution"], field="regionCode")


NO_ASSIGNMENT_CASES = {
    "distribution": (DISTRIBUTION, "own_village", ["classDistribution"]),
    "progress": (PROGRESS, None, ["_entities", 0, "progress"]),
    "candidates": (CANDIDATES, "regency", ["smallBusinessCandidates"]),
    "annual-report": ("query($r: String) { annualReport(regionCode: $r, year: 2025) { year } }", "own_village", ["annualReport"]),
    "reporting-status": ("{ reportingStatus { lagEvents } }", "regency", ["reportingStatus"]),
}


@pytest.mark.parametrize("who,reason", [("unknown", "NO_FACILITATOR_RECORD"), ("idle", "NO_CURRENT_ASSIGNMENT")])
@pytest.mark.parametrize("case", list(NO_ASSIGNMENT_CASES))
async def test_a_facilitator_without_a_current_assignment_sees_nothing_never_her_regency(
    reporting_world: ReportingWorld, facilitator_world: FacilitatorWorld, who: str, reason: str, case: str
) -> None:
    f = facilitator_world
    query, region, path = NO_ASSIGNMENT_CASES[case]
    variables = representations(f.own_ir) if region is None else {"r": SEMARANG if region == "regency" else f.own_village}
    body = await f.caller(reporting_world, who)(query, variables)
    assert len(body["errors"]) == 1, body
    assert body["errors"][0]["path"] == path
    assert body["errors"][0]["extensions"] == {"code": "FORBIDDEN", "reason": reason}
    if region is None:
        assert body["data"]["_entities"] == [{"id": f.own_ir, "progress": None}]
    else:
        assert not any((body["data"] or {}).values())


@pytest.mark.parametrize("who,reason", [("unknown", "NO_FACILITATOR_RECORD"), ("idle", "NO_CURRENT_ASSIGNMENT")])
async def test_a_facilitator_without_a_current_assignment_gets_no_export(
    reporting_world: ReportingWorld, facilitator_world: FacilitatorWorld, who: str, reason: str
) -> None:
    response = await reporting_world.export(f"/exports/class-distribution.csv?regionCode={SEMARANG}", "FACILITATOR",
                                            SEMARANG, subject=facilitator_world.subjects[who])
    assert response.status_code == 403, response.text
    assert response.json()["errors"][0]["extensions"] == {"code": "FORBIDDEN", "reason": reason}


# --- through the gateway ---------------------------------------------------------------------------


async def test_through_the_gateway_her_ir_has_progress_and_her_regency_no_figures(
    reporting_world: ReportingWorld, facilitator_world: FacilitatorWorld, gateway: httpx.AsyncClient, tokens: Tokens
) -> None:
    f = facilitator_world
    headers = tokens.headers("FACILITATOR", SEMARANG, subject=f.subjects["wulan"])
    response = await gateway.post("/graphql", headers=headers, json={
        "query": "query($id: ID!) { homeIndustry(id: $id) { id progress { currentStanding } } }", "variables": {"id": f.single_ir}})
    body = response.json()
    assert "errors" not in body, body
    assert body["data"]["homeIndustry"]["progress"]["currentStanding"]
    response = await gateway.post("/graphql", headers=headers, json={
        "query": f'{{ classDistribution(regionCode: "{SEMARANG}") {{ counts {{ total }} }} }}'})
    body = response.json()
    assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]
    assert body["errors"][0]["extensions"].get("field") == "regionCode" and not any((body.get("data") or {}).values())
