"""Attacks on the registry subgraph, called directly: each asserts the exact denial and that nothing
leaked or was written. The registry enforces scope itself, whatever the gateway does.

Policy decisions these tests pin (services/registry/domain/access.py): a look-up by id or
registration number outside the caller's scope answers as a missing record (null / NOT_FOUND), so
ids of other regions cannot be probed; a filter, a registration or a field outside the caller's
rights answers FORBIDDEN.
"""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import asyncpg
import httpx
import pytest

from siir.auth.keys import load_or_create_signing_key
from siir.auth.tokens import issue_token
from siir.database import asyncpg_dsn
from services.registry.graphql.query import HOME_INDUSTRY_CURSOR
from tests.conftest import Tokens
from tests.registry.test_registry_api import ASSESS, MAJU, REGISTER, UPDATE, register_input
from tests.security.registry_world import (
    MALANG,
    MALANG_VILLAGE,
    NIK_MALANG,
    NIK_SEMARANG,
    SEMARANG,
    World,
    world,  # noqa: F401 (fixture)
)

LIST = """
query($filter: HomeIndustryFilter) {
  homeIndustries(filter: $filter, first: 500) { totalCount edges { node { id businessName } } }
}
"""
ONE = "query($id: ID!) { homeIndustry(id: $id) { id businessName owner { nik } } }"
ENTITIES = """
query($representations: [_Any!]!) {
  _entities(representations: $representations) { ... on HomeIndustry { id businessName } }
}
"""


def only_error(body: dict[str, Any]) -> dict[str, Any]:
    assert len(body.get("errors") or []) == 1, body
    return body["errors"][0]


def assert_denied(body: dict[str, Any], code: str, path: list[Any] | None = None, field: str | None = None,
                  coordinate: str | None = None) -> None:
    """One error with ``code`` (at ``path``); ``field`` names the input refused, ``coordinate`` the output field."""
    error = only_error(body)
    assert error["extensions"]["code"] == code, body
    if path is not None:
        assert error["path"] == path, body
    if field is not None:
        assert error["extensions"].get("field") == field, body
    if coordinate is not None:
        assert error["extensions"].get("coordinate") == coordinate, body


def no_text_of(body: dict[str, Any], *secrets: str) -> None:
    text = json.dumps(body)
    for secret in secrets:
        assert secret not in text, (secret, body)


async def count_rows(database_url: str, sql: str, *args: Any) -> int:
    connection = await asyncpg.connect(**asyncpg_dsn(database_url))
    try:
        return int(await connection.fetchval(sql, *args))
    finally:
        await connection.close()


async def written_rows(database_url: str) -> int:
    return await count_rows(
        database_url,
        "SELECT (SELECT count(*) FROM registry.home_industries) + (SELECT count(*) FROM registry.assessments)"
        " + (SELECT count(*) FROM registry.outbox) + (SELECT count(*) FROM registry.audit_events WHERE action = 'WRITE')",
    )


# --- cross-region reads through every entry point ----------------------------------------------


async def test_list_filtered_on_another_regency_is_forbidden_not_empty(world: World) -> None:
    body = await world.as_role("DISTRICT_OFFICER", SEMARANG)(LIST, {"filter": {"regionCode": MALANG}})
    assert_denied(body, "FORBIDDEN", ["homeIndustries"], "filter.regionCode")
    assert not any((body["data"] or {}).values())


async def test_list_filtered_on_the_whole_province_is_forbidden_for_a_regency(world: World) -> None:
    # "33" is wider than the officer's "33.74": it reaches other regencies.
    body = await world.as_role("DISTRICT_OFFICER", SEMARANG)(LIST, {"filter": {"regionCode": "33"}})
    assert_denied(body, "FORBIDDEN", ["homeIndustries"], "filter.regionCode")


async def test_province_officer_filter_on_another_province_is_forbidden(world: World) -> None:
    body = await world.as_role("PROVINCE_OFFICER", "33")(LIST, {"filter": {"regionCode": "35.07.01"}})
    assert_denied(body, "FORBIDDEN", ["homeIndustries"], "filter.regionCode")


async def test_unfiltered_list_and_search_stay_inside_the_scope(world: World) -> None:
    officer = world.as_role("DISTRICT_OFFICER", SEMARANG)
    body = await officer(LIST, {"filter": {"search": "Rahasia"}})  # both Semarang and Malang names match
    ids = {e["node"]["id"] for e in body["data"]["homeIndustries"]["edges"]}
    assert world.own["id"] in ids and world.other["id"] not in ids
    assert body["data"]["homeIndustries"]["totalCount"] == len(ids)
    everything = await officer(LIST, {})
    assert world.other["id"] not in {e["node"]["id"] for e in everything["data"]["homeIndustries"]["edges"]}


async def test_a_cursor_pointing_into_another_region_does_not_widen_the_page(world: World) -> None:
    cursor = HOME_INDUSTRY_CURSOR.encode([int(world.other["id"]) - 1])  # a well-formed cursor of this list
    body = await world.as_role("DISTRICT_OFFICER", SEMARANG)(
        "query($after: String) { homeIndustries(after: $after, first: 5) { edges { node { id } } } }", {"after": cursor}
    )
    assert world.other["id"] not in {e["node"]["id"] for e in body["data"]["homeIndustries"]["edges"]}


async def test_look_up_of_another_regions_id_answers_as_missing(world: World) -> None:
    officer = world.as_role("DISTRICT_OFFICER", SEMARANG)
    foreign = await officer(ONE, {"id": world.other["id"]})
    missing = await officer(ONE, {"id": "987654321"})
    assert foreign == missing == {"data": {"homeIndustry": None}}


async def test_registration_number_of_another_region_answers_as_missing(world: World) -> None:
    query = "query($n: String!) { homeIndustryByRegistrationNumber(number: $n) { id owner { nik } } }"
    officer = world.as_role("DISTRICT_OFFICER", SEMARANG)
    assert await officer(query, {"n": world.other["registrationNumber"]}) == {
        "data": {"homeIndustryByRegistrationNumber": None}
    }
    mine = await officer(query, {"n": world.own["registrationNumber"]})
    assert mine["data"]["homeIndustryByRegistrationNumber"]["id"] == world.own["id"]


async def test_entities_with_another_regions_ids_resolve_to_null(world: World) -> None:
    body = await world.as_role("DISTRICT_OFFICER", SEMARANG)(
        ENTITIES,
        {"representations": [
            {"__typename": "HomeIndustry", "id": world.other["id"]},
            {"__typename": "HomeIndustry", "id": world.own["id"]},
        ]},
    )
    assert "errors" not in body, body
    assert body["data"]["_entities"] == [None, {"id": world.own["id"], "businessName": "Bakpia Rahasia Semarang"}]


async def test_facilitator_of_another_regency_sees_nothing_of_it(world: World) -> None:
    facilitator = world.as_role("FACILITATOR", MALANG)
    assert (await facilitator(ONE, {"id": world.own["id"]})) == {"data": {"homeIndustry": None}}
    body = await facilitator(LIST, {"filter": {"regionCode": SEMARANG}})
    assert_denied(body, "FORBIDDEN", ["homeIndustries"], "filter.regionCode")


# --- alias and fragment tricks ------------------------------------------------------------------


async def test_forbidden_filter_under_an_alias_is_still_forbidden(world: World) -> None:
    body = await world.as_role("DISTRICT_OFFICER", SEMARANG)(
        'query { mine: homeIndustries(first: 1) { totalCount } theirs: homeIndustries(filter: {regionCode: "35.07"}) { totalCount } }'
    )
    assert_denied(body, "FORBIDDEN", ["theirs"], "filter.regionCode")
    # Partial results: the refused alias is null (nothing of 35.07 leaks), the caller's own page stands.
    assert body["data"]["theirs"] is None and body["data"]["mine"]["totalCount"] > 0


async def test_forbidden_filter_inside_a_named_fragment_is_still_forbidden(world: World) -> None:
    body = await world.as_role("DISTRICT_OFFICER", SEMARANG)(
        'query { ...Sneaky } fragment Sneaky on Query { homeIndustries(filter: {regionCode: "35.07"}) { totalCount } }'
    )
    assert_denied(body, "FORBIDDEN", ["homeIndustries"], "filter.regionCode")


async def test_partner_asking_nik_under_an_alias_is_forbidden(world: World) -> None:
    body = await world.as_role("PARTNER", partner=world.partner)(
        "query($id: ID!) { homeIndustry(id: $id) { id owner { idNumber: nik } } }", {"id": world.own["id"]}
    )
    assert_denied(body, "FORBIDDEN", ["homeIndustry", "owner", "idNumber"], coordinate="Owner.nik")
    assert body["data"] == {"homeIndustry": {"id": world.own["id"], "owner": {"idNumber": None}}}
    no_text_of(body, NIK_SEMARANG, NIK_SEMARANG[-4:])


async def test_partner_asking_nik_inside_a_fragment_is_forbidden(world: World) -> None:
    body = await world.as_role("PARTNER", partner=world.partner)(
        "query($id: ID!) { homeIndustry(id: $id) { id owner { ...Who } } } fragment Who on Owner { name nik }",
        {"id": world.own["id"]},
    )
    assert_denied(body, "FORBIDDEN", ["homeIndustry", "owner", "nik"], coordinate="Owner.nik")
    no_text_of(body, NIK_SEMARANG)


async def test_partner_asking_nik_in_an_inline_fragment_of_entities_is_forbidden(world: World) -> None:
    body = await world.as_role("PARTNER", partner=world.partner)(
        "query($r: [_Any!]!) { _entities(representations: $r) { ... on HomeIndustry { owner { ... on Owner { nik } } } } }",
        {"r": [{"__typename": "HomeIndustry", "id": world.own["id"]}]},
    )
    assert_denied(body, "FORBIDDEN", ["_entities", 0, "owner", "nik"], coordinate="Owner.nik")
    assert body["data"] == {"_entities": [{"owner": {"nik": None}}]}  # only the refused field is null


@pytest.mark.parametrize("field", ["address", "location { latitude longitude }", "village { code }"])
async def test_partner_never_sees_address_coordinates_or_village(world: World, field: str) -> None:
    body = await world.as_role("PARTNER", partner=world.partner)(
        f"query($id: ID!) {{ homeIndustry(id: $id) {{ id {field} }} }}", {"id": world.own["id"]}
    )
    assert_denied(body, "FORBIDDEN", ["homeIndustry", field.split()[0]])
    no_text_of(body, "Pemuda", "-6.98", "33.74.01.1001")


# --- partners and consent -----------------------------------------------------------------------


async def test_partner_cannot_read_an_ir_without_consent(world: World) -> None:
    partner = world.as_role("PARTNER", partner=world.partner)
    body = await partner(
        "query($id: ID!) { homeIndustry(id: $id) { id owner { name phone } } }", {"id": world.own_private["id"]}
    )
    assert body == {"data": {"homeIndustry": None}}
    entities = await partner(ENTITIES, {"representations": [{"__typename": "HomeIndustry", "id": world.own_private["id"]}]})
    assert entities["data"]["_entities"] == [None]
    listed = await partner(LIST, {"filter": {"regionCode": SEMARANG}})
    assert world.own_private["id"] not in {e["node"]["id"] for e in listed["data"]["homeIndustries"]["edges"]}


async def test_partner_asking_for_closed_ir_is_forbidden(world: World) -> None:
    body = await world.as_role("PARTNER", partner=world.partner)(LIST, {"filter": {"status": "CLOSED"}})
    assert_denied(body, "FORBIDDEN", ["homeIndustries"], "filter.status")


async def test_analyst_gets_no_record_through_any_entry_point(world: World) -> None:
    analyst = world.as_role("ANALYST", "33")
    for query, variables, path in [
        (LIST, {}, ["homeIndustries"]),
        (ONE, {"id": world.own["id"]}, ["homeIndustry"]),
        (ENTITIES, {"representations": [{"__typename": "HomeIndustry", "id": world.own["id"]}]}, ["_entities", 0]),
        ("query($n: String!) { homeIndustryByRegistrationNumber(number: $n) { id } }",
         {"n": world.own["registrationNumber"]}, ["homeIndustryByRegistrationNumber"]),
    ]:
        body = await analyst(query, variables)
        assert_denied(body, "FORBIDDEN", path)
        no_text_of(body, "Bakpia")


# --- mutations into another region --------------------------------------------------------------


async def test_registering_into_another_regency_is_forbidden_and_writes_nothing(world: World, database_url: str) -> None:
    before = await written_rows(database_url)
    body = await world.as_role("DISTRICT_OFFICER", SEMARANG)(
        REGISTER, {"input": register_input(villageCode=MALANG_VILLAGE, owner={"name": "X", "nik": NIK_MALANG})}
    )
    assert_denied(body, "FORBIDDEN", ["registerHomeIndustry"], "input.villageCode")
    assert await written_rows(database_url) == before


async def test_one_aliased_registration_into_another_regency_writes_only_the_allowed_one(
    world: World, database_url: str
) -> None:
    mutation = """
    mutation($mine: RegisterHomeIndustryInput!, $theirs: RegisterHomeIndustryInput!) {
      ok: registerHomeIndustry(input: $mine) { id }
      sneaky: registerHomeIndustry(input: $theirs) { id }
    }"""
    before = await count_rows(database_url, "SELECT count(*) FROM registry.home_industries WHERE regency_code = $1", MALANG)
    body = await world.as_role("DISTRICT_OFFICER", SEMARANG)(
        mutation,
        {"mine": register_input(), "theirs": register_input(villageCode=MALANG_VILLAGE, owner={"name": "X", "nik": NIK_MALANG})},
    )
    assert_denied(body, "FORBIDDEN", ["sneaky"], "input.villageCode")
    assert not any((body["data"] or {}).values()) or body["data"].get("sneaky") is None
    assert await count_rows(
        database_url, "SELECT count(*) FROM registry.home_industries WHERE regency_code = $1", MALANG
    ) == before


async def test_updating_another_regencys_ir_answers_not_found_and_changes_nothing(world: World, database_url: str) -> None:
    before = await written_rows(database_url)
    body = await world.as_role("DISTRICT_OFFICER", SEMARANG)(
        UPDATE, {"id": world.other["id"], "v": 1, "input": {"businessName": "Dibajak"}}
    )
    assert_denied(body, "NOT_FOUND", ["updateHomeIndustry"])
    assert await written_rows(database_url) == before
    check = await world.as_role("DISTRICT_OFFICER", MALANG)(ONE, {"id": world.other["id"]})
    assert check["data"]["homeIndustry"]["businessName"] == "Keripik Apel Malang Rahasia"


async def test_assessing_another_regencys_ir_answers_not_found_and_writes_no_assessment(
    world: World, database_url: str
) -> None:
    before = await count_rows(database_url, "SELECT count(*) FROM registry.assessments WHERE home_industry_id = $1",
                              int(world.other["id"]))
    for role in ("DISTRICT_OFFICER", "FACILITATOR"):
        body = await world.as_role(role, SEMARANG)(ASSESS, {"id": world.other["id"], "input": {**MAJU, "assessedOn": "2024-02-01"}})
        assert_denied(body, "NOT_FOUND", ["recordAssessment"])
    assert await count_rows(database_url, "SELECT count(*) FROM registry.assessments WHERE home_industry_id = $1",
                            int(world.other["id"])) == before


@pytest.mark.parametrize("mutation", [
    'mutation($id: ID!) { closeHomeIndustry(id: $id, reason: "bukan urusanmu") { status } }',
    "mutation($id: ID!) { graduateHomeIndustry(id: $id) { status } }",
])
async def test_closing_or_graduating_another_regencys_ir_answers_not_found(
    world: World, database_url: str, mutation: str
) -> None:
    before = await written_rows(database_url)
    body = await world.as_role("DISTRICT_OFFICER", SEMARANG)(mutation, {"id": world.other["id"]})
    assert_denied(body, "NOT_FOUND")
    assert await written_rows(database_url) == before


@pytest.mark.parametrize(("role", "region", "claims", "mutation", "variables"), [
    ("MINISTRY", None, {}, REGISTER, {"input": register_input()}),
    ("PROVINCE_OFFICER", "33", {}, REGISTER, {"input": register_input()}),
    ("FACILITATOR", SEMARANG, {}, UPDATE, {"id": "1", "v": 1, "input": {"address": "x"}}),
    ("PARTNER", None, {"partner": "900001"}, ASSESS, {"id": "1", "input": {**MAJU, "assessedOn": "2024-02-01"}}),
    ("ANALYST", None, {}, 'mutation { closeHomeIndustry(id: "1", reason: "x") { status } }', {}),
])
async def test_roles_without_the_right_to_a_change_are_forbidden(
    world: World, database_url: str, role: str, region: str | None, claims: dict[str, str], mutation: str,
    variables: dict[str, Any],
) -> None:
    before = await written_rows(database_url)
    body = await world.as_role(role, region, **claims)(mutation, variables)
    assert_denied(body, "FORBIDDEN")
    assert role in only_error(body)["message"]
    assert await written_rows(database_url) == before


# --- the audit trail ----------------------------------------------------------------------------

AUDIT = (
    "query($f: AuditTrailFilter) { auditTrail(filter: $f, first: 500) "
    "{ edges { node { action homeIndustryId regencyCode actorRegion } } } }"
)


@pytest.mark.parametrize(("role", "region", "claims"), [
    ("PROVINCE_OFFICER", "33", {}), ("FACILITATOR", SEMARANG, {}), ("PARTNER", None, {"partner": "900001"}),
    ("ANALYST", None, {}),
])
async def test_audit_trail_is_refused_to_other_roles(world: World, role: str, region: str | None, claims: dict[str, str]) -> None:
    body = await world.as_role(role, region, **claims)(AUDIT)
    assert_denied(body, "FORBIDDEN", ["auditTrail"])


async def test_district_officer_reads_only_its_regencys_audit_trail(world: World) -> None:
    officer = world.as_role("DISTRICT_OFFICER", SEMARANG)
    foreign = await officer(AUDIT, {"f": {"regionCode": MALANG}})
    assert_denied(foreign, "FORBIDDEN", ["auditTrail"], "filter.regionCode")
    body = await officer(AUDIT)
    events = [e["node"] for e in body["data"]["auditTrail"]["edges"]]
    # Reads and writes of its regency only; denials also when one of its own callers was refused
    # something elsewhere (as the attempt just above).
    assert {e["regencyCode"] for e in events if e["action"] != "DENIED"} == {SEMARANG}
    assert all(e["regencyCode"] == SEMARANG or e["actorRegion"] == SEMARANG for e in events)
    assert any(e["action"] == "DENIED" and e["regencyCode"] == MALANG for e in events)
    probe = await officer(AUDIT, {"f": {"homeIndustryId": world.other["id"]}})
    assert probe["data"]["auditTrail"]["edges"] == []


async def test_the_api_has_no_way_to_change_the_audit_trail_and_the_database_refuses(
    world: World, database_url: str
) -> None:
    body = await world.as_role("MINISTRY")("{ __schema { mutationType { fields { name } } } }")
    names = {f["name"] for f in body["data"]["__schema"]["mutationType"]["fields"]}
    assert not any("audit" in name.lower() for name in names), names
    connection = await asyncpg.connect(**asyncpg_dsn(database_url))
    try:
        assert await connection.fetchval("SELECT count(*) FROM registry.audit_events") > 0
        for statement in (
            "UPDATE registry.audit_events SET subject = 'someone-else'",
            "DELETE FROM registry.audit_events",
            "TRUNCATE registry.audit_events",
        ):
            with pytest.raises(asyncpg.InsufficientPrivilegeError, match="append-only"):
                await connection.execute(statement)
    finally:
        await connection.close()


# --- direct calls without a valid identity ------------------------------------------------------


def _forged_unsigned(claims: dict[str, Any]) -> str:
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


def _bad_tokens(tokens: Tokens, tmp_key_dir: Any) -> dict[str, dict[str, str]]:
    stranger = load_or_create_signing_key(tmp_key_dir)
    now = int(time.time())
    claims = {"sub": "mallory", "role": "MINISTRY", "iss": Tokens.ISSUER, "aud": Tokens.AUDIENCE, "iat": now, "exp": now + 600}
    return {
        "no token": {},
        "forged identity headers only": {"X-Siir-Role": "MINISTRY", "X-Siir-Subject": "mallory", "X-Siir-Region": "33"},
        "not a bearer scheme": {"Authorization": "Basic bWFsbG9yeTpwYXNz"},
        "garbage": {"Authorization": "Bearer not.a.jwt"},
        "expired": {"Authorization": "Bearer " + tokens("MINISTRY", lifetime=-3600)},
        "wrong key": {"Authorization": "Bearer " + issue_token(
            stranger, subject="mallory", role="MINISTRY", issuer=Tokens.ISSUER, audience=Tokens.AUDIENCE)},
        "wrong audience": {"Authorization": "Bearer " + issue_token(
            tokens.key, subject="mallory", role="MINISTRY", issuer=Tokens.ISSUER, audience="someone-else")},
        "wrong issuer": {"Authorization": "Bearer " + issue_token(
            tokens.key, subject="mallory", role="MINISTRY", issuer="evil", audience=Tokens.AUDIENCE)},
        "unsigned (alg none)": {"Authorization": "Bearer " + _forged_unsigned(claims)},
    }


async def test_direct_calls_without_a_valid_token_answer_401(
    world: World, tokens: Tokens, tmp_path_factory: pytest.TempPathFactory
) -> None:
    for name, headers in _bad_tokens(tokens, tmp_path_factory.mktemp("stranger")).items():
        response = await world.client.post(world.url, json={"query": LIST}, headers=headers)
        assert response.status_code == 401, (name, response.text)
        body = response.json()
        assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED", (name, body)
        assert "data" not in body
        assert response.headers["WWW-Authenticate"].startswith("Bearer"), name


async def test_forged_identity_headers_do_not_widen_a_valid_token(world: World) -> None:
    officer = world.as_role("DISTRICT_OFFICER", SEMARANG)
    body = await officer(
        LIST, {"filter": {"regionCode": MALANG}},
        headers={"X-Siir-Role": "MINISTRY", "X-Siir-Region": "35.07", "X-Forwarded-User": "ministry"},
    )
    assert_denied(body, "FORBIDDEN", ["homeIndustries"], "filter.regionCode")


async def test_healthcheck_is_open_but_graphql_get_is_not(world: World) -> None:
    health = await world.client.get(world.url.replace("/graphql", "/healthcheck"))
    assert health.status_code == 200
    response = await world.client.get(world.url, params={"query": "{ regions { nodes { code } } }"})
    assert response.status_code == 401
