"""Interventions given to an IR, with its class before and after, and the bound on SQL statements
for the pages a regency office opens most: its team, and an IR with interventions and facilitators."""

from __future__ import annotations

import json
from typing import Any

import asyncpg

from siir.database import asyncpg_dsn
from tests.conftest import GraphQLClient, StatementLog
from tests.registry.test_facilitators import register_facilitator
from tests.registry.test_registry_api import MAJU, fresh_nik, office_of, register
from tests.registry.test_teams import LEADERS, form

RECORD = """
mutation($id: ID!, $input: InterventionInput!) {
  recordIntervention(homeIndustryId: $id, input: $input) {
    id type topic startedOn endedOn value outcomeNotes classBefore classAfter classAfterAssessedOn classChange version
    provider { kind name partner { id name } programme { name } }
    homeIndustry { id }
  }
}
"""

ASSESS = """
mutation($id: ID!, $input: AssessmentInput!) { recordAssessment(homeIndustryId: $id, input: $input) { assessment { class } } }
"""


def error_of(body: dict[str, Any]) -> dict[str, Any]:
    assert body.get("errors"), body
    assert not any((body.get("data") or {}).values()), body
    return body["errors"][0]


async def _partner(registry: GraphQLClient, name: str) -> dict[str, Any]:
    """A bank with a credit programme, registered by the ministry (partners are national agreements)."""
    body = await registry.as_role("MINISTRY")(
        """mutation($name: String!) { registerPartner(input: {kind: BANK, name: $name, programmes: [
             {name: "Kredit Usaha Rakyat", activeFrom: "2020-01-01", eligibility: {classes: [BERKEMBANG]}}]}) {
           id programmes { nodes { id } } } }""",
        {"name": name},
    )
    assert "errors" not in body, body
    return body["data"]["registerPartner"]


async def test_intervention_before_a_move_up_shows_the_classes_around_it(registry: GraphQLClient, database_url: str) -> None:
    ir = await register(registry)  # BERKEMBANG on 2021-01-10
    bank = await _partner(registry, "Bank Mandiri KCP Pemuda")
    credit = await registry(RECORD, {"id": ir["id"], "input": {
        "type": "CAPITAL", "topic": "Kredit modal kerja", "partnerId": bank["id"], "programmeId": bank["programmes"]["nodes"][0]["id"],
        "startedOn": "2021-06-01", "endedOn": "2021-12-31", "value": "25000000", "outcomeNotes": "Oven baru dibeli"}})
    recorded = credit["data"]["recordIntervention"]
    assert recorded["provider"] == {"kind": "BANK", "name": "Bank Mandiri KCP Pemuda",
                                    "partner": {"id": bank["id"], "name": "Bank Mandiri KCP Pemuda"},
                                    "programme": {"name": "Kredit Usaha Rakyat"}}
    assert (recorded["classBefore"], recorded["classAfter"], recorded["classChange"]) == ("BERKEMBANG", None, None)
    assert recorded["value"] == 25000000
    training = await registry(RECORD, {"id": ir["id"], "input": {
        "type": "TRAINING", "topic": "Pengemasan produk", "governmentOffice": "Dinas Koperasi dan UMKM Kota Semarang",
        "startedOn": "2022-03-01"}})
    assert training["data"]["recordIntervention"]["provider"] == {
        "kind": "GOVERNMENT_OFFICE", "name": "Dinas Koperasi dan UMKM Kota Semarang", "partner": None, "programme": None
    }
    # The next assessment after the credit ended moves the IR up: the credit came before a move up.
    await registry(ASSESS, {"id": ir["id"], "input": {**MAJU, "assessedOn": "2022-06-15"}})
    history = await registry(
        "query($id: ID!) { homeIndustry(id: $id) { interventions { nodes { type classBefore classAfter classAfterAssessedOn classChange } } } }",
        {"id": ir["id"]},
    )
    assert history["data"]["homeIndustry"]["interventions"]["nodes"] == [
        {"type": "CAPITAL", "classBefore": "BERKEMBANG", "classAfter": "MAJU", "classAfterAssessedOn": "2022-06-15", "classChange": 1},
        # Still running (no end): no class after yet.
        {"type": "TRAINING", "classBefore": "BERKEMBANG", "classAfter": None, "classAfterAssessedOn": None, "classChange": None},
    ]
    finished = await registry(
        """mutation($id: ID!) { updateIntervention(id: $id, expectedVersion: 1, input: {endedOn: "2022-04-30", outcomeNotes: "Label baru"}) {
             version classAfter outcomeNotes } }""",
        {"id": training["data"]["recordIntervention"]["id"]},
    )
    assert finished["data"]["updateIntervention"] == {"version": 2, "classAfter": "MAJU", "outcomeNotes": "Label baru"}
    stale = await registry(
        'mutation($id: ID!) { updateIntervention(id: $id, expectedVersion: 1, input: {value: 5}) { version } }',
        {"id": training["data"]["recordIntervention"]["id"]},
    )
    assert error_of(stale)["extensions"] == {"code": "CONFLICT", "currentVersion": 2}
    connection = await asyncpg.connect(**asyncpg_dsn(database_url))
    try:
        rows = await connection.fetch(
            "SELECT event_type, payload FROM registry.outbox WHERE aggregate_type = 'Intervention' AND aggregate_id = $1",
            recorded["id"],
        )
    finally:
        await connection.close()
    assert [r["event_type"] for r in rows] == ["InterventionRecorded"]
    payload = json.loads(rows[0]["payload"])["intervention"]
    assert payload == {
        "id": recorded["id"], "homeIndustryId": ir["id"], "regencyCode": "33.74", "villageCode": "33.74.01.1001",
        "type": "CAPITAL", "providerKind": "BANK", "partnerId": bank["id"], "programmeId": bank["programmes"]["nodes"][0]["id"],
        "startedOn": "2021-06-01", "endedOn": "2021-12-31", "value": 25000000, "classBefore": "BERKEMBANG", "version": 1,
    }
    assert "Oven" not in rows[0]["payload"]


async def test_bad_interventions_are_refused_with_the_field_and_nothing_written(registry: GraphQLClient, database_url: str) -> None:
    ir = await register(registry)
    bank = await _partner(registry, "Bank BRI Unit Candi")
    other = await _partner(registry, "Bank BNI Unit Tugu")
    base = {"type": "EQUIPMENT", "topic": "Mesin pengemas", "governmentOffice": "Disperindag", "startedOn": "2022-01-01"}
    cases = [
        ({"startedOn": "2020-12-31"}, "BAD_USER_INPUT", "input.startedOn"),  # registered 2021-01-10
        ({"startedOn": "2099-01-01"}, "BAD_USER_INPUT", "input.startedOn"),
        ({"endedOn": "2021-12-31"}, "BAD_USER_INPUT", "input.endedOn"),
        ({"value": -1}, "BAD_USER_INPUT", "input.value"),
        ({"governmentOffice": None, "partnerId": "987654"}, "BAD_USER_INPUT", "input.partnerId"),
        ({"governmentOffice": None}, "BAD_USER_INPUT", "input.partnerId"),
        ({"partnerId": bank["id"]}, "BAD_USER_INPUT", "input.governmentOffice"),
        ({"governmentOffice": None, "partnerId": bank["id"], "programmeId": other["programmes"]["nodes"][0]["id"]}, "BAD_USER_INPUT", "input.programmeId"),
        ({"topic": "  "}, "BAD_USER_INPUT", "input.topic"),
    ]
    connection = await asyncpg.connect(**asyncpg_dsn(database_url))
    try:
        before = await connection.fetchval(
            "SELECT (SELECT count(*) FROM registry.interventions) + (SELECT count(*) FROM registry.outbox)"
        )
        for changes, code, field in cases:
            body = await registry(RECORD, {"id": ir["id"], "input": {**base, **changes}})
            assert error_of(body)["extensions"] == {"code": code, "field": field}, (changes, body)
        unknown_ir = await registry(RECORD, {"id": "987654321", "input": base})
        assert error_of(unknown_ir)["extensions"]["code"] == "NOT_FOUND"
        after = await connection.fetchval(
            "SELECT (SELECT count(*) FROM registry.interventions) + (SELECT count(*) FROM registry.outbox)"
        )
    finally:
        await connection.close()
    assert after == before
    closed = await registry('mutation($id: ID!) { closeHomeIndustry(id: $id, reason: "gulung tikar", closedOn: "2023-01-01") { status } }', {"id": ir["id"]})
    assert closed["data"]["closeHomeIndustry"]["status"] == "CLOSED"
    after_closing = await registry(RECORD, {"id": ir["id"], "input": {**base, "startedOn": "2023-02-01"}})
    assert error_of(after_closing)["extensions"] == {"code": "BAD_USER_INPUT", "field": "input.startedOn"}
    # Recorded late, for the time it was still open: accepted.
    late = await registry(RECORD, {"id": ir["id"], "input": base})
    assert late["data"]["recordIntervention"]["classBefore"] == "BERKEMBANG"


TEAM_PAGE = """
query($code: String!) {
  region(code: $code) {
    name
    team {
      name decree { number }
      members { nodes { personName position agency } }
      facilitators { nodes { personName homeIndustries { nodes { registrationNumber currentClass interventions { nodes { type } } } } villages { name } } }
    }
  }
}
"""

IR_PAGE = """
query($ids: [_Any!]!) {
  _entities(representations: $ids) {
    ... on HomeIndustry {
      businessName
      facilitators { personName regency { name } }
      interventions { nodes { type classBefore classAfter provider { kind partner { name programmes { nodes { name } } } programme { name } } } }
      mentoringNotes { nodes { notedOn facilitator { personName } } }
      assessments { class facilitator { personName } }
    }
  }
}
"""


async def test_a_regency_team_page_and_ir_pages_take_a_bounded_number_of_statements(
    registry: GraphQLClient, statement_log: StatementLog
) -> None:
    regency, villages = "33.71", ["33.71.01.1003", "33.71.01.1007", "33.71.02.1003"]  # Kota Magelang
    registry = office_of(registry, regency)  # the office that keeps Kota Magelang's records
    bank = await _partner(registry, "Bank Magelang")
    ir_ids = []
    for n in range(12):
        ir = await register(registry, villageCode=villages[n % 3], businessName=f"Getuk Magelang {n}",
                            owner={"name": f"Ibu {n}", "nik": fresh_nik("3371015507900001")})
        ir_ids.append(ir["id"])
        for k in range(n % 3):
            await registry(RECORD, {"id": ir["id"], "input": {
                "type": "TRAINING", "topic": f"Pelatihan {k}", "partnerId": bank["id"], "programmeId": bank["programmes"]["nodes"][0]["id"],
                "startedOn": "2021-02-01", "endedOn": "2021-03-01"}})
    await form(registry, regency, activeUntil=None, members=LEADERS)
    for n, village in enumerate(villages):
        await register_facilitator(registry, regencyCode=regency, personName=f"Pendamping {n}", subject=f"test-magelang-{n}",
                                   assignments=[{"villageCode": village}, {"homeIndustryId": ir_ids[(n + 1) % 12]}])

    statement_log.clear()
    team_page = await registry(TEAM_PAGE, {"code": regency})
    team_statements = statement_log.count()
    team = team_page["data"]["region"]["team"]
    assert len(team["members"]["nodes"]) == 6 and len(team["facilitators"]["nodes"]) == 3
    assert sum(len(f["homeIndustries"]["nodes"]) for f in team["facilitators"]["nodes"]) >= 12
    # region (+ancestors), team, members, facilitators, their IR, the IR's interventions, their
    # assignments, the assigned villages: one statement per relationship, whatever the row counts;
    # and the snapshot the answer cache keeps with the answer
    assert team_statements <= 9, statement_log.statements

    statement_log.clear()
    ir_page = await registry(IR_PAGE, {"ids": [{"__typename": "HomeIndustry", "id": i} for i in ir_ids]})
    ir_statements = statement_log.count()
    pages = ir_page["data"]["_entities"]
    assert len(pages) == 12 and all(p["facilitators"] for p in pages)
    assert sum(len(p["interventions"]["nodes"]) for p in pages) == 12
    # IR, facilitators, regions, interventions, partners, programmes (x2 paths), notes, assessments, assessors
    assert ir_statements <= 10, statement_log.statements
    # The same page for two IR (with interventions) costs the same: the count follows the query's shape.
    statement_log.clear()
    await registry(IR_PAGE, {"ids": [{"__typename": "HomeIndustry", "id": i} for i in ir_ids[1:3]]})
    assert statement_log.count() == ir_statements, statement_log.statements
    # A facilitator's scope (her record, her assignments) is looked up once per request: two statements
    # more, whatever the number of IR; she sees her assigned IR only (village 0 and one single IR).
    facilitator = registry.as_role("FACILITATOR", regency, subject="test-magelang-0")
    statement_log.clear()
    hers = await facilitator(IR_PAGE, {"ids": [{"__typename": "HomeIndustry", "id": i} for i in ir_ids]})
    assert "errors" not in hers, hers
    assert statement_log.count() <= ir_statements + 2, "\n".join(x[:150] for x in statement_log.statements)
    seen = [ir_ids[k] for k, page in enumerate(hers["data"]["_entities"]) if page is not None]
    assert seen == sorted({*ir_ids[0::3], ir_ids[1]}, key=ir_ids.index)
    statement_log.clear()
    await facilitator(TEAM_PAGE, {"code": regency})
    assert statement_log.count() <= team_statements + 2, statement_log.statements
