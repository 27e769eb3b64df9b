"""The registry process's import worker: takes waiting jobs from ``registry.import_jobs`` and runs them.

Every registry process runs one (started by the app's lifespan); a job is taken with
``FOR UPDATE SKIP LOCKED`` and a lease renewed with each chunk, so replicas share the work and a job
whose process died is taken over when its lease runs out. An upload or a commit request wakes the
worker of its own process at once; others find the job within ``POLL_SECONDS``. Uploaded files are
cleared once their job has been finished for ``FILE_RETENTION`` (they hold the owners' personal data).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from services.registry.data import imports as import_data
from services.registry.imports import jobs
from siir.errors import DomainError
from siir.outages import is_outage

log = logging.getLogger("siir.registry.imports")

POLL_SECONDS = 2.0
#: How long an uploaded file is kept after its job finished (or was validated and never committed).
FILE_RETENTION = dt.timedelta(days=7)


class ImportWorker:
    """Runs import jobs one at a time in this process."""

    def __init__(self, engine: AsyncEngine, rule_set: Any, thresholds: Any) -> None:
        self.engine, self.rule_set, self.thresholds = engine, rule_set, thresholds
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """A job is waiting (an upload or a commit request in this process)."""
        self._wake.set()

    async def run(self) -> None:
        """Until cancelled: take a job, run it, look again; sleep when none waits."""
        while True:
            try:
                ran = await self.run_one()
            except asyncio.CancelledError:
                raise
            except Exception as error:  # an outage: the job's lease runs out and it is taken again
                log.warning("import worker: %s", "database unavailable" if is_outage(error) else type(error).__name__,
                            exc_info=not is_outage(error))
                ran = False
            if not ran:
                self._wake.clear()
                try:
                    await asyncio.wait_for(self._wake.wait(), POLL_SECONDS)
                except TimeoutError:
                    pass

    async def run_one(self) -> bool:
        """Run the oldest waiting job, if any; False when none waits."""
        async with self.engine.begin() as connection:
            job = await import_data.claim_job(connection, jobs.LEASE)
            await import_data.forget_files(connection, dt.datetime.now(dt.timezone.utc) - FILE_RETENTION)
        if job is None:
            return False
        context = jobs.context_of(job, self.engine, self.rule_set, self.thresholds)
        try:
            if job["status"] == "VALIDATING":
                await jobs.validate(self.engine, job, context)
            else:
                await jobs.commit(self.engine, job, context)
        except DomainError as error:  # the file, or the caller's right to import, no longer holds
            async with self.engine.begin() as connection:
                await import_data.update_job(connection, job["id"], status="FAILED", failure=error.message,
                                             finished_at=dt.datetime.now(dt.timezone.utc), lease_until=None)
        except Exception as error:
            if is_outage(error):
                raise
            log.exception("import job %s failed", job["id"])
            async with self.engine.begin() as connection:
                await import_data.update_job(
                    connection, job["id"], status="FAILED", finished_at=dt.datetime.now(dt.timezone.utc),
                    lease_until=None, failure="the job stopped on an internal error; the rows committed so far stay "
                    "registered, and uploading the file again imports the rest",
                )
        return True
