"""An import job's two stages, in the scope of the caller who uploaded the file.

**Validate** (the dry run): every data row is read into a ``RegisterHomeIndustryInput`` (``rows.py``),
checked by the very function ``registerHomeIndustry`` uses (``graphql/mutation.registration_of``: field
rules, the caller's scope), then all the rows together by the registrar's set-based check
(``registrar.register_many(write=False)``: villages, the owner's other IR in the registry *and earlier
in the file*, dates, facilitators), which writes nothing. A row whose identity (owner's NIK and
business name) an import already registered is ALREADY_IMPORTED. Each row's outcome is stored.

**Commit**: the VALID rows, a chunk at a time, each chunk one unit of work: the registrations (each
with its first assessment, audit row and outbox events, exactly as the mutation writes them), the
rows' identities and outcomes and the job's progress commit together, so a job resumed after its
process died carries on from the last committed chunk and never registers a row twice. Rules that
changed since the dry run (another office registered the owner meanwhile) make a row INVALID then.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import hashlib
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from services.registry import registrar
from services.registry.data import imports as import_data
from services.registry.data.audit import Actor, Denial, Record
from services.registry.graphql import mutation
from services.registry.graphql.context import RegistryContext
from services.registry.imports import files, metrics, problems, rows as survey_rows
from services.registry.unit_of_work import UnitOfWork
from siir.auth.identity import Identity, Role
from siir.errors import DomainError, Forbidden

#: Rows per unit of work when committing, and per progress update.
CHUNK = 500

VALID, INVALID, ALREADY_IMPORTED, REGISTERED = "VALID", "INVALID", "ALREADY_IMPORTED", "REGISTERED"


def row_key(nik: str, business_name: str) -> bytes:
    """A row's identity: the owner's NIK and the business name (case and spacing ignored), hashed, so the
    table of imported rows holds no NIK in clear."""
    name = " ".join(business_name.casefold().split())
    return hashlib.sha256(f"{nik.strip()}\x1f{name}".encode()).digest()


def problem(number: int, error: DomainError) -> dict[str, Any]:
    """A refusal of the shared validation, as a report entry on the column its field came from."""
    return dataclasses.asdict(problems.problem_of(number, error))


@dataclass
class CheckedRow:
    """One data row after the field checks: its registration (None when refused) and problems."""

    number: int
    registration: registrar.Registration | None = None
    key: bytes | None = None
    problems: list[dict[str, Any]] = field(default_factory=list)


def _outcome(row: CheckedRow, imported: dict[bytes, int], registered: dict[int, int] | None = None) -> dict[str, Any]:
    """A row's stored outcome: REGISTERED by this commit's chunk (``registered``: row number → IR), or
    ALREADY_IMPORTED by an earlier import, else INVALID, or VALID in the dry run (no ``registered``)."""
    if registered is not None and row.number in registered:
        outcome, home_industry_id = REGISTERED, registered[row.number]
    elif row.key is not None and row.key in imported and not row.problems:
        outcome, home_industry_id = ALREADY_IMPORTED, imported[row.key]
    else:
        outcome, home_industry_id = INVALID if row.problems or registered is not None else VALID, None
    return {"row_number": row.number, "outcome": outcome, "problems": row.problems if home_industry_id is None else [],
            "row_key": row.key, "home_industry_id": home_industry_id}


def belongs_to(job: Any, identity: Identity) -> bool:
    """Whether ``identity`` uploaded ``job``: a job is its uploader's alone (same subject, role and region)."""
    return (job["subject"], job["role"], job["region_code"]) == (identity.subject, str(identity.role), identity.region)


def context_of(job: Any, engine: AsyncEngine, rule_set: Any, thresholds: Any) -> RegistryContext:
    """The uploader's context: the job runs with their role, region and scope, audited as ``import <id>``."""
    identity = Identity(subject=job["subject"], role=Role(job["role"]), region=job["region_code"], partner=None,
                        expires_at=0, token="")
    context = RegistryContext(engine=engine, rule_set=rule_set, graduation_thresholds=thresholds, identity=identity)
    context.operation = f"import {job['id']}"
    return context


async def check_rows(context: RegistryContext, survey: Any, numbers: set[int] | None = None,
                     progress: Callable[[int], Awaitable[None]] | None = None) -> list[CheckedRow]:
    """Each data row (or those numbered ``numbers``) through the mutation's own field and scope checks."""
    checked: list[CheckedRow] = []
    for index, row in enumerate(survey.rows, start=1):
        if numbers is not None and row.number not in numbers:
            continue
        input, found = survey_rows.read_row(row)
        result = CheckedRow(row.number, problems=[dataclasses.asdict(p) for p in found])
        if input is not None and not found:
            try:
                result.registration = await mutation.registration_of(context, input)
                result.key = row_key(result.registration.values["owner_nik"], result.registration.values["business_name"])
            except DomainError as error:
                result.problems.append(problem(row.number, error))
                if isinstance(error, Forbidden):  # in the audit trail like every FORBIDDEN (graphql/read_audit.py)
                    context.reads.deny(Denial(
                        path=f"import.row[{row.number}].{error.extensions.get('field') or 'input'}"[:1000],
                        reason=error.message[:1000], record=error.record if isinstance(error.record, Record) else None,
                        region_code=error.region))
        checked.append(result)
        if progress is not None and index % CHUNK == 0:
            await progress(index)
    return checked


async def validate(engine: AsyncEngine, job: Any, context: RegistryContext) -> None:
    """The dry run: every row's outcome stored, the job VALIDATED; nothing registered."""
    content = await _file(engine, job)
    survey = await asyncio.to_thread(files.read_survey, content, job["file_name"])

    async def progress(done: int) -> None:
        async with engine.begin() as connection:
            await import_data.update_job(connection, job["id"], processed=done, lease_until=_lease())

    checked = await check_rows(context, survey, progress=progress)
    await context.reads.flush(engine, context.actor())
    async with engine.connect() as connection:
        imported = await import_data.imported_by_keys(connection, [c.key for c in checked if c.key is not None])
    candidates = [c for c in checked if c.registration is not None and c.key not in imported]
    if candidates:
        verdicts = await registrar.register_many(
            engine, [c.registration for c in candidates], context.rule_set, context.graduation_thresholds,
            context.today(), context.actor(), scope=await context.record_scope(), write=False,
        )
        for candidate, verdict in zip(candidates, verdicts):
            if isinstance(verdict, DomainError):
                candidate.problems.append(problem(candidate.number, verdict))
    outcomes = [_outcome(row, imported) for row in checked]
    counts = Counter(outcome["outcome"] for outcome in outcomes)
    metrics.rows_decided("validate", counts)
    async with engine.begin() as connection:
        for start in range(0, len(outcomes), 5_000):
            await import_data.record_rows(connection, job["id"], outcomes[start:start + 5_000])
        await import_data.update_job(
            connection, job["id"], status="VALIDATED", total=len(outcomes), processed=len(outcomes),
            valid_rows=counts[VALID], error_rows=counts[INVALID], already_imported_rows=counts[ALREADY_IMPORTED],
            validated_at=dt.datetime.now(dt.timezone.utc), lease_until=None,
        )


async def commit(engine: AsyncEngine, job: Any, context: RegistryContext) -> None:
    """Register the VALID rows, a chunk per transaction; the job COMMITTED at the end."""
    content = await _file(engine, job)
    survey = await asyncio.to_thread(files.read_survey, content, job["file_name"])
    async with engine.connect() as connection:
        waiting = [row["row_number"] for row in await import_data.rows_of(connection, job["id"], outcomes=[VALID])]
    scope = await context.record_scope()
    for start in range(0, len(waiting), CHUNK):
        checked = await check_rows(context, survey, set(waiting[start:start + CHUNK]))
        await _commit_chunk(engine, job["id"], context, scope, checked)
        await context.reads.flush(engine, context.actor())  # rows refused FORBIDDEN since the dry run
    async with engine.begin() as connection:
        counts = await import_data.outcome_counts(connection, job["id"])
        await import_data.update_job(
            connection, job["id"], status="COMMITTED", finished_at=dt.datetime.now(dt.timezone.utc), lease_until=None,
            valid_rows=counts.get(VALID, 0), error_rows=counts.get(INVALID, 0),
            already_imported_rows=counts.get(ALREADY_IMPORTED, 0), registered_rows=counts.get(REGISTERED, 0),
        )


async def _commit_chunk(engine: AsyncEngine, job_id: Any, context: RegistryContext, scope: Any,
                        checked: Sequence[CheckedRow]) -> None:
    actor: Actor = context.actor()
    async with UnitOfWork.begin(engine, actor) as work:
        imported = await import_data.imported_by_keys(work.connection, [c.key for c in checked if c.key is not None])
        candidates = [c for c in checked if c.registration is not None and c.key not in imported]
        verdicts = await registrar.register_many(
            work, [c.registration for c in candidates], context.rule_set, context.graduation_thresholds,
            context.today(), actor, scope=scope, write=True,
        ) if candidates else []
        registered: dict[int, Any] = {}
        for candidate, verdict in zip(candidates, verdicts):
            if isinstance(verdict, DomainError):
                candidate.problems.append(problem(candidate.number, verdict))
            else:
                registered[candidate.number] = verdict["id"]
        outcomes = [_outcome(row, imported, registered) for row in checked]
        await import_data.record_imported(work.connection, [
            {"row_key": row["row_key"], "home_industry_id": row["home_industry_id"], "job_id": job_id,
             "row_number": row["row_number"]} for row in outcomes if row["outcome"] == REGISTERED
        ])
        await import_data.record_rows(work.connection, job_id, outcomes)
        decided = Counter(row["outcome"] for row in outcomes)
        current = await import_data.job(work.connection, job_id)
        assert current is not None
        await import_data.update_job(
            work.connection, job_id, processed=current["processed"] + len(checked),
            registered_rows=current["registered_rows"] + len(registered), lease_until=_lease(),
        )
    metrics.rows_decided("commit", decided)  # once the chunk's transaction committed


async def _file(engine: AsyncEngine, job: Any) -> bytes:
    async with engine.connect() as connection:
        content = await import_data.job_file(connection, job["id"])
    if content is None:
        raise files.FileRefused("the uploaded file is no longer kept: upload it again",
                                "Berkas yang diunggah sudah tidak disimpan: unggah ulang berkasnya.")
    return content


#: How long a worker holds a job without news; renewed with every chunk.
LEASE = dt.timedelta(seconds=120)


def _lease() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc) + LEASE
