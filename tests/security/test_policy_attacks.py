"""Attacks on the policy's enforcement in the running registry, over HTTP with real tokens: each asks
for something the declared policy does not give the caller's role, and asserts the exact denial
(code, path, field) and that no value leaked."""

from __future__ import annotations

from typing import Any

import pytest

from tests.security.registry_world import (
    NIK_SEMARANG,
    SEMARANG,
    Network,
    World,
    network,  # noqa: F401 (fixture)
    world,  # noqa: F401 (fixture)
)
from tests.security.test_registry_attacks import assert_denied, no_text_of

ENTITY = "query($r: [_Any!]!) { _entities(representations: $r) { __typename } }"


@pytest.mark.parametrize("typename", ["AuditEvent", "Owner", "MentoringNote", "Query", "NoSuchType"])
async def test_entities_of_a_type_with_no_entity_entry_are_refused_at_their_index(world: World, typename: str) -> None:
    """Only the policy's entity types resolve through _entities; any other name is refused, not an
    internal error and not a probe of which types exist."""
    body = await world.as_role("MINISTRY")(ENTITY, {"r": [{"__typename": typename, "id": "1"}]})
    assert_denied(body, "FORBIDDEN", ["_entities", 0])


async def test_entities_refuse_only_the_representation_the_role_may_not_resolve(world: World) -> None:
    partner = world.as_role("PARTNER", partner=world.partner)
    body = await partner(
        "query($r: [_Any!]!) { _entities(representations: $r) { ... on Region { code } ... on Facilitator { id } } }",
        {"r": [{"__typename": "Region", "code": "33"}, {"__typename": "Facilitator", "id": world.facilitators[SEMARANG]}]},
    )
    assert body["data"] == {"_entities": [{"code": "33"}, None]}
    assert_denied(body, "FORBIDDEN", ["_entities", 1])
    no_text_of(body, "Wulan Pendamping")


@pytest.mark.parametrize(("role", "region", "query", "path", "field"), [
    ("FACILITATOR", SEMARANG, "{ auditTrail(first: 1) { edges { node { id } } } }", ["auditTrail"], None),
    ("PROVINCE_OFFICER", "33", "{ auditTrail(first: 1) { edges { node { id } } } }", ["auditTrail"], None),
    ("ANALYST", None, "{ facilitators(regionCode: \"33.74\") { nodes { id } } }", ["facilitators"], None),
    ("MINISTRY", None, 'mutation { updateHomeIndustry(id: "1", expectedVersion: 1, input: {address: "x"}) { id } }',
     ["updateHomeIndustry"], None),
    ("PROVINCE_OFFICER", "33", 'mutation { registerPartner(input: {kind: BANK, name: "Bank Provinsi"}) { id } }',
     ["registerPartner"], None),
])
async def test_a_role_the_entry_does_not_name_is_refused_at_the_field(
    world: World, role: str, region: str | None, query: str, path: list[Any], field: str | None
) -> None:
    body = await world.as_role(role, region)(query)
    assert_denied(body, "FORBIDDEN", path, field)
    assert role in body["errors"][0]["message"]


async def test_a_partner_reaches_no_team_members_contacts(world: World, network: Network) -> None:
    partner = world.as_role("PARTNER", partner=world.partner)
    body = await partner("query($id: ID!) { team(id: $id) { members { nodes { position phone } } } }", {"id": network.team})
    errors = body["errors"]
    assert errors and {e["extensions"]["code"] for e in errors} == {"FORBIDDEN"}
    assert {e["extensions"]["coordinate"] for e in errors} == {"TeamMember.phone"}
    assert all(e["path"][:2] == ["team", "members"] and e["path"][-1] == "phone" for e in errors)
    no_text_of(body, "0812-2500-1111", "6281225001111")


async def test_a_facilitator_reads_a_mentoring_note_but_a_province_never_its_text(world: World, network: Network) -> None:
    query = "query($id: ID!) { homeIndustry(id: $id) { mentoringNotes { nodes { notedOn notes } } } }"
    own = await world.as_role("FACILITATOR", SEMARANG)(query, {"id": world.own["id"]})
    assert Network.NOTE_TEXT in {n["notes"] for n in own["data"]["homeIndustry"]["mentoringNotes"]["nodes"]}
    province = await world.as_role("PROVINCE_OFFICER", "33")(query, {"id": world.own["id"]})
    assert_denied(province, "FORBIDDEN", ["homeIndustry", "mentoringNotes", "nodes", 0, "notes"], coordinate="MentoringNote.notes")
    no_text_of(province, Network.NOTE_TEXT)


async def test_the_masked_value_is_what_the_policy_declares_and_nothing_more(world: World) -> None:
    body = await world.as_role("PROVINCE_OFFICER", "33")(
        "query($id: ID!) { homeIndustry(id: $id) { owner { nik phone } address location { latitude longitude exact } } }",
        {"id": world.own["id"]},
    )
    assert body == {"data": {"homeIndustry": {
        "owner": {"nik": "3374********0001", "phone": "0812****7890"}, "address": "Jl. ***",
        "location": {"latitude": -6.9, "longitude": 110.4, "exact": False}}}}
    no_text_of(body, NIK_SEMARANG, "Pemuda")


async def test_a_partner_reads_an_assessment_but_never_what_the_assessor_wrote(world: World) -> None:
    """Free text about a family business (assessment notes) is for the programme's offices and
    facilitators: a partner reaches the assessment, its class and score, and a refusal at `notes`."""
    query = "{ homeIndustries(first: 5) { edges { node { latestAssessment { class score notes } } } } }"
    body = await world.as_role("PARTNER", partner=world.partner)(query)
    assessed = [e["node"]["latestAssessment"] for e in body["data"]["homeIndustries"]["edges"]
                if e["node"]["latestAssessment"] is not None]
    assert assessed and all(a["class"] and a["notes"] is None for a in assessed)
    assert len(body["errors"]) == len(assessed)
    assert {(e["extensions"]["code"], e["path"][-1]) for e in body["errors"]} == {("FORBIDDEN", "notes")}
    # The district office reads the same field without a refusal.
    office = await world.as_role("DISTRICT_OFFICER", SEMARANG)(query)
    assert "errors" not in office, office
