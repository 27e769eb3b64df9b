"""The gateway checks every custom scalar's input (literals and variables) by the scalar's
specification before calling any subgraph: BAD_USER_INPUT naming the argument path, never the
uncoded "Cannot return null" a subgraph's refusal used to become. The gateway's table of
specifications (gateway/scalars.py) is kept in step with the subgraphs' scalars here."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from graphql import GraphQLSchema

from gateway.app import build_app
from gateway.limits import Limits
from gateway.scalars import SPECIFICATIONS, custom_scalars
from gateway.supergraph import Supergraph

ROOT = Path(__file__).resolve().parents[2]
SUPERGRAPH = ROOT / "schema" / "supergraph.graphql"
GRAPHQL_RESPONSE = "application/graphql-response+json"


def _subgraph_schemas() -> dict[str, GraphQLSchema]:
    from services.registry.graphql.schema import schema as registry
    from services.reporting.graphql.schema import schema as reporting

    return {"registry": registry._schema, "reporting": reporting._schema}


def test_the_table_has_exactly_the_supergraphs_custom_scalars() -> None:
    api = Supergraph.parse(SUPERGRAPH.read_text()).api_schema
    assert custom_scalars(api) == set(SPECIFICATIONS) == {"Date", "DateTime", "Rupiah"}
    for name, schema in _subgraph_schemas().items():
        assert custom_scalars(schema) <= set(SPECIFICATIONS), name


#: Values each scalar must accept (both at the gateway and in every subgraph that has it), and
#: values the gateway refuses. Every value the gateway accepts must be one the subgraphs accept too:
#: otherwise a value would pass the gateway and fail while executing.
ACCEPTED = {
    "Date": ["2024-01-31", "2024-02-29", "1900-01-01", "9999-12-31", "0001-01-01"],
    "DateTime": ["2024-01-31T10:20:30+07:00", "2024-01-31T10:20:30Z", "2024-01-31T10:20:30.123456+07:00",
                 "2024-01-31T10:20", "2024-01-31T10:20:30"],
    "Rupiah": [0, 7500000, -5, 2**62, "10000000000000000000", " 42 ", 5.0, "0"],
}
REFUSED = {
    "Date": ["2024-13-01", "2023-02-29", "2024-1-1", "31-01-2024", "2024-01-31T00:00", "", "yesterday",
             "２０２４-01-01", "2024-01-01\x00", 20240131, None and 0, True, {"y": 2024}, ["2024-01-31"],
             "20240131", "2024-W05-3"],
    "DateTime": ["2024-01-31", "2024-01-31T25:00:00", "2024-01-31T10:20:30+25:00", "now", "", 1706668830,
                 "2024-01-31T10:20:30.1234567", "2024-01-31 10:20:30 WIB"],
    "Rupiah": ["1.5", "1e6", "Rp 5.000", "", "٣", True, 1.5, {"amount": 1}, [1], "1" * 31],
}


def _subgraph_accepts(schema: GraphQLSchema, scalar: str, value: Any) -> bool:
    try:
        schema.type_map[scalar].parse_value(value)  # type: ignore[union-attr]
    except Exception:  # noqa: BLE001 - any refusal: strawberry raises several kinds
        return False
    return True


def _gateway_accepts(scalar: str, value: Any) -> bool:
    try:
        SPECIFICATIONS[scalar].check(value)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize("scalar", sorted(SPECIFICATIONS))
def test_the_gateway_accepts_only_what_every_subgraph_accepts(scalar: str) -> None:
    schemas = [s for s in _subgraph_schemas().values() if scalar in s.type_map]
    assert schemas
    for value in ACCEPTED[scalar]:
        assert _gateway_accepts(scalar, value), (scalar, value)
        for schema in schemas:
            assert _subgraph_accepts(schema, scalar, value), (scalar, value)
    for value in REFUSED[scalar]:
        if value is None:
            continue
        assert not _gateway_accepts(scalar, value), (scalar, value)
    # Whatever the gateway lets through, the subgraphs read: nothing fails only once executing.
    for value in ACCEPTED[scalar] + REFUSED[scalar]:
        if value is not None and _gateway_accepts(scalar, value):
            assert all(_subgraph_accepts(schema, scalar, value) for schema in schemas), (scalar, value)


@pytest.fixture()
async def gateway(registry_server: Any, tokens: Any) -> Any:
    app = build_app(SUPERGRAPH.read_text(), subgraph_urls={"registry": registry_server.url + "/graphql"},
                    verifier=tokens.verifier, limits=Limits())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway",
                                 headers={**tokens.headers("DISTRICT_OFFICER", "33.74"),
                                          "accept": GRAPHQL_RESPONSE}) as client:
        yield client
    await app.state.gateway.client.aclose()


def _refusal(response: httpx.Response) -> list[tuple[str, str]]:
    body = response.json()
    assert response.status_code == 400 and "data" not in body, (response.status_code, body)
    return [(e["extensions"]["code"], e["extensions"].get("field")) for e in body["errors"]]


CASES = [
    # (operation, variables, the refusals (code, field))
    ('{ teams(activeOn: "2024-02-30") { nodes { id } } }', None, [("BAD_USER_INPUT", "activeOn")]),
    ('{ teams(activeOn: 20240101) { nodes { id } } }', None, [("BAD_USER_INPUT", "activeOn")]),
    ("query($on: Date) { teams(activeOn: $on) { nodes { id } } }", {"on": "someday"}, [("BAD_USER_INPUT", "activeOn")]),
    ("query($d: Date) { teams(activeOn: $d) { nodes { id } } }", {"d": {"year": 2024}}, [("BAD_USER_INPUT", "activeOn")]),
    ('{ auditTrail(filter: { since: "2024-01-01T99:00" }) { pageInfo { hasNextPage } } }', None,
     [("BAD_USER_INPUT", "filter.since")]),
    ("query($f: AuditTrailFilter) { auditTrail(filter: $f) { pageInfo { hasNextPage } } }",
     {"f": {"since": "2024-01-01T10:00:00Z", "until": "tomorrow"}}, [("BAD_USER_INPUT", "filter.until")]),
    ("query($u: DateTime) { auditTrail(filter: { until: $u }) { pageInfo { hasNextPage } } }", {"u": "later"},
     [("BAD_USER_INPUT", "filter.until")]),
    ('mutation { closeHomeIndustry(id: "1", reason: "x", closedOn: "2024-1-1") { id } }', None,
     [("BAD_USER_INPUT", "closedOn")]),
]


@pytest.mark.parametrize("query,variables,refusals", CASES)
async def test_a_value_that_breaks_its_scalar_is_refused_before_any_subgraph(
        gateway: Any, statement_log: Any, query: str, variables: Any, refusals: list[tuple[str, str]]) -> None:
    statement_log.clear()
    response = await gateway.post("/graphql", json={"query": query, "variables": variables})
    assert _refusal(response) == refusals
    assert statement_log.count() == 0  # the registry (in this process) never ran a statement


async def test_a_variable_is_named_by_the_argument_it_fills_and_its_own_path(gateway: Any) -> None:
    response = await gateway.post("/graphql", json={
        "query": "query($f: AuditTrailFilter) { auditTrail(filter: $f) { pageInfo { hasNextPage } } }",
        "variables": {"f": {"since": "not a time"}}})
    error = response.json()["errors"][0]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "filter.since"}
    assert "$f.since" in error["message"] and "RFC 3339" in error["message"]


async def test_valid_values_pass_to_the_subgraph(gateway: Any) -> None:
    for body in ({"query": "query($on: Date) { teams(activeOn: $on, level: NATIONAL) { nodes { id } } }",
                  "variables": {"on": "2024-01-31"}},
                 {"query": '{ teams(activeOn: "2024-01-31", level: NATIONAL) { nodes { id } } }'},
                 {"query": "query($f: AuditTrailFilter) { auditTrail(filter: $f) { pageInfo { hasNextPage } } }",
                  "variables": {"f": {"since": "2024-01-01T10:00:00+07:00"}}}):
        response = await gateway.post("/graphql", json=body)
        assert response.status_code == 200 and "errors" not in response.json(), response.text


async def test_a_variable_of_the_wrong_type_names_the_argument_it_fills(gateway: Any) -> None:
    response = await gateway.post("/graphql", json={
        "query": "query($level: TeamLevel, $on: Date) { teams(level: $level, activeOn: $on) { nodes { id } } }",
        "variables": {"level": "GALAXY", "on": "2024-01-31"}})
    assert _refusal(response) == [("BAD_USER_INPUT", "level")]
