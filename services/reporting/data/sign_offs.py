"""Sign-offs, their snapshots, steps and deadlines in reporting's database (migration 0005)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence

from sqlalchemy import text
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from services.reporting.domain.sign_off import Level, Narrative, Step

_COLUMNS = ("region_code, year, level, state, version, snapshot_id, approved_snapshot_id, first_submitted_at, "
            "submitted_at, submitted_by, decided_at, decided_by, comment")


async def lock(connection: AsyncConnection, region_code: str, year: int, level: Level) -> RowMapping:
    """The sign-off row of (region, year), created NOT_STARTED if absent, locked until the transaction ends."""
    await connection.execute(
        text("INSERT INTO reporting.sign_offs (region_code, year, level, state) VALUES (:r, :y, :l, 'NOT_STARTED') "
             "ON CONFLICT DO NOTHING"),
        {"r": region_code, "y": year, "l": level.value},
    )
    result = await connection.execute(
        text(f"SELECT {_COLUMNS} FROM reporting.sign_offs WHERE region_code = :r AND year = :y FOR UPDATE"),
        {"r": region_code, "y": year},
    )
    return result.mappings().one()


async def add_snapshot(connection: AsyncConnection, region_code: str, year: int, subject: str,
                       figures: Mapping[str, int], narrative: Narrative) -> int:
    result = await connection.execute(
        text("INSERT INTO reporting.sign_off_snapshots (region_code, year, submitted_at, submitted_by, figures, "
             "achievements, problems, follow_up_plan) "
             "VALUES (:r, :y, now(), :by, CAST(:f AS jsonb), :a, :p, :fu) RETURNING id"),
        {"r": region_code, "y": year, "by": subject, "f": json.dumps(dict(figures), sort_keys=True),
         "a": narrative.achievements, "p": narrative.problems, "fu": narrative.follow_up_plan},
    )
    return int(result.scalar_one())


async def record(connection: AsyncConnection, step: Step, actor_region: str | None, snapshot_id: int | None) -> None:
    """Apply an accepted step to the (locked) sign-off row and append it to the audit trail."""
    params = {"r": step.region_code, "y": step.year, "s": step.to_state.value, "v": step.version,
              "by": step.actor_subject, "c": step.comment, "snap": snapshot_id}
    if step.action.value == "SUBMIT":
        sql = ("UPDATE reporting.sign_offs SET state = :s, version = :v, snapshot_id = :snap, submitted_at = now(), "
               "first_submitted_at = coalesce(first_submitted_at, now()), submitted_by = :by, "
               "decided_at = NULL, decided_by = NULL, comment = NULL")
    elif step.action.value == "APPROVE":
        sql = ("UPDATE reporting.sign_offs SET state = :s, version = :v, approved_snapshot_id = snapshot_id, "
               "decided_at = now(), decided_by = :by, comment = :c")
    else:
        sql = "UPDATE reporting.sign_offs SET state = :s, version = :v, decided_at = now(), decided_by = :by, comment = :c"
    await connection.execute(text(sql + " WHERE region_code = :r AND year = :y"), params)
    await connection.execute(
        text("INSERT INTO reporting.sign_off_steps (region_code, year, action, from_state, to_state, actor, actor_role, "
             "actor_region, comment, snapshot_id, version) "
             "VALUES (:r, :y, :a, :f, :s, :by, :role, :region, :c, "
             "(SELECT snapshot_id FROM reporting.sign_offs WHERE region_code = :r AND year = :y), :v)"),
        {**params, "a": step.action.value, "f": step.from_state.value, "role": step.actor_role.value,
         "region": actor_region},
    )


async def sign_offs(connection: AsyncConnection, year: int, region_codes: Sequence[str]) -> dict[str, RowMapping]:
    """The sign-off rows of ``region_codes`` for ``year`` (absent: never acted on)."""
    result = await connection.execute(
        text(f"SELECT {_COLUMNS} FROM reporting.sign_offs WHERE year = :y AND region_code = ANY(:codes)"),
        {"y": year, "codes": list(region_codes)},
    )
    return {row["region_code"]: row for row in result.mappings()}


async def snapshots(connection: AsyncConnection, ids: Sequence[int]) -> dict[int, RowMapping]:
    if not ids:
        return {}
    result = await connection.execute(
        text("SELECT id, region_code, year, submitted_at, submitted_by, figures, achievements, problems, follow_up_plan "
             "FROM reporting.sign_off_snapshots WHERE id = ANY(:ids)"),
        {"ids": list(ids)},
    )
    return {row["id"]: row for row in result.mappings()}


async def steps(connection: AsyncConnection, region_code: str, year: int) -> list[RowMapping]:
    """The audit trail of one sign-off, oldest first."""
    result = await connection.execute(
        text("SELECT id, action, from_state, to_state, actor, actor_role, actor_region, at, comment, snapshot_id, version "
             "FROM reporting.sign_off_steps WHERE region_code = :r AND year = :y ORDER BY id"),
        {"r": region_code, "y": year},
    )
    return list(result.mappings())


async def deadlines(connection: AsyncConnection, year: int) -> dict[Level, dt.date]:
    """The deadlines the ministry set for ``year`` (absent levels: the defaults of domain/sign_off.py)."""
    result = await connection.execute(
        text("SELECT level, deadline FROM reporting.sign_off_deadlines WHERE year = :y"), {"y": year})
    return {Level(row["level"]): row["deadline"] for row in result.mappings()}


async def set_deadline(connection: AsyncConnection, year: int, level: Level, deadline: dt.date) -> None:
    await connection.execute(
        text("INSERT INTO reporting.sign_off_deadlines (year, level, deadline) VALUES (:y, :l, :d) "
             "ON CONFLICT (year, level) DO UPDATE SET deadline = excluded.deadline"),
        {"y": year, "l": level.value, "d": deadline},
    )
