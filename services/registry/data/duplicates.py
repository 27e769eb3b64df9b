"""Finding an owner's active IR for the duplicate check (registry.home_industries)."""

from __future__ import annotations

from sqlalchemy import func, select, text
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from services.registry.data.tables import home_industries


async def lock_owner(connection: AsyncConnection, nik: str) -> None:
    """Serialise registrations of one NIK until the transaction ends (two clerks sending the same
    form at once: the second sees the first's IR instead of both passing the check)."""
    await connection.execute(text("SELECT pg_advisory_xact_lock(hashtextextended('registry.owner:' || :nik, 0))"), {"nik": nik})


async def active_of_owner(connection: AsyncConnection, nik: str, business_name: str) -> list[RowMapping]:
    """The owner's active IR (index home_industries_owner_nik) with their business name's
    trigram similarity to ``business_name``."""
    column = home_industries.c
    result = await connection.execute(
        select(
            column.id, column.registration_number, column.regency_code, column.village_code, column.status,
            column.consent_to_share,
            func.similarity(column.business_name, business_name).label("business_name_similarity"),
        )
        .where(column.owner_nik == nik, column.status == "ACTIVE")
        .order_by(column.id)
    )
    return list(result.mappings().all())
