"""A small registry world for the security tests: IR in two regencies, with and without consent.

Kota Semarang (33.74) holds a consenting IR and one whose owner refused sharing; Kabupaten Malang
(35.07) holds a consenting one. Records are registered by their own district office. Each regency
has a facilitator assigned the village of its IR (her login subject is the world's, see
``World.as_role``), and one partner runs a programme open to every active IR (``World.partner``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import secrets

import asyncpg
import httpx
import pytest

from siir.database import asyncpg_dsn
from tests.conftest import GraphQLClient, ServerThread, Tokens
from tests.registry.test_registry_api import REGISTER, register_input

SEMARANG = "33.74"
MALANG = "35.07"
SEMARANG_VILLAGE = "33.74.01.1001"
MALANG_VILLAGE = "35.07.01.2001"
NIK_SEMARANG = "3374015507900001"
NIK_MALANG = "3507015507900003"
PHONE = "+6281234567890"


@dataclass
class World:
    own: dict[str, Any]  # Semarang, consented
    own_private: dict[str, Any]  # Semarang, no consent to share
    other: dict[str, Any]  # Malang, consented
    client: httpx.AsyncClient
    url: str
    tokens: Tokens
    partner: str  # id of a partner whose programme admits every active IR
    facilitators: dict[str, str]  # regency -> facilitator id
    tag: str  # unique to this world: facilitators' login subjects

    def as_role(self, role: str, region: str | None = None, **claims: Any) -> GraphQLClient:
        """A caller; a FACILITATOR of Semarang or Malang is the world's facilitator there unless told."""
        if role == "FACILITATOR" and "subject" not in claims and region in self.facilitators:
            claims["subject"] = facilitator_subject(self.tag, region)
        return GraphQLClient(self.client, self.url, self.tokens.headers(role, region, **claims), self.tokens)


def facilitator_subject(tag: str, regency: str) -> str:
    return f"world-{tag}-facilitator-{regency}"


OPEN_PROGRAMME = {"name": "Kredit Mikro", "activeFrom": "2020-01-01", "eligibility": {"statuses": ["ACTIVE"]}}


async def register_partner(client: GraphQLClient, name: str, programmes: list[dict[str, Any]]) -> str:
    body = await client.as_role("MINISTRY")(
        "mutation($input: RegisterPartnerInput!) { registerPartner(input: $input) { id } }",
        {"input": {"kind": "BANK", "name": name, "programmes": programmes}},
    )
    assert "errors" not in body, body
    return str(body["data"]["registerPartner"]["id"])


async def _facilitator(office: GraphQLClient, regency: str, village: str, subject: str, name: str) -> str:
    body = await office(
        "mutation($input: RegisterFacilitatorInput!) { registerFacilitator(input: $input) { id } }",
        {"input": {"regencyCode": regency, "personName": name, "activeFrom": "2020-01-01", "subject": subject,
                   "phone": "081390005555", "email": f"{subject}@pendamping.id", "assignments": [{"villageCode": village}]}},
    )
    assert "errors" not in body, body
    return str(body["data"]["registerFacilitator"]["id"])


async def _register(office: GraphQLClient, **changes: Any) -> dict[str, Any]:
    body = await office(REGISTER, {"input": register_input(**changes)})
    assert "errors" not in body, body
    return body["data"]["registerHomeIndustry"]


async def _close_earlier_worlds(database_url: str, offices: dict[str, GraphQLClient]) -> None:
    connection = await asyncpg.connect(**asyncpg_dsn(database_url))
    try:
        rows = await connection.fetch(
            "SELECT id, owner_nik FROM registry.home_industries WHERE owner_nik = ANY($1::text[]) AND status = 'ACTIVE'",
            list(offices),
        )
    finally:
        await connection.close()
    for row in rows:
        body = await offices[row["owner_nik"]](
            'mutation($id: ID!) { closeHomeIndustry(id: $id, reason: "dunia uji sebelumnya") { status } }',
            {"id": str(row["id"])},
        )
        assert "errors" not in body, body


@pytest.fixture(scope="module")
async def world(registry_server: ServerThread, tokens: Tokens, database_url: str) -> Any:
    async with httpx.AsyncClient(timeout=30) as client:
        url = registry_server.url + "/graphql"
        semarang = GraphQLClient(client, url, tokens.headers("DISTRICT_OFFICER", SEMARANG), tokens)
        malang = GraphQLClient(client, url, tokens.headers("DISTRICT_OFFICER", MALANG), tokens)
        # One NIK holds one active IR: the world of an earlier test module closes before this one's
        # owners register again (through the API, as their offices).
        await _close_earlier_worlds(database_url, {NIK_SEMARANG: semarang, NIK_MALANG: malang})
        common = {"address": "Jl. Pemuda No. 12", "location": {"latitude": -6.98312, "longitude": 110.41234}}
        sri = {"name": "Sri Wahyuni", "nik": NIK_SEMARANG, "isFemaleHeadOfHousehold": True, "phone": "0812-3456-7890"}
        own = await _register(semarang, businessName="Bakpia Rahasia Semarang", owner=sri, **common)
        own_private = await _register(
            semarang, businessName="Lumpia Rahasia Tertutup", consent={"granted": False}, owner=sri,
            additionalBusinessReason="usaha kedua Bu Sri, pemilik menolak berbagi data", **common
        )
        other = await _register(
            malang,
            villageCode=MALANG_VILLAGE,
            businessName="Keripik Apel Malang Rahasia",
            owner={"name": "Siti Aminah", "nik": NIK_MALANG, "phone": "0812-3456-7890"},
            **common,
        )
        tag = secrets.token_hex(4)
        partner = await register_partner(semarang, f"Bank Dunia Uji {tag}", [OPEN_PROGRAMME])
        facilitators = {
            SEMARANG: await _facilitator(semarang, SEMARANG, SEMARANG_VILLAGE, facilitator_subject(tag, SEMARANG), "Wulan Pendamping"),
            MALANG: await _facilitator(malang, MALANG, MALANG_VILLAGE, facilitator_subject(tag, MALANG), "Ratna Pendamping"),
        }
        yield World(own, own_private, other, client, url, tokens, partner, facilitators, tag)


@dataclass
class Network:
    """Teams, facilitators, partners and interventions around the world's IR."""

    team: str  # Kota Semarang's team in office (members with phone and e-mail)
    secretary: str  # its secretary's member id
    own_intervention: str  # on world.own (Semarang)
    other_intervention: str  # on world.other (Malang)
    note: str  # Semarang facilitator's mentoring note on world.own
    narrow_partner: str  # its only programme needs an NIB, which the world's IR lack
    colleague: str  # a second Semarang facilitator, assigned another village
    colleague_ir: str  # the IR in her village (not assigned to the world's Semarang facilitator)

    NOTE_TEXT = "Kemasan baru; rahasia keluarga dibahas"


SEMARANG_TEAM = """
mutation($input: FormTeamInput!) { formTeam(input: $input) { id members { nodes { id position } } } }
"""
CURRENT_TEAM = '{ region(code: "33.74") { team { id members { nodes { id position } } } } }'


async def _semarang_team(office: GraphQLClient) -> dict[str, Any]:
    """Kota Semarang's team in office: the one there is, or a new one (teams are one per region at a time)."""
    body = await office(CURRENT_TEAM)
    team = body["data"]["region"]["team"]
    if team is not None:
        return team
    body = await office(SEMARANG_TEAM, {"input": {
        "level": "REGENCY", "regionCode": SEMARANG, "activeFrom": "2021-03-01",
        "decree": {"number": "050/77/2021", "date": "2021-02-01", "signedBy": "Walikota Semarang"},
        "members": [
            {"personName": "Iswar Aminuddin", "position": "COORDINATOR", "agency": "Setda Kota Semarang"},
            {"personName": "Endah Sulistyowati", "position": "SECRETARY", "agency": "DP3A Kota Semarang",
             "phone": "0812-2500-1111", "email": "pug@semarangkota.go.id"},
        ],
    }})
    assert "errors" not in body, body
    return body["data"]["formTeam"]


INTERVENTION = """
mutation($id: ID!, $input: InterventionInput!) { recordIntervention(homeIndustryId: $id, input: $input) { id } }
"""


async def _intervention(office: GraphQLClient, home_industry_id: str, topic: str) -> str:
    body = await office(INTERVENTION, {"id": home_industry_id, "input": {
        "type": "TRAINING", "topic": topic, "governmentOffice": "Dinas Koperasi", "startedOn": "2022-02-01",
        "value": 2500000}})
    assert "errors" not in body, body
    return str(body["data"]["recordIntervention"]["id"])


@pytest.fixture(scope="module")
async def network(world: World) -> Network:
    semarang = world.as_role("DISTRICT_OFFICER", SEMARANG)
    malang = world.as_role("DISTRICT_OFFICER", MALANG)
    team = await _semarang_team(semarang)
    [secretary] = [m["id"] for m in team["members"]["nodes"] if m["position"] == "SECRETARY"]
    note = await world.as_role("FACILITATOR", SEMARANG)(
        "mutation($id: ID!, $input: MentoringNoteInput!) { recordMentoringNote(homeIndustryId: $id, input: $input) { id } }",
        {"id": world.own["id"], "input": {"facilitatorId": world.facilitators[SEMARANG], "notedOn": "2023-06-10",
                                          "notes": Network.NOTE_TEXT}},
    )
    assert "errors" not in note, note
    narrow = await register_partner(semarang, f"Bank Syarat NIB {world.tag}", [
        {"name": "KUR Formal", "activeFrom": "2020-01-01", "eligibility": {"requiresNib": True}}])
    colleague_ir = await _register(semarang, villageCode="33.74.02.1001", businessName="Wingko Rahasia Kolega")
    colleague = await _facilitator(semarang, SEMARANG, "33.74.02.1001", f"world-{world.tag}-colleague", "Sari Kolega")
    return Network(
        team=team["id"], secretary=secretary,
        own_intervention=await _intervention(semarang, world.own["id"], "Pengemasan Semarang"),
        other_intervention=await _intervention(malang, world.other["id"], "Pengemasan Malang"),
        note=note["data"]["recordMentoringNote"]["id"], narrow_partner=narrow,
        colleague=colleague, colleague_ir=colleague_ir["id"],
    )
