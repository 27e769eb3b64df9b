"""Region, extended with its home-industry statistics (the registry owns the region itself)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry

from services.reporting.domain import access
from services.reporting.domain import disclosure
from services.reporting.domain.periods import check_report_day, today_in_jakarta
from services.reporting.domain.reports import statistics
from services.reporting.graphql.context import ReportingInfo
from services.reporting.graphql.figures import IrStatistics
from siir.errors import NotFound


@strawberry.federation.type(keys=["code"], description="A Kemendagri region, with reporting's figures for it.")
class Region:
    code: strawberry.ID = strawberry.field(
        description="Kemendagri code, dotted: `33`, `33.74`, `33.74.01`, `33.74.01.1001`."
    )

    @classmethod
    def resolve_reference(cls, info: ReportingInfo, code: strawberry.ID) -> "Region":
        return cls(code=code)

    @strawberry.federation.field(
        description="Home-industry figures of everything inside this region at the end of `asOf` (Asia/Jakarta; "
        "default today): by class, by owner's sex, KRTP, workers, candidates. FORBIDDEN outside your scope. "
        "Partners get the last completed month's end on or before `asOf`, perturbed counts (never 1–4) and no villages.",
    )
    async def ir_statistics(
        self,
        info: ReportingInfo,
        as_of: Annotated[dt.date | None, strawberry.argument(
            description="The date; default today (Asia/Jakarta)."
        )] = None,
    ) -> IrStatistics:
        check_report_day("asOf", as_of, today_in_jakarta())
        access.authorize_region(info.context.identity, str(self.code), await info.context.assignment())
        protect = access.suppresses_small_counts(info.context.identity)
        if protect:  # partners: month ends of completed months, down to sub-districts (disclosure.py)
            disclosure.check_partner_region(str(self.code).count(".") + 1 if self.code else 0, field=None)
            day = disclosure.partner_as_of(as_of, today_in_jakarta())
        else:
            day = as_of or today_in_jakarta()
        lines = await info.context.loaders.stock.load((str(self.code), day))
        if lines is None:
            raise NotFound(f"{self.code} is not a Kemendagri region code")
        return IrStatistics.of(day, statistics(lines, protect))
