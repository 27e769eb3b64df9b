"""Mutations of managing teams (Tim Pengelola) and their members, with their inputs."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import strawberry
from strawberry import UNSET

from services.registry import team_registrar
from services.registry.domain import network_access
from services.registry.domain import validation as check
from services.registry.graphql.context import RegistryInfo
from services.registry.graphql.enums import TeamLevel, TeamPosition
from services.registry.graphql.team import Team, TeamMember
from siir.errors import InvalidInput


@strawberry.input(description="The decree (surat keputusan) that sets up a team.")
class DecreeInput:
    number: str = strawberry.field(description="Number of the decree (Surat Keputusan, SK).")
    date: dt.date = strawberry.field(description="Date of the decree; not in the future.")
    signed_by: str = strawberry.field(description="Who signed it, e.g. `Walikota Semarang`.")


@strawberry.input(description="A team member in one position. The period defaults to the team's.")
class TeamMemberInput:
    person_name: str = strawberry.field(description="The member's full name.")
    position: TeamPosition = strawberry.field(
        description="Position in the team; positions other than MEMBER take one holder at a time."
    )
    agency: str = strawberry.field(description="The SKPD, ministry or institution represented.")
    title: str | None = strawberry.field(default=None, description="Office held, e.g. `Sekretaris Daerah`; optional.")
    phone: str | None = strawberry.field(default=None, description="Phone number, Indonesian (08…, +62…); optional.")
    email: str | None = strawberry.field(default=None, description="E-mail address; optional.")
    active_from: dt.date | None = strawberry.field(default=None, description="First day in the position.")
    active_until: dt.date | None = strawberry.field(
        default=None,
        description="Last day in the position, included; optional."
    )


@strawberry.input(description="Changes to a member; fields left out stay as they are. `activeUntil` ends the term.")
class UpdateTeamMemberInput:
    person_name: str | None = strawberry.field(default=UNSET, description="The member's full name. Omitted: unchanged.")
    title: str | None = strawberry.field(default=UNSET, description="Office held. Omitted: unchanged.")
    agency: str | None = strawberry.field(default=UNSET, description="Agency represented. Omitted: unchanged.")
    phone: str | None = strawberry.field(default=UNSET, description="Phone number. Omitted: unchanged.")
    email: str | None = strawberry.field(default=UNSET, description="E-mail address. Omitted: unchanged.")
    active_from: dt.date | None = strawberry.field(
        default=UNSET,
        description="First day in the position. Omitted: unchanged."
    )
    active_until: dt.date | None = strawberry.field(
        default=UNSET,
        description="Last day in the position, included. Omitted: unchanged."
    )


@strawberry.input(description="A managing team set up by decree, with its first members.")
class FormTeamInput:
    level: TeamLevel = strawberry.field(description="Level of the team: national, province or regency/city.")
    region_code: str | None = strawberry.field(
        default=None, description="Province code for a province team, regency/city code for a regency team; none for the national team."
    )
    decree: DecreeInput = strawberry.field(description="The decree (SK) that forms the team.")
    active_from: dt.date = strawberry.field(description="First day in office.")
    active_until: dt.date | None = strawberry.field(
        default=None,
        description="Last day in office, included; null while open-ended."
    )
    name: str | None = strawberry.field(default=None, description="Defaults to `Tim Pengelola Industri Rumahan <region>`.")
    members: list[TeamMemberInput] = strawberry.field(
        default_factory=list,
        description="The first members, each in one position; positions other than MEMBER take one holder."
    )


@strawberry.input(description="Changes to a team; fields left out stay as they are. `activeUntil` ends the team and its members' terms.")
class UpdateTeamInput:
    name: str | None = strawberry.field(default=UNSET, description="Name of the team. Omitted: unchanged.")
    decree: DecreeInput | None = strawberry.field(default=UNSET, description="The decree (SK). Omitted: unchanged.")
    active_from: dt.date | None = strawberry.field(
        default=UNSET,
        description="First day in office. Omitted: unchanged."
    )
    active_until: dt.date | None = strawberry.field(
        default=UNSET,
        description="Last day in office, included. Omitted: unchanged."
    )


def _decree(field: str, decree: DecreeInput, today: dt.date) -> dict[str, Any]:
    return {
        "decree_number": check.text(f"{field}.number", decree.number, required=True, max_length=120),
        "decree_date": check.past_date(f"{field}.date", decree.date, today, required=True),
        "decree_signed_by": check.text(f"{field}.signedBy", decree.signed_by, required=True),
    }


def _member(field: str, member: TeamMemberInput) -> dict[str, Any]:
    start, end = check.period(f"{field}.active", member.active_from, member.active_until, required=False)
    return {
        "person_name": check.text(f"{field}.personName", member.person_name, required=True),
        "position": member.position.value,
        "title": check.text(f"{field}.title", member.title),
        "agency": check.text(f"{field}.agency", member.agency, required=True),
        "phone": check.phone(f"{field}.phone", member.phone),
        "email": check.email(f"{field}.email", member.email),
        "active_from": start,
        "active_until": end,
    }


def _authorize(info: RegistryInfo) -> team_registrar.Authorize:
    """The check a change of an existing team makes on its locked row."""
    identity = info.context.identity
    return lambda team: network_access.team_writer_check(identity, team["level"], team["region_code"])


@strawberry.type
class TeamMutation:
    @strawberry.federation.mutation(
        description="Record a managing team set up by decree, with its members. CONFLICT when another team "
        "of the same level is in office for the region during the period. The national team is recorded "
        "by MINISTRY, a province's by its PROVINCE_OFFICER, a regency/city's by its DISTRICT_OFFICER.",
    )
    async def form_team(
        self,
        info: RegistryInfo,
        input: Annotated[FormTeamInput, strawberry.argument(description="The new managing team (Tim Pengelola).")],
    ) -> Team:
        network_access.team_writer_check(
            info.context.identity, input.level.value, input.region_code.strip() if input.region_code is not None else None
        )
        today = info.context.today()
        start, end = check.period("input.active", input.active_from, input.active_until)
        values = {
            "level": input.level.value,
            "region_code": check.text("input.regionCode", input.region_code, max_length=20),
            "name": check.text("input.name", input.name),
            **_decree("input.decree", input.decree, today),
            "active_from": start,
            "active_until": end,
        }
        if values["decree_date"] > start:
            raise InvalidInput("input.decree.date", "is after the team's start: a team starts on or after its decree")
        check.list_length("input.members", input.members)
        members = [_member(f"input.members[{i}]", m) for i, m in enumerate(input.members)]
        row = await team_registrar.form_team(info.context.engine, values, members, info.context.actor())
        return Team.from_row(row)

    @strawberry.federation.mutation(
        description="Change a team's name, decree or period; CONFLICT when `expectedVersion` is stale.",
    )
    async def update_team(
        self,
        info: RegistryInfo,
        id: Annotated[strawberry.ID, strawberry.argument(description="The team to change.")],
        expected_version: Annotated[int, strawberry.argument(
            description="The version you last read (`version`): a stale one is CONFLICT and nothing is written."
        )],
        input: Annotated[UpdateTeamInput, strawberry.argument(
            description="The fields to change; omitted fields stay as they are."
        )]
    ) -> Team:
        today = info.context.today()
        values: dict[str, Any] = {}
        if input.name is not UNSET:
            values["name"] = check.text("input.name", input.name, required=True)
        if input.decree is not UNSET:
            if input.decree is None:
                raise InvalidInput("input.decree", "is required")
            values.update(_decree("input.decree", input.decree, today))
        if input.active_from is not UNSET:
            if input.active_from is None:
                raise InvalidInput("input.activeFrom", "is required")
            values["active_from"] = check.period("input.active", input.active_from, None)[0]
        if input.active_until is not UNSET:
            values["active_until"] = check.period("input.active", values.get("active_from") or check.EARLIEST_DATE, input.active_until)[1]
        row = await team_registrar.update_team(
            info.context.engine, check.required_id("id", id), expected_version, values, _authorize(info), info.context.actor()
        )
        return Team.from_row(row)

    @strawberry.federation.mutation(
        description="Appoint a member. CONFLICT when the position (other than MEMBER) already has a holder in "
        "the period; BAD_USER_INPUT when the period is not inside the team's.",
    )
    async def appoint_team_member(
        self,
        info: RegistryInfo,
        team_id: Annotated[strawberry.ID, strawberry.argument(description="The team to appoint to.")],
        input: Annotated[TeamMemberInput, strawberry.argument(description="The new member and her position.")],
    ) -> TeamMember:
        values = _member("input", input)
        row = await team_registrar.appoint_member(
            info.context.engine, check.required_id("teamId", team_id), values, _authorize(info), info.context.actor()
        )
        return await _member_of_team(info, row)

    @strawberry.federation.mutation(
        description="Change a member's details or period (`activeUntil` ends the term).",
    )
    async def update_team_member(
        self,
        info: RegistryInfo,
        id: Annotated[strawberry.ID, strawberry.argument(description="The team member to change.")],
        input: Annotated[UpdateTeamMemberInput, strawberry.argument(
            description="The fields to change; omitted fields stay as they are."
        )],
    ) -> TeamMember:
        values: dict[str, Any] = {}
        for name, required in (("person_name", True), ("title", False), ("agency", True)):
            given = getattr(input, name)
            if given is not UNSET:
                values[name] = check.text(f"input.{_camel(name)}", given, required=required)
        if input.phone is not UNSET:
            values["phone"] = check.phone("input.phone", input.phone)
        if input.email is not UNSET:
            values["email"] = check.email("input.email", input.email)
        if input.active_from is not UNSET:
            if input.active_from is None:
                raise InvalidInput("input.activeFrom", "is required")
            values["active_from"] = check.period("input.active", input.active_from, None)[0]
        if input.active_until is not UNSET:
            values["active_until"] = check.period("input.active", values.get("active_from") or check.EARLIEST_DATE, input.active_until)[1]
        row = await team_registrar.update_member(
            info.context.engine, check.required_id("id", id), values, _authorize(info), info.context.actor()
        )
        return await _member_of_team(info, row)


async def _member_of_team(info: RegistryInfo, row: Any) -> TeamMember:
    team = await info.context.loaders.team.load(row["team_id"])
    assert team is not None, "team_id is a foreign key"
    return TeamMember.from_row(row, team["region_code"])


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)
