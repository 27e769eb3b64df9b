"""The reporting subgraph over real HTTP: each field, each export, each bad input."""

from __future__ import annotations

import datetime as dt
from typing import Any

import asyncpg
import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from services.reporting.consumer import OutboxConsumer, catch_up_once
from services.reporting.domain import access
from services.reporting.domain.periods import today_in_jakarta
from siir.errors import Forbidden
from tests.reporting.export_reading import read_csv, read_xlsx
from tests.conftest import GraphQLClient, ServerThread, StatementLog
from tests.reporting import registry_recompute
from tests.reporting.registry_changes import RegistryChanges

REGENCY = "33.74"


@pytest.fixture(scope="module")
async def data(registry_engine: AsyncEngine, database_url: str) -> None:
    """Registry changes in the regencies of registry_changes, all applied by the consumer."""
    await RegistryChanges(registry_engine, seed=31).run(600)
    await catch_up_once(database_url, database_url)


def _errors(body: dict[str, Any]) -> list[tuple[str, str | None]]:
    return [(e["extensions"]["code"], e["extensions"].get("field")) for e in body.get("errors", [])]


def _totals(stock: dict[tuple[Any, ...], tuple[int, int, int]], region: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for (code, standing, *_), (n, _, _) in stock.items():
        if code == region:
            out[standing] = out.get(standing, 0) + n
    return out


COUNTS = "{ unassessed pemula berkembang maju active closed graduated total }"


def _as_standings(counts: dict[str, int]) -> dict[str, int]:
    names = {"unassessed": "UNASSESSED", "pemula": "PEMULA", "berkembang": "BERKEMBANG", "maju": "MAJU",
             "closed": "CLOSED", "graduated": "GRADUATED"}
    return {names[k]: v for k, v in counts.items() if k in names and v}


async def test_national_distribution_by_province_equals_the_registry(data: None, reporting: GraphQLClient, pg: asyncpg.Connection) -> None:
    day = dt.date(2025, 6, 30)
    body = await reporting(
        "query($d: Date) { classDistribution(asOf: $d, groupByChildren: true) { asOf regionCode regionName region { code }"
        f" counts {COUNTS} children {{ nodes {{ regionCode regionName region {{ code }} statistics {{ counts {COUNTS} }} }} }} }} }}",
        {"d": day.isoformat()},
    )
    assert "errors" not in body, body
    result = body["data"]["classDistribution"]
    assert (result["asOf"], result["regionCode"], result["regionName"], result["region"]) == ("2025-06-30", "", "Indonesia", None)
    expected = await registry_recompute.stock(pg, 1, day)
    assert len(result["children"]["nodes"]) == 38
    for child in result["children"]["nodes"]:
        assert child["region"] == {"code": child["regionCode"]}
        assert _as_standings(child["statistics"]["counts"]) == _totals(expected, child["regionCode"])
    national = _totals(await registry_recompute.stock(pg, 0, day), "")
    assert _as_standings(result["counts"]) == national and result["counts"]["total"] == sum(national.values())


async def test_regency_and_village_distributions(data: None, reporting: GraphQLClient, pg: asyncpg.Connection) -> None:
    body = await reporting(
        f"query($r: String) {{ classDistribution(regionCode: $r, groupByChildren: true) {{ counts {COUNTS}"
        f" children {{ nodes {{ regionCode statistics {{ counts {COUNTS} }} }} }} }} }}", {"r": REGENCY},
    )
    result = body["data"]["classDistribution"]
    assert result["counts"]["total"] > 0
    # Every sub-district of Kota Semarang is listed; together they are the regency.
    assert sum(c["statistics"]["counts"]["total"] for c in result["children"]["nodes"]) == result["counts"]["total"]
    village = await pg.fetchval("SELECT village_code FROM registry.home_industries WHERE regency_code = $1 ORDER BY id LIMIT 1", REGENCY)
    body = await reporting(f"query($r: String) {{ classDistribution(regionCode: $r) {{ counts {COUNTS} children {{ nodes {{ regionCode }} }} }} }}", {"r": village})
    expected = _totals(await registry_recompute.stock(pg, 4, today_in_jakarta(), inside=village), village)
    assert _as_standings(body["data"]["classDistribution"]["counts"]) == expected
    assert body["data"]["classDistribution"]["children"]["nodes"] == []


async def test_transitions_of_a_year_equal_the_registry(data: None, reporting: GraphQLClient, pg: asyncpg.Connection) -> None:
    body = await reporting(
        "{ classTransitions(from: \"2024-01-01\", to: \"2024-12-31\", regionCode: \"35\", groupByChildren: true) {"
        " from to regionCode moves { from to homeIndustries femaleOwned maleOwned }"
        " summary { newRegistrations movedUp movedDown pemulaToBerkembang berkembangToMaju majuToGraduated closed graduated }"
        " children { nodes { regionCode summary { newRegistrations } } } } }"
    )
    assert "errors" not in body, body
    result = body["data"]["classTransitions"]
    expected = await registry_recompute.moves(pg, 1, dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    got = {("35", m["from"] or "NEW", m["to"], sex): m["femaleOwned" if sex == "FEMALE" else "maleOwned"]
           for m in result["moves"] for sex in ("FEMALE", "MALE")}
    assert {k: v for k, v in got.items() if v} == {k: v for k, v in expected.items() if k[0] == "35"}
    summary = result["summary"]
    assert summary["newRegistrations"] == sum(v for k, v in expected.items() if k[0] == "35" and k[1] == "NEW")
    assert summary["pemulaToBerkembang"] == sum(v for k, v in expected.items() if k[0] == "35" and k[1:3] == ("PEMULA", "BERKEMBANG"))
    assert summary["movedUp"] >= summary["pemulaToBerkembang"] + summary["berkembangToMaju"]
    assert sum(c["summary"]["newRegistrations"] for c in result["children"]["nodes"]) == summary["newRegistrations"]


async def test_region_statistics_as_an_entity_in_one_rollup_statement(
    data: None, reporting: GraphQLClient, statement_log: StatementLog, pg: asyncpg.Connection
) -> None:
    query = """query($r: [_Any!]!) { _entities(representations: $r) { ... on Region { code
        irStatistics(asOf: "2024-12-31") { asOf counts { total active } femaleOwned { active } maleOwned { active }
          femaleHeadOfHousehold { active } workers { women men total } smallEnterpriseCandidates } } } }"""
    codes = ["33", "35", "11", "33.74", "35.07"]
    statement_log.clear()
    body = await reporting(query, {"r": [{"__typename": "Region", "code": c} for c in codes]})
    assert "errors" not in body, body
    # The projection's position (the answer cache dates what it keeps), one look-up of the regions, at
    # most two rollup statements per level (provinces, regencies), whatever the number of regions.
    assert statement_log.count() <= 6
    by_code = {e["code"]: e["irStatistics"] for e in body["data"]["_entities"]}
    expected = await registry_recompute.stock(pg, 1, dt.date(2024, 12, 31))
    assert by_code["33"]["counts"]["total"] == sum(v[0] for k, v in expected.items() if k[0] == "33")
    active = {"UNASSESSED", "PEMULA", "BERKEMBANG", "MAJU"}
    assert by_code["35"]["femaleHeadOfHousehold"]["active"] == sum(
        v[0] for k, v in expected.items() if k[0] == "35" and k[3] and k[1] in active)
    assert by_code["35"]["workers"]["women"] == sum(v[1] for k, v in expected.items() if k[0] == "35" and k[1] in active)
    assert by_code["35"]["smallEnterpriseCandidates"] == sum(v[0] for k, v in expected.items() if k[0] == "35" and k[4])


async def test_progress_of_home_industries(data: None, reporting: GraphQLClient, pg: asyncpg.Connection) -> None:
    # Active IR whose assessments all fall on distinct days from registration on: their class path is plain.
    ids = [r["id"] for r in await pg.fetch(
        """SELECT h.id FROM registry.home_industries h JOIN registry.assessments a ON a.home_industry_id = h.id
           WHERE h.status = 'ACTIVE' GROUP BY h.id, h.registered_on
           HAVING count(DISTINCT a.ir_class) > 1 AND min(a.assessed_on) = h.registered_on
              AND count(*) = count(DISTINCT a.assessed_on) ORDER BY h.id LIMIT 8""")]
    assert len(ids) >= 3
    body = await reporting(
        "query($r: [_Any!]!) { _entities(representations: $r) { ... on HomeIndustry { id progress {"
        " currentStanding since daysInCurrentStanding movesUp movesDown history { standing since until } } } } }",
        {"r": [{"__typename": "HomeIndustry", "id": str(i)} for i in ids] + [{"__typename": "HomeIndustry", "id": "999999999"}]},
    )
    assert "errors" not in body, body
    entities = body["data"]["_entities"]
    assert entities[-1]["progress"] is None  # not (yet) known to reporting
    rank = {"PEMULA": 1, "BERKEMBANG": 2, "MAJU": 3}
    for entity in entities[:-1]:
        path: list[tuple[str, str]] = []
        for a in await pg.fetch("SELECT assessed_on, ir_class FROM registry.assessments WHERE home_industry_id = $1"
                                " ORDER BY assessed_on", int(entity["id"])):
            if not path or path[-1][0] != a["ir_class"]:
                path.append((a["ir_class"], a["assessed_on"].isoformat()))
        progress = entity["progress"]
        assert [(p["standing"], p["since"]) for p in progress["history"]] == path
        assert progress["currentStanding"] == path[-1][0] and progress["since"] == path[-1][1]
        assert progress["history"][-1]["until"] is None
        assert all(a["until"] == b["since"] for a, b in zip(progress["history"], progress["history"][1:]))
        assert progress["movesUp"] == sum(1 for a, b in zip(path, path[1:]) if rank[b[0]] > rank[a[0]])
        assert progress["movesDown"] == sum(1 for a, b in zip(path, path[1:]) if rank[b[0]] < rank[a[0]])
        assert progress["daysInCurrentStanding"] == (today_in_jakarta() - dt.date.fromisoformat(path[-1][1])).days


async def test_small_business_candidates_and_needs(data: None, reporting: GraphQLClient, pg: asyncpg.Connection) -> None:
    body = await reporting(
        "{ smallBusinessCandidates(regionCode: \"33\", first: 500) { nodes { homeIndustry { id } registrationNumber village { code } assessedOn score } }"
        "  needsAnalysis(regionCode: \"33.74\") { regionCode classes { class homeIndustries products { item homeIndustries }"
        "   needs { item homeIndustries } constraints { item homeIndustries } assistanceReceived { type providerKind homeIndustries }"
        "   providers { provider providerKind homeIndustries } } } }"
    )
    assert "errors" not in body, body
    expected = {r["id"] for r in await pg.fetch(
        """SELECT h.id FROM registry.home_industries h
           JOIN LATERAL (SELECT small_enterprise_candidate FROM registry.assessments WHERE home_industry_id = h.id
                         ORDER BY assessed_on DESC, id DESC LIMIT 1) a ON a.small_enterprise_candidate
           WHERE h.status = 'ACTIVE' AND h.regency_code LIKE '33.%'""")}
    assert {int(c["homeIndustry"]["id"]) for c in body["data"]["smallBusinessCandidates"]["nodes"]} == expected
    classes = {c["class"]: c for c in body["data"]["needsAnalysis"]["classes"]}
    counts = dict(await pg.fetch("SELECT current_class, count(*) FROM registry.home_industries"
                                 " WHERE status = 'ACTIVE' AND regency_code = '33.74' GROUP BY 1"))
    assert {k: v["homeIndustries"] for k, v in classes.items() if v["homeIndustries"]} == counts
    modal = await pg.fetchval("SELECT count(*) FROM registry.home_industries WHERE status = 'ACTIVE' AND regency_code = '33.74'"
                              " AND current_class = 'PEMULA' AND 'modal' = ANY(constraints)")
    assert {c["item"]: c["homeIndustries"] for c in classes["PEMULA"]["constraints"]}.get("modal", 0) == modal


async def test_annual_report_is_built_from_the_distribution_and_the_moves(data: None, reporting: GraphQLClient) -> None:
    body = await reporting(
        f"""{{ annualReport(regionCode: "{REGENCY}", year: 2024) {{ year regionCode regionName
            startOfYear {{ asOf counts {COUNTS} }} endOfYear {{ asOf counts {COUNTS} smallEnterpriseCandidates }}
            summary {{ newRegistrations movedUp closed }} moves {{ from to homeIndustries }}
            children {{ nodes {{ regionCode startOfYear {{ total }} endOfYear {{ total }} moves {{ newRegistrations }} }} }}
            smallBusinessCandidates needsAnalysis {{ classes {{ class homeIndustries }} }} }}
          start: classDistribution(regionCode: "{REGENCY}", asOf: "2023-12-31") {{ counts {COUNTS} }}
          end: classDistribution(regionCode: "{REGENCY}", asOf: "2024-12-31") {{ counts {COUNTS} }}
          moves: classTransitions(regionCode: "{REGENCY}", from: "2024-01-01", to: "2024-12-31") {{ summary {{ newRegistrations movedUp closed }} }} }}"""
    )
    assert "errors" not in body, body
    report, data_ = body["data"]["annualReport"], body["data"]
    assert (report["year"], report["regionCode"], report["regionName"]) == (2024, REGENCY, "Kota Semarang")
    assert report["startOfYear"]["asOf"] == "2023-12-31" and report["endOfYear"]["asOf"] == "2024-12-31"
    assert report["startOfYear"]["counts"] == data_["start"]["counts"]
    assert report["endOfYear"]["counts"] == data_["end"]["counts"]
    assert report["summary"] == data_["moves"]["summary"]
    assert report["smallBusinessCandidates"] == report["endOfYear"]["smallEnterpriseCandidates"]
    assert sum(c["endOfYear"]["total"] for c in report["children"]["nodes"]) == report["endOfYear"]["counts"]["total"]
    assert sum(c["moves"]["newRegistrations"] for c in report["children"]["nodes"]) == report["summary"]["newRegistrations"]
    # The year's stock changes by its moves: registrations in, nothing else leaves the total.
    assert report["endOfYear"]["counts"]["total"] - report["startOfYear"]["counts"]["total"] == report["summary"]["newRegistrations"]


async def test_reporting_status_shows_the_lag(
    data: None, reporting: GraphQLClient, registry_engine: AsyncEngine, database_url: str
) -> None:
    query = "{ reportingStatus { lagEvents lagIsExact lastEventAt lastAppliedAt eventsApplied eventsSkipped position } }"
    status = (await reporting(query))["data"]["reportingStatus"]
    assert status["lagEvents"] == 0 and status["eventsApplied"] > 0 and status["lastEventAt"]
    changes = RegistryChanges(registry_engine, seed=41)
    await changes.prepare()
    await changes.register()  # two events: registration and first assessment
    assert (await reporting(query))["data"]["reportingStatus"]["lagEvents"] == 2
    await catch_up_once(database_url, database_url)
    after = (await reporting(query))["data"]["reportingStatus"]
    assert after["lagEvents"] == 0 and after["eventsApplied"] == status["eventsApplied"] + 2
    assert after["lagIsExact"]


async def test_reporting_status_estimates_a_large_lag_without_counting_it(
    data: None, reporting: GraphQLClient, database_url: str, pg: asyncpg.Connection
) -> None:
    """After a bulk load the status must not count millions of pending events: past 1,000 it estimates."""
    query = "{ reportingStatus { lagEvents lagIsExact eventsSkipped } }"
    consumer = OutboxConsumer(database_url, database_url)
    await consumer.connect()
    try:
        await consumer.catch_up_to_latest()
        before = (await reporting(query))["data"]["reportingStatus"]
        assert before["lagEvents"] == 0 and before["lagIsExact"]
        await pg.execute(
            "INSERT INTO registry.outbox (aggregate_type, aggregate_id, event_type, payload)"
            # A kind nobody publishes: real teams' event trails (test_teams) must not gain these.
            " SELECT 'TestUnknownKind', n::text, 'TestUnknownHappened', '{\"schema\": 1}' FROM generate_series(1, 1500) n"
        )
        pending = (await reporting(query))["data"]["reportingStatus"]
        assert pending["lagEvents"] == 1500 and not pending["lagIsExact"]  # ids without gaps: the estimate is exact here
        await consumer.catch_up_to_latest()
    finally:
        await consumer.close()
    after = (await reporting(query))["data"]["reportingStatus"]
    assert after == {"lagEvents": 0, "lagIsExact": True, "eventsSkipped": before["eventsSkipped"] + 1500}


BAD_INPUT = [
    ('{ classDistribution(regionCode: "99.99") { asOf } }', "BAD_USER_INPUT", "regionCode"),
    ('{ classTransitions(regionCode: "33", from: "2024-12-31", to: "2024-01-01") { from } }', "BAD_USER_INPUT", "from"),
    ('{ classTransitions(regionCode: "33.99.99", from: "2024-01-01", to: "2024-12-31") { from } }', "BAD_USER_INPUT", "regionCode"),
    ('{ annualReport(regionCode: "33.74", year: 1990) { year } }', "BAD_USER_INPUT", "year"),
    ('{ annualReport(regionCode: "33.74", year: 2999) { year } }', "BAD_USER_INPUT", "year"),
    ('{ annualReport(regionCode: "nope", year: 2024) { year } }', "BAD_USER_INPUT", "regionCode"),
    ('{ smallBusinessCandidates(first: 1001) { nodes { registrationNumber } } }', "BAD_USER_INPUT", "first"),
    ('{ needsAnalysis(regionCode: "") { regionCode } }', None, None),  # empty is the nation: allowed
    ('{ classDistribution(asOf: "2024-02-30") { asOf } }', "GRAPHQL_VALIDATION_FAILED", None),
    ('{ _entities(representations: [{__typename: "Region", code: "99"}]) { ... on Region { irStatistics { asOf } } } }',
     "NOT_FOUND", None),
]


@pytest.mark.parametrize("query,code,field", BAD_INPUT)
async def test_bad_input_is_a_clear_error(data: None, reporting: GraphQLClient, query: str, code: str | None, field: str | None) -> None:
    body = await reporting(query)
    if code is None:
        assert "errors" not in body, body
    else:
        assert _errors(body)[0] == (code, field), body
        assert "Internal" not in body["errors"][0]["message"]


@pytest.fixture
async def http(reporting_http: httpx.AsyncClient) -> Any:
    return reporting_http


async def test_exports_as_csv_and_xlsx(data: None, http: httpx.AsyncClient, reporting: GraphQLClient) -> None:
    response = await http.get("/exports/annual-report.csv", params={"regionCode": REGENCY, "year": 2024})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert 'filename="annual-report-33.74-2024.csv"' in response.headers["content-disposition"]
    read = read_csv(response.content)
    assert read.title_block["Laporan"] == "Laporan tahunan IR" and read.title_block["Wilayah"] == "33.74 Kota Semarang"
    end = (await reporting(f'{{ annualReport(regionCode: "{REGENCY}", year: 2024) {{ endOfYear {{ counts {{ total }} }} }} }}'))
    end_total = end["data"]["annualReport"]["endOfYear"]["counts"]["total"]
    summary = read.sheets["Ringkasan"].records()
    assert [summary[1][k] for k in ("Kode wilayah", "Nama wilayah", "Tahun", "Keadaan per")] == ["33.74", "Kota Semarang", "2024", "2024-12-31"]
    assert summary[1]["Jumlah IR"] == str(end_total)
    assert "Analisis kebutuhan" in read.sheets and "Perpindahan kelas" in read.sheets

    response = await http.get("/exports/class-distribution.xlsx", params={"regionCode": "33", "groupByChildren": "true",
                                                                          "asOf": "2024-12-31"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    table = read_xlsx(response.content).sheets["Distribusi kelas"]
    assert table.header[:3] == ["Kode wilayah", "Nama wilayah", "Keadaan per"]
    assert table.totals[:3] == ["Jumlah: 33", "Jawa Tengah", dt.datetime(2024, 12, 31)]
    assert len(table.rows) == 35  # the province's 35 regencies/cities, the province as the totals row
    assert sum(r[10] for r in table.rows) == table.totals[10]  # total column

@pytest.mark.parametrize("path,params,status,field", [
    ("/exports/annual-report.pdf", {"regionCode": "33", "year": "2024"}, 400, "format"),
    ("/exports/annual-report.csv", {"regionCode": "99", "year": "2024"}, 400, "regionCode"),
    ("/exports/annual-report.csv", {"regionCode": "33"}, 400, "year"),
    ("/exports/annual-report.csv", {"regionCode": "33", "year": "1800"}, 400, "year"),
    ("/exports/class-distribution.csv", {"asOf": "yesterday"}, 400, "asOf"),
    ("/exports/class-distribution.csv", {"groupByChildren": "perhaps"}, 400, "groupByChildren"),
    ("/exports/class-distribution.csv", {"lang": "fr"}, 400, "lang"),
    ("/exports/members.csv", {}, 404, None),
])
async def test_bad_export_requests_are_4xx_with_a_json_body(
    data: None, http: httpx.AsyncClient, path: str, params: dict[str, str], status: int, field: str | None
) -> None:
    response = await http.get(path, params=params)
    assert response.status_code == status, response.text
    error = response.json()["errors"][0]
    assert error["extensions"].get("field") == field and error["message"]


async def test_every_entry_point_asks_the_callers_report_scope(
    data: None, reporting: GraphQLClient, http: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []

    def refuse(identity: Any, assignment: Any = None) -> access.ReportScope:
        asked.append(identity.subject)
        raise Forbidden(f"{identity.subject} may read nothing")

    monkeypatch.setattr(access, "report_scope", refuse)
    for query in [
        '{ classDistribution(regionCode: "33") { asOf } }',
        '{ classTransitions(regionCode: "33", from: "2024-01-01", to: "2024-02-01") { from } }',
        '{ smallBusinessCandidates(regionCode: "33") { nodes { registrationNumber } } }',
        '{ needsAnalysis(regionCode: "33") { regionCode } }',
        '{ annualReport(regionCode: "33", year: 2024) { year } }',
        '{ reportingStatus { lagEvents } }',
        '{ _entities(representations: [{__typename: "Region", code: "33"}]) { ... on Region { irStatistics { asOf } } } }',
        '{ _entities(representations: [{__typename: "HomeIndustry", id: "1"}]) { ... on HomeIndustry { progress { since } } } }',
    ]:
        body = await reporting(query)
        assert _errors(body)[0][0] == "FORBIDDEN", (query, body)
    for path in ("/exports/annual-report.csv?regionCode=33&year=2024", "/exports/class-distribution.xlsx?regionCode=33"):
        response = await http.get(path)
        assert response.status_code == 403 and response.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert len(asked) == 10


async def test_served_sdl_matches_the_checked_in_contract(reporting: GraphQLClient) -> None:
    from services.reporting.sdl import reporting_sdl
    from siir.settings import PROJECT_ROOT

    served = (await reporting("{ _service { sdl } }"))["data"]["_service"]["sdl"]
    checked_in = (PROJECT_ROOT / "schema" / "reporting.graphql").read_text()
    assert served.strip() == checked_in.strip() == reporting_sdl().strip(), (
        "schema/reporting.graphql is stale: run `siir compose` and commit"
    )
