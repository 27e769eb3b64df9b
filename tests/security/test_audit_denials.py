"""Denied attempts in the audit trail: every FORBIDDEN the registry answers leaves one DENIED row
(who, when, which operation, the refused path, why, what was asked for), written with the request's
reads in its one audit INSERT, even when the whole operation failed."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg

from siir.database import asyncpg_dsn
from tests.conftest import StatementLog
from tests.registry.test_registry_api import REGISTER, register_input
from tests.security.registry_world import (
    MALANG,
    MALANG_VILLAGE,
    SEMARANG,
    World,
    world,  # noqa: F401 (fixture)
)


async def rows_of(database_url: str, subject: str) -> list[asyncpg.Record]:
    connection = await asyncpg.connect(**asyncpg_dsn(database_url))
    try:
        return await connection.fetch("SELECT * FROM registry.audit_events WHERE subject = $1 ORDER BY id", subject)
    finally:
        await connection.close()


def someone(role: str) -> str:
    return f"denials-{role.lower()}-{uuid.uuid4().hex[:8]}"


async def test_a_filter_into_another_regency_is_one_denied_row_naming_path_and_region(
    world: World, database_url: str, statement_log: StatementLog
) -> None:
    subject = someone("officer")
    statement_log.clear()
    body = await world.as_role("DISTRICT_OFFICER", SEMARANG, subject=subject)(
        'query Peek { homeIndustries(filter: {regionCode: "35.07"}) { totalCount } }'
    )
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN" and not any((body["data"] or {}).values())
    inserts = [s for s in statement_log.statements if "INSERT INTO registry.audit_events" in s]
    assert len(inserts) == 1  # the denial rides the request's one audit INSERT
    [row] = await rows_of(database_url, subject)
    assert (row["action"], row["operation"], row["role"], row["actor_region"]) == (
        "DENIED", "query Peek", "DISTRICT_OFFICER", SEMARANG
    )
    assert (row["path"], row["region_code"], row["entity_id"]) == ("homeIndustries", MALANG, None)
    assert row["reason"] == "region 35.07 is outside your scope (33.74)"


async def test_a_partner_selecting_the_nik_is_denied_for_that_field_while_the_rest_is_read(
    world: World, database_url: str, statement_log: StatementLog
) -> None:
    subject = someone("partner")
    statement_log.clear()
    body = await world.as_role("PARTNER", partner=world.partner, subject=subject)(
        "query Bank($id: ID!) { homeIndustry(id: $id) { id owner { name } } more: homeIndustry(id: $id) { owner { nik } } }",
        {"id": world.own["id"]},
    )
    assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]
    # Partial results: only the refused field is null; its record and the other alias stand.
    assert body["data"]["homeIndustry"]["owner"]["name"] and body["data"]["more"] == {"owner": {"nik": None}}
    assert len([s for s in statement_log.statements if "INSERT INTO registry.audit_events" in s]) == 1
    rows = await rows_of(database_url, subject)
    denied = [r for r in rows if r["action"] == "DENIED"]
    assert len(denied) == 1
    row = denied[0]
    assert (row["path"], row["reason"], row["partner"]) == ("more.owner.nik", "PARTNER may not read owner.nik", world.partner)
    assert (row["entity_type"], row["entity_id"], row["home_industry_id"], row["region_code"]) == (
        "HomeIndustry", int(world.own["id"]), int(world.own["id"]), SEMARANG
    )
    # The name the partner did read is still a logged read, in the same statement.
    assert [r["action"] for r in rows] == ["READ", "DENIED"]


async def test_a_wrong_role_mutation_is_denied_and_writes_nothing(world: World, database_url: str) -> None:
    subject = someone("ministry")
    ministry = world.as_role("MINISTRY", subject=subject)
    body = await ministry(REGISTER, {"input": register_input(businessName="Tidak Boleh Ditulis")})
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    [row] = await rows_of(database_url, subject)
    assert row["action"] == "DENIED" and row["operation"] == "mutation Register"
    assert row["path"] == "registerHomeIndustry" and "registerHomeIndustry is for DISTRICT_OFFICER" in row["reason"]
    connection = await asyncpg.connect(**asyncpg_dsn(database_url))
    try:
        written = await connection.fetchval(
            "SELECT count(*) FROM registry.home_industries WHERE business_name = 'Tidak Boleh Ditulis'"
        )
    finally:
        await connection.close()
    assert written == 0


async def test_a_write_into_another_regency_is_denied_with_the_village_asked_for(world: World, database_url: str) -> None:
    subject = someone("officer")
    body = await world.as_role("DISTRICT_OFFICER", SEMARANG, subject=subject)(
        REGISTER, {"input": register_input(villageCode=MALANG_VILLAGE)}
    )
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    [row] = await rows_of(database_url, subject)
    assert (row["action"], row["region_code"], row["actor_region"]) == ("DENIED", MALANG_VILLAGE, SEMARANG)


async def test_a_successful_request_adds_no_denied_row(world: World, database_url: str) -> None:
    subject = someone("officer")
    body = await world.as_role("DISTRICT_OFFICER", SEMARANG, subject=subject)(
        "query Fine($id: ID!) { homeIndustry(id: $id) { id owner { nik } } }", {"id": world.own["id"]}
    )
    assert "errors" not in body
    assert [r["action"] for r in await rows_of(database_url, subject)] == ["READ"]


async def test_several_denials_in_one_request_stay_one_insert(
    world: World, database_url: str, statement_log: StatementLog
) -> None:
    subject = someone("analyst")
    analyst = world.as_role("ANALYST", subject=subject)
    statement_log.clear()
    aliases = " ".join(f"a{n}: homeIndustry(id: $id) {{ id }}" for n in range(20))
    body = await analyst(f"query Many($id: ID!) {{ {aliases} }}", {"id": world.own["id"]})
    assert len(body["errors"]) == 20 and {e["extensions"]["code"] for e in body["errors"]} == {"FORBIDDEN"}
    assert len([s for s in statement_log.statements if "INSERT INTO registry.audit_events" in s]) == 1
    rows = await rows_of(database_url, subject)
    assert sorted(r["path"] for r in rows) == sorted(f"a{n}" for n in range(20))
    assert {r["reason"] for r in rows} == {"ANALYST sees aggregates only (the reporting service), not IR records"}


TRAIL = """
query($f: AuditTrailFilter) {
  auditTrail(filter: $f, first: 50) { edges { node { action subject path reason regionCode entityId } } }
}
"""


async def test_denials_are_in_the_audit_trail_for_the_ministry_and_both_regencies_concerned(world: World) -> None:
    subject = someone("officer")
    await world.as_role("DISTRICT_OFFICER", SEMARANG, subject=subject)(
        'query Peek { homeIndustries(filter: {regionCode: "35.07"}) { totalCount } }'
    )
    wanted: dict[str, Any] = {"f": {"action": "DENIED", "subject": subject}}

    async def seen_by(role: str, region: str | None) -> list[dict[str, Any]]:
        body = await world.as_role(role, region)(TRAIL, wanted)
        assert "errors" not in body, body
        return [e["node"] for e in body["data"]["auditTrail"]["edges"]]

    expected = [{"action": "DENIED", "subject": subject, "path": "homeIndustries",
                 "reason": "region 35.07 is outside your scope (33.74)", "regionCode": MALANG, "entityId": None}]
    assert await seen_by("MINISTRY", None) == expected
    assert await seen_by("DISTRICT_OFFICER", SEMARANG) == expected  # its own caller
    assert await seen_by("DISTRICT_OFFICER", MALANG) == expected  # about its regency
    assert await seen_by("DISTRICT_OFFICER", "33.01") == []  # neither
