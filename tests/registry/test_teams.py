"""Managing teams (Tim Pengelola) over real HTTP: what a regency's Bappeda secretary keeping the
team's records sees, and what the database refuses even when two clerks race."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from typing import Any

import asyncpg

from siir.database import asyncpg_dsn
from tests.conftest import GraphQLClient
from tests.registry.test_registry_api import office_of

FORM = """
mutation Form($input: FormTeamInput!) {
  formTeam(input: $input) {
    id level name version activeFrom activeUntil isActive
    decree { number date signedBy }
    region { code name }
    members { nodes { id personName position agency activeFrom activeUntil } }
  }
}
"""

APPOINT = """
mutation Appoint($team: ID!, $input: TeamMemberInput!) {
  appointTeamMember(teamId: $team, input: $input) { id position activeFrom activeUntil isActive }
}
"""

LEADERS = [
    {"personName": "Drs. Iswar Aminuddin", "position": "COORDINATOR", "title": "Sekretaris Daerah", "agency": "Setda Kota Semarang"},
    {"personName": "Budi Prakosa", "position": "DAILY_HEAD", "title": "Kepala Bappeda", "agency": "Bappeda Kota Semarang"},
    {"personName": "Ulfi Imran Basuki", "position": "DEPUTY_COORDINATOR", "agency": "DP3A Kota Semarang"},
    {"personName": "Endah Sulistyowati", "position": "SECRETARY", "agency": "DP3A Kota Semarang",
     "phone": "0812-2500-1111", "email": "pug@semarangkota.go.id"},
    {"personName": "Heru Susilo", "position": "MEMBER", "agency": "Dinas Koperasi dan UMKM"},
    {"personName": "Rina Wati", "position": "MEMBER", "agency": "Dinas Kesehatan"},
]


def team_input(region: str | None, level: str = "REGENCY", **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "level": level,
        "regionCode": region,
        "decree": {"number": "050/123/2021", "date": "2021-02-01", "signedBy": "Walikota"},
        "activeFrom": "2021-03-01",
        "activeUntil": "2023-12-31",
        "members": LEADERS,
    }
    data.update(changes)
    return data


def team_office(registry: GraphQLClient, region: str | None, level: str = "REGENCY") -> GraphQLClient:
    """The office that records a team: MINISTRY the national one, a province's or a regency's own office."""
    if level == "NATIONAL":
        return registry.as_role("MINISTRY")
    if level == "PROVINCE":
        return registry.as_role("PROVINCE_OFFICER", region)
    return office_of(registry, region or "33.74")


async def form(registry: GraphQLClient, region: str | None, **changes: Any) -> dict[str, Any]:
    """Form a team as the office that records it."""
    office = team_office(registry, region, changes.get("level", "REGENCY"))
    body = await office(FORM, {"input": team_input(region, **changes)})
    assert "errors" not in body, body
    return body["data"]["formTeam"]


def error_of(body: dict[str, Any]) -> dict[str, Any]:
    assert body.get("errors"), body
    assert not any((body.get("data") or {}).values()), body
    return body["errors"][0]


async def _row_counts(database_url: str) -> tuple[int, int, int]:
    connection = await asyncpg.connect(**asyncpg_dsn(database_url))
    try:
        row = await connection.fetchrow(
            "SELECT (SELECT count(*) FROM registry.teams), (SELECT count(*) FROM registry.team_members),"
            " (SELECT count(*) FROM registry.outbox)"
        )
        return (row[0], row[1], row[2])
    finally:
        await connection.close()


async def test_a_regency_team_with_its_leadership_and_members(registry: GraphQLClient) -> None:
    team = await form(registry, "33.22", activeUntil=None)  # Kabupaten Semarang
    assert team["name"] == "Tim Pengelola Industri Rumahan Kabupaten Semarang"
    assert team["region"] == {"code": "33.22", "name": "Kabupaten Semarang"}
    assert team["decree"] == {"number": "050/123/2021", "date": "2021-02-01", "signedBy": "Walikota"}
    assert [m["position"] for m in team["members"]["nodes"]] == [
        "COORDINATOR", "DAILY_HEAD", "DEPUTY_COORDINATOR", "SECRETARY", "MEMBER", "MEMBER"
    ]
    # Members serve for the team's period unless told otherwise.
    assert {(m["activeFrom"], m["activeUntil"]) for m in team["members"]["nodes"]} == {("2021-03-01", None)}
    current = await registry('{ region(code: "33.22") { team { id isActive members { nodes { personName } } } } }')
    assert current["data"]["region"]["team"]["id"] == team["id"]
    assert current["data"]["region"]["team"]["isActive"] is True
    # The secretary's phone is normalised like an IR owner's (contacts: for the team's own offices).
    detail = await office_of(registry, "33.22")("query($id: ID!) { team(id: $id) { members { nodes { position phone email } } } }", {"id": team["id"]})
    secretary = [m for m in detail["data"]["team"]["members"]["nodes"] if m["position"] == "SECRETARY"][0]
    assert secretary == {"position": "SECRETARY", "phone": "+6281225001111", "email": "pug@semarangkota.go.id"}


async def test_national_and_province_teams_and_listing(registry: GraphQLClient) -> None:
    national = await form(registry, None, level="NATIONAL", regionCode=None, activeFrom="2016-06-01", activeUntil="2016-12-31",
                          decree={"number": "KEP-1/2016", "date": "2016-05-20", "signedBy": "Menteri PPPA"})
    assert national["region"] is None and national["name"] == "Tim Pengelola Industri Rumahan Nasional"
    province = await form(registry, "51", level="PROVINCE")  # Bali
    listed = await registry('{ teams(regionCode: "51") { nodes { id level region { code } } } }')
    assert {"id": province["id"], "level": "PROVINCE", "region": {"code": "51"}} in listed["data"]["teams"]["nodes"]
    by_level = await registry('{ teams(level: NATIONAL) { nodes { id } } }')
    assert {"id": national["id"]} in by_level["data"]["teams"]["nodes"]
    on_day = await registry('{ teams(level: NATIONAL, activeOn: "2017-01-01") { nodes { id } } }')
    assert {"id": national["id"]} not in on_day["data"]["teams"]["nodes"]
    # A region with no team in office today answers null, as does a village (no teams there).
    empty = await registry('{ a: region(code: "51") { team { id } } b: region(code: "33.74.01.1001") { team { id } } }')
    assert empty["data"] == {"a": {"team": None}, "b": {"team": None}}
    province_office = registry.as_role("PROVINCE_OFFICER", "33")
    wrong_level = await province_office(FORM, {"input": team_input("33.74", level="PROVINCE")})
    assert error_of(wrong_level)["extensions"] == {"code": "BAD_USER_INPUT", "field": "input.regionCode"}
    national_with_region = await registry.as_role("MINISTRY")(FORM, {"input": team_input("33", level="NATIONAL")})
    assert error_of(national_with_region)["extensions"]["field"] == "input.regionCode"


async def test_second_team_for_the_same_region_and_period_is_a_conflict_and_nothing_is_written(
    registry: GraphQLClient, database_url: str
) -> None:
    registry = office_of(registry, "35.07")
    first = await form(registry, "35.07")
    before = await _row_counts(database_url)
    overlapping = await registry(FORM, {"input": team_input("35.07", activeFrom="2023-06-01", activeUntil=None)})
    error = error_of(overlapping)
    assert error["extensions"]["code"] == "CONFLICT" and error["extensions"]["field"] == "input.activeFrom"
    assert error["extensions"]["teamId"] == first["id"]
    assert await _row_counts(database_url) == before
    # The next team may start the day after the first ends.
    await form(registry, "35.07", activeFrom="2024-01-01", activeUntil=None,
               decree={"number": "050/9/2024", "date": "2023-12-20", "signedBy": "Bupati Malang"})


async def test_two_clerks_forming_the_same_team_at_once_make_one_team(registry: GraphQLClient, database_url: str) -> None:
    registry = office_of(registry, "36.01")
    results = await asyncio.gather(*(registry(FORM, {"input": team_input("36.01", members=[])}) for _ in range(4)))
    made = [r for r in results if "errors" not in r]
    refused = [r for r in results if "errors" in r]
    assert len(made) == 1
    assert {error_of(r)["extensions"]["code"] for r in refused} == {"CONFLICT"}
    connection = await asyncpg.connect(**asyncpg_dsn(database_url))
    try:
        assert await connection.fetchval("SELECT count(*) FROM registry.teams WHERE region_code = '36.01'") == 1
    finally:
        await connection.close()


async def test_the_database_itself_refuses_overlapping_teams(database_url: str) -> None:
    connection = await asyncpg.connect(**asyncpg_dsn(database_url))
    insert = (
        "INSERT INTO registry.teams (level, region_code, name, decree_number, decree_date, decree_signed_by, active_from, active_until)"
        " VALUES ('REGENCY', '11.01', 'Tim', 'x', '2020-01-01', 'Bupati', $1, $2)"
    )
    try:
        async with connection.transaction():
            await connection.execute(insert, dt.date(2020, 1, 1), None)
            try:
                await connection.execute(insert, dt.date(2025, 1, 1), None)
            except asyncpg.ExclusionViolationError as error:
                assert error.constraint_name == "teams_one_active_per_region"
            else:
                raise AssertionError("a second open team was accepted")
            raise asyncpg.PostgresError("roll back")
    except asyncpg.PostgresError as error:
        assert str(error) == "roll back"
    finally:
        await connection.close()


async def test_second_coordinator_is_a_conflict_until_the_first_leaves(registry: GraphQLClient, database_url: str) -> None:
    registry = office_of(registry, "34.04")
    team = await form(registry, "34.04")
    before = await _row_counts(database_url)
    second = await registry(APPOINT, {"team": team["id"], "input": {
        "personName": "Drs. Lain", "position": "COORDINATOR", "agency": "Setda", "activeFrom": "2022-01-01"}})
    error = error_of(second)
    assert error["extensions"]["code"] == "CONFLICT" and error["extensions"]["field"] == "input.position"
    second_secretary = await registry(APPOINT, {"team": team["id"], "input": {
        "personName": "Sekretaris Dua", "position": "SECRETARY", "agency": "DP3A"}})
    assert error_of(second_secretary)["extensions"]["code"] == "CONFLICT"
    assert await _row_counts(database_url) == before
    # Any number of members; and a new coordinator once the old one's term ends.
    member = await registry(APPOINT, {"team": team["id"], "input": {"personName": "Anggota Tiga", "position": "MEMBER", "agency": "Disperindag"}})
    assert member["data"]["appointTeamMember"]["activeUntil"] == "2023-12-31"
    coordinator = [m for m in team["members"]["nodes"] if m["position"] == "COORDINATOR"][0]
    ended = await registry(
        'mutation($id: ID!) { updateTeamMember(id: $id, input: {activeUntil: "2021-12-31"}) { activeUntil isActive } }',
        {"id": coordinator["id"]},
    )
    assert ended["data"]["updateTeamMember"] == {"activeUntil": "2021-12-31", "isActive": False}
    successor = await registry(APPOINT, {"team": team["id"], "input": {
        "personName": "Drs. Lain", "position": "COORDINATOR", "agency": "Setda", "activeFrom": "2022-01-01"}})
    assert successor["data"]["appointTeamMember"]["position"] == "COORDINATOR"
    on_day = await registry("query($id: ID!) { team(id: $id) { members(activeOn: \"2022-06-01\") { nodes { personName position } } } }", {"id": team["id"]})
    coordinators = [m["personName"] for m in on_day["data"]["team"]["members"]["nodes"] if m["position"] == "COORDINATOR"]
    assert coordinators == ["Drs. Lain"]


async def test_two_coordinators_in_one_form_and_member_periods_outside_the_team(registry: GraphQLClient, database_url: str) -> None:
    registry = office_of(registry, "32.01")
    before = await _row_counts(database_url)
    doubled = await registry(FORM, {"input": team_input("32.01", members=[LEADERS[0], {**LEADERS[0], "personName": "Dua"}])})
    assert error_of(doubled)["extensions"] == {
        "code": "CONFLICT", "field": "input.members[1].position", "memberId": error_of(doubled)["extensions"]["memberId"]
    }
    early = await registry(FORM, {"input": team_input("32.01", members=[{**LEADERS[4], "activeFrom": "2020-01-01"}])})
    assert error_of(early)["extensions"] == {"code": "BAD_USER_INPUT", "field": "input.members[0].activeFrom"}
    late = await registry(FORM, {"input": team_input("32.01", members=[{**LEADERS[4], "activeFrom": "2021-03-01", "activeUntil": "2024-06-30"}])})
    assert error_of(late)["extensions"] == {"code": "BAD_USER_INPUT", "field": "input.members[0].activeUntil"}
    backwards = await registry(FORM, {"input": team_input("32.01", activeFrom="2024-01-01", activeUntil="2023-01-01")})
    assert error_of(backwards)["extensions"] == {"code": "BAD_USER_INPUT", "field": "input.activeUntil"}
    decree_after = await registry(FORM, {"input": team_input("32.01", decree={"number": "1", "date": "2021-04-01", "signedBy": "Bupati"})})
    assert error_of(decree_after)["extensions"] == {"code": "BAD_USER_INPUT", "field": "input.decree.date"}
    # Nothing of the refused teams is left: no team, no member, no event.
    assert await _row_counts(database_url) == before
    team = await form(registry, "32.01", members=[])
    outside = await registry(APPOINT, {"team": team["id"], "input": {**LEADERS[4], "activeFrom": "2019-01-01"}})
    assert error_of(outside)["extensions"] == {"code": "BAD_USER_INPUT", "field": "input.activeFrom"}


async def test_ending_a_team_ends_its_members_terms_and_versions_guard_edits(registry: GraphQLClient, database_url: str) -> None:
    registry = office_of(registry, "33.01")
    team = await form(registry, "33.01", activeUntil=None, members=LEADERS[:2])
    update = """
    mutation($id: ID!, $v: Int!, $input: UpdateTeamInput!) {
      updateTeam(id: $id, expectedVersion: $v, input: $input) { version activeUntil members { nodes { activeUntil } } }
    }"""
    ended = await registry(update, {"id": team["id"], "v": 1, "input": {"activeUntil": "2025-12-31"}})
    assert ended["data"]["updateTeam"]["version"] == 2
    assert {m["activeUntil"] for m in ended["data"]["updateTeam"]["members"]["nodes"]} == {"2025-12-31"}
    stale = await registry(update, {"id": team["id"], "v": 1, "input": {"name": "Tim Baru"}})
    assert error_of(stale)["extensions"] == {"code": "CONFLICT", "currentVersion": 2}
    missing = await registry(update, {"id": "987654", "v": 1, "input": {"name": "x"}})
    assert error_of(missing)["extensions"]["code"] == "NOT_FOUND"
    connection = await asyncpg.connect(**asyncpg_dsn(database_url))
    try:
        events = await connection.fetch(
            "SELECT event_type, payload FROM registry.outbox WHERE aggregate_type = 'Team' AND aggregate_id = $1 ORDER BY id",
            team["id"],
        )
    finally:
        await connection.close()
    assert [e["event_type"] for e in events] == [
        "TeamFormed", "TeamMemberAppointed", "TeamMemberAppointed", "TeamUpdated", "TeamMemberUpdated", "TeamMemberUpdated"
    ]
    text = " ".join(e["payload"] for e in events)
    # Members' names and contacts stay in the registry.
    assert "Iswar" not in text and "Prakosa" not in text
    assert json.loads(events[3]["payload"])["team"]["activeUntil"] == "2025-12-31"


async def test_two_clerks_appointing_a_coordinator_at_once_make_one(registry: GraphQLClient) -> None:
    registry = office_of(registry, "73.71")
    team = await form(registry, "73.71", members=[])  # Kota Makassar
    results = await asyncio.gather(*(
        registry(APPOINT, {"team": team["id"], "input": {"personName": f"Sekda {n}", "position": "COORDINATOR", "agency": "Setda"}})
        for n in range(4)
    ))
    assert len([r for r in results if "errors" not in r]) == 1
    assert {error_of(r)["extensions"]["code"] for r in results if "errors" in r} == {"CONFLICT"}
    members = await registry("query($id: ID!) { team(id: $id) { members { nodes { position } } } }", {"id": team["id"]})
    assert members["data"]["team"]["members"]["nodes"] == [{"position": "COORDINATOR"}]
