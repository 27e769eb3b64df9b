"""Reading and writing transfers between regencies/cities (registry.home_industry_transfers)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from services.registry.data.tables import facilitator_assignments as assignments
from services.registry.data.tables import home_industry_transfers as transfers
from services.registry.data.tables import home_industries, one_of
from services.registry.domain.transfers import ACCEPTED, PENDING


async def insert_transfer(connection: AsyncConnection, values: dict[str, Any]) -> RowMapping:
    result = await connection.execute(insert(transfers).values(**values).returning(transfers))
    return result.mappings().one()


async def lock_transfer(connection: AsyncConnection, transfer_id: int) -> RowMapping | None:
    result = await connection.execute(select(transfers).where(transfers.c.id == transfer_id).with_for_update())
    return result.mappings().first()


async def pending_of(connection: AsyncConnection, home_industry_id: int) -> RowMapping | None:
    result = await connection.execute(
        select(transfers).where(transfers.c.home_industry_id == home_industry_id, transfers.c.status == PENDING)
    )
    return result.mappings().first()


async def decide(
    connection: AsyncConnection, transfer_id: int, expected_version: int, values: dict[str, Any]
) -> RowMapping | None:
    """Close a pending transfer if nobody changed it since ``expected_version``; None otherwise."""
    result = await connection.execute(
        update(transfers)
        .where(transfers.c.id == transfer_id, transfers.c.version == expected_version, transfers.c.status == PENDING)
        .values(**values, decided_at=func.now(), version=transfers.c.version + 1)
        .returning(transfers)
    )
    return result.mappings().first()


def _in_region(region: str | None) -> Any:
    """Transfers leaving or entering ``region`` (a province or regency code; None: all)."""
    if region is None:
        return None
    if "." in region:
        return or_(transfers.c.from_regency_code == region, transfers.c.to_regency_code == region)
    return or_(func.left(transfers.c.from_regency_code, 2) == region, func.left(transfers.c.to_regency_code, 2) == region)


#: A transfer with its IR's summary (what the receiving office sees before it accepts).
_VIEW = select(
    transfers, home_industries.c.business_name, home_industries.c.business_category, home_industries.c.current_class
).join(home_industries, home_industries.c.id == transfers.c.home_industry_id)


async def transfer_views(connection: AsyncConnection, transfer_ids: Sequence[int]) -> dict[int, RowMapping]:
    """Transfers with their IR's summary, keyed by id."""
    result = await connection.execute(_VIEW.where(one_of(transfers.c.id, transfer_ids)))
    return {row["id"]: row for row in result.mappings()}


async def pending_page(
    connection: AsyncConnection, region: str | None, *, first: int, after_id: int | None
) -> list[RowMapping]:
    """Up to ``first + 1`` pending transfers leaving or entering ``region``, with their summary, in id order."""
    query = _VIEW.where(transfers.c.status == PENDING).order_by(transfers.c.id).limit(first + 1)
    condition = _in_region(region)
    if condition is not None:
        query = query.where(condition)
    if after_id is not None:
        query = query.where(transfers.c.id > after_id)
    return list((await connection.execute(query)).mappings())


async def count_pending(connection: AsyncConnection, region: str | None) -> int:
    query = select(func.count()).select_from(transfers).where(transfers.c.status == PENDING)
    condition = _in_region(region)
    if condition is not None:
        query = query.where(condition)
    return int((await connection.execute(query)).scalar_one())


async def accepted_of(connection: AsyncConnection, home_industry_ids: Sequence[int]) -> dict[int, list[RowMapping]]:
    """Each IR's accepted transfers, oldest first (its registration-number history)."""
    result = await connection.execute(
        select(transfers)
        .where(one_of(transfers.c.home_industry_id, home_industry_ids), transfers.c.status == ACCEPTED)
        .order_by(transfers.c.home_industry_id, transfers.c.id)
    )
    found: dict[int, list[RowMapping]] = {pk: [] for pk in home_industry_ids}
    for row in result.mappings():
        found[row["home_industry_id"]].append(row)
    return found


async def moved_from_number(connection: AsyncConnection, registration_number: str) -> int | None:
    """The IR that was registered under this (old) number before a transfer, if any."""
    result = await connection.execute(
        select(transfers.c.home_industry_id).where(
            transfers.c.from_registration_number == registration_number, transfers.c.status == ACCEPTED
        )
    )
    return result.scalar_one_or_none()


async def assignments_running_on(connection: AsyncConnection, home_industry_id: int, day: Any) -> list[RowMapping]:
    """Facilitator assignments made to this IR itself (not its village) still running on ``day``, locked."""
    result = await connection.execute(
        select(assignments)
        .where(assignments.c.home_industry_id == home_industry_id,
               or_(assignments.c.active_until.is_(None), assignments.c.active_until >= day))
        .order_by(assignments.c.id)
        .with_for_update()
    )
    return list(result.mappings())
