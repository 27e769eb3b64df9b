"""Reading and writing managing teams and their members (registry.teams, registry.team_members)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, insert, literal, or_, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from services.registry.data.tables import team_members, teams
from siir.connections import keyset_after


def _active_on(table: Any, day: dt.date) -> Any:
    return (table.c.active_from <= day) & or_(table.c.active_until.is_(None), table.c.active_until >= day)


async def teams_by_ids(connection: AsyncConnection, ids: Sequence[int]) -> dict[int, RowMapping]:
    result = await connection.execute(select(teams).where(teams.c.id.in_(list(ids))))
    return {row["id"]: row for row in result.mappings()}


async def current_teams(connection: AsyncConnection, region_codes: Sequence[str], day: dt.date) -> dict[str, RowMapping]:
    """The team of each province or regency/city in office on ``day`` (at most one: a constraint)."""
    result = await connection.execute(
        select(teams).where(teams.c.region_code.in_(list(region_codes)), _active_on(teams, day))
    )
    return {row["region_code"]: row for row in result.mappings()}


async def current_national_team(connection: AsyncConnection, day: dt.date) -> RowMapping | None:
    result = await connection.execute(select(teams).where(teams.c.level == "NATIONAL", _active_on(teams, day)))
    return result.mappings().first()


#: The order teams are listed in (and their cursors' key): level, region (national first), newest period first.
TEAM_ORDER = (
    (teams.c.level, False),
    (func.coalesce(teams.c.region_code, ""), False),
    (teams.c.active_from, True),
    (teams.c.id, False),
)


def team_key(row: RowMapping) -> tuple[Any, ...]:
    return (row["level"], row["region_code"] or "", row["active_from"], row["id"])


def _teams_where(level: str | None, region_code: str | None, active_on: dt.date | None) -> list[Any]:
    where: list[Any] = []
    if level is not None:
        where.append(teams.c.level == level)
    if region_code is not None:
        where.append(or_(teams.c.region_code == region_code, teams.c.region_code.like(region_code + ".%")))
    if active_on is not None:
        where.append(_active_on(teams, active_on))
    return where


async def list_teams(
    connection: AsyncConnection, *, level: str | None, region_code: str | None, active_on: dt.date | None, limit: int,
    after: Sequence[Any] | None = None,
) -> list[RowMapping]:
    """Teams by level and/or region (the region itself or anything inside it), in ``TEAM_ORDER``,
    ``limit`` of them after the key ``after`` (keyset pagination)."""
    query = select(teams).where(*_teams_where(level, region_code, active_on))
    if after is not None:
        query = query.where(keyset_after(TEAM_ORDER, after))
    query = query.order_by(*(c.desc() if d else c for c, d in TEAM_ORDER)).limit(limit)
    return list((await connection.execute(query)).mappings())


async def count_teams(
    connection: AsyncConnection, *, level: str | None, region_code: str | None, active_on: dt.date | None
) -> int:
    query = select(func.count()).select_from(teams).where(*_teams_where(level, region_code, active_on))
    return int((await connection.execute(query)).scalar_one())


async def overlapping_team(
    connection: AsyncConnection, level: str, region_code: str | None, start: dt.date, end: dt.date | None,
    *, ignore_id: int | None = None,
) -> RowMapping | None:
    """A team of the same level and region whose period overlaps ``[start, end]``."""
    period = func.daterange(literal(start), literal(end), literal("[]"))
    query = select(teams).where(
        teams.c.level == level,
        func.coalesce(teams.c.region_code, "") == (region_code or ""),
        func.daterange(teams.c.active_from, teams.c.active_until, literal("[]")).op("&&")(period),
    )
    if ignore_id is not None:
        query = query.where(teams.c.id != ignore_id)
    return (await connection.execute(query.limit(1))).mappings().first()


async def insert_team(connection: AsyncConnection, values: dict[str, Any]) -> RowMapping:
    return (await connection.execute(insert(teams).values(**values).returning(teams))).mappings().one()


async def update_team(
    connection: AsyncConnection, team_id: int, expected_version: int, values: dict[str, Any]
) -> RowMapping | None:
    """Apply ``values`` if the team is still at ``expected_version``; None otherwise (or if missing)."""
    result = await connection.execute(
        update(teams)
        .where(teams.c.id == team_id, teams.c.version == expected_version)
        .values(**values, version=teams.c.version + 1, updated_at=func.now())
        .returning(teams)
    )
    return result.mappings().first()


async def lock_team(connection: AsyncConnection, team_id: int) -> RowMapping | None:
    """Read a team and hold its row lock: member changes of one team are serialised by it."""
    result = await connection.execute(select(teams).where(teams.c.id == team_id).with_for_update())
    return result.mappings().first()


async def members_of(connection: AsyncConnection, team_ids: Sequence[int]) -> dict[int, list[RowMapping]]:
    """Every member of each team, leadership first, then by start of office."""
    position_order = func.array_position(
        literal(["COORDINATOR", "DAILY_HEAD", "DEPUTY_COORDINATOR", "SECRETARY", "MEMBER"]), team_members.c.position
    )
    result = await connection.execute(
        select(team_members)
        .where(team_members.c.team_id.in_(list(team_ids)))
        .order_by(team_members.c.team_id, position_order, team_members.c.active_from, team_members.c.id)
    )
    found: dict[int, list[RowMapping]] = {team_id: [] for team_id in team_ids}
    for row in result.mappings():
        found[row["team_id"]].append(row)
    return found


async def members_by_ids(connection: AsyncConnection, ids: Sequence[int]) -> dict[int, RowMapping]:
    result = await connection.execute(select(team_members).where(team_members.c.id.in_(list(ids))))
    return {row["id"]: row for row in result.mappings()}


async def insert_member(connection: AsyncConnection, values: dict[str, Any]) -> RowMapping:
    result = await connection.execute(insert(team_members).values(**values).returning(team_members))
    return result.mappings().one()


async def update_member(connection: AsyncConnection, member_id: int, values: dict[str, Any]) -> RowMapping | None:
    result = await connection.execute(
        update(team_members)
        .where(team_members.c.id == member_id)
        .values(**values, updated_at=func.now())
        .returning(team_members)
    )
    return result.mappings().first()
