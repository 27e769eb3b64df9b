"""What each role sees in the registry: one test per role, to read as the policy.

The same three IR for everyone (tests/security/registry_world.py): in Kota Semarang (33.74) one
whose owner consented to sharing and one who did not, in Kabupaten Malang (35.07) one who did.
Around them the network: Kota Semarang's team, two Semarang facilitators (Wulan, assigned the
village of the Semarang IR, and her colleague Sari), two partners (one whose programme admits
every active IR, one that needs an NIB), an intervention on a Semarang and on the Malang IR, and
Wulan's mentoring note. ``network_view`` says what each role sees of it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.registry.test_registry_api import ASSESS, MAJU, UPDATE, register_input, REGISTER
from tests.security.registry_world import (
    MALANG,
    NIK_SEMARANG,
    SEMARANG,
    Network,
    World,
    network,  # noqa: F401 (fixture)
    world,  # noqa: F401 (fixture)
)

RECORD = """
query($id: ID!) {
  homeIndustry(id: $id) {
    businessName owner { name nik phone } address location { latitude longitude exact }
    village { code } subDistrict { code name }
  }
}
"""
LIST = "query($f: HomeIndustryFilter) { homeIndustries(filter: $f, first: 500) { edges { node { id } } } }"


async def visible_ids(client: Any, world: World) -> set[str]:
    body = await client(LIST, {"f": {"search": "Rahasia"}})
    ours = {world.own["id"], world.own_private["id"], world.other["id"]}
    return {e["node"]["id"] for e in body["data"]["homeIndustries"]["edges"]} & ours


def code_of(body: dict[str, Any]) -> str:
    return str(body["errors"][0]["extensions"]["code"])


async def _answer(client: Any, query: str, variables: dict[str, Any], pick: Callable[[Any], Any]) -> Any:
    body = await client(query, variables)
    return code_of(body) if body.get("errors") else pick(body["data"])


async def _facilitators(client: Any, names: dict[str, str]) -> Any:
    """The named facilitators among every page of Kota Semarang's (other tests add theirs), or the error code."""
    seen, after = [], None
    while True:
        body = await client('query($a: String) { facilitators(regionCode: "33.74", after: $a) '
                            '{ nodes { id } pageInfo { hasNextPage endCursor } } }', {"a": after})
        if body.get("errors"):
            return code_of(body)
        page = body["data"]["facilitators"]
        seen += [names[f["id"]] for f in page["nodes"] if f["id"] in names]
        if not page["pageInfo"]["hasNextPage"]:
            return sorted(seen)
        after = page["pageInfo"]["endCursor"]


async def network_view(client: Any, world: World, network: Network) -> dict[str, Any]:
    """What a caller sees of the network: values, null (missing for it), or the error code."""
    names = {world.facilitators[SEMARANG]: "Wulan", network.colleague: "Sari"}
    partners = {world.partner: "open", network.narrow_partner: "needs NIB"}
    return {
        "team": await _answer(client, "query($id: ID!) { team(id: $id) { name } }", {"id": network.team},
                              lambda d: d["team"]["name"]),
        "team contacts": await _answer(
            client, "query($id: ID!) { team(id: $id) { members { nodes { position phone } } } }", {"id": network.team},
            lambda d: [m["phone"] for m in d["team"]["members"]["nodes"] if m["position"] == "SECRETARY"]),
        "facilitators of 33.74": await _facilitators(client, names),
        "partners": await _answer(client, "{ partners { nodes { id } } }", {},
                                  lambda d: sorted(partners[p["id"]] for p in d["partners"]["nodes"] if p["id"] in partners)),
        "interventions of the Semarang IR": await _answer(
            client, "query($id: ID!) { homeIndustry(id: $id) { interventions { nodes { topic } } } }", {"id": world.own["id"]},
            lambda d: d["homeIndustry"] and [i["topic"] for i in d["homeIndustry"]["interventions"]["nodes"]]),
        "the Malang intervention": await _answer(
            client, "query($id: ID!) { intervention(id: $id) { topic } }", {"id": network.other_intervention},
            lambda d: d["intervention"] and d["intervention"]["topic"]),
        "mentoring visits": await _answer(
            client, "query($id: ID!) { homeIndustry(id: $id) { mentoringNotes { nodes { notedOn } } } }", {"id": world.own["id"]},
            lambda d: [n["notedOn"] for n in d["homeIndustry"]["mentoringNotes"]["nodes"]]),
        "mentoring text": await _answer(
            client, "query($id: ID!) { homeIndustry(id: $id) { mentoringNotes { nodes { notes } } } }", {"id": world.own["id"]},
            lambda d: [n["notes"] for n in d["homeIndustry"]["mentoringNotes"]["nodes"]]),
    }


TEAM = "Tim Pengelola Industri Rumahan Kota Semarang"
CONTACT = ["+6281225001111"]


async def test_ministry_sees_every_record_nationally_with_personal_data_masked(world: World, network: Network) -> None:
    ministry = world.as_role("MINISTRY")
    assert await visible_ids(ministry, world) == {world.own["id"], world.own_private["id"], world.other["id"]}
    record = (await ministry(RECORD, {"id": world.own["id"]}))["data"]["homeIndustry"]
    assert record["owner"] == {"name": "Sri Wahyuni", "nik": "3374********0001", "phone": "0812****7890"}
    assert record["address"] == "Jl. ***"
    assert record["location"] == {"latitude": -6.9, "longitude": 110.4, "exact": False}
    assert record["village"] == {"code": "33.74.01.1001"}
    # It reads the audit trail nationally, and may not change records.
    assert "errors" not in await ministry("{ auditTrail(first: 1) { pageInfo { hasNextPage } } }")
    assert code_of(await ministry(REGISTER, {"input": register_input()})) == "FORBIDDEN"
    assert await network_view(ministry, world, network) == {
        "team": TEAM, "team contacts": CONTACT, "facilitators of 33.74": ["Sari", "Wulan"],
        "partners": ["needs NIB", "open"], "interventions of the Semarang IR": ["Pengemasan Semarang"],
        "the Malang intervention": "Pengemasan Malang", "mentoring visits": ["2023-06-10"], "mentoring text": "FORBIDDEN",
    }


async def test_province_officer_sees_its_province_masked(world: World, network: Network) -> None:
    province = world.as_role("PROVINCE_OFFICER", "33")
    assert await visible_ids(province, world) == {world.own["id"], world.own_private["id"]}
    record = (await province(RECORD, {"id": world.own["id"]}))["data"]["homeIndustry"]
    assert record["owner"]["nik"] == "3374********0001" and record["owner"]["phone"] == "0812****7890"
    assert (await province(RECORD, {"id": world.other["id"]}))["data"]["homeIndustry"] is None
    assert code_of(await province("{ auditTrail(first: 1) { pageInfo { hasNextPage } } }")) == "FORBIDDEN"
    assert await network_view(province, world, network) == {
        "team": TEAM, "team contacts": CONTACT, "facilitators of 33.74": ["Sari", "Wulan"],
        "partners": ["needs NIB", "open"], "interventions of the Semarang IR": ["Pengemasan Semarang"],
        "the Malang intervention": None, "mentoring visits": ["2023-06-10"], "mentoring text": "FORBIDDEN",
    }


async def test_district_officer_sees_its_regency_in_full_and_changes_it(world: World, network: Network) -> None:
    office = world.as_role("DISTRICT_OFFICER", SEMARANG)
    assert await visible_ids(office, world) == {world.own["id"], world.own_private["id"]}
    record = (await office(RECORD, {"id": world.own["id"]}))["data"]["homeIndustry"]
    assert record["owner"] == {"name": "Sri Wahyuni", "nik": NIK_SEMARANG, "phone": "+6281234567890"}
    assert record["address"] == "Jl. Pemuda No. 12"
    assert record["location"] == {"latitude": -6.98312, "longitude": 110.41234, "exact": True}
    assert record["subDistrict"] == {"code": "33.74.01", "name": "Semarang Tengah"}
    fresh = (await office(REGISTER, {"input": register_input()}))["data"]["registerHomeIndustry"]
    changed = await office(UPDATE, {"id": fresh["id"], "v": 1, "input": {"address": "Jl. Gajahmada 3"}})
    assert changed["data"]["updateHomeIndustry"]["address"] == "Jl. Gajahmada 3"
    trail = await office("{ auditTrail(first: 500) { edges { node { action regencyCode actorRegion } } } }")
    events = [e["node"] for e in trail["data"]["auditTrail"]["edges"]]
    # Denials also when one of her office's callers was refused something about another region.
    assert {e["regencyCode"] for e in events if e["action"] != "DENIED"} == {SEMARANG}
    assert all(e["regencyCode"] == SEMARANG or e["actorRegion"] == SEMARANG for e in events)
    assert await network_view(office, world, network) == {
        "team": TEAM, "team contacts": CONTACT, "facilitators of 33.74": ["Sari", "Wulan"],
        "partners": ["needs NIB", "open"], "interventions of the Semarang IR": ["Pengemasan Semarang"],
        "the Malang intervention": None, "mentoring visits": ["2023-06-10"], "mentoring text": [Network.NOTE_TEXT],
    }


async def test_facilitator_sees_its_area_in_full_and_records_assessments_only(world: World, network: Network) -> None:
    # Her area is what her regency's office assigned her: the village of both Semarang IR.
    facilitator = world.as_role("FACILITATOR", SEMARANG)
    assert await visible_ids(facilitator, world) == {world.own["id"], world.own_private["id"]}
    record = (await facilitator(RECORD, {"id": world.own["id"]}))["data"]["homeIndustry"]
    assert record["owner"]["nik"] == NIK_SEMARANG
    assessed = await facilitator(ASSESS, {"id": world.own["id"], "input": {**MAJU, "assessedOn": "2024-02-01"}})
    assert assessed["data"]["recordAssessment"]["assessment"]["class"] == "MAJU"
    assert code_of(await facilitator(UPDATE, {"id": world.own["id"], "v": 1, "input": {"address": "x"}})) == "FORBIDDEN"
    # Wulan: her colleagues' names but not their contacts, the IR of her village with its interventions
    # and notes, nothing of Malang.
    assert await network_view(facilitator, world, network) == {
        "team": TEAM, "team contacts": "FORBIDDEN", "facilitators of 33.74": ["Sari", "Wulan"],
        "partners": ["needs NIB", "open"], "interventions of the Semarang IR": ["Pengemasan Semarang"],
        "the Malang intervention": None, "mentoring visits": ["2023-06-10"], "mentoring text": [Network.NOTE_TEXT],
    }


async def test_partner_sees_consenting_active_ir_nationally_without_nik_or_exact_location(world: World, network: Network) -> None:
    partner = world.as_role("PARTNER", partner=world.partner)
    assert await visible_ids(partner, world) == {world.own["id"], world.other["id"]}
    body = await partner(
        "query($id: ID!) { homeIndustry(id: $id) { businessName owner { name phone } subDistrict { code } consent { granted } } }",
        {"id": world.own["id"]},
    )
    assert body["data"]["homeIndustry"] == {
        "businessName": "Bakpia Rahasia Semarang",
        "owner": {"name": "Sri Wahyuni", "phone": "+6281234567890"},  # contact, with the owner's consent
        "subDistrict": {"code": "33.74.01"},
        "consent": {"granted": True},
    }
    for field in ("owner { nik }", "address", "location { latitude }", "village { code }"):
        assert code_of(await partner(f"query($id: ID!) {{ homeIndustry(id: $id) {{ {field} }} }}", {"id": world.own["id"]})) == "FORBIDDEN"
    assert code_of(await partner(REGISTER, {"input": register_input()})) == "FORBIDDEN"
    # Teams are public; people (facilitators, contacts) and mentoring are not; interventions follow the IR.
    assert await network_view(partner, world, network) == {
        "team": TEAM, "team contacts": "FORBIDDEN", "facilitators of 33.74": "FORBIDDEN",
        "partners": ["open"], "interventions of the Semarang IR": ["Pengemasan Semarang"],
        "the Malang intervention": "Pengemasan Malang", "mentoring visits": "FORBIDDEN", "mentoring text": "FORBIDDEN",
    }


async def test_analyst_sees_regions_but_no_record(world: World, network: Network) -> None:
    analyst = world.as_role("ANALYST")
    regions = await analyst('{ region(code: "35.07") { name } }')
    assert regions["data"]["region"]["name"] == "Kabupaten Malang"
    assert code_of(await analyst(LIST, {})) == "FORBIDDEN"
    assert code_of(await analyst(RECORD, {"id": world.other["id"]})) == "FORBIDDEN"
    assert MALANG  # aggregates for analysts come from the reporting service, not from here
    assert await network_view(analyst, world, network) == {
        "team": TEAM, "team contacts": "FORBIDDEN", "facilitators of 33.74": "FORBIDDEN", "partners": "FORBIDDEN",
        "interventions of the Semarang IR": "FORBIDDEN", "the Malang intervention": "FORBIDDEN",
        "mentoring visits": "FORBIDDEN", "mentoring text": "FORBIDDEN",
    }
