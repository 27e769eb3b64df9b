"""Region, extended with its home-industry statistics (the registry owns the region itself)."""

from __future__ import annotations

import datetime as dt

import strawberry

from services.reporting.domain import access
from services.reporting.domain.disclosure import NOTHING, with_children, withheld_stock
from services.reporting.domain.periods import today_in_jakarta
from services.reporting.domain.reports import ACTIVE_NAMES, statistics
from services.reporting.graphql.context import ReportingInfo
from services.reporting.graphql.figures import IrStatistics
from siir.errors import NotFound


@strawberry.federation.type(keys=["code"], description="A Kemendagri region, with reporting's figures for it.")
class Region:
    code: strawberry.ID

    @classmethod
    def resolve_reference(cls, info: ReportingInfo, code: strawberry.ID) -> "Region":
        return cls(code=code)

    @strawberry.federation.field(
        description="Home-industry figures of everything inside this region at the end of `asOf` (Asia/Jakarta; "
        "default today): by class, by owner's sex, KRTP, workers, candidates. FORBIDDEN outside your scope.",
        authenticated=True,
    )
    async def ir_statistics(self, info: ReportingInfo, as_of: dt.date | None = None) -> IrStatistics:
        access.authorize_region(info.context.identity, str(self.code), await info.context.assignment())
        day = as_of or today_in_jakarta()
        lines = await info.context.loaders.stock.load((str(self.code), day))
        if lines is None:
            raise NotFound(f"{self.code} is not a Kemendagri region code")
        withheld = NOTHING
        if access.suppresses_small_counts(info.context.identity):
            # A partner's figures of a region hold back what any child region holds back, so a region and
            # its children joined in one answer (Region.children through the gateway) never subtract to a
            # withheld child (disclosure.py).
            kids = await info.context.loaders.children.load(str(self.code))
            kid_lines = await info.context.loaders.stock.load_many([(kid, day) for kid in kids])
            withheld = with_children(withheld_stock(lines, ACTIVE_NAMES),
                                     [withheld_stock(k or [], ACTIVE_NAMES) for k in kid_lines])
        return IrStatistics.of(day, statistics(lines, withheld))
