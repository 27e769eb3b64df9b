"""Offline capture (issue 14): a facilitator's app syncs a batch through our gateway to the real
registry subgraph. Items answer APPLIED / DUPLICATE / CONFLICT / REFUSED; a replayed batch writes
nothing (counted in SQL); a refused item leaves the others written."""

from __future__ import annotations

import copy
import secrets
import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import httpx
import pytest

from gateway.app import build_app
from gateway.limits import Limits
from services.registry.domain.offline_sync import MAX_ITEMS
from tests.gateway.test_duplicates_e2e import SUPERGRAPH
from tests.registry.test_registry_api import MAJU, register_input

VILLAGE = "33.74.01.1001"
SYNC = """
mutation($items: [OfflineWorkItem!]!) {
  syncOfflineWork(items: $items) {
    clientId status kind recordId homeIndustryId homeIndustryVersion currentVersion differingFields code field
  }
}
"""
REGISTER_FACILITATOR = """
mutation($input: RegisterFacilitatorInput!) { registerFacilitator(input: $input) { id } }
"""
COUNTS = """
SELECT (SELECT count(*) FROM registry.home_industries) AS home_industries,
       (SELECT count(*) FROM registry.assessments) AS assessments,
       (SELECT count(*) FROM registry.mentoring_notes) AS notes,
       (SELECT count(*) FROM registry.outbox) AS outbox,
       (SELECT count(*) FROM registry.audit_events WHERE action = 'WRITE') AS audit,
       (SELECT count(*) FROM registry.offline_sync_items) AS synced
"""


class Caller:
    def __init__(self, client: httpx.AsyncClient, headers: dict[str, str]) -> None:
        self.client, self.headers = client, headers

    async def __call__(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        response = await self.client.post("/graphql", json={"query": query, "variables": variables}, headers=self.headers)
        assert response.status_code == 200, response.text
        return response.json()

    async def sync(self, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        body = await self(SYNC, {"items": items})
        assert "errors" not in body, body
        return body["data"]["syncOfflineWork"]


@pytest.fixture
async def callers(registry_server: Any, tokens: Any) -> AsyncIterator[dict[str, Caller]]:
    """The Kota Semarang office, and a facilitator it engaged for one village."""
    app = build_app(SUPERGRAPH.read_text(), subgraph_urls={"registry": registry_server.url + "/graphql"},
                    verifier=tokens.verifier, limits=Limits())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway", timeout=120) as http:
        office = Caller(http, tokens.headers("DISTRICT_OFFICER", "33.74"))
        subject = f"test-sync-{secrets.token_hex(4)}"
        made = await office(REGISTER_FACILITATOR, {"input": {
            "regencyCode": "33.74", "personName": "Rina Sync", "sex": "FEMALE", "organisation": "LSM Bina Swadaya",
            "phone": "081390001234", "activeFrom": "2020-01-01", "subject": subject,
            "assignments": [{"villageCode": VILLAGE}],
        }})
        assert "errors" not in made, made
        facilitator = Caller(http, tokens.headers("FACILITATOR", "33.74", subject=subject))
        yield {"office": office, "facilitator": facilitator, "facilitator_id": made["data"]["registerFacilitator"]["id"],
               "facilitator_subject": subject}
    await app.state.gateway.client.aclose()


def new_id() -> str:
    return str(uuid.uuid4())


async def counts(pg: asyncpg.Connection) -> dict[str, int]:
    return dict(await pg.fetchrow(COUNTS))


def survey(facilitator_id: str) -> list[dict[str, Any]]:
    """A day in the field: an IR registered, re-assessed and mentored, the later items naming it by client id."""
    registration = new_id()
    return [
        {"clientId": registration, "registration": register_input()},
        {"clientId": new_id(), "assessment": {"homeIndustryClientId": registration,
                                               "input": {**MAJU, "assessedOn": "2023-05-02"}}},
        {"clientId": new_id(), "mentoringNote": {"homeIndustryClientId": registration, "input": {
            "facilitatorId": facilitator_id, "notedOn": "2023-06-10", "notes": "Label kemasan baru; daftar PIRT."}}},
    ]


async def test_a_batch_is_applied_and_its_replay_writes_nothing(callers: dict[str, Any], pg: asyncpg.Connection) -> None:
    facilitator = callers["facilitator"]
    items = survey(callers["facilitator_id"])
    before = await counts(pg)
    applied = await facilitator.sync(items)
    assert [(r["status"], r["kind"], r["code"]) for r in applied] == [
        ("APPLIED", "REGISTRATION", None), ("APPLIED", "ASSESSMENT", None), ("APPLIED", "MENTORING_NOTE", None)
    ]
    ir = applied[0]["recordId"]
    assert {r["homeIndustryId"] for r in applied} == {ir}  # the cross-references found the IR registered offline
    after = await counts(pg)
    assert {k: after[k] - before[k] for k in after} == {
        "home_industries": 1, "assessments": 2, "notes": 1, "synced": 3,
        # registered + first assessment, the re-assessment, the note
        "outbox": 4, "audit": 3,
    }
    assessed = await pg.fetchrow("SELECT facilitator_id, ir_class FROM registry.assessments WHERE id = $1",
                                 int(applied[1]["recordId"]))
    assert (str(assessed["facilitator_id"]), assessed["ir_class"]) == (callers["facilitator_id"], "MAJU")

    replayed = await facilitator.sync(items)
    assert [r["status"] for r in replayed] == ["DUPLICATE"] * 3
    assert [(r["recordId"], r["homeIndustryVersion"]) for r in replayed] == [
        (r["recordId"], r["homeIndustryVersion"]) for r in applied
    ]
    assert await counts(pg) == after  # nothing written, not even an audit row or an event


async def test_a_client_id_reused_for_other_content_is_refused(callers: dict[str, Any], pg: asyncpg.Connection) -> None:
    items = survey(callers["facilitator_id"])
    await callers["facilitator"].sync(items[:1])
    before = await counts(pg)
    changed = copy.deepcopy(items[0])
    changed["registration"]["businessName"] = "Keripik Tempe Bu Sri Baru"
    (answer,) = await callers["facilitator"].sync([changed])
    assert (answer["status"], answer["code"], answer["field"]) == ("REFUSED", "CONFLICT", "items[0].clientId")
    assert await counts(pg) == before


async def test_a_change_based_on_an_old_version_conflicts_with_the_newer_server_change(
    callers: dict[str, Any], pg: asyncpg.Connection
) -> None:
    office = callers["office"]
    (registered,) = await office.sync([{"clientId": new_id(), "registration": register_input()}])
    ir, base = registered["recordId"], registered["homeIndustryVersion"]
    newer = await office("mutation($id: ID!, $v: Int!) { updateHomeIndustry(id: $id, expectedVersion: $v, "
                         "input: {businessName: \"Keripik Tempe Sri Rejeki\"}) { version } }", {"id": ir, "v": base})
    assert "errors" not in newer, newer
    before = await counts(pg)
    (answer,) = await office.sync([{"clientId": new_id(), "update": {
        "homeIndustryId": ir, "baseVersion": base, "input": {"businessName": "Keripik Tempe Bu Sri Jaya"}}}])
    assert answer["status"] == "CONFLICT"
    assert answer["currentVersion"] == newer["data"]["updateHomeIndustry"]["version"] == base + 1
    assert answer["differingFields"] == ["businessName"]
    assert await counts(pg) == before
    # Based on the current version, the same change applies.
    (again,) = await office.sync([{"clientId": new_id(), "update": {
        "homeIndustryId": ir, "baseVersion": base + 1, "input": {"businessName": "Keripik Tempe Bu Sri Jaya"}}}])
    assert (again["status"], again["homeIndustryVersion"]) == ("APPLIED", base + 2)


async def test_refused_items_name_code_and_field_and_leave_the_others_written(
    callers: dict[str, Any], pg: asyncpg.Connection
) -> None:
    good, bad_date, bad_village = survey(callers["facilitator_id"])[0], register_input(), register_input()
    bad_date["firstAssessment"] = {**bad_date["firstAssessment"], "assessedOn": "2098-01-01"}
    bad_village["villageCode"] = "33.74.99.9999"
    unknown_registration = {"clientId": new_id(), "assessment": {"homeIndustryClientId": new_id(),
                                                                  "input": {**MAJU, "assessedOn": "2023-05-02"}}}
    before = await counts(pg)
    answers = await callers["office"].sync([
        {"clientId": new_id(), "registration": bad_date},
        good,
        {"clientId": "not-a-uuid", "registration": register_input()},
        {"clientId": new_id(), "registration": bad_village},
        unknown_registration,
        {"clientId": new_id()},
    ])
    assert [(a["status"], a["code"], a["field"]) for a in answers] == [
        ("REFUSED", "BAD_USER_INPUT", "items[0].registration.firstAssessment.assessedOn"),
        ("APPLIED", None, None),
        ("REFUSED", "BAD_USER_INPUT", "items[2].clientId"),
        ("REFUSED", "BAD_USER_INPUT", "items[3].registration.villageCode"),
        ("REFUSED", "NOT_FOUND", "items[4].assessment.homeIndustryClientId"),
        ("REFUSED", "BAD_USER_INPUT", "items[5]"),
    ]
    after = await counts(pg)
    assert (after["home_industries"] - before["home_industries"], after["synced"] - before["synced"]) == (1, 1)


async def test_out_of_scope_items_are_refused(callers: dict[str, Any], pg: asyncpg.Connection) -> None:
    office, facilitator = callers["office"], callers["facilitator"]
    (elsewhere,) = await office.sync([{"clientId": new_id(), "registration": register_input(villageCode="33.74.02.1001")}])
    assert elsewhere["status"] == "APPLIED", elsewhere
    before = await counts(pg)
    answers = await facilitator.sync([
        # A village not assigned to her, an IR not assigned to her, another regency, a note in another's name.
        {"clientId": new_id(), "registration": register_input(villageCode="33.74.02.1001")},
        {"clientId": new_id(), "assessment": {"homeIndustryId": elsewhere["recordId"],
                                               "input": {**MAJU, "assessedOn": "2023-05-02"}}},
        {"clientId": new_id(), "registration": register_input(villageCode="35.07.01.2001")},
    ])
    assert [(a["status"], a["code"], a["field"]) for a in answers] == [
        ("REFUSED", "FORBIDDEN", "items[0].registration.villageCode"),
        ("REFUSED", "NOT_FOUND", "items[1].assessment"),
        ("REFUSED", "FORBIDDEN", "items[2].registration.villageCode"),
    ]
    assert await counts(pg) == before
    denied = await pg.fetch("SELECT path FROM registry.audit_events WHERE action = 'DENIED' AND subject = $1 "
                            "AND path LIKE 'syncOfflineWork.%' ORDER BY id", callers["facilitator_subject"])
    assert [row["path"] for row in denied] == [
        "syncOfflineWork.items[0].registration.villageCode", "syncOfflineWork.items[2].registration.villageCode"
    ]
    # The office may not write mentoring notes: that is the facilitator's, as in recordMentoringNote.
    note = survey(callers["facilitator_id"])[2]
    note["mentoringNote"] = {"homeIndustryId": elsewhere["recordId"], "input": note["mentoringNote"]["input"]}
    (refused,) = await office.sync([note])
    assert (refused["status"], refused["code"]) == ("REFUSED", "FORBIDDEN")


async def test_a_batch_past_the_maximum_is_refused_whole(callers: dict[str, Any], pg: asyncpg.Connection) -> None:
    before = await counts(pg)
    body = await callers["office"](SYNC, {"items": [{"clientId": new_id()} for _ in range(MAX_ITEMS + 1)]})
    (error,) = body["errors"]
    assert (error["extensions"]["code"], error["extensions"]["field"]) == ("BAD_USER_INPUT", "items")
    assert await counts(pg) == before
