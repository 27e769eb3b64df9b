"""The argument rules on the surfaces a client reaches: query arguments of both subgraphs through
the gateway, what a write stores, and the export parameters. Every refusal is BAD_USER_INPUT naming
the argument, never INTERNAL_SERVER_ERROR."""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from gateway.app import build_app
from gateway.limits import Limits
from services.reporting.consumer import catch_up_once
from tests.conftest import ServerThread
from tests.registry.test_registry_api import REGISTER, register_input
from tests.reporting.conftest import reporting_server  # noqa: F401 (fixture)
from tests.security.registry_world import SEMARANG, World, world  # noqa: F401 (fixture)

SUPERGRAPH = Path(__file__).resolve().parents[2] / "schema" / "supergraph.graphql"
NEXT_YEAR = dt.date.today().year + 2  # after the current year in Asia/Jakarta too
#: 19 digits, as the cursor format allows, yet beyond bigint.
HUGE = "9999999999999999999"


def cursor(kind: str, number: str) -> str:
    return base64.urlsafe_b64encode(f"{kind}:{number}".encode()).decode()


@pytest.fixture(scope="module")
def gateway_url(registry_server: ServerThread, reporting_server: ServerThread, tokens: Any) -> Iterator[str]:
    app = build_app(SUPERGRAPH.read_text(), verifier=tokens.verifier, limits=Limits(rate_limit=10_000, rate_burst=10_000),
                    subgraph_urls={"registry": registry_server.url + "/graphql",
                                   "reporting": reporting_server.url + "/graphql"})
    with ServerThread(app) as server:
        yield server.url + "/graphql"


async def post(world: World, url: str, query: str, variables: dict[str, Any] | None = None,
               role: tuple[str, str | None] = ("DISTRICT_OFFICER", SEMARANG)) -> dict[str, Any]:
    body = json.dumps({"query": query, "variables": variables or {}}, ensure_ascii=True)
    response = await world.client.post(url, content=body, headers={
        **world.tokens.headers(*role), "content-type": "application/json", "accept": "application/json"})
    assert response.status_code < 500, response.text
    return response.json()


QUERIES: list[tuple[str, str, dict[str, Any], str]] = [
    ("facilitators-empty-region", '{ facilitators(regionCode: "") { nodes { id } } }', {}, "regionCode"),
    ("facilitators-nul-region", "query($c: String!) { facilitators(regionCode: $c) { nodes { id } } }", {"c": "33.74\x00"}, "regionCode"),
    ("teams-empty-region", '{ teams(regionCode: "") { nodes { id } } }', {}, "regionCode"),
    ("teams-active-year-1", '{ teams(activeOn: "0001-01-01") { nodes { id } } }', {}, "activeOn"),
    ("teams-active-9999", '{ teams(activeOn: "9999-12-31") { nodes { id } } }', {}, "activeOn"),
    ("region-nul", "query($c: String!) { region(code: $c) { code } }", {"c": "33\x00"}, "code"),
    ("home-industry-id-nul", "query($i: ID!) { homeIndustry(id: $i) { id } }", {"i": "1\x00"}, "id"),
    ("registration-number-escape", "query($n: String!) { homeIndustryByRegistrationNumber(number: $n) { id } }",
     {"n": "IR-33.74\x1b"}, "number"),
    ("filter-region-empty", '{ homeIndustries(filter: {regionCode: ""}) { totalCount } }', {}, "filter.regionCode"),
    ("filter-search-nul", "query($s: String!) { homeIndustries(filter: {search: $s}) { totalCount } }", {"s": "tempe\x00"},
     "filter.search"),
    ("cursor-beyond-bigint", "query($a: String!) { homeIndustries(after: $a) { totalCount } }",
     {"a": cursor("HomeIndustry", HUGE)}, "after"),
    ("cursor-garbled", '{ homeIndustries(after: "!!") { totalCount } }', {}, "after"),
    ("audit-since-year-1", '{ auditTrail(filter: {since: "0001-01-01T00:00:00Z"}) { edges { node { id } } } }', {},
     "filter.since"),
    ("audit-region-empty", '{ auditTrail(filter: {regionCode: ""}) { edges { node { id } } } }', {}, "filter.regionCode"),
    ("audit-cursor-beyond-bigint", "query($a: String!) { auditTrail(after: $a) { edges { node { id } } } }",
     {"a": cursor("AuditEvent", HUGE)}, "after"),
    ("distribution-as-of-next-year", f'{{ classDistribution(regionCode: "33.74", asOf: "{NEXT_YEAR}-01-01") {{ asOf }} }}', {},
     "asOf"),
    ("distribution-as-of-year-1", '{ classDistribution(regionCode: "33.74", asOf: "0001-01-01") { asOf } }', {}, "asOf"),
    ("distribution-region-nul", "query($c: String!) { classDistribution(regionCode: $c) { asOf } }", {"c": "33\x00"},
     "regionCode"),
    ("transitions-from-1900", '{ classTransitions(regionCode: "33.74", from: "1900-01-01", to: "2024-12-31") { from } }', {},
     "from"),
    ("transitions-to-next-year", f'{{ classTransitions(regionCode: "33.74", from: "2024-01-01", to: "{NEXT_YEAR}-12-31") {{ from }} }}',
     {}, "to"),
    ("needs-region-nul", "query($c: String!) { needsAnalysis(regionCode: $c) { regionCode } }", {"c": "33.74\x00"}, "regionCode"),
    ("annual-report-year-huge", '{ annualReport(regionCode: "33.74", year: 2000000000) { year } }', {}, "year"),
    ("statistics-as-of-9999", '{ region(code: "33.74") { irStatistics(asOf: "9999-12-31") { asOf } } }', {}, "asOf"),
]


@pytest.mark.parametrize("query,variables,field", [q[1:] for q in QUERIES], ids=[q[0] for q in QUERIES])
async def test_a_bad_query_argument_is_bad_user_input_naming_it(
    world: World, gateway_url: str, database_url: str, query: str, variables: dict[str, Any], field: str,
) -> None:
    await catch_up_once(database_url, database_url)  # reporting has data: its refusals are not "no data yet"
    body = await post(world, gateway_url, query, variables)
    assert [(e["extensions"]["code"], e["extensions"].get("field")) for e in body["errors"]] == [("BAD_USER_INPUT", field)], body


ENTITIES = "query($r: [_Any!]!) { _entities(representations: $r) { __typename } }"


@pytest.mark.parametrize("service,representation", [
    ("registry", {"__typename": "Region", "code": "33\x00"}),
    ("registry", {"__typename": "HomeIndustry", "id": "1\x00"}),
    ("reporting", {"__typename": "Region", "code": "33.74\x00"}),
])
async def test_a_representation_sent_straight_to_a_subgraph_follows_the_rules(
    world: World, registry_server: ServerThread, reporting_server: ServerThread, service: str, representation: dict[str, str],
) -> None:
    url = (registry_server if service == "registry" else reporting_server).url + "/graphql"
    body = await post(world, url, ENTITIES, {"r": [{"__typename": "Region", "code": "33"}, representation]})
    [error] = body["errors"]
    key = "code" if "code" in representation else "id"
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": f"representations[1].{key}"}, body


async def test_text_is_stored_nfc_normalised_and_long_text_keeps_its_lines(
    world: World, gateway_url: str, pg: asyncpg.Connection,
) -> None:
    decomposed = "Kue Ape\u0301 Bu Sri"  # e + combining acute, as some keyboards send it
    body = await post(world, gateway_url, REGISTER, {"input": register_input(
        businessName=decomposed, address="Jl. Pemuda 1\r\nRT 02 / RW 03", hopes=["mesin pengemas\u0301"])})
    assert "errors" not in body, body
    home_industry = int(body["data"]["registerHomeIndustry"]["id"])
    row = await pg.fetchrow("SELECT business_name, address, hopes FROM registry.home_industries WHERE id = $1", home_industry)
    assert row["business_name"] == "Kue Ap\u00e9 Bu Sri"
    assert row["address"] == "Jl. Pemuda 1\nRT 02 / RW 03"
    assert row["hopes"] == ["mesin pengemas\u0301".replace("s\u0301", "\u015b")]
    # A search typed decomposed finds the record stored composed.
    found = await post(world, gateway_url, "query($s: String!) { homeIndustries(filter: {search: $s}) { edges { node { id } } } }",
                       {"s": "Ape\u0301"})
    assert str(home_industry) in {e["node"]["id"] for e in found["data"]["homeIndustries"]["edges"]}


@pytest.mark.parametrize("params,field", [
    ({"regionCode": "33.74\x00", "year": "2024"}, "regionCode"),
    ({"regionCode": "33.74", "asOf": "9999-12-31"}, "asOf"),
    ({"regionCode": "33.74", "asOf": "0001-01-01"}, "asOf"),
    ({"regionCode": "33.74", "from": "0001-01-01", "to": "2024-12-31"}, "from"),
    ({"regionCode": "33.74", "from": "2024-12-31", "to": "2024-01-01"}, "from"),
    ({"regionCode": "33.74", "from": "2024-01-01", "to": "9999-12-31"}, "to"),
    ({"regionCode": "33.74\u202e"}, "regionCode"),
    ({"regionCode": "33.74", "lang": "id\x00"}, "lang"),
])
async def test_export_parameters_follow_the_same_rules(
    reporting_server: ServerThread, world: World, params: dict[str, str], field: str,
) -> None:
    name = ("annual-report" if "year" in params else "class-transitions" if "from" in params
            else "needs-analysis" if len(params) == 1 else "class-distribution")
    response = await world.client.get(f"{reporting_server.url}/exports/{name}.xlsx", params=params,
                                      headers=world.tokens.headers("DISTRICT_OFFICER", SEMARANG))
    assert response.status_code == 400, response.text
    [error] = response.json()["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": field}
