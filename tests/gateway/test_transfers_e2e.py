"""Transfers of an IR between regencies/cities, through our gateway in front of the real registry subgraph.

The sending office proposes, the receiving office sees only the proposal's summary until it accepts;
then the IR is the receiving office's, under a new registration number, with its id, history and
assessments, and its old number still finds it. A province office (both regencies in its province)
or the ministry moves an IR at once. Refusals are coded, name the field and write nothing; the
registry's region counters stay exact through every move.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import asyncpg

from siir.database import asyncpg_dsn
from tests.gateway.test_duplicates_e2e import CLOSE, OTHER_REGENCY_VILLAGE, Gateway, gateway  # noqa: F401
from tests.registry.test_registry_api import register_input

SURAKARTA_VILLAGE = "33.72.01.1001"  # Kota Surakarta, the same province as Kota Semarang

TRANSFER = """
mutation($id: ID!, $v: Int!, $village: String!, $reason: String!) {
  transferHomeIndustry(id: $id, expectedVersion: $v, villageCode: $village, reason: $reason) {
    id status reason businessName currentClass fromRegistrationNumber newRegistrationNumber transferredOn version
    fromVillage { code } toVillage { code } homeIndustry { id registrationNumber }
  }
}"""
ACCEPT = """mutation($id: ID!, $v: Int!) { acceptHomeIndustryTransfer(id: $id, expectedVersion: $v) {
  status newRegistrationNumber transferredOn version homeIndustry { id registrationNumber village { code } } } }"""
DECLINE = """mutation($id: ID!, $v: Int!, $reason: String!) {
  declineHomeIndustryTransfer(id: $id, expectedVersion: $v, reason: $reason) { status decisionNote version } }"""
WITHDRAW = """mutation($id: ID!, $v: Int!) { withdrawHomeIndustryTransfer(id: $id, expectedVersion: $v) { status version } }"""
PENDING = """query { pendingHomeIndustryTransfers(first: 200) { totalCount
  edges { node { id businessName fromRegistrationNumber toVillage { code } homeIndustry { id } } } } }"""
RECORD = """query($id: ID!) { homeIndustry(id: $id) { id registrationNumber version village { code } address
  assessments { id } registrationNumberHistory { number regencyCode usedUntil } } }"""
BY_NUMBER = "query($n: String!) { homeIndustryByRegistrationNumber(number: $n) { id registrationNumber } }"

SEMARANG = {"region": "33.74"}
MALANG = {"region": "35.07"}
PROVINCE = {"role": "PROVINCE_OFFICER", "region": "33"}
MINISTRY = {"role": "MINISTRY", "region": None}


async def _registered(gateway: Gateway, **changes: Any) -> dict[str, Any]:
    body = await gateway.register(**changes)
    assert "errors" not in body, body
    return body["data"]["registerHomeIndustry"]


def _data(body: dict[str, Any], field: str) -> dict[str, Any]:
    assert "errors" not in body, body
    return body["data"][field]  # type: ignore[no-any-return]


def _refusal(body: dict[str, Any]) -> dict[str, Any]:
    assert not any((body.get("data") or {}).values()), body
    (error,) = body["errors"]
    error["extensions"].pop("serviceName", None)
    error["extensions"].pop("currentVersion", None)
    return error


async def _pending_ids(gateway: Gateway, caller: dict[str, Any]) -> dict[str, dict[str, Any]]:
    body = _data(await gateway(PENDING, {}, **caller), "pendingHomeIndustryTransfers")
    return {edge["node"]["id"]: edge["node"] for edge in body["edges"]}


async def _counters_exact(database_url: str) -> None:
    """registry.home_industry_counts equals a count over the rows, for every region it keeps."""
    connection = await asyncpg.connect(**asyncpg_dsn(database_url))
    try:
        differences = await connection.fetch(
            """
            WITH counted AS (
                SELECT r.code AS region_code, coalesce(h.current_class, '') AS ir_class, h.status, count(*) AS n
                FROM registry.home_industries h
                CROSS JOIN LATERAL (VALUES (''), (left(h.regency_code, 2)), (h.regency_code),
                    (left(h.village_code, length(h.village_code) - 5))) AS r(code)
                GROUP BY 1, 2, 3)
            SELECT * FROM counted c FULL JOIN registry.home_industry_counts k USING (region_code, ir_class, status)
            WHERE coalesce(c.n, 0) <> coalesce(k.n, 0)
            """
        )
    finally:
        await connection.close()
    assert differences == []


async def test_a_proposal_accepted_by_the_receiving_office_moves_the_ir_with_its_history(
    gateway: Gateway, database_url: str
) -> None:
    ir = await _registered(gateway, businessName="Bakpia Pindahan Bu Ani", address="Jl. Lama 1")
    assessed = await gateway(
        "mutation($id: ID!, $i: AssessmentInput!) { recordAssessment(homeIndustryId: $id, input: $i) { assessment { id } } }",
        {"id": ir["id"], "i": {**register_input()["firstAssessment"], "assessedOn": "2024-03-01"}},
    )
    assert "errors" not in assessed, assessed
    before = _data(await gateway(RECORD, {"id": ir["id"]}), "homeIndustry")
    assert len(before["assessments"]) == 2
    assert (await gateway(RECORD, {"id": ir["id"]}, **MALANG))["data"]["homeIndustry"] is None

    proposed = _data(await gateway(TRANSFER, {"id": ir["id"], "v": before["version"], "village": OTHER_REGENCY_VILLAGE,
                                              "reason": "keluarga pindah ke Malang"}), "transferHomeIndustry")
    assert proposed["status"] == "PENDING" and proposed["newRegistrationNumber"] is None
    assert proposed["fromRegistrationNumber"] == ir["registrationNumber"]
    assert proposed["toVillage"] == {"code": OTHER_REGENCY_VILLAGE} and proposed["homeIndustry"]["id"] == ir["id"]

    # The receiving office sees the summary, not the record, while it is pending; the IR is still Semarang's.
    received = (await _pending_ids(gateway, MALANG))[proposed["id"]]
    assert received["businessName"] == "Bakpia Pindahan Bu Ani" and received["homeIndustry"] is None
    assert (await _pending_ids(gateway, SEMARANG))[proposed["id"]]["homeIndustry"] == {"id": ir["id"]}
    assert proposed["id"] in await _pending_ids(gateway, MINISTRY)
    assert (await gateway(RECORD, {"id": ir["id"]}, **MALANG))["data"]["homeIndustry"] is None

    stale = _refusal(await gateway(ACCEPT, {"id": proposed["id"], "v": proposed["version"] + 1}, **MALANG))
    assert stale["extensions"] == {"code": "CONFLICT", "field": "expectedVersion"}
    sender = _refusal(await gateway(ACCEPT, {"id": proposed["id"], "v": proposed["version"]}, **SEMARANG))
    assert sender["extensions"]["code"] == "FORBIDDEN"

    accepted = _data(await gateway(ACCEPT, {"id": proposed["id"], "v": proposed["version"]}, **MALANG),
                     "acceptHomeIndustryTransfer")
    new_number = accepted["newRegistrationNumber"]
    assert accepted["status"] == "ACCEPTED" and new_number.startswith("IR-35.07-")
    assert accepted["homeIndustry"] == {"id": ir["id"], "registrationNumber": new_number,
                                        "village": {"code": OTHER_REGENCY_VILLAGE}}
    assert proposed["id"] not in await _pending_ids(gateway, MALANG)

    # Malang's now, with its id and assessments; Semarang no longer reaches it.
    after = _data(await gateway(RECORD, {"id": ir["id"]}, **MALANG), "homeIndustry")
    assert after["assessments"] == before["assessments"] and after["address"] is None
    assert after["registrationNumberHistory"] == [
        {"number": ir["registrationNumber"], "regencyCode": "33.74", "usedUntil": _day_before(accepted["transferredOn"])},
        {"number": new_number, "regencyCode": "35.07", "usedUntil": None},
    ]
    assert (await gateway(RECORD, {"id": ir["id"]}))["data"]["homeIndustry"] is None
    # The old number still finds it, for the office that holds it now; not for the one it left.
    found = _data(await gateway(BY_NUMBER, {"n": ir["registrationNumber"]}, **MALANG), "homeIndustryByRegistrationNumber")
    assert found == {"id": ir["id"], "registrationNumber": new_number}
    assert (await gateway(BY_NUMBER, {"n": ir["registrationNumber"]}))["data"]["homeIndustryByRegistrationNumber"] is None

    connection = await asyncpg.connect(**asyncpg_dsn(database_url))
    try:
        event = await connection.fetchval(
            "SELECT payload FROM registry.outbox WHERE event_type = 'HomeIndustryTransferred' AND aggregate_id = $1",
            ir["id"],
        )
        audited = await connection.fetchval(
            "SELECT count(*) FROM registry.audit_events WHERE action = 'WRITE' AND home_industry_id = $1 "
            "AND entity_type = 'HomeIndustryTransfer'", int(ir["id"]),
        )
    finally:
        await connection.close()
    moved = json.loads(event)
    assert moved["transfer"]["fromRegencyCode"] == "33.74" and moved["homeIndustry"]["regencyCode"] == "35.07"
    assert "keluarga" not in event  # the reason stays in the registry
    assert audited == 1  # the proposal; the acceptance is audited on the IR itself
    await _counters_exact(database_url)


def _day_before(day: str) -> str:
    return (dt.date.fromisoformat(day) - dt.timedelta(days=1)).isoformat()


async def test_declined_and_withdrawn_proposals_leave_the_ir_where_it_is(gateway: Gateway) -> None:
    ir = await _registered(gateway, businessName="Lumpia Tetap Di Sini")
    args = {"id": ir["id"], "v": ir["version"], "village": OTHER_REGENCY_VILLAGE, "reason": "rencana pindah"}
    first = _data(await gateway(TRANSFER, args), "transferHomeIndustry")
    declined = _data(await gateway(DECLINE, {"id": first["id"], "v": first["version"], "reason": "alamat tidak ditemukan"},
                                   **MALANG), "declineHomeIndustryTransfer")
    assert declined == {"status": "DECLINED", "decisionNote": "alamat tidak ditemukan", "version": first["version"] + 1}
    again = _refusal(await gateway(ACCEPT, {"id": first["id"], "v": declined["version"]}, **MALANG))
    assert again["extensions"] == {"code": "CONFLICT", "field": "id"}

    second = _data(await gateway(TRANSFER, args), "transferHomeIndustry")
    receiver = _refusal(await gateway(WITHDRAW, {"id": second["id"], "v": second["version"]}, **MALANG))
    assert receiver["extensions"]["code"] == "FORBIDDEN"
    elsewhere = _refusal(await gateway(WITHDRAW, {"id": second["id"], "v": second["version"]}, region="32.73"))
    assert elsewhere["extensions"] == {"code": "NOT_FOUND", "field": "id"}
    assert "Lumpia" not in json.dumps(elsewhere)
    withdrawn = _data(await gateway(WITHDRAW, {"id": second["id"], "v": second["version"]}), "withdrawHomeIndustryTransfer")
    assert withdrawn["status"] == "WITHDRAWN"

    record = _data(await gateway(RECORD, {"id": ir["id"]}), "homeIndustry")
    assert record["registrationNumber"] == ir["registrationNumber"] and record["version"] == ir["version"]
    assert [entry["number"] for entry in record["registrationNumberHistory"]] == [ir["registrationNumber"]]


async def test_a_province_office_or_the_ministry_moves_an_ir_directly(gateway: Gateway, database_url: str) -> None:
    ir = await _registered(gateway, businessName="Wingko Pindah Solo")
    across = _refusal(await gateway(TRANSFER, {"id": ir["id"], "v": ir["version"], "village": OTHER_REGENCY_VILLAGE,
                                               "reason": "pindah"}, **PROVINCE))
    assert across["extensions"] == {"code": "FORBIDDEN", "field": "villageCode"}

    moved = _data(await gateway(TRANSFER, {"id": ir["id"], "v": ir["version"], "village": SURAKARTA_VILLAGE,
                                           "reason": "pindah ke Solo"}, **PROVINCE), "transferHomeIndustry")
    assert moved["status"] == "ACCEPTED" and moved["newRegistrationNumber"].startswith("IR-33.72-")
    assert moved["transferredOn"] is not None

    record = _data(await gateway(RECORD, {"id": ir["id"]}, region="33.72"), "homeIndustry")
    national = _data(await gateway(TRANSFER, {"id": ir["id"], "v": record["version"], "village": OTHER_REGENCY_VILLAGE,
                                              "reason": "pindah lagi"}, **MINISTRY), "transferHomeIndustry")
    assert national["status"] == "ACCEPTED" and national["newRegistrationNumber"].startswith("IR-35.07-")
    history = _data(await gateway(RECORD, {"id": ir["id"]}, **MALANG), "homeIndustry")["registrationNumberHistory"]
    assert [entry["regencyCode"] for entry in history] == ["33.74", "33.72", "35.07"]
    for old in (ir["registrationNumber"], moved["newRegistrationNumber"]):
        found = await gateway(BY_NUMBER, {"n": old}, **MALANG)
        assert found["data"]["homeIndustryByRegistrationNumber"]["id"] == ir["id"], found
    await _counters_exact(database_url)


async def test_bad_transfers_are_coded_name_the_field_and_write_nothing(gateway: Gateway, database_url: str) -> None:
    ir = await _registered(gateway, businessName="Tahu Gimbal Belum Pindah")
    gone = await _registered(gateway, businessName="Tahu Gimbal Tutup")
    assert _data(await gateway(CLOSE, {"id": gone["id"]}), "closeHomeIndustry") == {"status": "CLOSED"}
    good = {"id": ir["id"], "v": ir["version"], "village": OTHER_REGENCY_VILLAGE, "reason": "pindah"}

    connection = await asyncpg.connect(**asyncpg_dsn(database_url))
    try:
        async def counts() -> tuple[int, int, int]:
            return (await connection.fetchval("SELECT count(*) FROM registry.outbox"),
                    await connection.fetchval("SELECT count(*) FROM registry.home_industry_transfers"),
                    await connection.fetchval("SELECT count(*) FROM registry.audit_events WHERE action = 'WRITE'"))

        before = await counts()
        cases = [
            ({**good, "village": "33.72.01.9999"}, {}, {"code": "BAD_USER_INPUT", "field": "villageCode"}),
            ({**good, "village": "33.72.01"}, {}, {"code": "BAD_USER_INPUT", "field": "villageCode"}),
            ({**good, "village": "nowhere"}, {}, {"code": "BAD_USER_INPUT", "field": "villageCode"}),
            ({**good, "village": "33.74.02.1001"}, {}, {"code": "BAD_USER_INPUT", "field": "villageCode"}),
            ({**good, "reason": "   "}, {}, {"code": "BAD_USER_INPUT", "field": "reason"}),
            ({**good, "v": ir["version"] + 5}, {}, {"code": "CONFLICT", "field": "expectedVersion"}),
            ({**good, "id": gone["id"], "v": 2}, {}, {"code": "CONFLICT", "field": "id"}),
            (good, MALANG, {"code": "NOT_FOUND", "field": "id"}),
            ({**good, "id": "x1"}, {}, {"code": "BAD_USER_INPUT", "field": "id"}),
        ]
        for variables, caller, expected in cases:
            error = _refusal(await gateway(TRANSFER, variables, **caller))
            assert error["extensions"] == expected, (variables, caller, error)
        for role, region in (("FACILITATOR", "33.74"), ("ANALYST", None)):
            error = _refusal(await gateway(TRANSFER, good, role=role, region=region))
            assert error["extensions"]["code"] in ("FORBIDDEN", "UNAUTHENTICATED"), (role, error)
        assert await counts() == before

        pending = _data(await gateway(TRANSFER, good), "transferHomeIndustry")
        after_proposal = await counts()
        twice = _refusal(await gateway(TRANSFER, good))
        assert twice["extensions"] == {"code": "CONFLICT", "field": "id"} and pending["id"] in twice["message"]
        assert await counts() == after_proposal
    finally:
        await connection.close()
    withdrawn = await gateway(WITHDRAW, {"id": pending["id"], "v": pending["version"]})
    assert "errors" not in withdrawn, withdrawn
