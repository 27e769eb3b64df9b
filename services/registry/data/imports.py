"""Import jobs, their rows' outcomes and the rows imported (registry.import_jobs, import_job_rows,
imported_rows; migration 0014)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from services.registry.data.tables import home_industries, import_job_rows, import_jobs, imported_rows

#: Stages a worker runs; the others wait for the caller (VALIDATED) or are final.
RUNNING = ("VALIDATING", "COMMITTING")
#: Every column but the file itself (read on its own, by the worker and the marked report).
_SUMMARY = [c for c in import_jobs.c if c.name != "file"]


async def create_job(connection: AsyncConnection, values: dict[str, Any]) -> RowMapping:
    """A new job, VALIDATING, with its file."""
    result = await connection.execute(insert(import_jobs).values(**values).returning(*_SUMMARY))
    return result.mappings().one()


async def job(connection: AsyncConnection, job_id: uuid.UUID) -> RowMapping | None:
    """The job's summary (no file), or None."""
    result = await connection.execute(select(*_SUMMARY).where(import_jobs.c.id == job_id))
    return result.mappings().first()


async def jobs_of(connection: AsyncConnection, subject: str, role: str, region_code: str | None, limit: int) -> list[RowMapping]:
    """A caller's own jobs, newest first."""
    result = await connection.execute(
        select(*_SUMMARY)
        .where(import_jobs.c.subject == subject, import_jobs.c.role == role,
               import_jobs.c.region_code.is_not_distinct_from(region_code))
        .order_by(import_jobs.c.created_at.desc()).limit(limit)
    )
    return list(result.mappings())


async def job_file(connection: AsyncConnection, job_id: uuid.UUID) -> bytes | None:
    """The uploaded file, while it is kept."""
    return (await connection.execute(select(import_jobs.c.file).where(import_jobs.c.id == job_id))).scalar_one_or_none()


#: The channel an upload or a commit request notifies; every registry process's worker listens on it.
CHANNEL = "siir_import_jobs"


async def notify_waiting(connection: AsyncConnection) -> None:
    """Tell every worker a job waits (delivered when the caller's transaction commits)."""
    await connection.execute(select(func.pg_notify(CHANNEL, "")))


# The worker watches for jobs on a connection of its own (asyncpg, outside the app's engine and pool), so
# an idle registry sends no statement through the engine that serves requests.
CLAIM = """
UPDATE registry.import_jobs SET lease_until = now() + make_interval(secs => $1)
WHERE id = (SELECT id FROM registry.import_jobs
            WHERE status IN ('VALIDATING', 'COMMITTING') AND (lease_until IS NULL OR lease_until < now())
            ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED)
RETURNING id, subject, role, region_code, file_name, file_format, status
"""
FORGET_FILES = """
UPDATE registry.import_jobs SET file = NULL
WHERE file IS NOT NULL AND ((finished_at IS NOT NULL AND finished_at < $1)
                            OR (status = 'VALIDATED' AND validated_at < $1))
"""


async def claim_job(watch: Any, lease: dt.timedelta) -> Any:
    """The oldest job waiting for a worker (or whose worker's lease ran out), leased to the caller, or None.

    ``FOR UPDATE SKIP LOCKED``: two registry processes never take the same job."""
    return await watch.fetchrow(CLAIM, lease.total_seconds())


async def forget_files(watch: Any, finished_before: dt.datetime) -> None:
    """Clear the uploaded files of jobs finished (or validated and left) before ``finished_before``: they hold
    the owners' personal data."""
    await watch.execute(FORGET_FILES, finished_before)


async def update_job(connection: AsyncConnection, job_id: uuid.UUID, **values: Any) -> RowMapping | None:
    result = await connection.execute(
        update(import_jobs).where(import_jobs.c.id == job_id).values(**values).returning(*_SUMMARY)
    )
    return result.mappings().first()


async def request_commit(connection: AsyncConnection, job_id: uuid.UUID) -> RowMapping | None:
    """VALIDATED → COMMITTING (total: the valid rows); None when the job is in another state."""
    result = await connection.execute(
        update(import_jobs)
        .where(import_jobs.c.id == job_id, import_jobs.c.status == "VALIDATED")
        .values(status="COMMITTING", commit_requested_at=func.now(), processed=0, total=import_jobs.c.valid_rows,
                lease_until=None)
        .returning(*_SUMMARY)
    )
    return result.mappings().first()


async def record_rows(connection: AsyncConnection, job_id: uuid.UUID, rows: Sequence[dict[str, Any]]) -> None:
    """Each row's outcome (replacing what an earlier stage recorded)."""
    if not rows:
        return
    statement = insert(import_job_rows)
    await connection.execute(
        statement.on_conflict_do_update(
            index_elements=["job_id", "row_number"],
            set_={"outcome": statement.excluded.outcome, "problems": statement.excluded.problems,
                  "row_key": statement.excluded.row_key, "home_industry_id": statement.excluded.home_industry_id},
        ),
        [{"job_id": job_id, **row} for row in rows],
    )


async def rows_of(
    connection: AsyncConnection, job_id: uuid.UUID, *, outcomes: Iterable[str] | None = None, after: int = 0,
    limit: int | None = None,
) -> list[RowMapping]:
    """The job's rows in file order (after spreadsheet row ``after``), with the IR's registration number and
    the columns a scope reads (village, status, consent) when one was registered or found."""
    query = (
        select(import_job_rows, home_industries.c.registration_number, home_industries.c.village_code,
               home_industries.c.regency_code, home_industries.c.status, home_industries.c.consent_to_share)
        .select_from(import_job_rows.outerjoin(home_industries, home_industries.c.id == import_job_rows.c.home_industry_id))
        .where(import_job_rows.c.job_id == job_id, import_job_rows.c.row_number > after)
        .order_by(import_job_rows.c.row_number)
    )
    if outcomes is not None:
        query = query.where(import_job_rows.c.outcome.in_(list(outcomes)))
    if limit is not None:
        query = query.limit(limit)
    return list((await connection.execute(query)).mappings())


async def outcome_counts(connection: AsyncConnection, job_id: uuid.UUID) -> dict[str, int]:
    result = await connection.execute(
        select(import_job_rows.c.outcome, func.count()).where(import_job_rows.c.job_id == job_id)
        .group_by(import_job_rows.c.outcome)
    )
    return {outcome: count for outcome, count in result}


async def imported_by_keys(connection: AsyncConnection, keys: Iterable[bytes]) -> dict[bytes, int]:
    """Which of these row identities an import already registered: key → IR id."""
    wanted = list(set(keys))
    if not wanted:
        return {}
    result = await connection.execute(
        select(imported_rows.c.row_key, imported_rows.c.home_industry_id).where(imported_rows.c.row_key.in_(wanted))
    )
    return {key: pk for key, pk in result}


async def record_imported(connection: AsyncConnection, rows: Sequence[dict[str, Any]]) -> None:
    """Remember the rows an import registered (row key, IR, job, row number)."""
    if rows:
        await connection.execute(insert(imported_rows).on_conflict_do_nothing(index_elements=["row_key"]), list(rows))
