"""The import worker as operators rely on it (issue 14): a job whose process died mid-commit is taken over
when its lease runs out and finishes without registering any row twice; two workers never take the same
job; an uploaded file is cleared once its job has been finished for the retention period."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import asyncpg
import pytest
from sqlalchemy import text

from services.registry.data import imports as import_data
from services.registry.data.rule_sets import load_graduation_thresholds, load_rule_set
from services.registry.imports import jobs
from services.registry.imports import metrics as import_metrics
from services.registry.imports.worker import FILE_RETENTION, ImportWorker
from siir.database import asyncpg_dsn, create_engine
from tests.conftest import prepared_database
from tests.gateway.test_imports_e2e import csv_file, row


@pytest.fixture(scope="module")
def own_database(admin_url: str) -> Iterator[str]:
    """A database of this module's own: no registry server's worker there takes these tests' jobs."""
    with prepared_database(admin_url, "siir_import_jobs") as url:
        yield url


@pytest.fixture
async def worker(own_database: str) -> AsyncIterator[ImportWorker]:
    engine = create_engine(own_database, pool_size=4)
    async with engine.connect() as connection:
        rule_set = await load_rule_set(connection, "PERMEN_PPPA_2_2016")
        thresholds = await load_graduation_thresholds(connection, "UU_20_2008")
    yield ImportWorker(engine, rule_set, thresholds)
    await engine.dispose()


async def upload(worker: ImportWorker, content: bytes) -> uuid.UUID:
    """A job as ``POST /imports`` makes it, for Kota Semarang's office."""
    job_id = uuid.uuid4()
    async with worker.engine.begin() as connection:
        await import_data.create_job(connection, {
            "id": job_id, "subject": "test-import-worker", "role": "DISTRICT_OFFICER", "region_code": "33.74",
            "file_name": "survei.csv", "file_format": "csv", "file_sha256": hashlib.sha256(content).hexdigest(),
            "file": content, "status": "VALIDATING", "total": 0})
    return job_id


async def job(worker: ImportWorker, job_id: uuid.UUID) -> Any:
    async with worker.engine.connect() as connection:
        return await import_data.job(connection, job_id)


async def registered_names(worker: ImportWorker, names: list[str]) -> list[str]:
    async with worker.engine.connect() as connection:
        result = await connection.execute(text(
            "SELECT business_name FROM registry.home_industries WHERE business_name = ANY(:names) ORDER BY 1"),
            {"names": names})
        return list(result.scalars())


class ProcessDied(ConnectionError):
    """What the worker sees when its database connection goes: an outage, the job left to its lease."""


async def test_a_job_interrupted_mid_commit_resumes_after_its_lease_and_registers_each_row_once(
    worker: ImportWorker, monkeypatch: pytest.MonkeyPatch,
) -> None:
    registered_before = _sample(import_metrics.ROWS, stage="commit", outcome="REGISTERED")
    interrupted_before = _sample(import_metrics.STAGE_SECONDS, "_count", stage="commit", result="interrupted")
    names = [f"Usaha Lanjutan {uuid.uuid4().hex[:8]} {n}" for n in range(5)]
    job_id = await upload(worker, csv_file([row(business_name=name) for name in names]))
    while (await job(worker, job_id))["status"] == "VALIDATING":
        assert await worker.run_one()
    assert (await job(worker, job_id))["valid_rows"] == 5
    async with worker.engine.begin() as connection:
        await import_data.request_commit(connection, job_id)

    # Two rows per transaction, and the process "dies" after the first transaction committed.
    monkeypatch.setattr(jobs, "CHUNK", 2)
    real_chunk, calls = jobs._commit_chunk, []

    async def dying(*args: Any) -> None:
        calls.append(1)
        if len(calls) == 2:
            raise ProcessDied("connection lost")
        await real_chunk(*args)

    monkeypatch.setattr(jobs, "_commit_chunk", dying)
    with pytest.raises(ProcessDied):
        await worker.run_one()
    interrupted = await job(worker, job_id)
    assert (interrupted["status"], interrupted["processed"], interrupted["registered_rows"]) == ("COMMITTING", 2, 2)
    assert len(await registered_names(worker, names)) == 2
    # Its lease still runs: no other worker takes it.
    assert not await worker.run_one()

    async with worker.engine.begin() as connection:
        await connection.execute(text("UPDATE registry.import_jobs SET lease_until = now() - interval '1 second' "
                                      "WHERE id = :id"), {"id": job_id})
    assert await worker.run_one()
    done = await job(worker, job_id)
    assert (done["status"], done["registered_rows"], done["error_rows"]) == ("COMMITTED", 5, 0)
    assert await registered_names(worker, names) == sorted(names)  # each once
    # What an operator sees: the interruption, and each row registered counted once.
    assert _sample(import_metrics.STAGE_SECONDS, "_count", stage="commit", result="interrupted") == interrupted_before + 1
    assert _sample(import_metrics.ROWS, stage="commit", outcome="REGISTERED") == registered_before + 5


def _sample(metric: Any, suffix: str = "_total", **labels: str) -> float:
    return next((s.value for m in metric.collect() for s in m.samples
                 if s.name.endswith(suffix) and all(s.labels.get(k) == v for k, v in labels.items())), 0.0)


async def test_two_workers_never_take_the_same_job(worker: ImportWorker, own_database: str) -> None:
    job_id = await upload(worker, csv_file([row()]))
    first = await asyncpg.connect(**asyncpg_dsn(own_database))
    second = await asyncpg.connect(**asyncpg_dsn(own_database))
    try:
        async with first.transaction(), second.transaction():
            taken = await import_data.claim_job(first, jobs.LEASE)
            other = await import_data.claim_job(second, jobs.LEASE)  # while the first still holds its row lock
    finally:
        await first.close()
        await second.close()
    assert taken is not None and taken["id"] == job_id
    assert other is None or other["id"] != job_id


async def test_an_uploaded_file_is_cleared_after_the_retention_period(worker: ImportWorker) -> None:
    job_id = await upload(worker, csv_file([row()]))
    while (await job(worker, job_id))["status"] == "VALIDATING":
        await worker.run_one()
    async with worker.engine.begin() as connection:
        assert await import_data.job_file(connection, job_id) is not None
        await connection.execute(text("UPDATE registry.import_jobs SET validated_at = :at WHERE id = :id"),
                                 {"at": dt.datetime.now(dt.timezone.utc) - FILE_RETENTION - dt.timedelta(hours=1),
                                  "id": job_id})
    assert not await worker.run_one()  # no job waits; the look clears old files
    async with worker.engine.begin() as connection:
        assert await import_data.job_file(connection, job_id) is None
        assert await import_data.request_commit(connection, job_id) is not None
    assert await worker.run_one()
    failed = await job(worker, job_id)
    assert failed["status"] == "FAILED" and "upload it again" in failed["failure"]


def test_only_a_role_given_every_personal_field_in_full_may_import(monkeypatch: pytest.MonkeyPatch) -> None:
    """The marked report shows the uploaded NIK, phone and address as sent: a policy that masked one of them
    for an importing role stops the registry at start-up instead of leaking them through the file."""
    from services.registry.imports import routes
    from siir.policy import Disclosure, PolicyError

    routes._uploads_shown_whole()  # today's policy: DISTRICT_OFFICER has them in full
    real = routes.POLICY.decision

    def masked_nik(coordinate: str, role: Any) -> Any:
        return Disclosure.MASKED if coordinate == "Owner.nik" else real(coordinate, role)

    monkeypatch.setattr(routes.POLICY, "decision", masked_nik)
    with pytest.raises(PolicyError, match="Owner.nik"):
        routes._uploads_shown_whole()
