"""What a reporting resolver can reach: the engines, the caller's identity, the request's loaders."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncEngine
from strawberry.types import Info

from services.reporting import reports
from services.reporting.domain.access import Assignment
from services.reporting.graphql.loaders import Loaders
from services.reporting.report_cache import ReportCache
from siir.answer_cache import AnswerCache
from siir.auth.identity import Identity


@dataclass
class ReportingContext:
    #: The reporting schema's database.
    engine: AsyncEngine
    #: The database whose ``registry.outbox`` feeds reporting (for the lag).
    source_engine: AsyncEngine
    #: The verified caller (siir.auth.middleware.RequireIdentity); every entry point scopes by it.
    identity: Identity | None = None
    #: The process's report answers, kept until the projection moves on (report_cache.py).
    report_cache: ReportCache = field(default_factory=ReportCache)
    #: The process's whole answers (``graphql/answer_cache.py``); None answers every operation afresh.
    answer_cache: AnswerCache | None = None
    loaders: Loaders = field(init=False)
    _assignment: "asyncio.Future[Assignment | None] | None" = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.loaders = Loaders(self.engine, self.report_cache)

    async def assignment(self) -> Assignment | None:
        """A FACILITATOR's current assignment (None for other roles), looked up once per request: every
        resolver awaits the same task, so a page of ``_entities`` costs one statement for it."""
        if self._assignment is None:
            self._assignment = asyncio.ensure_future(self._load_assignment())
        return await asyncio.shield(self._assignment)

    async def _load_assignment(self) -> Assignment | None:
        async with self.engine.connect() as connection:
            return await reports.assignment_for(connection, self.identity)


ReportingInfo = Info[ReportingContext, None]
