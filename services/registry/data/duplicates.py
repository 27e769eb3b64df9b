"""Finding an owner's active IR for the duplicate check (registry.home_industries)."""

from __future__ import annotations

from sqlalchemy import func, select, text, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from services.registry.data.tables import assessments as assessment_table
from services.registry.data.tables import home_industries
from services.registry.data.tables import interventions as intervention_table
from services.registry.data.tables import mentoring_notes as note_table


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


async def move_records(connection: AsyncConnection, drop_id: int, keep_id: int) -> dict[str, list[int]]:
    """Hand the dropped IR's assessments, interventions and mentoring notes to the kept one; the ids
    moved, per kind (one UPDATE each, inside the caller's transaction)."""
    moved: dict[str, list[int]] = {}
    for kind, table in (
        ("assessments", assessment_table), ("interventions", intervention_table), ("mentoringNotes", note_table)
    ):
        result = await connection.execute(
            update(table).where(table.c.home_industry_id == drop_id).values(home_industry_id=keep_id).returning(table.c.id)
        )
        moved[kind] = sorted(result.scalars().all())
    return moved
