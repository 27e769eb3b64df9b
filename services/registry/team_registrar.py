"""Changes to managing teams (Tim Pengelola) and their members, each one transaction.

Inputs arrive validated field by field (``graphql/team_inputs.py``) as plain column values; here
are the rules that need the database: the region fits the level, one team per region and level
at a time, one holder per leadership position, members' periods inside the team's. The database
enforces the two "one at a time" rules as exclusion constraints too, so a race between two
clerks ends in CONFLICT, never in two teams.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.engine import RowMapping
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from services.registry.data import audit, regions
from services.registry.data import teams as team_data
from services.registry.data.constraints import violated_constraint
from services.registry.domain import events
from services.registry.domain.periods import Period
from services.registry.domain.teams import REGION_LEVEL, Position, TeamLevel, default_team_name, single_holder_clash
from services.registry.unit_of_work import Target, UnitOfWork, unit_of_work
from siir.errors import Conflict, InvalidInput, NotFound


def _period(row: Any) -> Period:
    return Period(row["active_from"], row["active_until"])


def _describe(period: Period) -> str:
    return f"{period.start.isoformat()} – {period.end.isoformat() if period.end else 'open'}"


async def _check_region(connection: AsyncConnection, level: TeamLevel, region_code: str | None, field: str) -> str | None:
    """The region's name, after checking it is a region of the level's kind."""
    wanted = REGION_LEVEL[level]
    if wanted is None:
        if region_code is not None:
            raise InvalidInput(field, "the national team has no region")
        return None
    if region_code is None:
        raise InvalidInput(field, f"is required for a {level.value.lower()} team")
    region = (await regions.regions_by_codes(connection, [region_code])).get(region_code)
    if region is None:
        raise InvalidInput(field, f"{region_code} is not a Kemendagri region code")
    if region["level"] != wanted:
        kind = "province" if wanted == 1 else "regency/city"
        raise InvalidInput(field, f"{region_code} is not a {kind} code")
    return str(region["name"])


async def _refuse_overlapping_team(
    connection: AsyncConnection, level: str, region_code: str | None, period: Period, field: str,
    ignore_id: int | None = None,
) -> None:
    other = await team_data.overlapping_team(connection, level, region_code, period.start, period.end, ignore_id=ignore_id)
    if other is not None:
        raise Conflict(
            f"{field}: team {other['id']} ({other['decree_number']}) is in office for this region and level "
            f"during {_describe(_period(other))}: end it before this period starts",
            field=field, teamId=str(other["id"]),
        )


def _integrity_conflict(error: IntegrityError, field: str) -> Conflict:
    name = violated_constraint(error)
    if name == "teams_one_active_per_region":
        return Conflict(f"{field}: another team is in office for this region and level in that period", field=field)
    if name == "team_members_one_holder":
        return Conflict(f"{field}: the position already has a holder in that period", field=field)
    raise error


async def _add_member(
    work: UnitOfWork, team: RowMapping, values: dict[str, Any], holders: list[tuple[int, Position, Period]],
    field: str,
) -> RowMapping:
    connection = work.connection
    period = Period(values["active_from"], values["active_until"])
    team_period = _period(team)
    if not team_period.contains(period):
        raise InvalidInput(
            f"{field}.activeFrom" if period.start < team_period.start else f"{field}.activeUntil",
            f"the member's period {_describe(period)} is not inside the team's {_describe(team_period)}",
        )
    position = Position(values["position"])
    clash = single_holder_clash(position, period, holders)
    if clash is not None:
        raise Conflict(
            f"{field}.position: the team already has a {position.value} (member {clash}) in that period; "
            "end that member's term first",
            field=f"{field}.position", memberId=str(clash),
        )
    try:
        async with connection.begin_nested():
            row = await team_data.insert_member(connection, {**values, "team_id": team["id"]})
    except IntegrityError as error:
        raise _integrity_conflict(error, f"{field}.position") from None
    holders.append((row["id"], position, period))
    await work.publish(events.TEAM_MEMBER_APPOINTED, str(team["id"]), events.team_member_payload(team, row),
        aggregate_type=events.AGGREGATE_TEAM,
    )
    return row


def _within_team(team: RowMapping, member: dict[str, Any]) -> dict[str, Any]:
    """A member's period defaults to the team's: from its start, until it ends."""
    return {
        **member,
        "active_from": member.get("active_from") or team["active_from"],
        "active_until": member.get("active_until") or team["active_until"],
    }


#: Checks the caller may change this team (raises FORBIDDEN); called with the locked team row.
Authorize = Callable[[RowMapping], None]


def _team_record(team: RowMapping) -> audit.Record:
    return audit.Record("Team", team["id"], team["region_code"])


def _member_record(team: RowMapping, member: RowMapping) -> audit.Record:
    return audit.Record("TeamMember", member["id"], team["region_code"])


def _holders(members: list[RowMapping]) -> list[tuple[int, Position, Period]]:
    return [(m["id"], Position(m["position"]), _period(m)) for m in members]


async def form_team(
    engine: Target, values: dict[str, Any], members: list[dict[str, Any]], actor: audit.Actor
) -> RowMapping:
    """Record a team set up by decree, with its first members (periods default to the team's)."""
    level = TeamLevel(values["level"])
    async with unit_of_work(engine, actor) as work:
        connection = work.connection
        region_name = await _check_region(connection, level, values.get("region_code"), "input.regionCode")
        values = {**values, "name": values.get("name") or default_team_name(level, region_name)}
        period = Period(values["active_from"], values["active_until"])
        await _refuse_overlapping_team(connection, level.value, values.get("region_code"), period, "input.activeFrom")
        try:
            async with connection.begin_nested():
                team = await team_data.insert_team(connection, values)
        except IntegrityError as error:
            raise _integrity_conflict(error, "input.activeFrom") from None
        await work.publish(events.TEAM_FORMED, str(team["id"]), events.team_payload(team), aggregate_type=events.AGGREGATE_TEAM
        )
        holders: list[tuple[int, Position, Period]] = []
        added = {}
        for index, member in enumerate(members):
            row = await _add_member(work, team, _within_team(team, member), holders, f"input.members[{index}]")
            added[f"members[{index}]"] = row
        await work.audit(None, team, added=added, record=_team_record(team))
        return team


async def update_team(
    engine: Target, team_id: int, expected_version: int, values: dict[str, Any], authorize: Authorize,
    actor: audit.Actor,
) -> RowMapping:
    """Change a team's decree, name or period (``active_until`` ends it: members' terms end with it)."""
    async with unit_of_work(engine, actor) as work:
        connection = work.connection
        current = await team_data.lock_team(connection, team_id)
        if current is None:
            raise NotFound(f"no team with id {team_id}")
        authorize(current)
        if current["version"] != expected_version:
            raise Conflict(
                f"team {team_id} is at version {current['version']}, not {expected_version}: reload it and apply "
                "your change again",
                currentVersion=current["version"],
            )
        merged = {**current, **values}
        if merged["active_until"] is not None and merged["active_until"] < merged["active_from"]:
            raise InvalidInput("input.activeUntil", "is before the team's start")
        if merged["decree_date"] > merged["active_from"]:
            raise InvalidInput("input.decree.date", "is after the team's start: a team starts on or after its decree")
        period = Period(merged["active_from"], merged["active_until"])
        await _refuse_overlapping_team(connection, current["level"], current["region_code"], period, "input.activeFrom", team_id)
        members = (await team_data.members_of(connection, [team_id]))[team_id]
        for member in members:
            if member["active_from"] < period.start:
                raise InvalidInput(
                    "input.activeFrom", f"member {member['id']} started on {member['active_from'].isoformat()}, before it"
                )
            if period.end is not None and member["active_from"] > period.end:
                raise InvalidInput(
                    "input.activeUntil", f"member {member['id']} starts on {member['active_from'].isoformat()}, after it"
                )
        try:
            async with connection.begin_nested():
                team = await team_data.update_team(connection, team_id, expected_version, values)
        except IntegrityError as error:
            raise _integrity_conflict(error, "input.activeFrom") from None
        assert team is not None, "the row is locked and its version checked"
        await work.publish(events.TEAM_UPDATED, str(team_id), events.team_payload(team), aggregate_type=events.AGGREGATE_TEAM
        )
        # A team that ends takes its members' terms with it.
        ended_terms = {}
        for member in members:
            if period.end is not None and (member["active_until"] is None or member["active_until"] > period.end):
                ended = await team_data.update_member(connection, member["id"], {"active_until": period.end})
                assert ended is not None
                ended_terms[f"member {member['id']} activeUntil"] = {"active_until": ended["active_until"]}
                await work.publish(events.TEAM_MEMBER_UPDATED, str(team_id), events.team_member_payload(team, ended),
                    aggregate_type=events.AGGREGATE_TEAM,
                )
        await work.audit(current, team, added=ended_terms, record=_team_record(team))
        return team


async def appoint_member(
    engine: Target, team_id: int, values: dict[str, Any], authorize: Authorize, actor: audit.Actor
) -> RowMapping:
    """Add a member (or a new holder of a position) to a team; the period defaults to the team's."""
    async with unit_of_work(engine, actor) as work:
        connection = work.connection
        team = await team_data.lock_team(connection, team_id)
        if team is None:
            raise NotFound(f"no team with id {team_id}")
        authorize(team)
        values = _within_team(team, values)
        members = (await team_data.members_of(connection, [team_id]))[team_id]
        row = await _add_member(work, team, values, _holders(members), "input")
        await work.audit(None, row, record=_member_record(team, row))
        return row


async def update_member(
    engine: Target, member_id: int, values: dict[str, Any], authorize: Authorize, actor: audit.Actor
) -> RowMapping:
    """Change a member's details or period (``active_until`` ends the term)."""
    async with unit_of_work(engine, actor) as work:
        connection = work.connection
        current = (await team_data.members_by_ids(connection, [member_id])).get(member_id)
        if current is None:
            raise NotFound(f"no team member with id {member_id}")
        team = await team_data.lock_team(connection, current["team_id"])
        assert team is not None, "team_id is a foreign key"
        authorize(team)
        merged = {**current, **values}
        if merged["active_until"] is not None and merged["active_until"] < merged["active_from"]:
            raise InvalidInput("input.activeUntil", "is before the member's start")
        period = Period(merged["active_from"], merged["active_until"])
        team_period = _period(team)
        if not team_period.contains(period):
            raise InvalidInput(
                "input.activeFrom" if period.start < team_period.start else "input.activeUntil",
                f"the member's period {_describe(period)} is not inside the team's {_describe(team_period)}",
            )
        members = (await team_data.members_of(connection, [team["id"]]))[team["id"]]
        clash = single_holder_clash(Position(merged["position"]), period, _holders(members), ignore_id=member_id)
        if clash is not None:
            raise Conflict(
                f"input.position: the team already has a {merged['position']} (member {clash}) in that period",
                field="input.position", memberId=str(clash),
            )
        try:
            async with connection.begin_nested():
                row = await team_data.update_member(connection, member_id, values)
        except IntegrityError as error:
            raise _integrity_conflict(error, "input.position") from None
        assert row is not None
        await work.publish(events.TEAM_MEMBER_UPDATED, str(team["id"]), events.team_member_payload(team, row),
            aggregate_type=events.AGGREGATE_TEAM,
        )
        await work.audit(current, row, record=_member_record(team, row))
        return row

