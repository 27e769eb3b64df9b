"""Root query fields of reporting: every one names its region and goes through ``authorize_region``."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import strawberry

from services.reporting import reports
from services.reporting.report_cache import snapshot
from services.reporting.data import outbox_feed
from services.reporting.data import reports as report_data
from services.reporting.data.outbox_feed import Cursor
from services.reporting.domain import access
from services.reporting.domain.periods import today_in_jakarta
from services.reporting.graphql.context import ReportingInfo
from services.reporting.graphql.home_industry import HomeIndustry
from services.reporting.graphql.indicators import IndicatorQueries, RoundQueries
from services.reporting.graphql.region import Region
from services.reporting.graphql.report_types import (
    AnnualReport,
    ClassDistribution,
    ClassTransitions,
    NeedsAnalysis,
    ReportingStatus,
    SmallBusinessCandidate,
)
from siir.connections import Connection, page_of

#: ``@requiresScopes`` of the annual report (the gateway refuses PARTNER before planning).

RegionCode = Annotated[
    str | None,
    strawberry.argument(description="Kemendagri code of a province, regency/city, sub-district or village; omitted: the whole nation."),
]


def _candidate(row: Any) -> SmallBusinessCandidate:
    return SmallBusinessCandidate(
        home_industry=HomeIndustry(id=strawberry.ID(str(row["id"]))),
        registration_number=row["registration_number"], village=Region(code=strawberry.ID(row["village_code"])),
        business_category=row["business_category"], assessed_on=row["last_assessed_on"], score=row["score"],
    )


@strawberry.type(description="Reports on home industries (IR): class distribution, moves (naik kelas), hand-over "
                             "candidates, needs analysis and the annual report. Counts only, no personal data.")
class Query(IndicatorQueries, RoundQueries):
    @strawberry.federation.field(description="Numbers of IR per class in a region at the end of `asOf` (Asia/Jakarta; default "
                      "today) and, with `groupByChildren`, in each child region. Partners: the last completed month's end on or "
                      "before `asOf`, regions down to sub-districts, counts perturbed (docs/disclosure-control.md).")
    async def class_distribution(
        self, info: ReportingInfo,
        region_code: RegionCode = None,
        as_of: Annotated[dt.date | None, strawberry.argument(
            description="The date; default today (Asia/Jakarta)."
        )] = None,
        group_by_children: Annotated[bool, strawberry.argument(
            description="Also answer each child region's figures."
        )] = False,
    ) -> ClassDistribution:
        day = as_of or today_in_jakarta()
        async with snapshot(info.context.engine) as connection:
            async def answer() -> ClassDistribution:
                return ClassDistribution.of(
                    await reports.class_distribution(connection, info.context.identity, region_code, day, group_by_children,
                                                 await info.context.assignment()))
            return await info.context.report_cache.answer(
                connection, info.context.identity, ("classDistribution", region_code, day, group_by_children), answer)

    @strawberry.federation.field(description="Moves between standings dated `from`..`to` (both included): naik kelas "
                      "(Pemula → Berkembang → Maju → graduated), moves down, closures, new registrations. Partners: whole completed "
                      "calendar months, regions down to sub-districts, counts perturbed (docs/disclosure-control.md).")
    async def class_transitions(
        self, info: ReportingInfo,
        from_: Annotated[dt.date, strawberry.argument(name="from", description="First day of the period.")],
        to: Annotated[dt.date, strawberry.argument(description="Last day of the period, included; not before `from`.")],
        region_code: RegionCode = None,
        group_by_children: Annotated[bool, strawberry.argument(
            description="Also answer each child region's moves."
        )] = False,
    ) -> ClassTransitions:
        async with snapshot(info.context.engine) as connection:
            async def answer() -> ClassTransitions:
                return ClassTransitions.of(
                    await reports.class_transitions(connection, info.context.identity, region_code, from_, to, group_by_children,
                                                 await info.context.assignment()))
            return await info.context.report_cache.answer(
                connection, info.context.identity, ("classTransitions", region_code, from_, to, group_by_children), answer)

    @strawberry.federation.field(description="Active Maju IR whose latest assessment passes the small-enterprise thresholds: "
                      "the hand-over list for the Ministry of Cooperatives and SMEs, newest assessment first.")
    async def small_business_candidates(
        self, info: ReportingInfo,
        region_code: RegionCode = None,
        first: Annotated[int, strawberry.argument(description=f"Page size: at most {reports.MAX_CANDIDATES}.")] = 100,
        after: Annotated[str | None, strawberry.argument(description="The `endCursor` of the previous page.")] = None,
    ) -> Connection[SmallBusinessCandidate]:
        async with info.context.engine.connect() as connection:
            rows, count = await reports.small_business_candidates(
                connection, info.context.identity, region_code, first, await info.context.assignment(), after
            )

        async def total() -> int:
            async with info.context.engine.connect() as connection:
                return await count(connection)

        return page_of(rows, first, after=after is not None, key=reports.CANDIDATE_CURSOR,
                       key_of=report_data.candidate_key, node_of=_candidate, total=total)

    @strawberry.federation.field(description="The needs analysis (Permen PPPA 2/2016 BAB V H) of a region's active IR: per class, "
                      "products, needs, constraints, assistance already received and from whom.")
    async def needs_analysis(
        self, info: ReportingInfo, region_code: RegionCode = None
    ) -> NeedsAnalysis:
        async with snapshot(info.context.engine) as connection:
            async def answer() -> NeedsAnalysis:
                return NeedsAnalysis.of(await reports.needs_analysis(connection, info.context.identity, region_code,
                                                                  await info.context.assignment()))
            return await info.context.report_cache.answer(
                connection, info.context.identity, ("needsAnalysis", region_code), answer)

    @strawberry.federation.field(description="The annual report of a region for a calendar year (Asia/Jakarta dates).")
    async def annual_report(
        self,
        info: ReportingInfo,
        year: Annotated[int, strawberry.argument(
            description="The calendar year, from the first registration's year to the current year."
        )],
        region_code: RegionCode = None,
    ) -> AnnualReport:
        # The year's bounds depend on today's date (a year not over yet): today is in the key.
        async with snapshot(info.context.engine) as connection:
            async def answer() -> AnnualReport:
                return AnnualReport.of(await reports.annual_report(connection, info.context.identity, region_code, year,
                                                                await info.context.assignment()))
            return await info.context.report_cache.answer(
                connection, info.context.identity, ("annualReport", region_code, year, today_in_jakarta()), answer)

    @strawberry.federation.field(description="How far the projection is behind the registry (for operators and dashboards).")
    async def reporting_status(self, info: ReportingInfo) -> ReportingStatus:
        # The lag is no region's figures, but a caller who may read no report (a facilitator without a
        # current assignment included) learns nothing from reporting.
        access.report_scope(info.context.identity, await info.context.assignment())
        async with info.context.engine.connect() as connection:
            state = await report_data.consumer_state(connection)
        cursor = Cursor(int(state["transaction_id"]), state["event_id"]) if state else Cursor()
        async with info.context.source_engine.connect() as source:
            raw = await source.get_raw_connection()
            lag = await outbox_feed.lag(raw.driver_connection, cursor)  # type: ignore[arg-type]
        return ReportingStatus(
            lag_events=lag.events,
            lag_is_exact=lag.exact,
            last_event_at=state["last_event_at"] if state else None,
            last_applied_at=state["last_batch_at"] if state else None,
            events_applied=state["events_applied"] if state else 0,
            events_skipped=state["events_skipped"] if state else 0,
            position=f"{cursor.transaction_id}:{cursor.event_id}",
        )
