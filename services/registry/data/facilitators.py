"""Reading and writing facilitators (pendamping), their assignments and mentoring notes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, insert, or_, select, text, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from services.registry.data.tables import facilitator_assignments, facilitators, mentoring_notes
from siir.connections import keyset_after


def _active_on(table: Any, day: dt.date) -> Any:
    return (table.c.active_from <= day) & or_(table.c.active_until.is_(None), table.c.active_until >= day)


async def facilitators_by_ids(connection: AsyncConnection, ids: Sequence[int]) -> dict[int, RowMapping]:
    result = await connection.execute(select(facilitators).where(facilitators.c.id.in_(list(ids))))
    return {row["id"]: row for row in result.mappings()}


async def facilitator_by_subject(connection: AsyncConnection, subject: str) -> RowMapping | None:
    """The facilitator whose login token carries ``sub`` = ``subject`` (for the access layer)."""
    result = await connection.execute(select(facilitators).where(facilitators.c.subject == subject))
    return result.mappings().first()


async def assigned_scope(
    connection: AsyncConnection, facilitator_id: int, day: dt.date
) -> tuple[list[str], list[int]]:
    """The villages and single IR assigned to a facilitator on ``day`` (what her access covers)."""
    result = await connection.execute(
        select(facilitator_assignments.c.village_code, facilitator_assignments.c.home_industry_id).where(
            facilitator_assignments.c.facilitator_id == facilitator_id, _active_on(facilitator_assignments, day)
        )
    )
    villages, home_industry_ids = [], []
    for village_code, home_industry_id in result:
        if village_code is not None:
            villages.append(village_code)
        else:
            home_industry_ids.append(home_industry_id)
    return sorted(villages), sorted(home_industry_ids)


async def facilitators_in_regions(
    connection: AsyncConnection, region_codes: Sequence[str], day: dt.date | None
) -> dict[str, list[RowMapping]]:
    """Facilitators engaged by each region's offices (the region or anything inside), by name.

    ``day`` keeps only those in service that day. One statement for every region asked.
    """
    codes = list(region_codes)
    query = text(
        """
        SELECT r.code AS region_code, f.*
        FROM unnest(CAST(:codes AS text[])) AS r(code)
        JOIN registry.facilitators f ON f.regency_code = r.code OR f.regency_code LIKE r.code || '.%'
        WHERE CAST(:day AS date) IS NULL OR (f.active_from <= :day AND (f.active_until IS NULL OR f.active_until >= :day))
        ORDER BY r.code, f.person_name, f.id
        """
    )
    result = await connection.execute(query, {"codes": codes, "day": day})
    found: dict[str, list[RowMapping]] = {code: [] for code in codes}
    for row in result.mappings():
        found[row["region_code"]].append(row)
    return found


#: The order facilitators are listed in (and their cursors' key): regency, name, id.
FACILITATOR_ORDER = ((facilitators.c.regency_code, False), (facilitators.c.person_name, False), (facilitators.c.id, False))


def facilitator_key(row: RowMapping) -> tuple[Any, ...]:
    return (row["regency_code"], row["person_name"], row["id"])


def _facilitators_where(region_code: str | None, active_on: dt.date | None) -> list[Any]:
    where: list[Any] = []
    if region_code is not None:
        where.append(or_(facilitators.c.regency_code == region_code, facilitators.c.regency_code.like(region_code + ".%")))
    if active_on is not None:
        where.append(_active_on(facilitators, active_on))
    return where


async def list_facilitators(
    connection: AsyncConnection, *, region_code: str | None, active_on: dt.date | None, limit: int,
    after: Sequence[Any] | None = None,
) -> list[RowMapping]:
    """Facilitators of a region, in ``FACILITATOR_ORDER``, ``limit`` of them after the key ``after``."""
    query = select(facilitators).where(*_facilitators_where(region_code, active_on))
    if after is not None:
        query = query.where(keyset_after(FACILITATOR_ORDER, after))
    query = query.order_by(*(c for c, _ in FACILITATOR_ORDER)).limit(limit)
    return list((await connection.execute(query)).mappings())


async def count_facilitators(connection: AsyncConnection, *, region_code: str | None, active_on: dt.date | None) -> int:
    query = select(func.count()).select_from(facilitators).where(*_facilitators_where(region_code, active_on))
    return int((await connection.execute(query)).scalar_one())


async def insert_facilitator(connection: AsyncConnection, values: dict[str, Any]) -> RowMapping:
    return (await connection.execute(insert(facilitators).values(**values).returning(facilitators))).mappings().one()


async def update_facilitator(
    connection: AsyncConnection, facilitator_id: int, expected_version: int, values: dict[str, Any]
) -> RowMapping | None:
    result = await connection.execute(
        update(facilitators)
        .where(facilitators.c.id == facilitator_id, facilitators.c.version == expected_version)
        .values(**values, version=facilitators.c.version + 1, updated_at=func.now())
        .returning(facilitators)
    )
    return result.mappings().first()


async def lock_facilitator(connection: AsyncConnection, facilitator_id: int) -> RowMapping | None:
    result = await connection.execute(select(facilitators).where(facilitators.c.id == facilitator_id).with_for_update())
    return result.mappings().first()


# -- assignments -----------------------------------------------------------------------------------


async def assignments_of(connection: AsyncConnection, facilitator_ids: Sequence[int]) -> dict[int, list[RowMapping]]:
    """Every assignment of each facilitator, newest first."""
    result = await connection.execute(
        select(facilitator_assignments)
        .where(facilitator_assignments.c.facilitator_id.in_(list(facilitator_ids)))
        .order_by(facilitator_assignments.c.facilitator_id, facilitator_assignments.c.active_from.desc(),
                  facilitator_assignments.c.id)
    )
    found: dict[int, list[RowMapping]] = {i: [] for i in facilitator_ids}
    for row in result.mappings():
        found[row["facilitator_id"]].append(row)
    return found


async def assignments_by_ids(connection: AsyncConnection, ids: Sequence[int]) -> dict[int, RowMapping]:
    result = await connection.execute(select(facilitator_assignments).where(facilitator_assignments.c.id.in_(list(ids))))
    return {row["id"]: row for row in result.mappings()}


async def insert_assignment(connection: AsyncConnection, values: dict[str, Any]) -> RowMapping:
    result = await connection.execute(insert(facilitator_assignments).values(**values).returning(facilitator_assignments))
    return result.mappings().one()


async def end_assignment(connection: AsyncConnection, assignment_id: int, until: dt.date) -> RowMapping | None:
    result = await connection.execute(
        update(facilitator_assignments)
        .where(facilitator_assignments.c.id == assignment_id)
        .values(active_until=until)
        .returning(facilitator_assignments)
    )
    return result.mappings().first()


async def facilitators_of_home_industries(
    connection: AsyncConnection, home_industry_ids: Sequence[int], day: dt.date
) -> dict[int, list[RowMapping]]:
    """The facilitators assigned on ``day`` to each IR, directly or through its village."""
    result = await connection.execute(
        text(
            """
            SELECT DISTINCT ON (h.id, f.id) h.id AS home_industry_id, f.*
            FROM registry.home_industries h
            JOIN registry.facilitator_assignments a
              ON a.home_industry_id = h.id OR a.village_code = h.village_code
            JOIN registry.facilitators f ON f.id = a.facilitator_id
            WHERE h.id = ANY(CAST(:ids AS bigint[]))
              AND a.active_from <= :day AND (a.active_until IS NULL OR a.active_until >= :day)
            ORDER BY h.id, f.id
            """
        ),
        {"ids": list(home_industry_ids), "day": day},
    )
    found: dict[int, list[RowMapping]] = {i: [] for i in home_industry_ids}
    for row in result.mappings():
        found[row["home_industry_id"]].append(row)
    return found


async def home_industries_of_facilitators(
    connection: AsyncConnection, facilitator_ids: Sequence[int], day: dt.date
) -> dict[int, list[RowMapping]]:
    """The IR each facilitator looks after on ``day``: assigned directly or in an assigned village."""
    result = await connection.execute(
        text(
            """
            SELECT DISTINCT ON (a.facilitator_id, h.id) a.facilitator_id, h.*
            FROM registry.facilitator_assignments a
            JOIN registry.home_industries h
              ON h.id = a.home_industry_id OR h.village_code = a.village_code
            WHERE a.facilitator_id = ANY(CAST(:ids AS bigint[]))
              AND a.active_from <= :day AND (a.active_until IS NULL OR a.active_until >= :day)
            ORDER BY a.facilitator_id, h.id
            """
        ),
        {"ids": list(facilitator_ids), "day": day},
    )
    found: dict[int, list[RowMapping]] = {i: [] for i in facilitator_ids}
    for row in result.mappings():
        found[row["facilitator_id"]].append(row)
    return found


# -- mentoring notes -------------------------------------------------------------------------------


async def notes_of_home_industries(connection: AsyncConnection, home_industry_ids: Sequence[int]) -> dict[int, list[RowMapping]]:
    result = await connection.execute(
        select(mentoring_notes)
        .where(mentoring_notes.c.home_industry_id.in_(list(home_industry_ids)))
        .order_by(mentoring_notes.c.home_industry_id, mentoring_notes.c.noted_on.desc(), mentoring_notes.c.id.desc())
    )
    found: dict[int, list[RowMapping]] = {i: [] for i in home_industry_ids}
    for row in result.mappings():
        found[row["home_industry_id"]].append(row)
    return found


async def insert_note(connection: AsyncConnection, values: dict[str, Any]) -> RowMapping:
    return (await connection.execute(insert(mentoring_notes).values(**values).returning(mentoring_notes))).mappings().one()

