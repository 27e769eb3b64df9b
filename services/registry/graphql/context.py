"""What a registry resolver can reach: the caller, the engine, the request's loaders, the rule in force."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncEngine
from strawberry.types import Info

from services.registry.data.audit import Actor, ReadLog
from services.registry.domain import access
from services.registry.domain.classification import RuleSet
from services.registry.domain.graduation import GraduationThresholds
from services.registry.graphql.loaders import Loaders
from siir.auth.identity import Identity

JAKARTA = ZoneInfo("Asia/Jakarta")


@dataclass
class RegistryContext:
    engine: AsyncEngine
    rule_set: RuleSet
    graduation_thresholds: GraduationThresholds
    identity: Identity
    #: "query ListHomeIndustries", set when execution starts (see ``audit.AuditReads``).
    operation: str = "query (anonymous)"
    loaders: Loaders = field(init=False)
    reads: ReadLog = field(init=False)

    def __post_init__(self) -> None:
        self.loaders = Loaders(self.engine, self.today(), self.record_scope)
        self.reads = ReadLog()

    def record_scope(self) -> access.RecordScope:
        """The IR this caller may read (FORBIDDEN for a role without record-level access)."""
        return access.record_scope(self.identity)

    def actor(self) -> Actor:
        return Actor.of(self.identity, self.operation)

    def today(self) -> dt.date:
        """Dates in the programme are Indonesian (WIB) dates."""
        return dt.datetime.now(JAKARTA).date()


RegistryInfo = Info[RegistryContext, None]
