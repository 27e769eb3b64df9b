"""Facilitators (pendamping): engaged by a regency office, assigned villages and IR, recording
assessments and mentoring notes; what a regency office and the facilitator herself see."""

from __future__ import annotations

import json
from typing import Any

import asyncpg

from siir.database import asyncpg_dsn
from tests.conftest import GraphQLClient
from tests.registry.test_registry_api import MAJU, office_of, register

REGISTER = """
mutation($input: RegisterFacilitatorInput!) {
  registerFacilitator(input: $input) {
    id personName sex organisation phone version isActive regency { code name }
    assignments { id activeFrom activeUntil village { code } homeIndustry { id } }
  }
}
"""

#: Her whole list on one page (checked: no next page): the village may hold other tests' IR before hers.
FACILITATOR_IR = """
query($id: ID!) { facilitator(id: $id) { villages { code }
  homeIndustries(first: 500) { nodes { id businessName } pageInfo { hasNextPage } } } }
"""


def error_of(body: dict[str, Any]) -> dict[str, Any]:
    assert body.get("errors"), body
    assert not any((body.get("data") or {}).values()), body
    return body["errors"][0]


def facilitator_input(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "regencyCode": "33.74",
        "personName": "Siti Rahayu",
        "sex": "FEMALE",
        "organisation": "LSM Bina Swadaya",
        "phone": "081390001234",
        "activeFrom": "2020-01-01",
        "assignments": [],
    }
    data.update(changes)
    return data


async def register_facilitator(registry: GraphQLClient, **changes: Any) -> dict[str, Any]:
    """Engage a facilitator, as the office of her regency/city (Kota Semarang's unless told)."""
    office = office_of(registry, changes.get("regencyCode") or "33.74")
    body = await office(REGISTER, {"input": facilitator_input(**changes)})
    assert "errors" not in body, body
    return body["data"]["registerFacilitator"]


async def test_assigned_village_and_single_ir_are_what_she_looks_after(registry: GraphQLClient) -> None:
    in_village = await register(registry, villageCode="33.74.05.1002", businessName="Bandeng Presto Bu Ani")
    single = await register(registry, villageCode="33.74.06.1001", businessName="Batik Semarangan Bu Tin")
    elsewhere = await register(registry, villageCode="33.74.06.1002", businessName="Lumpia Bu Yati")
    facilitator = await register_facilitator(registry, assignments=[
        {"villageCode": "33.74.05.1002"}, {"homeIndustryId": single["id"], "activeFrom": "2021-02-01"},
    ])
    assert facilitator["regency"] == {"code": "33.74", "name": "Kota Semarang"}
    assert facilitator["phone"] == "+6281390001234" and facilitator["isActive"] is True
    assert sorted((a["village"] or {}).get("code") or a["homeIndustry"]["id"] for a in facilitator["assignments"]) == sorted(
        ["33.74.05.1002", single["id"]]
    )
    looked_after = (await registry(FACILITATOR_IR, {"id": facilitator["id"]}))["data"]["facilitator"]
    assert looked_after["villages"] == [{"code": "33.74.05.1002"}]
    assert looked_after["homeIndustries"]["pageInfo"]["hasNextPage"] is False
    ids = {ir["id"] for ir in looked_after["homeIndustries"]["nodes"]}
    assert {in_village["id"], single["id"]} <= ids and elsewhere["id"] not in ids
    seen = await registry(
        "query($a: ID!, $b: ID!) { a: homeIndustry(id: $a) { facilitators { id } } b: homeIndustry(id: $b) { facilitators { id } } }",
        {"a": single["id"], "b": elsewhere["id"]},
    )
    assert {"id": facilitator["id"]} in seen["data"]["a"]["facilitators"]
    assert seen["data"]["b"]["facilitators"] == []
    # Ending the single-IR assignment takes the IR off her list.
    single_assignment = [a for a in facilitator["assignments"] if a["homeIndustry"]][0]
    ended = await registry(
        'mutation($id: ID!) { endFacilitatorAssignment(id: $id, endedOn: "2022-12-31") { activeUntil } }',
        {"id": single_assignment["id"]},
    )
    assert ended["data"]["endFacilitatorAssignment"] == {"activeUntil": "2022-12-31"}
    after = (await registry(FACILITATOR_IR, {"id": facilitator["id"]}))["data"]["facilitator"]
    assert after["homeIndustries"]["pageInfo"]["hasNextPage"] is False
    assert single["id"] not in {ir["id"] for ir in after["homeIndustries"]["nodes"]}


async def test_bad_assignments_and_duplicate_login_subject(registry: GraphQLClient, database_url: str) -> None:
    connection = await asyncpg.connect(**asyncpg_dsn(database_url))
    try:
        before = await connection.fetchval(
            "SELECT (SELECT count(*) FROM registry.facilitators) + (SELECT count(*) FROM registry.facilitator_assignments)"
            " + (SELECT count(*) FROM registry.outbox)"
        )
        outside_ir = await register(registry, villageCode="35.07.01.2001")
        cases = [
            ({"regencyCode": "33.74.01"}, "BAD_USER_INPUT", "input.regencyCode"),
            ({"regencyCode": "35.07"}, "FORBIDDEN", "input.regencyCode"),
            ({"assignments": [{"villageCode": "35.07.01.2001"}]}, "BAD_USER_INPUT", "input.assignments[0].villageCode"),
            ({"assignments": [{"villageCode": "33.74.01"}]}, "BAD_USER_INPUT", "input.assignments[0].villageCode"),
            ({"assignments": [{"homeIndustryId": outside_ir["id"]}]}, "BAD_USER_INPUT", "input.assignments[0].homeIndustryId"),
            ({"assignments": [{"homeIndustryId": "99999999"}]}, "BAD_USER_INPUT", "input.assignments[0].homeIndustryId"),
            ({"assignments": [{"villageCode": "33.74.01.1001", "activeFrom": "2019-01-01"}]}, "BAD_USER_INPUT", "input.assignments[0].activeFrom"),
            ({"assignments": [{"villageCode": "33.74.01.1001", "homeIndustryId": outside_ir["id"]}]}, "BAD_USER_INPUT", "input.assignments[0]"),
            ({"assignments": [{"villageCode": "33.74.01.1001"}, {"villageCode": "33.74.01.1001"}]}, "CONFLICT", "input.assignments[1]"),
            ({"activeFrom": "2020-01-01", "activeUntil": "2019-01-01"}, "BAD_USER_INPUT", "input.activeUntil"),
            ({"email": "not-an-address"}, "BAD_USER_INPUT", "input.email"),
        ]
        registered_ir = 1  # the IR registered above wrote one row and two events
        for changes, code, field in cases:
            body = await registry(REGISTER, {"input": facilitator_input(**changes)})
            extensions = error_of(body)["extensions"]
            assert (extensions["code"], extensions.get("field")) == (code, field), (changes, body)
        after = await connection.fetchval(
            "SELECT (SELECT count(*) FROM registry.facilitators) + (SELECT count(*) FROM registry.facilitator_assignments)"
            " + (SELECT count(*) FROM registry.outbox)"
        )
        assert after == before + 2 * registered_ir  # registration + first assessment events only
    finally:
        await connection.close()
    await register_facilitator(registry, subject="auth0|siti")
    taken = await registry(REGISTER, {"input": facilitator_input(personName="Lain", subject="auth0|siti")})
    assert error_of(taken)["extensions"] == {"code": "CONFLICT", "field": "input.subject"}


async def test_assessments_and_mentoring_notes_record_the_facilitator(registry: GraphQLClient, database_url: str) -> None:
    ir = await register(registry)
    facilitator = await register_facilitator(registry, personName="Dewi Lestari", activeFrom="2021-01-01",
                                             subject="test-dewi-lestari", assignments=[{"homeIndustryId": ir["id"]}])
    dewi = registry.as_role("FACILITATOR", "33.74", subject="test-dewi-lestari")
    assessed = await registry(
        """mutation($id: ID!, $input: AssessmentInput!) { recordAssessment(homeIndustryId: $id, input: $input) {
             assessment { class facilitator { personName } } } }""",
        {"id": ir["id"], "input": {**MAJU, "assessedOn": "2023-05-02", "facilitatorId": facilitator["id"]}},
    )
    assert assessed["data"]["recordAssessment"]["assessment"] == {"class": "MAJU", "facilitator": {"personName": "Dewi Lestari"}}
    out_of_service = await registry(
        "mutation($id: ID!, $input: AssessmentInput!) { recordAssessment(homeIndustryId: $id, input: $input) { assessment { class } } }",
        {"id": ir["id"], "input": {**MAJU, "assessedOn": "2020-12-01", "facilitatorId": facilitator["id"]}},
    )
    assert error_of(out_of_service)["extensions"] == {"code": "BAD_USER_INPUT", "field": "input.facilitatorId"}
    note = """mutation($id: ID!, $input: MentoringNoteInput!) { recordMentoringNote(homeIndustryId: $id, input: $input) {
                notedOn notes facilitator { id } homeIndustry { id } } }"""
    recorded = await dewi(note, {"id": ir["id"], "input": {
        "facilitatorId": facilitator["id"], "notedOn": "2023-06-10", "notes": "Label kemasan baru; daftar PIRT."}})
    assert recorded["data"]["recordMentoringNote"] == {
        "notedOn": "2023-06-10", "notes": "Label kemasan baru; daftar PIRT.",
        "facilitator": {"id": facilitator["id"]}, "homeIndustry": {"id": ir["id"]},
    }
    # She notes her own visits only; the office does not write notes for her.
    someone_else = await dewi(note, {"id": ir["id"], "input": {"facilitatorId": "424242", "notedOn": "2023-06-10", "notes": "x"}})
    assert error_of(someone_else)["extensions"] == {"code": "FORBIDDEN", "field": "input.facilitatorId"}
    office = await registry(note, {"id": ir["id"], "input": {"facilitatorId": facilitator["id"], "notedOn": "2023-06-10", "notes": "x"}})
    assert error_of(office)["extensions"] == {"code": "FORBIDDEN", "coordinate": "Mutation.recordMentoringNote"}
    before_registration = await dewi(note, {"id": ir["id"], "input": {
        "facilitatorId": facilitator["id"], "notedOn": "2020-06-10", "notes": "x"}})
    assert error_of(before_registration)["extensions"] == {"code": "BAD_USER_INPUT", "field": "input.notedOn"}
    history = await registry("query($id: ID!) { homeIndustry(id: $id) { mentoringNotes { nodes { notedOn } } assessments { facilitator { id } } } }", {"id": ir["id"]})
    assert history["data"]["homeIndustry"]["mentoringNotes"]["nodes"] == [{"notedOn": "2023-06-10"}]
    assert history["data"]["homeIndustry"]["assessments"][0]["facilitator"] == {"id": facilitator["id"]}
    connection = await asyncpg.connect(**asyncpg_dsn(database_url))
    try:
        payload = await connection.fetchval(
            "SELECT payload FROM registry.outbox WHERE event_type = 'MentoringNoteRecorded'"
            " AND aggregate_type = 'MentoringNote' AND payload->'mentoringNote'->>'homeIndustryId' = $1", ir["id"]
        )
        registered = await connection.fetchval(
            "SELECT payload FROM registry.outbox WHERE event_type = 'FacilitatorRegistered' AND aggregate_id = $1", facilitator["id"]
        )
    finally:
        await connection.close()
    assert json.loads(payload)["mentoringNote"]["facilitatorId"] == facilitator["id"]
    assert "PIRT" not in payload and "Dewi" not in registered and "+62" not in registered


async def test_ending_her_service_ends_her_assignments(registry: GraphQLClient) -> None:
    facilitator = await register_facilitator(registry, regencyCode="33.22", personName="Tri Handayani",
                                             assignments=[{"villageCode": "33.22.01.2001"}])
    registry = office_of(registry, "33.22")
    update = """mutation($id: ID!, $v: Int!, $input: UpdateFacilitatorInput!) {
                  updateFacilitator(id: $id, expectedVersion: $v, input: $input) { version activeUntil isActive assignments { activeUntil } } }"""
    ended = await registry(update, {"id": facilitator["id"], "v": 1, "input": {"activeUntil": "2023-12-31"}})
    assert ended["data"]["updateFacilitator"] == {
        "version": 2, "activeUntil": "2023-12-31", "isActive": False, "assignments": [{"activeUntil": "2023-12-31"}]
    }
    stale = await registry(update, {"id": facilitator["id"], "v": 1, "input": {"organisation": "x"}})
    assert error_of(stale)["extensions"] == {"code": "CONFLICT", "currentVersion": 2}
    region = await registry('{ region(code: "33.22") { facilitators { nodes { id } } } }')
    assert {"id": facilitator["id"]} not in region["data"]["region"]["facilitators"]["nodes"]
    listed = await registry.as_role("PROVINCE_OFFICER", "33")('{ facilitators(regionCode: "33", activeOn: "2022-01-01") { nodes { id } } }')
    assert {"id": facilitator["id"]} in listed["data"]["facilitators"]["nodes"]


async def test_the_access_layer_finds_a_facilitator_and_her_scope_by_login_subject(
    registry: GraphQLClient, database_url: str
) -> None:
    """The contract with the access issue: a facilitator's token carries ``sub`` = facilitators.subject."""
    import datetime as dt

    from services.registry.data import facilitators as facilitator_data
    from siir.database import create_engine

    ir = await register(registry, villageCode="33.74.07.1001")
    made = await register_facilitator(registry, subject="keycloak:7d1f-scope", activeFrom="2021-01-01", assignments=[
        {"villageCode": "33.74.08.1001"}, {"homeIndustryId": ir["id"], "activeUntil": "2022-12-31"}])
    engine = create_engine(database_url, pool_size=1)
    try:
        async with engine.connect() as connection:
            found = await facilitator_data.facilitator_by_subject(connection, "keycloak:7d1f-scope")
            assert found is not None and str(found["id"]) == made["id"]
            assert await facilitator_data.assigned_scope(connection, found["id"], dt.date(2022, 6, 1)) == (
                ["33.74.08.1001"], [int(ir["id"])]
            )
            assert await facilitator_data.assigned_scope(connection, found["id"], dt.date(2023, 1, 1)) == (["33.74.08.1001"], [])
            assert await facilitator_data.facilitator_by_subject(connection, "nobody") is None
    finally:
        await engine.dispose()
