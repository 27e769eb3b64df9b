"""Appending events to the transactional outbox (same transaction as the change)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from services.registry.data.tables import outbox
from services.registry.domain.events import AGGREGATE_HOME_INDUSTRY


async def publish(
    connection: AsyncConnection, event_type: str, aggregate_id: str, payload: dict[str, Any],
    *, aggregate_type: str = AGGREGATE_HOME_INDUSTRY,
) -> None:
    await connection.execute(
        insert(outbox).values(
            aggregate_type=aggregate_type, aggregate_id=aggregate_id, event_type=event_type, payload=payload
        )
    )


async def publish_all(connection: AsyncConnection, events: Sequence[tuple[str, str, str, dict[str, Any]]]) -> None:
    """Append several events, each (aggregate type, aggregate id, event type, payload), in one
    multi-row INSERT: their ids follow the order given, which is the order consumers apply them in."""
    if not events:
        return
    await connection.execute(
        insert(outbox),
        [
            {"aggregate_type": kind, "aggregate_id": aggregate_id, "event_type": event_type, "payload": payload}
            for kind, aggregate_id, event_type, payload in events
        ],
    )
