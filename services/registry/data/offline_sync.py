"""The client ids of offline-synced items (registry.offline_sync_items, migration 0013)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from services.registry.data.tables import offline_sync_items


async def items_by_client_ids(connection: AsyncConnection, client_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, RowMapping]:
    """The items already synced among ``client_ids`` (one query for a whole batch)."""
    wanted = list(set(client_ids))
    if not wanted:
        return {}
    result = await connection.execute(select(offline_sync_items).where(offline_sync_items.c.client_id.in_(wanted)))
    return {row["client_id"]: row for row in result.mappings()}


async def claim(connection: AsyncConnection, values: dict[str, Any]) -> bool:
    """Record an item applied in the caller's transaction; False when another request synced its client id
    first (the caller then rolls its item back and answers DUPLICATE or REFUSED)."""
    result = await connection.execute(
        insert(offline_sync_items).values(**values).on_conflict_do_nothing(index_elements=["client_id"])
    )
    return result.rowcount == 1
