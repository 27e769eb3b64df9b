"""The IR's KBLI business classification (for the hand-over to the Ministry of Cooperatives and SMEs):
five digits, stored, read back by the roles that read legality, refused with a coded error otherwise."""

from __future__ import annotations

import asyncpg
import pytest

from tests.conftest import GraphQLClient
from tests.registry.test_registry_api import REGISTER, UPDATE, register_input

READ = "query($id: ID!) { homeIndustry(id: $id) { legality { nib kbli } } }"


async def test_a_kbli_code_is_stored_read_back_and_updated(registry: GraphQLClient, pg: asyncpg.Connection) -> None:
    body = await registry(REGISTER, {"input": register_input(legality={"nib": "9120001234567", "kbli": " 10792 "})})
    assert "errors" not in body, body
    ir = body["data"]["registerHomeIndustry"]
    assert await pg.fetchval("SELECT kbli FROM registry.home_industries WHERE id = $1", int(ir["id"])) == "10792"
    for role, region in (("DISTRICT_OFFICER", "33.74"), ("PROVINCE_OFFICER", "33"), ("MINISTRY", None)):
        seen = await registry.as_role(role, region)(READ, {"id": ir["id"]})
        assert seen["data"]["homeIndustry"]["legality"] == {"nib": "9120001234567", "kbli": "10792"}, role
    changed = await registry(UPDATE, {"id": ir["id"], "v": ir["version"], "input": {"legality": {"kbli": "10710"}}})
    assert "errors" not in changed, changed
    assert await pg.fetchval("SELECT kbli FROM registry.home_industries WHERE id = $1", int(ir["id"])) == "10710"


@pytest.mark.parametrize("kbli", ["1079", "107921", "1079a", "١٠٧٩٢", "10 79", "=1079"])
async def test_a_code_that_is_not_five_digits_is_refused_on_its_field(
    registry: GraphQLClient, pg: asyncpg.Connection, kbli: str
) -> None:
    before = await pg.fetchval("SELECT count(*) FROM registry.home_industries")
    body = await registry(REGISTER, {"input": register_input(legality={"kbli": kbli})})
    assert body["data"] == {"registerHomeIndustry": None}
    assert [e["extensions"] for e in body["errors"]] == [{"code": "BAD_USER_INPUT", "field": "input.legality.kbli"}]
    assert await pg.fetchval("SELECT count(*) FROM registry.home_industries") == before


async def test_the_database_refuses_a_code_the_api_would_refuse(registry: GraphQLClient, pg: asyncpg.Connection) -> None:
    body = await registry(REGISTER, {"input": register_input()})
    assert "errors" not in body, body
    with pytest.raises(asyncpg.CheckViolationError):
        await pg.execute("UPDATE registry.home_industries SET kbli = '1079' WHERE id = $1",
                         int(body["data"]["registerHomeIndustry"]["id"]))
