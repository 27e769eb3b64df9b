"""The registry process's import worker: takes waiting jobs from ``registry.import_jobs`` and runs them.

Every registry process runs one (started by the app's lifespan); a job is taken with
``FOR UPDATE SKIP LOCKED`` and a lease renewed with each chunk, so replicas share the work and a job
whose process died is taken over when its lease runs out (looked for every ``POLL_SECONDS``). The
worker watches on a PostgreSQL connection of its own: an upload or a commit request ``NOTIFY``s every
worker when its transaction commits, and an idle worker sends nothing through the engine that serves
requests. Uploaded files are cleared once their job has been finished for ``FILE_RETENTION`` (they
hold the owners' personal data).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from typing import Any

import asyncpg
from sqlalchemy.ext.asyncio import AsyncEngine

from services.registry.data import imports as import_data
from services.registry.imports import jobs, metrics
from siir.database import asyncpg_dsn
from siir.errors import DomainError
from siir.outages import is_outage

log = logging.getLogger("siir.registry.imports")

#: How often an idle worker looks for a job whose lease ran out (new jobs wake it at once).
POLL_SECONDS = 10.0
#: How long an uploaded file is kept after its job finished (or was validated and never committed).
FILE_RETENTION = dt.timedelta(days=7)


class ImportWorker:
    """Runs import jobs one at a time in this process."""

    def __init__(self, engine: AsyncEngine, rule_set: Any, thresholds: Any) -> None:
        self.engine, self.rule_set, self.thresholds = engine, rule_set, thresholds
        self._wake = asyncio.Event()
        self._watch: asyncpg.Connection | None = None

    async def run(self) -> None:
        """Until cancelled: take a job, run it, look again; wait for a NOTIFY (or the poll) when none waits."""
        try:
            while True:
                try:
                    ran = await self.run_one()
                except asyncio.CancelledError:
                    raise
                except Exception as error:  # an outage: the job's lease runs out and it is taken again
                    log.warning("import worker: %s", "database unavailable" if is_outage(error) else type(error).__name__,
                                exc_info=not is_outage(error))
                    await self._close_watch()
                    ran = False
                if not ran:
                    try:
                        await asyncio.wait_for(self._wake.wait(), POLL_SECONDS)
                    except TimeoutError:
                        pass
                    self._wake.clear()
        finally:
            await self._close_watch()

    async def run_one(self) -> bool:
        """Run the oldest waiting job, if any; False when none waits."""
        watch = await self._watching()
        async with watch.transaction():
            job = await import_data.claim_job(watch, jobs.LEASE)
            await import_data.forget_files(watch, dt.datetime.now(dt.timezone.utc) - FILE_RETENTION)
        if job is None:
            return False
        context = jobs.context_of(job, self.engine, self.rule_set, self.thresholds)
        stage = "validate" if job["status"] == "VALIDATING" else "commit"
        started = time.perf_counter()
        try:
            if stage == "validate":
                await jobs.validate(self.engine, job, context)
            else:
                await jobs.commit(self.engine, job, context)
            metrics.stage_ran(stage, "done", time.perf_counter() - started)
        except DomainError as error:  # the file, or the caller's right to import, no longer holds
            metrics.stage_ran(stage, "failed", time.perf_counter() - started)
            async with self.engine.begin() as connection:
                await import_data.update_job(connection, job["id"], status="FAILED", failure=error.message,
                                             finished_at=dt.datetime.now(dt.timezone.utc), lease_until=None)
        except Exception as error:
            if is_outage(error):
                metrics.stage_ran(stage, "interrupted", time.perf_counter() - started)
                raise
            metrics.stage_ran(stage, "failed", time.perf_counter() - started)
            log.exception("import job %s failed", job["id"])
            async with self.engine.begin() as connection:
                await import_data.update_job(
                    connection, job["id"], status="FAILED", finished_at=dt.datetime.now(dt.timezone.utc),
                    lease_until=None, failure="the job stopped on an internal error; the rows committed so far stay "
                    "registered, and uploading the file again imports the rest",
                )
        return True

    async def _watching(self) -> asyncpg.Connection:
        """The worker's own connection, listening for new jobs (opened again after an outage)."""
        if self._watch is None or self._watch.is_closed():
            url = self.engine.url.render_as_string(hide_password=False)
            self._watch = await asyncpg.connect(**asyncpg_dsn(url))
            await self._watch.add_listener(import_data.CHANNEL, lambda *_: self._wake.set())
        return self._watch

    async def _close_watch(self) -> None:
        watch, self._watch = self._watch, None
        if watch is not None and not watch.is_closed():
            await watch.close()
