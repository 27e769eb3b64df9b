"""The reports, assembled from the data layer and the domain: shared by GraphQL and the exports.

Each function checks its input (unknown region, dates in the wrong order, a year without data),
asks ``authorize_region`` before reading (with the FACILITATOR's ``Assignment``, from
``assignment_for``), and picks the source: the rollups for the nation,
provinces and regencies/cities, the per-IR projection for sub-districts and villages.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from functools import partial
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from services.reporting.data import facilitators as facilitator_data
from services.reporting.data import regions as region_data
from services.reporting.data import reports as report_data
from services.reporting.domain import access
from services.reporting.domain.access import Assignment, Identity
from services.reporting.domain import disclosure
from services.reporting.domain.periods import check_report_day, today_in_jakarta
from services.reporting.domain.projection import IrRecord
from services.reporting.policy import POLICY
from services.reporting.domain.reports import (
    MoveLine,
    Moves,
    Statistics,
    StockLine,
    move_lines,
    moves,
    statistics,
    stock_lines,
)
from siir.auth.identity import Role
from siir.connections import CursorKey, page_size
from siir.errors import InvalidInput

NATION = ""
NATION_NAME = "Indonesia"
#: Deepest level answered from the rollups (sub-districts); villages from the per-IR projection.
ROLLUP_DEPTH = 3


@dataclass(frozen=True, slots=True)
class RegionRef:
    code: str  # "" for the nation
    name: str
    level: int


async def assignment_for(connection: AsyncConnection, identity: Identity | None) -> Assignment | None:
    """A FACILITATOR's current assignment as reporting knows it (one statement); None for other roles."""
    if identity is None or identity.role is not Role.FACILITATOR:
        return None
    return await facilitator_data.assignment_of(connection, identity.subject, today_in_jakarta())


async def find_region(connection: AsyncConnection, code: str | None, *, field: str = "regionCode") -> RegionRef:
    """The region a report is about (None or "" is the nation); BAD_USER_INPUT for an unknown code."""
    code = (code or "").strip()
    if code:
        found = (await region_data.regions_by_codes(connection, [code])).get(code)
        if found is None:
            raise InvalidInput(field, f"{code} is not a Kemendagri region code")
        ref = RegionRef(code, found["name"], found["level"])
    else:
        ref = RegionRef(NATION, NATION_NAME, 0)
    return ref


async def region(
    connection: AsyncConnection, code: str | None, identity: Identity | None, assignment: Assignment | None = None,
    *, field: str = "regionCode",
) -> RegionRef:
    """The region a report is about (None or "" is the nation), authorized for the caller."""
    ref = await find_region(connection, code, field=field)
    access.authorize_region(identity, ref.code, assignment)
    return ref


async def children(connection: AsyncConnection, parent: RegionRef) -> list[RegionRef]:
    return [RegionRef(r["code"], r["name"], r["level"]) for r in await region_data.children_of(connection, parent.code)]


def _inside(village_code: str, code: str) -> bool:
    return code == NATION or village_code == code or village_code.startswith(code + ".")


async def stock(connection: AsyncConnection, regions: list[RegionRef], as_of: dt.date) -> dict[str, list[StockLine]]:
    """The stock of each of ``regions`` (all of one level) at the end of ``as_of``."""
    if not regions:
        return {}
    level = regions[0].level
    if level <= ROLLUP_DEPTH:
        return await report_data.rollup_stock(connection, level, [r.code for r in regions], as_of)
    # Villages: the IR that were in them on the day, each counted in the one it was in.
    records = await report_data.records_in_villages(connection, [r.code for r in regions])
    by_village: dict[str, list[IrRecord]] = defaultdict(list)
    for record in records:
        by_village[record.village_on(as_of)].append(record)
    return {r.code: stock_lines(by_village.get(r.code, ()), as_of) for r in regions}


async def moves_of(
    connection: AsyncConnection, scope: RegionRef, regions: list[RegionRef], first: dt.date, last: dt.date
) -> dict[str, list[MoveLine]]:
    if not regions:
        return {}
    level = regions[0].level
    if level <= ROLLUP_DEPTH:
        return await report_data.rollup_moves(connection, level, [r.code for r in regions], first, last)
    records = await report_data.records_in(connection, scope.code)
    return {r.code: move_lines(records, first, last, partial(_inside, code=r.code)) for r in regions}


@dataclass(slots=True)
class Distribution:
    region: RegionRef
    as_of: dt.date
    statistics: Statistics
    children: list[tuple[RegionRef, Statistics]]


async def class_distribution(
    connection: AsyncConnection, identity: Identity | None, region_code: str | None, as_of: dt.date | None,
    group_by_children: bool, assignment: Assignment | None = None,
) -> Distribution:
    check_report_day("asOf", as_of, today_in_jakarta())
    target = await region(connection, region_code, identity, assignment)
    protect = access.suppresses_small_counts(identity)
    if protect:  # partners: month ends of completed months, down to sub-districts (disclosure.py)
        day = disclosure.partner_as_of(as_of, today_in_jakarta())
        disclosure.check_partner_region(target.level)
        if group_by_children:
            disclosure.check_partner_region(target.level + 1, field="groupByChildren")
    else:
        day = as_of or today_in_jakarta()
    own = await stock(connection, [target], day)
    parts: list[tuple[RegionRef, Statistics]] = []
    if group_by_children:
        kids = await children(connection, target)
        lines = await stock(connection, kids, day)
        parts = [(kid, statistics(lines.get(kid.code, []), protect)) for kid in kids]
    return Distribution(target, day, statistics(own[target.code], protect), parts)


@dataclass(slots=True)
class Transitions:
    region: RegionRef
    first: dt.date
    last: dt.date
    moves: Moves
    children: list[tuple[RegionRef, Moves]] = field(default_factory=list)


def check_period(first: dt.date, last: dt.date) -> None:
    if first > last:
        raise InvalidInput("from", f"{first.isoformat()} is after to ({last.isoformat()})")


async def class_transitions(
    connection: AsyncConnection, identity: Identity | None, region_code: str | None, first: dt.date, last: dt.date,
    group_by_children: bool = False, assignment: Assignment | None = None,
) -> Transitions:
    check_report_day("from", first, today_in_jakarta())
    check_report_day("to", last, today_in_jakarta())
    check_period(first, last)
    target = await region(connection, region_code, identity, assignment)
    protect = access.suppresses_small_counts(identity)
    if protect:  # partners: whole completed months, down to sub-districts (disclosure.py)
        disclosure.check_partner_period(first, last, today_in_jakarta())
        disclosure.check_partner_region(target.level)
        if group_by_children:
            disclosure.check_partner_region(target.level + 1, field="groupByChildren")
    own = await moves_of(connection, target, [target], first, last)
    parts: list[tuple[RegionRef, Moves]] = []
    if group_by_children:
        kids = await children(connection, target)
        lines = await moves_of(connection, target, kids, first, last)
        parts = [(kid, moves(lines.get(kid.code, []), protect)) for kid in kids]
    return Transitions(target, first, last, moves(own[target.code], protect), parts)


#: The longest list of small-business candidates one request may ask for.
#: The largest page of the hand-over list (it is read page by page past this).
MAX_CANDIDATES = 1000
#: Cursors of the hand-over list: the newest-assessment-first sort key (keyset pagination).
CANDIDATE_CURSOR = CursorKey("SmallBusinessCandidate", dt.date, int)


async def small_business_candidates(
    connection: AsyncConnection, identity: Identity | None, region_code: str | None, first: int,
    assignment: Assignment | None = None, after: str | None = None,
) -> tuple[list[Any], Callable[[AsyncConnection], Awaitable[int]]]:
    """``first + 1`` candidates after the cursor ``after``, and how to count them all (when asked, on
    a connection of the caller's)."""
    access.report_scope(identity, assignment)
    POLICY.require(identity.role if identity else None, "Query.smallBusinessCandidates")
    page_size(first, MAX_CANDIDATES)
    after_key = CANDIDATE_CURSOR.decode(after) if after is not None else None
    target = await find_region(connection, region_code)
    # A list of IR, scoped as the registry scopes its lists: a facilitator's keeps her assigned IR.
    scope = access.authorize_record_list(identity, "smallBusinessCandidates", target.code, assignment)
    rows = await report_data.small_business_candidates(connection, target.code, first + 1, scope.assignment, after_key)

    async def total(on: AsyncConnection) -> int:
        return await report_data.count_small_business_candidates(on, target.code, scope.assignment)

    return rows, total


@dataclass(slots=True)
class ClassNeeds:
    ir_class: str
    home_industries: int | None = 0
    products: list[tuple[str, int]] = field(default_factory=list)
    needs: list[tuple[str, int]] = field(default_factory=list)
    constraints: list[tuple[str, int]] = field(default_factory=list)
    assistance: list[tuple[str, str, int]] = field(default_factory=list)  # (type, provider kind, IR)
    providers: list[tuple[str, str, int]] = field(default_factory=list)  # (provider, kind, IR)


@dataclass(slots=True)
class NeedsAnalysis:
    region: RegionRef
    classes: list[ClassNeeds]


#: How many items of each list the needs table shows per class (the most named first).
NEEDS_TOP = 15


async def needs_analysis(
    connection: AsyncConnection, identity: Identity | None, region_code: str | None, assignment: Assignment | None = None
) -> NeedsAnalysis:
    target = await region(connection, region_code, identity, assignment)
    protect = access.suppresses_small_counts(identity)
    if protect:
        disclosure.check_partner_region(target.level)
    rows = await report_data.needs_lines(connection, target.code)
    by_class: dict[str, ClassNeeds] = {c: ClassNeeds(c) for c in ("PEMULA", "BERKEMBANG", "MAJU")}
    lists: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for row in rows:
        n = row["n"]
        if protect:
            # An item named by 1–4 IR is left out (free text that few name may point at them); every
            # count shown is perturbed by the cell-key method, and an item shown as 0 is left out too.
            if row["kind"] != "IR" and disclosure.is_small(n):
                continue
            n = disclosure.published(n, row["key_sum"])
            if row["kind"] != "IR" and not n:
                continue
        needs = by_class[row["current_class"]]
        if row["kind"] == "IR":
            needs.home_industries = n
        elif row["kind"] in ("ASSISTANCE", "PROVIDER"):
            lists[(row["current_class"], row["kind"])].append((row["item"], row["detail"], n))
        else:
            lists[(row["current_class"], row["kind"])].append((row["item"], n))
    for (ir_class, kind), items in lists.items():
        items.sort(key=lambda item: (-item[-1], item[:-1]))
        attribute = {"PRODUCT": "products", "NEED": "needs", "CONSTRAINT": "constraints",
                     "ASSISTANCE": "assistance", "PROVIDER": "providers"}[kind]
        setattr(by_class[ir_class], attribute, items[:NEEDS_TOP])
    return NeedsAnalysis(target, list(by_class.values()))


@dataclass(slots=True)
class AnnualReport:
    region: RegionRef
    year: int
    start: Statistics  # at the end of the previous year
    end: Statistics
    transitions: Moves
    children: list[tuple[RegionRef, Statistics, Statistics, Moves]]
    small_business_candidates: int
    needs: NeedsAnalysis


async def annual_report(
    connection: AsyncConnection, identity: Identity | None, region_code: str | None, year: int,
    assignment: Assignment | None = None,
) -> AnnualReport:
    access.report_scope(identity, assignment)
    POLICY.require(identity.role if identity else None, "Query.annualReport")
    target = await region(connection, region_code, identity, assignment)
    years = await report_data.data_years(connection)
    this_year = today_in_jakarta().year
    if years is None:
        raise InvalidInput("year", "there is no data yet: reporting has not received any registration")
    if not years[0] <= year <= this_year:
        raise InvalidInput("year", f"{year} is outside the data: reports cover {years[0]} to {this_year}")
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    kids = await children(connection, target)
    regions = [target, *kids]
    level_groups = [[target], kids]
    start_lines: dict[str, list[StockLine]] = {}
    end_lines: dict[str, list[StockLine]] = {}
    move_map: dict[str, list[MoveLine]] = {}
    for group in level_groups:
        start_lines |= await stock(connection, group, first - dt.timedelta(days=1))
        end_lines |= await stock(connection, group, last)
        move_map |= await moves_of(connection, target, group, first, last)
    end = statistics(end_lines[target.code])
    return AnnualReport(
        region=target,
        year=year,
        start=statistics(start_lines[target.code]),
        end=end,
        transitions=moves(move_map[target.code]),
        children=[
            (kid, statistics(start_lines.get(kid.code, [])), statistics(end_lines.get(kid.code, [])),
             moves(move_map.get(kid.code, [])))
            for kid in regions[1:]
        ],
        small_business_candidates=end.small_enterprise_candidates,
        needs=await needs_analysis(connection, identity, target.code or None, assignment),
    )
