"""What a registry resolver can reach: the engine, the request's loaders, the rule in force."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncEngine
from strawberry.types import Info

from services.registry.domain.classification import RuleSet
from services.registry.domain.graduation import GraduationThresholds
from services.registry.graphql.loaders import Loaders

JAKARTA = ZoneInfo("Asia/Jakarta")


@dataclass
class RegistryContext:
    engine: AsyncEngine
    rule_set: RuleSet
    graduation_thresholds: GraduationThresholds
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        self.loaders = Loaders(self.engine, self.today())

    def today(self) -> dt.date:
        """Dates in the programme are Indonesian (WIB) dates."""
        return dt.datetime.now(JAKARTA).date()


RegistryInfo = Info[RegistryContext, None]
