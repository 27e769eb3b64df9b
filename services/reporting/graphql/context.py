"""What a reporting resolver can reach: the engines, the caller's identity, the request's loaders."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncEngine
from strawberry.types import Info

from services.reporting.graphql.loaders import Loaders
from siir.auth.identity import Identity


@dataclass
class ReportingContext:
    #: The reporting schema's database.
    engine: AsyncEngine
    #: The database whose ``registry.outbox`` feeds reporting (for the lag).
    source_engine: AsyncEngine
    #: The verified caller (siir.auth.middleware.RequireIdentity); every entry point scopes by it.
    identity: Identity | None = None
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        self.loaders = Loaders(self.engine)


ReportingInfo = Info[ReportingContext, None]
