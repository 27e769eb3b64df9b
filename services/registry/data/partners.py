"""Reading and writing partner institutions and their programmes (registry.partners, partner_programmes)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from services.registry.data.tables import partner_programmes, partners
from services.registry.domain.eligibility import EligibilityRule
from siir.connections import keyset_after


async def partners_by_ids(connection: AsyncConnection, ids: Sequence[int]) -> dict[int, RowMapping]:
    result = await connection.execute(select(partners).where(partners.c.id.in_(list(ids))))
    return {row["id"]: row for row in result.mappings()}


async def partner_named(connection: AsyncConnection, name: str) -> RowMapping | None:
    result = await connection.execute(select(partners).where(func.lower(partners.c.name) == name.lower()))
    return result.mappings().first()


#: The order partners are listed in (and their cursors' key): kind, name, id.
PARTNER_ORDER = ((partners.c.kind, False), (partners.c.name, False), (partners.c.id, False))


def partner_key(row: RowMapping) -> tuple[Any, ...]:
    return (row["kind"], row["name"], row["id"])


async def list_partners(
    connection: AsyncConnection, *, kind: str | None, limit: int, after: Sequence[Any] | None = None
) -> list[RowMapping]:
    """Partners of a kind (or all), in ``PARTNER_ORDER``, ``limit`` of them after the key ``after``."""
    query = select(partners)
    if kind is not None:
        query = query.where(partners.c.kind == kind)
    if after is not None:
        query = query.where(keyset_after(PARTNER_ORDER, after))
    query = query.order_by(*(c for c, _ in PARTNER_ORDER)).limit(limit)
    return list((await connection.execute(query)).mappings())


async def count_partners(connection: AsyncConnection, *, kind: str | None) -> int:
    query = select(func.count()).select_from(partners)
    if kind is not None:
        query = query.where(partners.c.kind == kind)
    return int((await connection.execute(query)).scalar_one())


async def insert_partner(connection: AsyncConnection, values: dict[str, Any]) -> RowMapping:
    return (await connection.execute(insert(partners).values(**values).returning(partners))).mappings().one()


async def update_partner(
    connection: AsyncConnection, partner_id: int, expected_version: int, values: dict[str, Any]
) -> RowMapping | None:
    result = await connection.execute(
        update(partners)
        .where(partners.c.id == partner_id, partners.c.version == expected_version)
        .values(**values, version=partners.c.version + 1, updated_at=func.now())
        .returning(partners)
    )
    return result.mappings().first()


async def programmes_of(connection: AsyncConnection, partner_ids: Sequence[int]) -> dict[int, list[RowMapping]]:
    result = await connection.execute(
        select(partner_programmes)
        .where(partner_programmes.c.partner_id.in_(list(partner_ids)))
        .order_by(partner_programmes.c.partner_id, partner_programmes.c.name)
    )
    found: dict[int, list[RowMapping]] = {i: [] for i in partner_ids}
    for row in result.mappings():
        found[row["partner_id"]].append(row)
    return found


async def programmes_by_ids(connection: AsyncConnection, ids: Sequence[int]) -> dict[int, RowMapping]:
    result = await connection.execute(select(partner_programmes).where(partner_programmes.c.id.in_(list(ids))))
    return {row["id"]: row for row in result.mappings()}


async def insert_programme(connection: AsyncConnection, values: dict[str, Any]) -> RowMapping:
    result = await connection.execute(insert(partner_programmes).values(**values).returning(partner_programmes))
    return result.mappings().one()


async def update_programme(connection: AsyncConnection, programme_id: int, values: dict[str, Any]) -> RowMapping | None:
    result = await connection.execute(
        update(partner_programmes)
        .where(partner_programmes.c.id == programme_id)
        .values(**values, updated_at=func.now())
        .returning(partner_programmes)
    )
    return result.mappings().first()


async def eligibility_rules(connection: AsyncConnection, partner_id: int, day: dt.date) -> list[EligibilityRule]:
    """The rules of a partner's programmes running on ``day``: what the access layer applies to a
    PARTNER token (claim ``partner`` = the partner's id), with ``eligibility.visible_to_partner``."""
    result = await connection.execute(
        select(partner_programmes.c.eligibility).where(
            partner_programmes.c.partner_id == partner_id,
            partner_programmes.c.active_from <= day,
            or_(partner_programmes.c.active_until.is_(None), partner_programmes.c.active_until >= day),
        )
    )
    return [EligibilityRule.from_json(eligibility) for (eligibility,) in result]
