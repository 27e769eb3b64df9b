"""The programme's indicators (Tabel 3) in GraphQL: the table query and the target mutation."""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Annotated

import strawberry

from services.reporting import indicator_table, reassessment_round
from services.reporting.data import indicators as indicator_data
from services.reporting.domain.indicators import Indicator, achievement
from services.reporting.domain.periods import today_in_jakarta
from services.reporting.graphql.context import ReportingInfo
from services.reporting.graphql.region import Region
from services.reporting.graphql.report_types import ChildrenAfter, children_page
from services.reporting.report_cache import snapshot
from siir.connections import Connection


@strawberry.enum(description="An indicator of the programme (Permen PPPA 2/2016, Tabel 3 \"Indikator\"), counted as "
                 "distinct IR per calendar year (Asia/Jakarta): see docs/indicators.md for each definition.")
class ProgrammeIndicator(Enum):
    NEW_PEMULA = strawberry.enum_value("NEW_PEMULA", description="New IR Pemula (tumbuhnya IR-Pemula): registered in the "
                                       "year, first assessed Pemula.")
    NEW_PEMULA_IN_TOWNS = strawberry.enum_value("NEW_PEMULA_IN_TOWNS", description="New IR Pemula in a kelurahan "
                                                "(tumbuhnya IR-Pemula di perkotaan).")
    NEW_PEMULA_IN_VILLAGES = strawberry.enum_value("NEW_PEMULA_IN_VILLAGES", description="New IR Pemula in a desa "
                                                   "(tumbuhnya IR-Pemula di pedesaan).")
    CLOSED_UNASSESSED = strawberry.enum_value("CLOSED_UNASSESSED", description="Closed (gulung tikar) in the year before "
                                              "any assessment.")
    CLOSED_PEMULA = strawberry.enum_value("CLOSED_PEMULA", description="Closed (gulung tikar) in the year as Pemula.")
    CLOSED_BERKEMBANG = strawberry.enum_value("CLOSED_BERKEMBANG", description="Closed in the year as Berkembang.")
    CLOSED_MAJU = strawberry.enum_value("CLOSED_MAJU", description="Closed in the year as Maju.")
    PEMULA_TO_BERKEMBANG = strawberry.enum_value("PEMULA_TO_BERKEMBANG", description="Moved up Pemula → Berkembang "
                                                 "(IR 1 → IR 2) in the year.")
    BERKEMBANG_TO_MAJU = strawberry.enum_value("BERKEMBANG_TO_MAJU", description="Moved up Berkembang → Maju "
                                               "(IR 2 → IR 3) in the year.")
    MAJU_TO_SMALL_ENTERPRISE = strawberry.enum_value("MAJU_TO_SMALL_ENTERPRISE", description="Graduated from Maju to "
                                                     "small enterprise (usaha kecil) in the year.")
    GRADUATED = strawberry.enum_value("GRADUATED", description="Graduated to small enterprise in the year, from any "
                                      "class (\"1000 industri kecil per tahun\").")
    SPP_IRT_OBTAINED = strawberry.enum_value("SPP_IRT_OBTAINED", description="First held an SPP-IRT (food home-industry "
                                             "permit) in the year (\"meningkatnya jumlah pemegang SPP IRT\").")
    NIB_OBTAINED = strawberry.enum_value("NIB_OBTAINED", description="First held a NIB, the IUMK's successor, in the year "
                                         "(\"1000 IUMK per daerah tingkat II per tahun\").")
    ONLINE_SELLING_STARTED = strawberry.enum_value("ONLINE_SELLING_STARTED", description="Started selling online (the "
                                                   "registry's record of ICT use, pengguna TIK / e-commerce) in the year.")
    FORMAL_ENTITY_FORMED = strawberry.enum_value("FORMAL_ENTITY_FORMED", description="Became a formal entity, a "
                                                 "cooperative (koperasi) or a limited company (PT), in the year "
                                                 "(\"lembaga formal yang terbentuk\").")


@strawberry.type(description="One indicator's value in a region and year, by the owner's sex and KRTP, against its target.")
class IndicatorFigure:
    indicator: ProgrammeIndicator = strawberry.field(description="Which indicator.")
    value: int = strawberry.field(description="Distinct IR counted in the year.")
    female_owned: int = strawberry.field(description="Of them, IR whose owner is a woman.")
    male_owned: int = strawberry.field(description="Of them, IR whose owner is a man.")
    female_head_of_household: int = strawberry.field(description="Of them, IR whose owner is a female head of household "
                                                     "(KRTP, Kepala Rumah Tangga Perempuan).")
    target: int | None = strawberry.field(description="The target set for this region and year; null when none is set.")
    target_set_by: str | None = strawberry.field(description="Role that set the target (MINISTRY or PROVINCE_OFFICER).")
    achievement: float | None = strawberry.field(description="value / target (1.0: met); null without a target or for a "
                                                 "target of 0.")

    @classmethod
    def of(cls, f: indicator_table.IndicatorFigure) -> "IndicatorFigure":
        return cls(
            indicator=ProgrammeIndicator(f.indicator.value), value=f.value, female_owned=f.female_owned,
            male_owned=f.male_owned, female_head_of_household=f.female_head_of_household, target=f.target,
            target_set_by=f.target_set_by, achievement=achievement(f.value, f.target),
        )


@strawberry.type(description="A region's indicators for the year.")
class RegionIndicators:
    region: Region | None = strawberry.field(description="Null for the whole nation.")
    region_code: str = strawberry.field(description="Kemendagri code; empty for the whole nation.")
    region_name: str = strawberry.field(description="The region's name (Indonesia for the nation).")
    figures: list[IndicatorFigure] = strawberry.field(description="Every indicator, in the order of ProgrammeIndicator.")

    @classmethod
    def of(cls, r: indicator_table.RegionIndicators) -> "RegionIndicators":
        return cls(region=Region(code=strawberry.ID(r.region.code)) if r.region.code else None,
                   region_code=r.region.code, region_name=r.region.name,
                   figures=[IndicatorFigure.of(f) for f in r.figures])


#: Child regions of the indicator table and the round (provinces and regencies/cities only): the nation's 38
#: provinces, at most 38 regencies/cities in one province (Jawa Timur); one page holds them all.
MOST_TABLE_CHILDREN = 38
TableChildrenFirst = Annotated[int, strawberry.argument(description=f"Page size: at most {MOST_TABLE_CHILDREN}.")]


@strawberry.type(description="The programme's indicator table (Tabel 3) of a region for a calendar year.")
class ProgrammeIndicatorTable:
    year: int = strawberry.field(description="The calendar year (Asia/Jakarta).")
    region: RegionIndicators = strawberry.field(description="The region asked for.")
    child_lines: strawberry.Private[list[RegionIndicators]]

    @strawberry.field(description="Provinces of the nation or regencies/cities of a province, by code, a page at a "
                                  "time; empty unless groupByChildren.")
    def children(self, first: TableChildrenFirst = MOST_TABLE_CHILDREN,
                 after: ChildrenAfter = None) -> Connection[RegionIndicators]:
        return children_page(self.child_lines, first, after, MOST_TABLE_CHILDREN)

    @classmethod
    def of(cls, t: indicator_table.IndicatorTable) -> "ProgrammeIndicatorTable":
        return cls(year=t.year, region=RegionIndicators.of(t.region),
                   child_lines=[RegionIndicators.of(c) for c in t.children])


@strawberry.type
class IndicatorQueries:
    @strawberry.federation.field(description="The programme's indicators (Tabel 3) for a year in the nation, a province "
                                 "or a regency/city, each against its target and disaggregated by sex and KRTP.")
    async def programme_indicators(
        self, info: ReportingInfo,
        year: Annotated[int, strawberry.argument(description="Calendar year (Asia/Jakarta).")],
        region_code: Annotated[str | None, strawberry.argument(
            description="Kemendagri code of a province or regency/city; omitted: the nation.")] = None,
        group_by_children: Annotated[bool, strawberry.argument(
            description="Also each child region (provinces of the nation, regencies of a province).")] = False,
    ) -> ProgrammeIndicatorTable:
        async with snapshot(info.context.engine) as connection:
            # Targets change without the consumer's cursor moving: their trail's newest id is in the key.
            version = await indicator_data.targets_version(connection)

            async def answer() -> ProgrammeIndicatorTable:
                return ProgrammeIndicatorTable.of(await indicator_table.indicator_table(
                    connection, info.context.identity, region_code, year, group_by_children,
                    await info.context.assignment()))
            return await info.context.report_cache.answer(
                connection, info.context.identity, ("programmeIndicators", region_code, year, group_by_children, version, today_in_jakarta().year),
                answer)


@strawberry.input(description="A target for one indicator, region and year.")
class IndicatorTargetInput:
    year: int = strawberry.field(description="Calendar year the target is for.")
    region_code: str | None = strawberry.field(default=None, description="Province or regency/city code; omitted: "
                                               "the nation (ministry only).")
    indicator: ProgrammeIndicator = strawberry.field(description="The indicator.")
    target: int = strawberry.field(description="Number of IR to reach in the year (0..10000000).")


@strawberry.type(name="Mutation", description="Reporting's writes: the programme's targets.")
class IndicatorMutations:
    @strawberry.mutation(description="Set or change the target of an indicator (the ministry: any region; a province: "
                         "itself and its regencies/cities). Every change is kept with who made it and when.")
    async def set_indicator_target(
        self, info: ReportingInfo,
        input: Annotated[IndicatorTargetInput, strawberry.argument(
            description="The region, year, indicator and target to set.")],
    ) -> IndicatorFigure:
        async with info.context.engine.begin() as connection:
            figure = await indicator_table.set_target(
                connection, info.context.identity, input.region_code, input.year, Indicator(input.indicator.value),
                input.target, None,
            )
        return IndicatorFigure.of(figure)


@strawberry.type(description="A region's yearly re-assessment round: its active IR and how many were assessed in the year.")
class RoundFigures:
    region: Region | None = strawberry.field(description="Null for the whole nation.")
    region_code: str = strawberry.field(description="Kemendagri code; empty for the whole nation.")
    region_name: str = strawberry.field(description="The region's name.")
    active_home_industries: int = strawberry.field(description="IR active at the end of the period.")
    assessed: int = strawberry.field(description="Of them, IR with an assessment dated in the period.")
    share_assessed: float | None = strawberry.field(description="assessed / activeHomeIndustries; null with no active IR.")

    @classmethod
    def of(cls, line: reassessment_round.RoundLine) -> "RoundFigures":
        return cls(region=Region(code=strawberry.ID(line.region.code)) if line.region.code else None,
                   region_code=line.region.code, region_name=line.region.name, active_home_industries=line.active,
                   assessed=line.assessed, share_assessed=line.share)


@strawberry.type(description="How complete the yearly re-assessment round is (every IR assessed at least once a year).")
class ReassessmentRound:
    year: int = strawberry.field(description="The calendar year.")
    period_start: dt.date = strawberry.field(description="1 January of the year.")
    period_end: dt.date = strawberry.field(description="31 December, or today while the year runs.")
    total: RoundFigures = strawberry.field(description="The region asked for.")
    child_lines: strawberry.Private[list[RoundFigures]]

    @strawberry.field(description="Provinces of the nation, regencies/cities of a province, by code, a page at a time.")
    def children(self, first: TableChildrenFirst = MOST_TABLE_CHILDREN,
                 after: ChildrenAfter = None) -> Connection[RoundFigures]:
        return children_page(self.child_lines, first, after, MOST_TABLE_CHILDREN)


@strawberry.type
class RoundQueries:
    @strawberry.federation.field(description="The completeness of the yearly re-assessment round: of the IR active at the "
                                 "end of the year (today while it runs), the share with an assessment dated in the year; "
                                 "for the nation, a province or a regency/city and each child region.")
    async def reassessment_round(
        self, info: ReportingInfo,
        year: Annotated[int, strawberry.argument(description="Calendar year (Asia/Jakarta).")],
        region_code: Annotated[str | None, strawberry.argument(
            description="Kemendagri code of a province or regency/city; omitted: the nation.")] = None,
    ) -> ReassessmentRound:
        async with snapshot(info.context.engine) as connection:
            async def answer() -> ReassessmentRound:
                r = await reassessment_round.reassessment_round(connection, info.context.identity, region_code, year,
                                                                await info.context.assignment())
                return ReassessmentRound(year=r.year, period_start=r.first, period_end=r.last,
                                         total=RoundFigures.of(r.total), child_lines=[RoundFigures.of(c) for c in r.children])
            return await info.context.report_cache.answer(
                connection, info.context.identity, ("reassessmentRound", region_code, year, today_in_jakarta()), answer)
