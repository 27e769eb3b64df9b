"""The registry's answers of repeated portal queries, served again until a write that could change them
commits (issue 16; the mechanism, its key and its single flight: ``siir/answer_cache.py``).

Why: a regency office's page of 50 IR costs about 25 ms of the registry's CPU (graphql-core and
strawberry walking 750 fields, SQL, rows), and the same page is asked again and again while nothing in
the regency changes. Served from here it costs one SQL statement and the audit rows.

What is kept: the answer of a query operation whose root fields are all in ``CACHED_ROOTS``, that
read from the database and had no error.

When it is served again: only if no write that could change it committed after the snapshot it was
computed on (``data/data_changes.py``, one statement): a change in the caller's region, or a change
noted as '' (tables that reach across regencies). That the region is enough holds because every IR
reaches a caller through her record scope (``RegistryContext.record_scope``: the loaders and lists
filter by it) and the IR's own rows through the IR; the roots below answer nothing else from IR
data. An entry older than ``siir.answer_cache.MAX_AGE`` is dropped (what lets the change log be pruned).

Every serving is audit-logged as a read by the caller served (the personal fields the answer
discloses, kept with it), through ``AuditReads`` like any other answer.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from typing import Any

from prometheus_client import Counter
from sqlalchemy.ext.asyncio import AsyncEngine

from services.registry.data import data_changes
from siir import answer_cache
from siir.answer_cache import Entry
from siir.auth.identity import Identity, Role

logger = logging.getLogger("siir.registry.answer_cache")

#: Query fields whose answers may be kept: each reads IR only through the caller's record scope, and
#: otherwise reference rows whose changes are noted as ''. Not here (answered afresh): the audit trail
#: and import jobs (their tables are not in the change log), possible duplicates and pending transfers
#: (they show IR of other regencies), the map and worklists (not portal pages measured for it), and
#: federation's ``_entities``/``_service``. A field added to the schema is answered afresh until it is
#: added here on the same grounds.
CACHED_ROOTS = frozenset({
    "homeIndustries", "homeIndustry", "homeIndustryByRegistrationNumber", "intervention",
    "region", "regions", "facilitators", "facilitator",
})

#: Region-scoped roles: their answers depend on their region only. Others (MINISTRY, PARTNER) on the country.
_REGIONAL_ROLES = frozenset({Role.PROVINCE_OFFICER, Role.DISTRICT_OFFICER, Role.FACILITATOR})

OUTCOMES = Counter("siir_registry_answer_cache", "Query operations by what the answer cache did: hit (served a kept "
                   "answer), miss (computed and kept it), stale (a kept answer had changed, recomputed), bypass "
                   "(not cacheable: a root outside CACHED_ROOTS, a mutation, an error, no read).", ["outcome"])


def region_of(identity: Identity) -> str | None:
    """The region a caller's answers draw their IR data from (None: any)."""
    return identity.region if identity.role in _REGIONAL_ROLES else None


class AnswerCache(answer_cache.AnswerCache):
    """The registry's kept answers, and the pruning of the change log behind them."""

    async def prune_changes(self, engine: AsyncEngine) -> None:
        """Forever: every ``max_age``, forget the change-log rows every live entry's snapshot already saw.

        The horizon is the oldest running transaction as of ``max_age`` ago: every entry still served
        started after that, so its snapshot saw every transaction below it (and so does every replica's,
        whose entries age alike).
        """
        horizon: str | None = None
        while True:
            try:
                if horizon is not None:
                    await data_changes.prune(engine, horizon)
                horizon = await data_changes.oldest_running(engine)
            except Exception:  # an outage: try again next round
                logger.warning("could not prune the change log", exc_info=True)
            await asyncio.sleep(self.max_age)


class ServeCachedAnswers(answer_cache.ServeCachedAnswers):
    """Keeps answers with the snapshot they were computed on; serves one while no change of the caller's
    region has committed since, logging its reads again.

    Runs inside ``OneSnapshotPerQuery`` (the snapshot is still open when the answer is kept) and
    ``AuditReads`` (which logs what a served answer discloses, like any answer).
    """

    roots = CACHED_ROOTS
    outcomes = OUTCOMES

    def today(self) -> dt.date:
        return self.execution_context.context.today()

    async def token(self, before: Any) -> tuple[str, str | None] | None:
        """The snapshot the answer was read on (None: it read nothing) and the region its data lie in."""
        context = self.execution_context.context
        snapshot = await context.snapshot.seen()
        return None if snapshot is None else (snapshot, region_of(context.identity))

    async def still_the_answer(self, entry: Entry) -> bool:
        snapshot, region = entry.token
        return not await data_changes.changed_since(self.execution_context.context.engine, snapshot, region)

    def kept_with(self) -> dict[Any, dict[str, str]]:
        """The personal fields the answer discloses, per record (``ReadLog.fields``), logged again at each serving."""
        return {record: dict(fields) for record, fields in self.execution_context.context.reads.fields.items()}

    def served(self, entry: Entry) -> None:
        reads = self.execution_context.context.reads
        for record, fields in entry.extra.items():
            for name, disclosure in fields.items():
                reads.note(record, name, disclosure)
