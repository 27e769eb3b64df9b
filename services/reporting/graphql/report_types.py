"""The report types of the root fields: distribution, transitions, candidates, needs, annual report, status."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, TypeVar

import strawberry

from services.reporting import reports
from services.reporting.graphql.figures import ClassCounts, ClassMove, IrStanding, IrStatistics, MovesSummary, move_list
from services.reporting.graphql.home_industry import HomeIndustry
from services.reporting.graphql.region import Region
from siir.connections import Connection, CursorKey, page_size, slice_after

#: Children of one region: 108 villages in the largest sub-district, so one page holds them all.
MAX_CHILDREN_PAGE = 150
CHILD_CURSOR = CursorKey("ReportChild", str)
Line = TypeVar("Line")
ChildrenFirst = Annotated[int, strawberry.argument(description=f"Page size: at most {MAX_CHILDREN_PAGE}.")]
ChildrenAfter = Annotated[str | None, strawberry.argument(description="The `endCursor` of the previous page.")]


def children_page(lines: list[Any], first: int, after: str | None, most: int = MAX_CHILDREN_PAGE) -> Connection[Any]:
    """A page of a report's child-region lines (computed whole with the report, ordered by code)."""
    return slice_after(lines, page_size(first, most), after, key=CHILD_CURSOR,
                       key_of=lambda line: (line.region_code,), node_of=lambda line: line)


def _region(ref: reports.RegionRef) -> Region | None:
    return Region(code=strawberry.ID(ref.code)) if ref.code else None


@strawberry.type(description="A region's figures within a report.")
class RegionFigures:
    region: Region | None = strawberry.field(description="Null for the whole nation.")
    region_code: str = strawberry.field(description="Kemendagri code; empty for the whole nation.")
    region_name: str = strawberry.field(description="Name of the region.")
    statistics: IrStatistics = strawberry.field(description="The region's figures.")


@strawberry.type(description="Numbers of IR per class in a region on a date and, when asked, in each child region.")
class ClassDistribution:
    as_of: dt.date = strawberry.field(description="The date the figures are for (end of day, Asia/Jakarta).")
    region: Region | None = strawberry.field(description="Null for the whole nation.")
    region_code: str = strawberry.field(description="Kemendagri code of the region; empty for the whole nation.")
    region_name: str = strawberry.field(description="Name of the region (`Indonesia` for the whole nation).")
    counts: ClassCounts = strawberry.field(description="Numbers of IR by standing.")
    statistics: IrStatistics = strawberry.field(
        description="The region's fuller figures: by owner's sex, KRTP, workers, candidates."
    )
    child_lines: strawberry.Private[list[RegionFigures]]

    @strawberry.field(
        description="Each child region (provinces of the nation, regencies of a province, …), by code, a page at a "
        "time; empty unless groupByChildren."
    )
    def children(self, first: ChildrenFirst = MAX_CHILDREN_PAGE, after: ChildrenAfter = None) -> Connection[RegionFigures]:
        return children_page(self.child_lines, first, after)

    @classmethod
    def of(cls, d: reports.Distribution) -> "ClassDistribution":
        return cls(
            as_of=d.as_of, region=_region(d.region), region_code=d.region.code, region_name=d.region.name,
            counts=ClassCounts.of(d.statistics.counts), statistics=IrStatistics.of(d.as_of, d.statistics),
            child_lines=[
                RegionFigures(region=_region(ref), region_code=ref.code, region_name=ref.name,
                              statistics=IrStatistics.of(d.as_of, s))
                for ref, s in d.children
            ],
        )


@strawberry.type(description="A child region's moves in the period.")
class RegionMoves:
    region: Region | None = strawberry.field(
        description="The child region (its Kemendagri details from the registry)."
    )
    region_code: str = strawberry.field(description="Kemendagri code of the child region.")
    region_name: str = strawberry.field(description="Name of the child region.")
    summary: MovesSummary = strawberry.field(description="Its moves in the period, summed.")


@strawberry.type(description="Moves between standings dated from..to (both included, Asia/Jakarta dates).")
class ClassTransitions:
    from_: dt.date = strawberry.field(name="from", description="First day of the period.")
    to: dt.date = strawberry.field(description="Last day of the period, included.")
    region: Region | None = strawberry.field(description="Null for the whole nation.")
    region_code: str = strawberry.field(description="Kemendagri code of the region; empty for the whole nation.")
    region_name: str = strawberry.field(description="Name of the region (`Indonesia` for the whole nation).")
    moves: list[ClassMove] = strawberry.field(description="The matrix, one entry per (from, to) pair that occurred.")
    summary: MovesSummary = strawberry.field(description="The period's moves, summed.")
    child_lines: strawberry.Private[list[RegionMoves]]

    @strawberry.field(description="Each child region's moves, by code, a page at a time; empty unless groupByChildren.")
    def children(self, first: ChildrenFirst = MAX_CHILDREN_PAGE, after: ChildrenAfter = None) -> Connection[RegionMoves]:
        return children_page(self.child_lines, first, after)

    @classmethod
    def of(cls, t: reports.Transitions) -> "ClassTransitions":
        return cls(
            from_=t.first, to=t.last, region=_region(t.region), region_code=t.region.code, region_name=t.region.name,
            moves=move_list(t.moves), summary=MovesSummary.of(t.moves),
            child_lines=[RegionMoves(region=_region(r), region_code=r.code, region_name=r.name, summary=MovesSummary.of(m))
                      for r, m in t.children],
        )


@strawberry.type(description="An IR to hand over to the Ministry of Cooperatives and SMEs (Usaha Kecil candidate).")
class SmallBusinessCandidate:
    home_industry: HomeIndustry = strawberry.field(
        description="The IR (resolve its details from the registry, as your role may see them)."
    )
    registration_number: str = strawberry.field(description="Registration number, e.g. `IR-33.74-000123`.")
    village: Region = strawberry.field(description="The village (desa/kelurahan) where the business is.")
    business_category: str = strawberry.field(description="Business category (a registry BusinessCategory name).")
    assessed_on: dt.date | None = strawberry.field(description="Date of the assessment that made it a candidate.")
    score: int | None = strawberry.field(description="Score (6–18) of its latest assessment.")


@strawberry.type(description="An item and how many IR name it.")
class ItemCount:
    item: str = strawberry.field(description="The item (product, need or constraint), as surveyed.")
    home_industries: int = strawberry.field(description="How many IR name it (perturbed for a partner, never 1–4).")


@strawberry.type(description="Assistance received (bantuan) of a kind from a kind of institution.")
class AssistanceCount:
    type: str = strawberry.field(description="Kind of assistance (a registry AssistanceType name).")
    provider_kind: str | None = strawberry.field(description="GOVERNMENT_OFFICE, NGO, BUSINESS, BANK, UNIVERSITY.")
    home_industries: int = strawberry.field(description="How many IR received it (perturbed for a partner, never 1–4).")


@strawberry.type(description="An institution that gave assistance, and to how many IR.")
class ProviderCount:
    provider: str = strawberry.field(description="The institution, as named in the survey.")
    provider_kind: str | None = strawberry.field(
        description="Kind of institution (a registry ProviderKind name); null when unknown."
    )
    home_industries: int = strawberry.field(
        description="How many IR it gave assistance to (perturbed for a partner, never 1–4)."
    )


@strawberry.type(description="One class's row of the needs analysis (analisis kebutuhan, Permen PPPA 2/2016 BAB V H).")
class ClassNeeds:
    ir_class: IrStanding = strawberry.field(name="class", description="The current class of this row.")
    home_industries: int | None = strawberry.field(description="Active IR of this class now; for a partner perturbed "
                                                   "(never 1–4). Partners see no item named by 1–4 IR, and item counts "
                                                   "perturbed.")
    products: list[ItemCount] = strawberry.field(description="Products named, most named first.")
    needs: list[ItemCount] = strawberry.field(description="What the owners hope for (harapan/kebutuhan).")
    constraints: list[ItemCount] = strawberry.field(description="Constraints (kendala).")
    assistance_received: list[AssistanceCount] = strawberry.field(
        description="Assistance received, by kind and kind of provider."
    )
    providers: list[ProviderCount] = strawberry.field(
        description="Who gave it: government offices, NGOs, businesses, banks, universities."
    )


@strawberry.type(description="The needs analysis of a region's active IR, per current class (most named first).")
class NeedsAnalysis:
    region: Region | None = strawberry.field(
        description="The region reported on; null for the whole nation."
    )
    region_code: str = strawberry.field(description="Kemendagri code of the region; empty for the whole nation.")
    region_name: str = strawberry.field(description="Name of the region (`Indonesia` for the whole nation).")
    classes: list[ClassNeeds] = strawberry.field(description="One row per current class: Pemula, Berkembang, Maju.")

    @classmethod
    def of(cls, n: reports.NeedsAnalysis) -> "NeedsAnalysis":
        return cls(
            region=_region(n.region), region_code=n.region.code, region_name=n.region.name,
            classes=[
                ClassNeeds(
                    ir_class=IrStanding(c.ir_class), home_industries=c.home_industries,
                    products=[ItemCount(item=i, home_industries=k) for i, k in c.products],
                    needs=[ItemCount(item=i, home_industries=k) for i, k in c.needs],
                    constraints=[ItemCount(item=i, home_industries=k) for i, k in c.constraints],
                    assistance_received=[AssistanceCount(type=t, provider_kind=p or None, home_industries=k) for t, p, k in c.assistance],
                    providers=[ProviderCount(provider=t, provider_kind=p or None, home_industries=k) for t, p, k in c.providers],
                )
                for c in n.classes
            ],
        )


@strawberry.type(description="A child region's line of the annual report.")
class AnnualReportLine:
    region: Region | None = strawberry.field(
        description="The child region (its Kemendagri details from the registry)."
    )
    region_code: str = strawberry.field(description="Kemendagri code of the child region.")
    region_name: str = strawberry.field(description="Name of the child region.")
    start_of_year: ClassCounts = strawberry.field(description="On 31 December of the year before.")
    end_of_year: ClassCounts = strawberry.field(description="On 31 December of the year.")
    moves: MovesSummary = strawberry.field(description="The child region's moves in the year, summed.")


@strawberry.type(description="The yearly report a regency/city sends to its province and a province to the ministry "
                 "(Rakor Tahunan PPEP): the year's start and end, the moves (naik kelas), each child region, "
                 "the hand-over candidates and the needs analysis.")
class AnnualReport:
    year: int = strawberry.field(description="The calendar year reported on.")
    region: Region | None = strawberry.field(
        description="The region reported on; null for the whole nation."
    )
    region_code: str = strawberry.field(description="Kemendagri code of the region; empty for the whole nation.")
    region_name: str = strawberry.field(description="Name of the region (`Indonesia` for the whole nation).")
    start_of_year: IrStatistics = strawberry.field(
        description="Figures as the year opens (end of 31 December of the year before)."
    )
    end_of_year: IrStatistics = strawberry.field(
        description="Figures at the end of 31 December (for the current year: as recorded so far)."
    )
    moves: list[ClassMove] = strawberry.field(
        description="Every move between standings in the year, with how many IR made it."
    )
    summary: MovesSummary = strawberry.field(description="The year's moves, summed (naik kelas).")
    child_lines: strawberry.Private[list[AnnualReportLine]]
    small_business_candidates: int = strawberry.field(
        description="How many IR are hand-over candidates (usaha kecil) at the end of the year."
    )
    needs_analysis: NeedsAnalysis = strawberry.field(description="The needs analysis of the region's active IR.")

    @strawberry.field(description="Each child region's line, by code, a page at a time.")
    def children(
        self, first: ChildrenFirst = MAX_CHILDREN_PAGE, after: ChildrenAfter = None
    ) -> Connection[AnnualReportLine]:
        return children_page(self.child_lines, first, after)

    @classmethod
    def of(cls, r: reports.AnnualReport) -> "AnnualReport":
        year_before = dt.date(r.year - 1, 12, 31)
        return cls(
            year=r.year, region=_region(r.region), region_code=r.region.code, region_name=r.region.name,
            start_of_year=IrStatistics.of(year_before, r.start), end_of_year=IrStatistics.of(dt.date(r.year, 12, 31), r.end),
            moves=move_list(r.transitions), summary=MovesSummary.of(r.transitions),
            child_lines=[
                AnnualReportLine(region=_region(ref), region_code=ref.code, region_name=ref.name,
                                 start_of_year=ClassCounts.of(start.counts), end_of_year=ClassCounts.of(end.counts),
                                 moves=MovesSummary.of(m))
                for ref, start, end, m in r.children
            ],
            small_business_candidates=r.small_business_candidates,
            needs_analysis=NeedsAnalysis.of(r.needs),
        )


@strawberry.type(description="How far reporting's projection is behind the registry's outbox feed.")
class ReportingStatus:
    lag_events: int = strawberry.field(
        description="Events in the outbox not applied yet: counted exactly up to 1,000; beyond that (after a bulk "
        "load) estimated from event ids, see `lagIsExact`. Answers in milliseconds whatever the lag."
    )
    lag_is_exact: bool = strawberry.field(
        description="Whether `lagEvents` is an exact count (true up to 1,000 pending events) or an estimate: the "
        "newest event id less the id of the last event applied (ids of rolled-back writes count in it)."
    )
    last_event_at: dt.datetime | None = strawberry.field(description="When the newest applied event happened in the registry.")
    last_applied_at: dt.datetime | None = strawberry.field(description="When the consumer last applied a batch.")
    events_applied: int = strawberry.field(description="Events applied to the projection since it was built.")
    events_skipped: int = strawberry.field(description="Events of kinds reporting does not use, stepped over.")
    position: str = strawberry.field(description="The cursor: transaction id and event id of the last event applied.")
