"""Reporting's answers of repeated queries, served again while the projection has not moved on (issue 16;
the mechanism, its key and its single flight: ``siir/answer_cache.py``).

Why: a dashboard's national ``classDistribution`` is the same answer for every ministry caller until the
consumer applies the next batch, yet graphql-core and strawberry walked its 38 provinces' figures for each
of them: over half of reporting's CPU per request. ``ReportCache`` keeps the reports themselves; this keeps
the whole answer of the operation.

When it is served again: while the consumer's cursor (``report_cache.generation``, one primary-key read)
is where it was before the answer was computed. Every batch moves the cursor in the transaction that
changes the projection, its rollups and facilitators' assignments, so an answer computed after reading
a cursor reflects at least that cursor, and one served while the cursor stays there is still the answer.
Each root in ``CACHED_ROOTS`` answers from those tables only (and the region list, which is fixed while
the service runs, as ``ReportCache`` assumes); the sign-off, targets and the lag are answered afresh.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from prometheus_client import Counter

from services.reporting.domain.periods import today_in_jakarta
from services.reporting.report_cache import Generation, generation
from siir import answer_cache
from siir.answer_cache import Entry

#: Query fields whose answers depend on the projection only. Not here: ``reportingStatus`` (the feed's lag),
#: ``signOffStatus``/``signOff`` and ``programmeIndicators`` (sign-offs and targets are written by mutations,
#: not by the consumer), ``reassessmentRound`` and ``_service``. ``_entities`` resolves ``Region`` and
#: ``HomeIndustry``, whose fields here are projection figures; a field added to them that reads anything
#: else takes ``_entities`` out of this list.
CACHED_ROOTS = frozenset({
    "classDistribution", "classTransitions", "needsAnalysis", "annualReport", "smallBusinessCandidates", "_entities",
})

OUTCOMES = Counter("siir_reporting_answer_cache", "Query operations by what reporting's answer cache did: hit (served "
                   "a kept answer), miss (computed and kept it), stale (the projection had moved on, recomputed), "
                   "bypass (not cacheable: a root outside CACHED_ROOTS, a mutation, an error).", ["outcome"])


class ServeCachedAnswers(answer_cache.ServeCachedAnswers):
    """Keeps answers with the projection's position read before computing them; serves one while it stays."""

    roots = CACHED_ROOTS
    outcomes = OUTCOMES

    def today(self) -> dt.date:
        return today_in_jakarta()

    async def _position(self) -> Generation:
        async with self.execution_context.context.engine.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            return await generation(connection)

    async def before(self) -> Generation:
        return await self._position()

    async def token(self, before: Any) -> Generation:
        return before  # type: ignore[no-any-return]

    async def still_the_answer(self, entry: Entry) -> bool:
        return await self._position() == entry.token
