"""Reading and writing the projection, the class history, the rollups, facilitators' assignments and the
cursor (asyncpg, COPY).

A batch is written with COPY into session temporary tables and merged with one statement per
table, so applying ten thousand events costs a few round trips, not ten thousand.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import asyncpg
import orjson

from services.reporting.data.outbox_feed import Cursor
from services.reporting.domain.assignments import AssignmentSnapshot, FacilitatorSnapshot
from services.reporting.domain.projection import IrRecord
from services.reporting.domain.standing import AssessedClass

HOME_INDUSTRY_COLUMNS = (
    "id", "registration_number", "village_code", "regency_code", "business_category", "owner_sex",
    "female_head_of_household", "workers_female", "workers_male", "registered_on", "status",
    "status_changed_on", "current_class", "last_assessed_on", "small_enterprise_candidate", "products",
    "constraints", "hopes", "assistance_received", "marketing_channels", "last_event_id", "record_key", "milestones",
    "transfers",
)
#: Every table the consumer writes, with its rollup value columns (a rollup row of zeros counts as no row:
#: a batch never writes a cell that cancelled out, a later one can bring a cell back to zero).
WRITTEN_TABLES: dict[str, tuple[str, ...]] = {
    "home_industries": (),
    "class_history": (),
    "facilitators": (),
    "facilitator_assignments": (),
    "stock_changes": ("home_industries", "workers_female", "workers_male", "key_sum"),
    "move_counts": ("home_industries", "key_sum"),
    "needs_counts": ("home_industries", "key_sum"),
    "indicator_counts": ("home_industries", "key_sum"),
}
HISTORY_COLUMNS = ("assessment_id", "home_industry_id", "assessed_on", "ir_class", "score", "small_enterprise_candidate")

_STAGING = (
    "CREATE TEMP TABLE IF NOT EXISTS home_industries_in (LIKE reporting.home_industries) ON COMMIT DELETE ROWS",
    "CREATE TEMP TABLE IF NOT EXISTS class_history_in (LIKE reporting.class_history) ON COMMIT DELETE ROWS",
    "CREATE TEMP TABLE IF NOT EXISTS stock_changes_in (LIKE reporting.stock_changes) ON COMMIT DELETE ROWS",
    "CREATE TEMP TABLE IF NOT EXISTS move_counts_in (LIKE reporting.move_counts) ON COMMIT DELETE ROWS",
    "CREATE TEMP TABLE IF NOT EXISTS needs_counts_in (LIKE reporting.needs_counts) ON COMMIT DELETE ROWS",
    "CREATE TEMP TABLE IF NOT EXISTS indicator_counts_in (LIKE reporting.indicator_counts) ON COMMIT DELETE ROWS",
)


async def prepare_staging(connection: asyncpg.Connection) -> None:
    """The session's staging tables (emptied at every commit)."""
    for statement in _STAGING:
        await connection.execute(statement)
    # jsonb's binary form is a version byte and the text: COPY in binary needs it.
    await connection.set_type_codec(
        "jsonb", schema="pg_catalog", format="binary",
        encoder=lambda value: b"\x01" + orjson.dumps(value), decoder=lambda data: orjson.loads(data[1:]),
    )


async def analyze(connection: asyncpg.Connection) -> None:
    """Refresh the planner's statistics of every table of the projection (after a bulk catch-up)."""
    tables = await connection.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'reporting' ORDER BY tablename")
    for table in tables:
        await connection.execute(f'ANALYZE reporting."{table["tablename"]}"')


async def record_key_secret(connection: asyncpg.Connection) -> bytes:
    """The secret record keys are derived from (domain/disclosure.py), made by migration 0003."""
    return bytes(await connection.fetchval("SELECT secret FROM reporting.disclosure_secret"))


async def lock_cursor(connection: asyncpg.Connection, consumer: str) -> Cursor:
    """The consumer's cursor, row-locked until the batch commits (created at (0, 0) if new)."""
    await connection.execute(
        "INSERT INTO reporting.consumer_state (consumer) VALUES ($1) ON CONFLICT DO NOTHING", consumer
    )
    row = await connection.fetchrow(
        "SELECT transaction_id::text AS transaction_id, event_id FROM reporting.consumer_state"
        " WHERE consumer = $1 FOR UPDATE",
        consumer,
    )
    return Cursor(int(row["transaction_id"]), int(row["event_id"]))


async def read_cursor(connection: asyncpg.Connection, consumer: str) -> asyncpg.Record | None:
    return await connection.fetchrow(
        "SELECT transaction_id::text AS transaction_id, event_id, events_applied, events_skipped, last_event_at,"
        " last_batch_at FROM reporting.consumer_state WHERE consumer = $1",
        consumer,
    )


async def advance_cursor(
    connection: asyncpg.Connection, consumer: str, cursor: Cursor, applied: int, skipped: int,
    last_event_at: dt.datetime | None,
) -> None:
    await connection.execute(
        """
        UPDATE reporting.consumer_state
        SET transaction_id = $2::text::xid8, event_id = $3, events_applied = events_applied + $4,
            events_skipped = events_skipped + $5, last_event_at = coalesce($6, last_event_at), last_batch_at = now()
        WHERE consumer = $1
        """,
        consumer, str(cursor.transaction_id), cursor.event_id, applied, skipped, last_event_at,
    )


async def load_records(
    connection: asyncpg.Connection, ids: Sequence[int], moving_away: Mapping[int, Iterable[int]] | None = None
) -> dict[int, IrRecord]:
    """The projection of these IR with their class history (absent ids are not yet known).

    ``moving_away``: assessments the batch moves away from an IR (a registry merge). A merge publishes
    the kept IR's copies first, so an earlier batch may already have moved the row to the kept IR; the
    IR they leave still counts them in the rollups until this batch, so they belong to its record as
    it was.
    """
    if not ids:
        return {}
    records: dict[int, IrRecord] = {}
    for row in await connection.fetch("SELECT * FROM reporting.home_industries WHERE id = ANY($1::bigint[])", ids):
        records[row["id"]] = IrRecord(
            id=row["id"],
            registration_number=row["registration_number"],
            village_code=row["village_code"],
            business_category=row["business_category"],
            owner_sex=row["owner_sex"],
            female_head_of_household=row["female_head_of_household"],
            workers_female=row["workers_female"],
            workers_male=row["workers_male"],
            registered_on=row["registered_on"],
            status=row["status"],
            status_changed_on=row["status_changed_on"],
            products=list(row["products"]),
            constraints=list(row["constraints"]),
            hopes=list(row["hopes"]),
            assistance_received=list(row["assistance_received"]),
            marketing_channels=list(row["marketing_channels"]),
            record_key=row["record_key"],
            milestones=dict(row["milestones"]),
            transfers=list(row["transfers"]),
        )
    for row in await connection.fetch(
        "SELECT * FROM reporting.class_history WHERE home_industry_id = ANY($1::bigint[])", ids
    ):
        record = records.get(row["home_industry_id"])
        if record is not None:
            record.history[row["assessment_id"]] = AssessedClass(
                row["assessment_id"], row["assessed_on"], row["ir_class"], row["score"], row["small_enterprise_candidate"]
            )
    leaving = {int(a): owner for owner, moved in (moving_away or {}).items() if owner in records for a in moved}
    if leaving:
        for row in await connection.fetch(
            "SELECT * FROM reporting.class_history WHERE assessment_id = ANY($1::bigint[])", list(leaving)
        ):
            record = records[leaving[row["assessment_id"]]]
            record.history.setdefault(row["assessment_id"], AssessedClass(
                row["assessment_id"], row["assessed_on"], row["ir_class"], row["score"], row["small_enterprise_candidate"]
            ))
    return records


def _record_row(record: IrRecord, last_event_id: int) -> tuple[Any, ...]:
    latest = record.latest()
    return (
        record.id, record.registration_number, record.village_code, record.regency_code, record.business_category,
        record.owner_sex, record.female_head_of_household, record.workers_female, record.workers_male,
        record.registered_on, record.status, record.status_changed_on,
        latest.ir_class if latest else None, latest.assessed_on if latest else None,
        bool(latest and latest.small_enterprise_candidate), record.products, record.constraints, record.hopes,
        record.assistance_received, record.marketing_channels, last_event_id, record.record_key, record.milestones,
        record.transfers,
    )


async def save_batch(
    connection: asyncpg.Connection,
    records: Iterable[tuple[IrRecord, int]],
    new_assessments: Iterable[tuple[int, AssessedClass]],
    stock: list[tuple[Any, ...]],
    moves: list[tuple[Any, ...]],
    needs: Sequence[tuple[Any, ...]] = (),
) -> None:
    """Merge a batch: records (with the id of the last event applied to each), new history, rollups."""
    await connection.copy_records_to_table(
        "home_industries_in", columns=HOME_INDUSTRY_COLUMNS, records=[_record_row(r, e) for r, e in records]
    )
    updates = ", ".join(f"{c} = excluded.{c}" for c in HOME_INDUSTRY_COLUMNS[1:])
    await connection.execute(
        f"INSERT INTO reporting.home_industries SELECT * FROM home_industries_in"
        f" ON CONFLICT (id) DO UPDATE SET {updates}"
    )
    history = [
        (a.id, home_industry_id, a.assessed_on, a.ir_class, a.score, a.small_enterprise_candidate)
        for home_industry_id, a in new_assessments
    ]
    if history:
        await connection.copy_records_to_table("class_history_in", columns=HISTORY_COLUMNS, records=history)
        await connection.execute(
            # An assessment seen again under another IR was moved there by a registry merge.
            "INSERT INTO reporting.class_history SELECT * FROM class_history_in ON CONFLICT (assessment_id)"
            " DO UPDATE SET home_industry_id = excluded.home_industry_id"
            " WHERE reporting.class_history.home_industry_id <> excluded.home_industry_id"
        )
    if stock:
        await connection.copy_records_to_table("stock_changes_in", records=stock)
        await connection.execute(
            """
            INSERT INTO reporting.stock_changes AS s SELECT * FROM stock_changes_in
            ON CONFLICT (level, region_code, period, period_start, standing, owner_sex, female_head_of_household, candidate)
            DO UPDATE SET home_industries = s.home_industries + excluded.home_industries,
                          workers_female = s.workers_female + excluded.workers_female,
                          workers_male = s.workers_male + excluded.workers_male,
                          key_sum = s.key_sum + excluded.key_sum
            """
        )
    if moves:
        await connection.copy_records_to_table("move_counts_in", records=moves)
        await connection.execute(
            """
            INSERT INTO reporting.move_counts AS m SELECT * FROM move_counts_in
            ON CONFLICT (level, region_code, period, period_start, from_standing, to_standing, owner_sex)
            DO UPDATE SET home_industries = m.home_industries + excluded.home_industries, key_sum = m.key_sum + excluded.key_sum
            """
        )
    if needs:
        await connection.copy_records_to_table("needs_counts_in", records=needs)
        await connection.execute(
            """
            INSERT INTO reporting.needs_counts AS n SELECT * FROM needs_counts_in
            ON CONFLICT (level, region_code, ir_class, kind, item, detail)
            DO UPDATE SET home_industries = n.home_industries + excluded.home_industries, key_sum = n.key_sum + excluded.key_sum
            """
        )


async def save_indicator_counts(connection: asyncpg.Connection, rows: Sequence[tuple[Any, ...]]) -> None:
    """Add a batch's net indicator changes (RollupDelta.indicator_rows) to reporting.indicator_counts."""
    if not rows:
        return
    await connection.copy_records_to_table("indicator_counts_in", records=rows)
    await connection.execute(
        """
        INSERT INTO reporting.indicator_counts AS i SELECT * FROM indicator_counts_in
        ON CONFLICT (level, region_code, year, indicator, owner_sex, female_head_of_household)
        DO UPDATE SET home_industries = i.home_industries + excluded.home_industries, key_sum = i.key_sum + excluded.key_sum
        """
    )


async def save_facilitators(
    connection: asyncpg.Connection,
    facilitators: Iterable[tuple[FacilitatorSnapshot, int]],
    assignments: Iterable[tuple[AssignmentSnapshot, int]],
) -> None:
    """Upsert the newest snapshot of each facilitator and assignment (with the id of its event).

    A facilitator's snapshot never replaces a newer version of her (a replayed batch writes the same).
    """
    rows = list(facilitators)
    if rows:
        await connection.execute(
            """
            INSERT INTO reporting.facilitators AS f
            SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::date[], $5::date[], $6::int[], $7::bigint[])
            ON CONFLICT (id) DO UPDATE SET regency_code = excluded.regency_code, subject = excluded.subject,
                active_from = excluded.active_from, active_until = excluded.active_until, version = excluded.version,
                last_event_id = excluded.last_event_id
            WHERE excluded.version >= f.version
            """,
            *map(list, zip(*((f.id, f.regency_code, f.subject, f.active_from, f.active_until, f.version, e) for f, e in rows))),
        )
    assigned = list(assignments)
    if assigned:
        await connection.execute(
            """
            INSERT INTO reporting.facilitator_assignments
            SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::bigint[], $5::date[], $6::date[], $7::bigint[])
            ON CONFLICT (id) DO UPDATE SET facilitator_id = excluded.facilitator_id, village_code = excluded.village_code,
                home_industry_id = excluded.home_industry_id, active_from = excluded.active_from,
                active_until = excluded.active_until, last_event_id = excluded.last_event_id
            """,
            *map(list, zip(*((a.id, a.facilitator_id, a.village_code, a.home_industry_id, a.active_from, a.active_until, e)
                             for a, e in assigned))),
        )
