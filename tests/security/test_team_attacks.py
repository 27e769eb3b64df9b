"""Attacks on the programme's network in the registry, called directly: managing teams, facilitators,
partners, interventions and mentoring notes. Each asserts the exact denial and that nothing leaked
or was written (services/registry/domain/network_access.py has the rules).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.registry.test_registry_api import ASSESS, MAJU
from tests.security.registry_world import (
    MALANG,
    MALANG_VILLAGE,
    SEMARANG,
    Network,
    World,
    network,  # noqa: F401 (fixture)
    world,  # noqa: F401 (fixture)
)
from tests.security.test_registry_attacks import assert_denied, count_rows, no_text_of

ONE = "query($id: ID!) { homeIndustry(id: $id) { id businessName } }"
LIST = "query($f: HomeIndustryFilter) { homeIndustries(filter: $f, first: 500) { edges { node { id } } } }"
TEAM_CONTACTS = "query($id: ID!) { team(id: $id) { name members { nodes { personName position phone } } } }"
ENTITIES = """
query($r: [_Any!]!) {
  _entities(representations: $r) {
    ... on Intervention { id topic } ... on Facilitator { id personName } ... on Partner { id name }
    ... on Team { id name }
  }
}
"""
FORM = "mutation($input: FormTeamInput!) { formTeam(input: $input) { id } }"
APPOINT = "mutation($team: ID!, $input: TeamMemberInput!) { appointTeamMember(teamId: $team, input: $input) { id } }"
NOTE = "mutation($id: ID!, $input: MentoringNoteInput!) { recordMentoringNote(homeIndustryId: $id, input: $input) { id } }"


def team_input(level: str, region: str | None) -> dict[str, Any]:
    return {"level": level, "regionCode": region, "activeFrom": "2022-01-01",
            "decree": {"number": "X/1/2022", "date": "2021-12-01", "signedBy": "Gubernur"},
            "members": [{"personName": "Penyusup", "position": "COORDINATOR", "agency": "Setda"}]}


async def network_rows(database_url: str) -> int:
    """Every row a network write would leave (teams, members, facilitators, notes, partners, audit)."""
    return await count_rows(
        database_url,
        "SELECT (SELECT count(*) FROM registry.teams) + (SELECT count(*) FROM registry.team_members)"
        " + (SELECT count(*) FROM registry.facilitators) + (SELECT count(*) FROM registry.facilitator_assignments)"
        " + (SELECT count(*) FROM registry.mentoring_notes) + (SELECT count(*) FROM registry.interventions)"
        " + (SELECT count(*) FROM registry.partners) + (SELECT count(*) FROM registry.assessments)"
        " + (SELECT count(*) FROM registry.outbox) + (SELECT count(*) FROM registry.audit_events WHERE action = 'WRITE')",
    )


# --- teams: writes by the wrong office ---------------------------------------------------------------


async def test_a_province_officer_cannot_form_another_provinces_team(world: World, network: Network, database_url: str) -> None:
    before = await network_rows(database_url)
    body = await world.as_role("PROVINCE_OFFICER", "35")(FORM, {"input": team_input("PROVINCE", "33")})
    assert_denied(body, "FORBIDDEN", ["formTeam"], field="input.regionCode")
    assert await network_rows(database_url) == before


@pytest.mark.parametrize(("role", "region", "level", "team_region"), [
    ("DISTRICT_OFFICER", SEMARANG, "NATIONAL", None),  # the national team is the ministry's
    ("PROVINCE_OFFICER", "33", "REGENCY", SEMARANG),  # a regency's team is its own office's
    ("MINISTRY", None, "PROVINCE", "33"),  # and a province's its own
    ("FACILITATOR", SEMARANG, "REGENCY", SEMARANG),
    ("PARTNER", None, "REGENCY", SEMARANG),
])
async def test_a_team_is_formed_by_its_own_level_only(
    world: World, network: Network, database_url: str, role: str, region: str | None, level: str, team_region: str | None
) -> None:
    before = await network_rows(database_url)
    claims = {"partner": world.partner} if role == "PARTNER" else {}
    body = await world.as_role(role, region, **claims)(FORM, {"input": team_input(level, team_region)})
    assert_denied(body, "FORBIDDEN", ["formTeam"])
    assert await network_rows(database_url) == before


async def test_a_district_officer_cannot_appoint_or_change_in_another_regencys_team(
    world: World, network: Network, database_url: str
) -> None:
    malang = world.as_role("DISTRICT_OFFICER", MALANG)
    before = await network_rows(database_url)
    appointed = await malang(APPOINT, {"team": network.team, "input": {"personName": "Penyusup", "position": "MEMBER", "agency": "X"}})
    assert_denied(appointed, "FORBIDDEN", ["appointTeamMember"], field="input.regionCode")
    changed = await malang(
        'mutation($id: ID!) { updateTeam(id: $id, expectedVersion: 1, input: {name: "Tim Palsu"}) { id } }', {"id": network.team}
    )
    assert_denied(changed, "FORBIDDEN", ["updateTeam"])
    member = await malang(
        'mutation($id: ID!) { updateTeamMember(id: $id, input: {phone: "081200000000"}) { id } }', {"id": network.secretary}
    )
    assert_denied(member, "FORBIDDEN", ["updateTeamMember"])
    assert await network_rows(database_url) == before


# --- teams: contacts ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "region"), [
    ("DISTRICT_OFFICER", MALANG), ("PROVINCE_OFFICER", "35"), ("FACILITATOR", SEMARANG), ("PARTNER", None), ("ANALYST", None),
])
async def test_team_members_contacts_are_for_the_offices_covering_the_team(
    world: World, network: Network, role: str, region: str | None
) -> None:
    claims = {"partner": world.partner} if role == "PARTNER" else {}
    body = await world.as_role(role, region, **claims)(TEAM_CONTACTS, {"id": network.team})
    # The structure is public-service information; the phone of each member is refused.
    assert body["data"]["team"]["name"].endswith("Kota Semarang")
    assert {e["extensions"]["code"] for e in body["errors"]} == {"FORBIDDEN"}
    assert {e["extensions"]["coordinate"] for e in body["errors"]} == {"TeamMember.phone"}
    assert {tuple(e["path"][:2]) for e in body["errors"]} == {("team", "members")}
    assert len(body["errors"]) == len(body["data"]["team"]["members"]["nodes"]) >= 2
    no_text_of(body, "+6281225001111", "2500")
    # Its own office and the province see them.
    for office in (world.as_role("DISTRICT_OFFICER", SEMARANG), world.as_role("PROVINCE_OFFICER", "33")):
        seen = await office(TEAM_CONTACTS, {"id": network.team})
        assert "errors" not in seen and "+6281225001111" in json.dumps(seen)


# --- facilitators ------------------------------------------------------------------------------------


async def test_a_facilitator_reads_only_her_assigned_ir(world: World, network: Network) -> None:
    facilitator = world.as_role("FACILITATOR", SEMARANG)
    assert (await facilitator(ONE, {"id": world.own["id"]}))["data"]["homeIndustry"]["id"] == world.own["id"]
    # Another regency's IR, and one of her own regency not assigned to her, read as missing.
    for outside in (world.other["id"], network.colleague_ir):
        body = await facilitator(ONE, {"id": outside})
        assert body == {"data": {"homeIndustry": None}}
    listed = await facilitator(LIST, {"f": {"regionCode": "33.74.02"}})
    assert listed["data"]["homeIndustries"]["edges"] == []
    assert_denied(await facilitator(LIST, {"f": {"regionCode": MALANG}}), "FORBIDDEN", ["homeIndustries"], field="filter.regionCode")


async def test_a_facilitator_cannot_assess_or_note_an_ir_outside_her_assignment(
    world: World, network: Network, database_url: str
) -> None:
    facilitator = world.as_role("FACILITATOR", SEMARANG)
    before = await network_rows(database_url)
    assessed = await facilitator(ASSESS, {"id": network.colleague_ir, "input": {**MAJU, "assessedOn": "2024-02-01"}})
    assert_denied(assessed, "NOT_FOUND", ["recordAssessment"])
    noted = await facilitator(NOTE, {"id": network.colleague_ir, "input": {
        "facilitatorId": world.facilitators[SEMARANG], "notedOn": "2023-06-10", "notes": "x"}})
    assert_denied(noted, "NOT_FOUND", ["recordMentoringNote"])
    # In her own IR but in a colleague's name, or an assessment naming someone else: refused.
    in_her_name = await facilitator(NOTE, {"id": world.own["id"], "input": {
        "facilitatorId": network.colleague, "notedOn": "2023-06-10", "notes": "x"}})
    assert_denied(in_her_name, "FORBIDDEN", ["recordMentoringNote"], field="input.facilitatorId")
    naming = await facilitator(ASSESS, {"id": world.own["id"], "input": {
        **MAJU, "assessedOn": "2024-02-01", "facilitatorId": network.colleague}})
    assert_denied(naming, "FORBIDDEN", ["recordAssessment"], field="input.facilitatorId")
    assert await network_rows(database_url) == before


async def test_another_facilitators_ir_list_leaks_nothing_outside_her_assignment(world: World, network: Network) -> None:
    facilitator = world.as_role("FACILITATOR", SEMARANG)
    query = "query($id: ID!) { facilitator(id: $id) { personName phone homeIndustries { nodes { id businessName } } } }"
    colleague = await facilitator(query, {"id": network.colleague})
    # Her colleague's name, yes; her contacts and her IR, no.
    assert colleague["data"]["facilitator"]["personName"] == "Sari Kolega"
    assert colleague["data"]["facilitator"]["homeIndustries"]["nodes"] == []
    assert_denied(colleague, "FORBIDDEN", ["facilitator", "phone"], coordinate="Facilitator.phone")
    no_text_of(colleague, "Wingko Rahasia Kolega")
    # Malang's facilitator is outside her regency: missing.
    assert (await facilitator(query, {"id": world.facilitators[MALANG]}))["data"] == {"facilitator": None}


async def test_facilitators_outside_the_region_are_missing_and_a_filter_outside_it_is_forbidden(
    world: World, network: Network
) -> None:
    semarang = world.as_role("DISTRICT_OFFICER", SEMARANG)
    assert (await semarang("query($id: ID!) { facilitator(id: $id) { id } }", {"id": world.facilitators[MALANG]}))["data"] == {"facilitator": None}
    entities = await semarang(ENTITIES, {"r": [{"__typename": "Facilitator", "id": world.facilitators[MALANG]}]})
    assert entities == {"data": {"_entities": [None]}}
    assert_denied(await semarang('{ facilitators(regionCode: "35.07") { nodes { id } } }'), "FORBIDDEN", ["facilitators"], field="regionCode")
    assert_denied(await semarang('{ facilitators(regionCode: "33") { nodes { id } } }'), "FORBIDDEN", ["facilitators"], field="regionCode")
    assert_denied(await semarang('{ region(code: "35.07") { facilitators { nodes { id } } } }'), "FORBIDDEN", ["region", "facilitators"])


async def test_a_district_officer_cannot_engage_or_assign_another_regencys_facilitators(
    world: World, network: Network, database_url: str
) -> None:
    semarang = world.as_role("DISTRICT_OFFICER", SEMARANG)
    before = await network_rows(database_url)
    engaged = await semarang(
        "mutation($input: RegisterFacilitatorInput!) { registerFacilitator(input: $input) { id } }",
        {"input": {"regencyCode": MALANG, "personName": "Penyusup", "activeFrom": "2022-01-01"}},
    )
    assert_denied(engaged, "FORBIDDEN", ["registerFacilitator"], field="input.regencyCode")
    assigned = await semarang(
        "mutation($id: ID!, $input: FacilitatorAssignmentInput!) { assignFacilitator(facilitatorId: $id, input: $input) { id } }",
        {"id": world.facilitators[MALANG], "input": {"villageCode": MALANG_VILLAGE}},
    )
    assert_denied(assigned, "NOT_FOUND", ["assignFacilitator"])
    ended = await semarang(
        'mutation($id: ID!) { updateFacilitator(id: $id, expectedVersion: 1, input: {activeUntil: "2022-12-31"}) { id } }',
        {"id": world.facilitators[MALANG]},
    )
    assert_denied(ended, "NOT_FOUND", ["updateFacilitator"])
    assert await network_rows(database_url) == before


async def test_an_analyst_reads_no_facilitator_nor_her_ir(world: World, network: Network) -> None:
    analyst = world.as_role("ANALYST")
    body = await analyst("query($id: ID!) { facilitator(id: $id) { homeIndustries { nodes { id } } } }", {"id": world.facilitators[SEMARANG]})
    assert_denied(body, "FORBIDDEN", ["facilitator"])
    team = await analyst("query($id: ID!) { team(id: $id) { name facilitators { nodes { homeIndustries { nodes { id } } } } } }", {"id": network.team})
    assert_denied(team, "FORBIDDEN", ["team", "facilitators"])
    no_text_of(team, "Bakpia", "Rahasia")


# --- partners ----------------------------------------------------------------------------------------


async def test_a_partner_reads_neither_a_consenting_ineligible_ir_nor_an_eligible_non_consenting_one(
    world: World, network: Network
) -> None:
    narrow = world.as_role("PARTNER", partner=network.narrow_partner)
    # world.own consented, but the only programme needs an NIB it lacks.
    assert await narrow(ONE, {"id": world.own["id"]}) == {"data": {"homeIndustry": None}}
    assert (await narrow(LIST, {"f": {"search": "Rahasia"}}))["data"]["homeIndustries"]["edges"] == []
    # world.own_private meets the open programme, but its owner refused sharing.
    open_partner = world.as_role("PARTNER", partner=world.partner)
    assert await open_partner(ONE, {"id": world.own_private["id"]}) == {"data": {"homeIndustry": None}}
    assert (await open_partner(ONE, {"id": world.own["id"]}))["data"]["homeIndustry"]["id"] == world.own["id"]
    # A claim naming no registered partner reaches nothing.
    assert_denied(await world.as_role("PARTNER", partner="424242")(ONE, {"id": world.own["id"]}), "FORBIDDEN", ["homeIndustry"])


async def test_a_partner_never_reads_mentoring_notes(world: World, network: Network) -> None:
    partner = world.as_role("PARTNER", partner=world.partner)
    body = await partner("query($id: ID!) { homeIndustry(id: $id) { businessName mentoringNotes { nodes { notes } } } }", {"id": world.own["id"]})
    assert_denied(body, "FORBIDDEN", ["homeIndustry", "mentoringNotes"])
    no_text_of(body, Network.NOTE_TEXT)
    # Nor does the ministry read what a note says (it may see that a visit happened).
    ministry = await world.as_role("MINISTRY")(
        "query($id: ID!) { homeIndustry(id: $id) { mentoringNotes { nodes { notedOn notes } } } }", {"id": world.own["id"]}
    )
    assert_denied(ministry, "FORBIDDEN", ["homeIndustry", "mentoringNotes", "nodes", 0, "notes"], coordinate="MentoringNote.notes")
    no_text_of(ministry, Network.NOTE_TEXT)


async def test_a_partner_reads_only_itself_and_writes_no_partner(world: World, network: Network, database_url: str) -> None:
    partner = world.as_role("PARTNER", partner=world.partner)
    listed = await partner("{ partners { nodes { id } } }")
    assert listed == {"data": {"partners": {"nodes": [{"id": world.partner}]}}}
    assert (await partner("query($id: ID!) { partner(id: $id) { id } }", {"id": network.narrow_partner}))["data"] == {"partner": None}
    assert (await partner(ENTITIES, {"r": [{"__typename": "Partner", "id": network.narrow_partner}]}))["data"] == {"_entities": [None]}
    before = await network_rows(database_url)
    for caller in (world.as_role("DISTRICT_OFFICER", SEMARANG), partner):
        body = await caller('mutation { registerPartner(input: {kind: BANK, name: "Bank Penyusup"}) { id } }')
        assert_denied(body, "FORBIDDEN", ["registerPartner"])
    assert await network_rows(database_url) == before


# --- interventions -----------------------------------------------------------------------------------


async def test_another_regencys_intervention_reads_as_missing_everywhere(world: World, network: Network, database_url: str) -> None:
    semarang = world.as_role("DISTRICT_OFFICER", SEMARANG)
    entities = await semarang(ENTITIES, {"r": [{"__typename": "Intervention", "id": network.other_intervention},
                                               {"__typename": "Intervention", "id": network.own_intervention}]})
    assert entities["data"]["_entities"][0] is None
    assert entities["data"]["_entities"][1] == {"id": network.own_intervention, "topic": "Pengemasan Semarang"}
    single = await semarang("query($id: ID!) { intervention(id: $id) { topic } }", {"id": network.other_intervention})
    assert single == {"data": {"intervention": None}}
    before = await network_rows(database_url)
    changed = await semarang(
        'mutation($id: ID!) { updateIntervention(id: $id, expectedVersion: 1, input: {outcomeNotes: "x"}) { id } }',
        {"id": network.other_intervention},
    )
    assert_denied(changed, "NOT_FOUND", ["updateIntervention"])
    recorded = await semarang(
        'mutation($id: ID!) { recordIntervention(homeIndustryId: $id, input: {type: TRAINING, topic: "x", '
        'governmentOffice: "Dinas", startedOn: "2022-02-01"}) { id } }', {"id": world.other["id"]},
    )
    assert_denied(recorded, "NOT_FOUND", ["recordIntervention"])
    assert await network_rows(database_url) == before
    no_text_of(entities, "Pengemasan Malang")


async def test_an_analyst_reads_no_intervention(world: World, network: Network) -> None:
    body = await world.as_role("ANALYST")("query($id: ID!) { intervention(id: $id) { topic } }", {"id": network.own_intervention})
    assert_denied(body, "FORBIDDEN", ["intervention"])


# --- the audit trail of the network ------------------------------------------------------------------


async def test_network_writes_are_in_the_audit_trail_for_their_region_only(world: World, network: Network) -> None:
    trail = "query($f: AuditTrailFilter) { auditTrail(filter: $f, first: 500) { edges { node { entityType entityId regionCode homeIndustryId } } } }"
    semarang = await world.as_role("DISTRICT_OFFICER", SEMARANG)(trail, {"f": {"action": "WRITE"}})
    nodes = [e["node"] for e in semarang["data"]["auditTrail"]["edges"]]
    kinds = {n["entityType"] for n in nodes}
    assert {"Intervention", "MentoringNote", "Facilitator"} <= kinds
    assert {"entityType": "Intervention", "entityId": network.own_intervention, "regionCode": SEMARANG,
            "homeIndustryId": world.own["id"]} in nodes
    assert {n["regionCode"] for n in nodes} == {SEMARANG}
    # Partners are national records: the ministry's trail has them, with no region.
    ministry = await world.as_role("MINISTRY")(trail, {"f": {"entityType": "Partner", "entityId": network.narrow_partner}})
    assert [e["node"]["regionCode"] for e in ministry["data"]["auditTrail"]["edges"]] == [None]


async def test_reading_a_mentoring_note_or_a_contact_is_in_the_audit_trail(world: World, network: Network) -> None:
    office = world.as_role("DISTRICT_OFFICER", SEMARANG, subject="dpo-check-notes")
    read = await office("query ReadNotes($id: ID!) { homeIndustry(id: $id) { mentoringNotes { nodes { notes } } } }", {"id": world.own["id"]})
    assert read["data"]["homeIndustry"]["mentoringNotes"]["nodes"][0]["notes"] == Network.NOTE_TEXT
    await office("query ReadContacts($id: ID!) { team(id: $id) { members { nodes { email } } } }", {"id": network.team})
    trail = await office(
        'query { auditTrail(filter: {subject: "dpo-check-notes", action: READ}, first: 50) '
        "{ edges { node { operation entityType entityId regionCode fields { name disclosure } } } } }"
    )
    events = {(e["node"]["operation"], e["node"]["entityType"], e["node"]["entityId"]): e["node"]
              for e in trail["data"]["auditTrail"]["edges"]}
    note = events[("query ReadNotes", "MentoringNote", network.note)]
    assert note["regionCode"] == SEMARANG and note["fields"] == [{"name": "notes", "disclosure": "FULL"}]
    assert events[("query ReadContacts", "TeamMember", network.secretary)]["fields"] == [{"name": "email", "disclosure": "FULL"}]
