"""Maps through the gateway: the same IR at the precision each role may see (issue 15).

Kota Salatiga (33.72) holds, in one sub-district, six IR in one 0.1° grid cell, one IR in another
cell and one without coordinates. The regency office sees every point exactly; the ministry and the
province see one point per generalised cell, the lone IR's cell left out; a partner sees
sub-district counts without coordinates; an analyst is refused.
"""

from __future__ import annotations

import itertools

import json
import secrets
import asyncio
from pathlib import Path
from typing import Any, AsyncIterator

import httpx
import pytest

from gateway.app import build_app
from gateway.limits import Limits
from services.registry.domain import maps
from tests.conftest import GraphQLClient
from tests.registry.test_registry_api import REGISTER, register_input
from tests.security.registry_world import OPEN_PROGRAMME, _facilitator, register_partner

SUPERGRAPH = Path(__file__).resolve().parents[2] / "schema" / "supergraph.graphql"
REGENCY = "33.72"
MAP = """query($r: String!) { homeIndustryMap(regionCode: $r) {
  precision regionCode featureCount suppressed withoutLocation geoJson } }"""
#: Six IR in the cell whose generalised corner is (-7.3, 110.5), one in (-7.3, 110.6).
CLUSTER = [(-7.33012 - i * 0.001, 110.50123 + i * 0.002) for i in range(6)]
LONE = (-7.36544, 110.61234)


#: Owners' running numbers: the fixture runs once per module using it (test_map_page too), and one
#: NIK holds one active IR.
_OWNERS = itertools.count(1)


def _nik(sub_district: str) -> str:
    # A woman born 15 July 1990 (day 15 + 40), registered in that sub-district.
    return sub_district.replace(".", "") + "550790" + f"{next(_OWNERS):04d}"


@pytest.fixture(scope="module")
async def salatiga(registry_server: Any, tokens: Any) -> AsyncIterator[dict[str, Any]]:
    async with httpx.AsyncClient(timeout=30) as client:
        url = registry_server.url + "/graphql"
        office = GraphQLClient(client, url, tokens.headers("DISTRICT_OFFICER", REGENCY), tokens)
        body = await office('{ region(code: "33.72") { children { nodes { code children { nodes { code } } } } } }')
        sub_district = body["data"]["region"]["children"]["nodes"][0]
        villages = [v["code"] for v in sub_district["children"]["nodes"]]
        registered = []
        places: list[tuple[str, tuple[float, float] | None]] = [
            *((villages[0], point) for point in CLUSTER), (villages[-1], LONE), (villages[0], None)]
        for serial, (village, point) in enumerate(places, start=1):
            changes: dict[str, Any] = {
                "villageCode": village, "businessName": f"Peta Salatiga {serial}",
                "owner": {"name": "Sri Wahyuni", "nik": _nik(sub_district["code"]), "phone": "0812-3456-7890"},
            }
            if point is not None:
                changes["location"] = {"latitude": point[0], "longitude": point[1]}
            result = await office(REGISTER, {"input": register_input(**changes)})
            assert "errors" not in result, result
            registered.append(result["data"]["registerHomeIndustry"])
        tag = secrets.token_hex(4)
        partner = await register_partner(office, f"Bank Peta {tag}", [OPEN_PROGRAMME])
        # A facilitator assigned the lone IR's village.
        subject = f"map-facilitator-{tag}"
        await _facilitator(office, REGENCY, villages[-1], subject, "Dewi Pendamping")
        yield {"sub_district": sub_district["code"], "ids": {r["id"] for r in registered}, "partner": partner,
               "facilitator": subject, "lone": registered[len(CLUSTER)]["id"]}


@pytest.fixture(scope="module")
async def gateway(registry_server: Any, tokens: Any) -> AsyncIterator[httpx.AsyncClient]:
    app = build_app(SUPERGRAPH.read_text(), subgraph_urls={"registry": registry_server.url + "/graphql"},
                    verifier=tokens.verifier, limits=Limits())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway", timeout=30) as client:
        yield client
    await app.state.gateway.client.aclose()


async def _map(gateway: httpx.AsyncClient, tokens: Any, role: str, region: str | None = None,
               regionCode: str = REGENCY, **claims: Any) -> dict[str, Any]:
    response = await gateway.post("/graphql", json={"query": MAP, "variables": {"r": regionCode}},
                                  headers=tokens.headers(role, region, **claims))
    assert response.status_code == 200, response.text
    return response.json()


def _features(body: dict[str, Any]) -> list[dict[str, Any]]:
    assert "errors" not in body, body
    collection = json.loads(body["data"]["homeIndustryMap"]["geoJson"])
    assert collection["type"] == "FeatureCollection"
    return collection["features"]


def _ours(features: list[dict[str, Any]], world: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for f in features if f["properties"].get("id") in world["ids"]]


async def test_regency_office_sees_every_point_exactly(gateway: Any, tokens: Any, salatiga: dict[str, Any]) -> None:
    body = await _map(gateway, tokens, "DISTRICT_OFFICER", REGENCY)
    answer = body["data"]["homeIndustryMap"]
    assert answer["precision"] == "EXACT" and answer["suppressed"] == 0 and answer["withoutLocation"] >= 1
    ours = _ours(_features(body), salatiga)
    points = sorted(tuple(f["geometry"]["coordinates"]) for f in ours)
    assert points == sorted((lon, lat) for lat, lon in [*CLUSTER, LONE])  # GeoJSON: longitude first
    assert all(f["properties"]["count"] == 1 and f["properties"]["registrationNumber"].startswith("IR-33.72-")
               for f in ours)


async def test_a_facilitator_sees_her_assigned_ir_exactly(gateway: Any, tokens: Any, salatiga: dict[str, Any]) -> None:
    body = await _map(gateway, tokens, "FACILITATOR", REGENCY, subject=salatiga["facilitator"])
    assert body["data"]["homeIndustryMap"]["precision"] == "EXACT"
    features = _features(body)
    # Only IR of her village (another module's copy of this world may have put one there too).
    assert salatiga["lone"] in {f["properties"]["id"] for f in features}
    assert all(f["geometry"]["coordinates"] == [LONE[1], LONE[0]] for f in features)


@pytest.mark.parametrize(("role", "region"), [("MINISTRY", None), ("PROVINCE_OFFICER", "33")])
async def test_ministry_and_province_see_generalised_cells_only(gateway: Any, tokens: Any, salatiga: dict[str, Any],
                                                                role: str, region: str | None) -> None:
    body = await _map(gateway, tokens, role, region)
    answer = body["data"]["homeIndustryMap"]
    assert answer["precision"] == "GRID_CELL"
    features = _features(body)
    cells = {tuple(f["geometry"]["coordinates"]): f["properties"] for f in features}
    # The six share the cell the location field gives them (-7.3, 110.5); the lone IR's cell is left out.
    assert cells[(110.5, -7.3)]["count"] >= 6
    assert (110.6, -7.3) not in cells and answer["suppressed"] >= 1
    for feature in features:
        lon, lat = feature["geometry"]["coordinates"]
        assert round(lon, 1) == lon and round(lat, 1) == lat  # never more than the 0.1° the policy gives
        assert feature["properties"]["count"] >= maps.SMALLEST_SHOWN_COUNT
        assert "id" not in feature["properties"] and "registrationNumber" not in feature["properties"]
    exact = {(lon, lat) for lat, lon in [*CLUSTER, LONE]}
    assert not exact & set(cells)
    # The same cell the record's own location field shows this role.
    record = await gateway.post("/graphql", headers=tokens.headers(role, region), json={
        "query": "query($id: ID!) { homeIndustry(id: $id) { location { latitude longitude exact } } }",
        "variables": {"id": sorted(salatiga["ids"])[0]}})
    assert record.json()["data"]["homeIndustry"]["location"] == {"latitude": -7.3, "longitude": 110.5, "exact": False}


async def test_province_outside_its_region_is_refused(gateway: Any, tokens: Any, salatiga: dict[str, Any]) -> None:
    body = await _map(gateway, tokens, "PROVINCE_OFFICER", "35")
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert body["errors"][0]["extensions"]["field"] == "regionCode"


async def test_partner_sees_sub_district_counts_without_coordinates(gateway: Any, tokens: Any,
                                                                    salatiga: dict[str, Any]) -> None:
    body = await _map(gateway, tokens, "PARTNER", partner=salatiga["partner"])
    answer = body["data"]["homeIndustryMap"]
    assert answer["precision"] == "SUB_DISTRICT" and answer["withoutLocation"] == 0
    features = _features(body)
    assert all(f["geometry"] is None for f in features)
    ours = [f["properties"] for f in features if f["properties"]["regionCode"] == salatiga["sub_district"]]
    assert len(ours) == 1 and ours[0]["count"] >= 8 and ours[0]["regionName"]
    assert "latitude" not in answer["geoJson"] and "registrationNumber" not in answer["geoJson"]


async def test_analyst_is_refused(gateway: Any, tokens: Any, salatiga: dict[str, Any]) -> None:
    body = await _map(gateway, tokens, "ANALYST")
    assert body["data"] is None or body["data"].get("homeIndustryMap") is None
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


@pytest.mark.parametrize(("code", "field"), [("33.7x", "regionCode"), ("99.99", "regionCode")])
async def test_bad_region_is_a_coded_error(gateway: Any, tokens: Any, code: str, field: str) -> None:
    body = await _map(gateway, tokens, "MINISTRY", regionCode=code)
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert body["errors"][0]["extensions"]["field"] == field


def test_a_map_is_bounded() -> None:
    rows = [maps.Located(i, f"IR-{i}", None, "33.72.01", -7.0, 110.0) for i in range(maps.MAX_FEATURES + 1)]
    with pytest.raises(maps.TooManyFeatures):
        maps.exact(rows)
    # Aggregated, the same IR are one cell.
    assert [f.count for f in maps.grid_cells(rows, lambda loc: loc, lambda r: r).features] == [maps.MAX_FEATURES + 1]


TRAIL = """query($f: AuditTrailFilter) { auditTrail(filter: $f, first: 5) {
  edges { node { action operation homeIndustryId fields { name disclosure } } } } }"""


@pytest.mark.parametrize(("role", "region", "disclosure"),
                         [("DISTRICT_OFFICER", REGENCY, "FULL"), ("MINISTRY", None, "GENERALISED")])
async def test_coordinates_given_on_a_map_are_audited_as_reads(gateway: Any, tokens: Any, salatiga: dict[str, Any],
                                                              role: str, region: str | None, disclosure: str) -> None:
    subject = f"map-reader-{secrets.token_hex(4)}"
    assert "errors" not in await _map(gateway, tokens, role, region, subject=subject)
    one = sorted(salatiga["ids"])[0]
    for _ in range(50):  # the audit rows are written just after the answer
        body = (await gateway.post("/graphql", headers=tokens.headers("MINISTRY"), json={
            "query": TRAIL, "variables": {"f": {"subject": subject, "homeIndustryId": one, "action": "READ"}}})).json()
        events = [e["node"] for e in body["data"]["auditTrail"]["edges"]]
        if events:
            break
        await asyncio.sleep(0.1)
    assert [e["fields"] for e in events] == [[{"name": "location", "disclosure": disclosure}]]


@pytest.mark.parametrize(("role", "region"), [("DISTRICT_OFFICER", REGENCY), ("MINISTRY", None), ("PARTNER", None)])
async def test_a_map_costs_a_few_statements_whatever_its_size(gateway: Any, tokens: Any, salatiga: dict[str, Any],
                                                              statement_log: Any, role: str, region: str | None) -> None:
    claims = {"partner": salatiga["partner"]} if role == "PARTNER" else {}
    statement_log.clear()
    assert "errors" not in await _map(gateway, tokens, role, region, **claims)
    # the region, the IR rows, the sub-districts' names, the scope (a partner's programmes) and one
    # audit insert for every record read: never one per IR or per feature
    assert 2 <= statement_log.count() <= 6, statement_log.statements
    assert sum("INSERT INTO registry.audit_events" in s for s in statement_log.statements) <= 1
