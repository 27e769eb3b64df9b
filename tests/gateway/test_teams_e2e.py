"""End-to-end through the gateway: a regency's team with its members, its facilitators and their
IR, and an IR's interventions, in one request to the one endpoint portals use."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from gateway.app import build_app
from tests.conftest import GraphQLClient
from tests.registry.test_facilitators import register_facilitator
from tests.registry.test_registry_api import office_of, register
from tests.registry.test_teams import LEADERS, form

SUPERGRAPH = Path(__file__).resolve().parents[2] / "schema" / "supergraph.graphql"

TOUR = """
query Tour($regency: String!, $ir: ID!) {
  region(code: $regency) {
    name
    team {
      name decree { number signedBy } activeFrom
      members { nodes { personName position agency } }
      facilitators { nodes { personName organisation } }
    }
  }
  facilitators(regionCode: $regency, first: 10) {
    nodes { personName villages { name } homeIndustries { nodes { registrationNumber businessName currentClass } } }
  }
  homeIndustry(id: $ir) {
    businessName
    facilitators { personName }
    interventions { nodes { type topic startedOn endedOn value classBefore classAfter provider { kind name } } }
  }
}
"""


async def test_regency_team_facilitators_and_interventions_in_one_gateway_request(
    registry: GraphQLClient, registry_server: Any, tokens: Any
) -> None:
    regency, village = "33.08", "33.08.01.2001"  # Kabupaten Magelang
    ir = await register(registry, villageCode=village, businessName="Slondok Bu Marni",
                        owner={"name": "Marni", "nik": "3308015507900001"})
    await form(registry, regency, activeUntil=None, members=LEADERS[:4],
               decree={"number": "188.45/77/2021", "date": "2021-02-01", "signedBy": "Bupati Magelang"})
    await register_facilitator(registry, regencyCode=regency, personName="Wulan Sari", assignments=[{"villageCode": village}])
    recorded = await office_of(registry, regency)(
        """mutation($id: ID!) { recordIntervention(homeIndustryId: $id, input: {type: TECHNICAL_GUIDANCE,
             topic: "Sanitasi dan higiene pangan", governmentOffice: "Dinas Kesehatan Kabupaten Magelang",
             startedOn: "2021-05-03", endedOn: "2021-05-05", value: 1500000}) { id } }""",
        {"id": ir["id"]},
    )
    assert "errors" not in recorded, recorded

    registry_url = registry_server.url + "/graphql"
    app = build_app(SUPERGRAPH.read_text(), subgraph_urls={"registry": registry_url}, verifier=tokens.verifier)
    body = {"query": TOUR, "variables": {"regency": regency, "ir": ir["id"]}}
    caller = tokens.headers("DISTRICT_OFFICER", regency)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway") as gateway:
        response = await gateway.post("/graphql", json=body, headers=caller)
    await app.state.gateway.client.aclose()
    assert response.status_code == 200
    answer = response.json()
    assert "errors" not in answer, answer
    team = answer["data"]["region"]["team"]
    assert team["decree"] == {"number": "188.45/77/2021", "signedBy": "Bupati Magelang"}
    assert [m["position"] for m in team["members"]["nodes"]] == ["COORDINATOR", "DAILY_HEAD", "DEPUTY_COORDINATOR", "SECRETARY"]
    assert "Wulan Sari" in [f["personName"] for f in team["facilitators"]["nodes"]]
    [facilitator] = [f for f in answer["data"]["facilitators"]["nodes"] if f["personName"] == "Wulan Sari"]
    assert facilitator["villages"] == [{"name": "Ngargoretno"}]
    assert "Slondok Bu Marni" in [h["businessName"] for h in facilitator["homeIndustries"]["nodes"]]
    home_industry = answer["data"]["homeIndustry"]
    assert home_industry["facilitators"] == [{"personName": "Wulan Sari"}]
    assert home_industry["interventions"]["nodes"] == [{
        "type": "TECHNICAL_GUIDANCE", "topic": "Sanitasi dan higiene pangan", "startedOn": "2021-05-03",
        "endedOn": "2021-05-05", "value": 1500000, "classBefore": "BERKEMBANG", "classAfter": None,
        "provider": {"kind": "GOVERNMENT_OFFICE", "name": "Dinas Kesehatan Kabupaten Magelang"},
    }]
    # The gateway answers exactly what the registry answers directly.
    async with httpx.AsyncClient(timeout=30) as direct:
        assert (await direct.post(registry_url, json=body, headers=caller)).json() == answer


async def test_the_gateway_withholds_the_networks_people_from_roles_without_them_before_planning(
    registry_server: Any, tokens: Any
) -> None:
    """The directives in the schema: contacts, facilitators and mentoring notes are refused at the
    gateway itself for partners and analysts (the registry refuses them again on its own): each
    refused field is null with its error, whatever else the operation asked for stands."""
    app = build_app(SUPERGRAPH.read_text(), subgraph_urls={"registry": registry_server.url + "/graphql"}, verifier=tokens.verifier)
    cases = [
        (tokens.headers("PARTNER", partner="1"), '{ homeIndustry(id: "1") { mentoringNotes { nodes { notedOn } } } }'),
        (tokens.headers("PARTNER", partner="1"), '{ nationalTeam { members { nodes { phone } } } }'),
        (tokens.headers("ANALYST"), '{ facilitators(regionCode: "33.74") { nodes { personName } } }'),
        (tokens.headers("MINISTRY"), '{ homeIndustry(id: "1") { mentoringNotes { nodes { notes } } } }'),
        (tokens.headers("DISTRICT_OFFICER", "33.74"), 'mutation { registerPartner(input: {kind: BANK, name: "X"}) { id } }'),
    ]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway") as gateway:
        for headers, query in cases:
            answer = (await gateway.post("/graphql", json={"query": query}, headers=headers)).json()
            assert {e["extensions"]["code"] for e in answer["errors"]} == {"FORBIDDEN"}, (query, answer)
            for error in answer["errors"]:
                value: Any = answer.get("data")
                for key in error["path"]:
                    value = value.get(key) if isinstance(value, dict) else None
                assert value is None, (query, answer)
    await app.state.gateway.client.aclose()
