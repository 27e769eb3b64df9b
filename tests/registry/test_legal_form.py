"""The IR's legal form (bentuk badan usaha), which Tabel 3's "formal entities formed" counts: stored, read
back by the roles that read legality, published in the event snapshot, replaced with the rest of the
legality, refused with a coded error naming the field when it is not one of the forms."""

from __future__ import annotations

import json

import asyncpg
import pytest

from tests.conftest import GraphQLClient
from tests.registry.test_registry_api import REGISTER, UPDATE, register_input

READ = "query($id: ID!) { homeIndustry(id: $id) { legality { nib legalForm } } }"


async def test_a_legal_form_is_stored_read_published_and_replaced(registry: GraphQLClient, pg: asyncpg.Connection) -> None:
    body = await registry(REGISTER, {"input": register_input(legality={"nib": "9120001234999", "legalForm": "COOPERATIVE"})})
    assert "errors" not in body, body
    ir = body["data"]["registerHomeIndustry"]
    assert await pg.fetchval("SELECT legal_form FROM registry.home_industries WHERE id = $1", int(ir["id"])) == "COOPERATIVE"
    for role, region in (("DISTRICT_OFFICER", "33.74"), ("PROVINCE_OFFICER", "33"), ("MINISTRY", None)):
        seen = await registry.as_role(role, region)(READ, {"id": ir["id"]})
        assert seen["data"]["homeIndustry"]["legality"] == {"nib": "9120001234999", "legalForm": "COOPERATIVE"}, role
    published = await pg.fetchval("SELECT payload FROM registry.outbox WHERE aggregate_id = $1 "
                                  "AND event_type = 'HomeIndustryRegistered'", ir["id"])
    assert json.loads(published)["homeIndustry"]["legalForm"] == "COOPERATIVE"
    # The legality is replaced whole: an update giving a NIB alone makes the IR unincorporated again.
    changed = await registry(UPDATE, {"id": ir["id"], "v": ir["version"], "input": {"legality": {"nib": "9120001234999"}}})
    assert "errors" not in changed, changed
    assert await pg.fetchval("SELECT legal_form FROM registry.home_industries WHERE id = $1", int(ir["id"])) == "INDIVIDUAL"
    trail = await pg.fetchrow("SELECT before, after FROM registry.audit_events WHERE action = 'WRITE' AND entity_type = "
                              "'HomeIndustry' AND entity_id = $1 ORDER BY id DESC LIMIT 1", int(ir["id"]))
    assert "COOPERATIVE" in trail["before"] and "INDIVIDUAL" in trail["after"]


async def test_an_ir_registered_without_one_is_unincorporated(registry: GraphQLClient) -> None:
    body = await registry(REGISTER, {"input": register_input()})
    assert "errors" not in body, body
    seen = await registry(READ, {"id": body["data"]["registerHomeIndustry"]["id"]})
    assert seen["data"]["homeIndustry"]["legality"]["legalForm"] == "INDIVIDUAL"


@pytest.mark.parametrize("form", ["PT", "koperasi", "", 3])
async def test_a_form_that_is_not_one_of_the_forms_is_refused_on_its_field(
    registry: GraphQLClient, pg: asyncpg.Connection, form: object
) -> None:
    before = await pg.fetchval("SELECT count(*) FROM registry.home_industries")
    body = await registry(REGISTER, {"input": register_input(legality={"legalForm": form})})
    assert body.get("data") in (None, {"registerHomeIndustry": None})
    [error] = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "legalForm" in error["message"]
    assert await pg.fetchval("SELECT count(*) FROM registry.home_industries") == before


async def test_the_database_refuses_a_form_the_api_would_refuse(registry: GraphQLClient, pg: asyncpg.Connection) -> None:
    body = await registry(REGISTER, {"input": register_input()})
    assert "errors" not in body, body
    with pytest.raises(asyncpg.CheckViolationError):
        await pg.execute("UPDATE registry.home_industries SET legal_form = 'PT' WHERE id = $1",
                         int(body["data"]["registerHomeIndustry"]["id"]))
