"""The audit trail: what a data protection officer finds after reads of personal data and writes."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import asyncpg

from siir.database import asyncpg_dsn
from tests.conftest import GraphQLClient, StatementLog
from tests.registry.test_registry_api import UPDATE, fresh_nik, register


async def audit_rows(database_url: str, home_industry_id: str) -> list[asyncpg.Record]:
    connection = await asyncpg.connect(**asyncpg_dsn(database_url))
    try:
        return await connection.fetch(
            "SELECT * FROM registry.audit_events WHERE home_industry_id = $1 ORDER BY id", int(home_industry_id)
        )
    finally:
        await connection.close()


async def test_a_page_of_personal_data_is_one_audit_row_per_ir_in_one_statement(
    registry: GraphQLClient, database_url: str, statement_log: StatementLog
) -> None:
    made = [await register(registry, businessName=f"Jamu Gendong Audit {n}") for n in range(3)]
    ministry = registry.as_role("MINISTRY", subject="dpo-demo-ministry")
    statement_log.clear()
    body = await ministry(
        'query MinistryLooks { homeIndustries(filter: {search: "Jamu Gendong Audit"}) '
        "{ edges { node { id owner { nik phone } } } } }"
    )
    inserts = [s for s in statement_log.statements if "INSERT INTO registry.audit_events" in s]
    assert len(inserts) == 1
    niks = [e["node"]["owner"]["nik"] for e in body["data"]["homeIndustries"]["edges"]]
    assert sorted(niks) == sorted(f"3374********{ir['owner']['nik'][-4:]}" for ir in made)
    for ir in made:
        reads = [r for r in await audit_rows(database_url, ir["id"]) if r["role"] == "MINISTRY"]
        assert len(reads) == 1
        read = reads[0]
        assert (read["subject"], read["role"], read["operation"], read["region_code"], read["entity_type"]) == (
            "dpo-demo-ministry", "MINISTRY", "query MinistryLooks", "33.74", "HomeIndustry"
        )
        assert json.loads(read["fields"]) == {"owner.nik": "MASKED", "owner.phone": "MASKED"}


async def test_reading_no_personal_field_writes_no_audit_row(registry: GraphQLClient, database_url: str) -> None:
    ir = await register(registry)
    await registry(
        "query Harmless($id: ID!) { homeIndustry(id: $id) { businessName currentClass owner { sex } } }", {"id": ir["id"]}
    )
    await registry("query Named($id: ID!) { homeIndustry(id: $id) { owner { name } } }", {"id": ir["id"]})
    operations = [r["operation"] for r in await audit_rows(database_url, ir["id"])]
    assert "query Harmless" not in operations and "query Named" in operations


async def test_writes_record_before_and_after_in_their_transaction(registry: GraphQLClient, database_url: str) -> None:
    ir = await register(registry)
    await registry(UPDATE, {"id": ir["id"], "v": 1, "input": {"address": "Jl. Gajahmada 3"}})
    stale = await registry(UPDATE, {"id": ir["id"], "v": 1, "input": {"address": "Jl. Lain"}})
    assert stale["errors"][0]["extensions"]["code"] == "CONFLICT"
    rows = await audit_rows(database_url, ir["id"])
    writes = [r for r in rows if r["action"] == "WRITE"]
    # Reading the record a mutation returns is a read like any other.
    assert [r["operation"] for r in rows if r["action"] == "READ"] == ["mutation Register", "mutation Update"]
    assert [r["operation"] for r in writes] == ["mutation Register", "mutation Update"]  # the refused one left none
    registration, update = writes
    assert registration["before"] is None
    assert json.loads(registration["after"])["owner_nik"] == ir["owner"]["nik"]
    assert "firstAssessment" in json.loads(registration["after"])
    assert json.loads(update["before"]) == {"address": None, "version": 1}
    assert json.loads(update["after"]) == {"address": "Jl. Gajahmada 3", "version": 2}
    assert update["subject"] == "test-district_officer-33.74" and update["role"] == "DISTRICT_OFFICER"


TRAIL = """
query Trail($f: AuditTrailFilter, $first: Int, $after: String) {
  auditTrail(filter: $f, first: $first, after: $after) {
    pageInfo { hasNextPage endCursor } totalCount
    edges { node { action operation subject role homeIndustryId regencyCode fields { name disclosure }
                   changes { column before after } } }
  }
}
"""


async def test_audit_trail_query_filters_paginates_and_masks_for_the_ministry(
    registry: GraphQLClient, database_url: str
) -> None:
    nik = fresh_nik()
    ir = await register(registry, owner={"name": "Sri Wahyuni", "nik": nik, "phone": "0812-3456-7890"})
    await registry.as_role("DISTRICT_OFFICER", "33.74", subject="clerk-ani")(
        UPDATE, {"id": ir["id"], "v": 1, "input": {"owner": {"name": "Sri Wahyuni", "nik": nik, "phone": "0813-1111-2222"}}}
    )
    office = await registry(TRAIL, {"f": {"homeIndustryId": ir["id"], "subject": "clerk-ani"}})
    events = office["data"]["auditTrail"]["edges"]
    assert len(events) == 1 and events[0]["node"]["action"] == "WRITE"
    phone = next(c for c in events[0]["node"]["changes"] if c["column"] == "owner_phone")
    assert (phone["before"], phone["after"]) == ('"+6281234567890"', '"+6281311112222"')
    # Reading personal values in the trail is itself a logged read.
    trail_reads = [r for r in await audit_rows(database_url, ir["id"]) if r["operation"] == "query Trail"]
    assert len(trail_reads) == 1 and json.loads(trail_reads[0]["fields"])["owner.phone"] == "FULL"
    ministry = await registry.as_role("MINISTRY")(TRAIL, {"f": {"homeIndustryId": ir["id"], "subject": "clerk-ani"}})
    phone = next(c for c in ministry["data"]["auditTrail"]["edges"][0]["node"]["changes"] if c["column"] == "owner_phone")
    assert (phone["before"], phone["after"]) == ('"0812****7890"', '"0813****2222"')
    # Newest first, a page at a time; a date range in the future is empty.
    writes = {"homeIndustryId": ir["id"], "action": "WRITE"}
    everything = await registry(TRAIL, {"f": writes, "first": 1})
    page = everything["data"]["auditTrail"]
    assert page["pageInfo"]["hasNextPage"] is True and page["edges"][0]["node"]["operation"] == "mutation Update"
    assert page["totalCount"] == 2  # the registration and the update, across both pages
    rest = await registry(TRAIL, {"f": writes, "first": 10, "after": page["pageInfo"]["endCursor"]})
    assert [e["node"]["operation"] for e in rest["data"]["auditTrail"]["edges"]][-1] == "mutation Register"
    tomorrow = (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).isoformat()
    future = await registry(TRAIL, {"f": {"homeIndustryId": ir["id"], "since": tomorrow}})
    assert future["data"]["auditTrail"]["edges"] == []
    bad = await registry(TRAIL, {"f": {"since": tomorrow, "until": tomorrow}})
    assert bad["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "filter.until"}


async def test_personal_data_is_not_returned_when_the_audit_trail_cannot_be_written(
    registry: GraphQLClient, database_url: str
) -> None:
    ir = await register(registry)
    connection = await asyncpg.connect(**asyncpg_dsn(database_url))
    try:
        await connection.execute(
            "CREATE TRIGGER test_audit_down BEFORE INSERT ON registry.audit_events "
            "FOR EACH ROW EXECUTE FUNCTION registry.audit_events_refuse_change()"
        )
        try:
            body: dict[str, Any] = await registry(
                "query($id: ID!) { homeIndustry(id: $id) { owner { nik } } }", {"id": ir["id"]}
            )
        finally:
            await connection.execute("DROP TRIGGER test_audit_down ON registry.audit_events")
    finally:
        await connection.close()
    assert not any((body.get("data") or {}).values())
    assert body["errors"][0]["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert "audit trail" in body["errors"][0]["message"]
    assert ir["owner"]["nik"] not in json.dumps(body)
