"""The programme's indicator table (Tabel 3) of a region and year, and setting a target.

Reads the consumer-maintained ``reporting.indicator_counts`` (one small read per level) and the
targets; every entry point authorizes the region first (domain/access.py) and checks the policy
entry of its field.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncConnection

from services.reporting.data import indicators as indicator_data
from services.reporting.domain import access
from services.reporting.domain.access import Assignment
from services.reporting.domain.indicators import (
    INDICATOR_REGION_LEVELS,
    Indicator,
    check_target_setter,
    check_year,
)
from services.reporting.domain.periods import today_in_jakarta
from services.reporting.policy import POLICY
from services.reporting.reports import RegionRef, children, find_region, region
from siir.auth.identity import Identity
from siir.errors import InvalidInput


@dataclass(slots=True)
class IndicatorFigure:
    """One indicator's value in a region and year, disaggregated, with its target."""

    indicator: Indicator
    value: int = 0
    female_owned: int = 0
    male_owned: int = 0
    female_head_of_household: int = 0
    target: int | None = None
    target_set_by: str | None = None


@dataclass(slots=True)
class RegionIndicators:
    region: RegionRef
    figures: list[IndicatorFigure] = field(default_factory=list)


@dataclass(slots=True)
class IndicatorTable:
    year: int
    region: RegionIndicators
    children: list[RegionIndicators]


def _check_level(ref: RegionRef, field_name: str) -> None:
    if ref.level not in INDICATOR_REGION_LEVELS:
        raise InvalidInput(field_name, "indicators are kept for the nation, provinces and regencies/cities")


async def _figures(connection: AsyncConnection, refs: list[RegionRef], year: int) -> dict[str, list[IndicatorFigure]]:
    out: dict[str, dict[Indicator, IndicatorFigure]] = {
        r.code: {i: IndicatorFigure(i) for i in Indicator} for r in refs
    }
    by_level: dict[int, list[str]] = defaultdict(list)
    for r in refs:
        by_level[r.level].append(r.code)
    for level, codes in by_level.items():
        for row in await indicator_data.counts(connection, level, codes, year):
            figure = out[row["region_code"]].get(Indicator(row["indicator"]))
            if figure is None:
                continue
            n = row["home_industries"]
            figure.value += n
            if row["owner_sex"] == "FEMALE":
                figure.female_owned += n
            else:
                figure.male_owned += n
            if row["female_head_of_household"]:
                figure.female_head_of_household += n
    for row in await indicator_data.targets(connection, [r.code for r in refs], year):
        figure = out[row["region_code"]].get(Indicator(row["indicator"]))
        if figure is not None:
            figure.target, figure.target_set_by = row["target"], row["set_by_role"]
    return {code: list(figures.values()) for code, figures in out.items()}


async def indicator_table(
    connection: AsyncConnection, identity: Identity | None, region_code: str | None, year: int,
    group_by_children: bool, assignment: Assignment | None = None,
) -> IndicatorTable:
    access.report_scope(identity, assignment)
    POLICY.require(identity.role if identity else None, "Query.programmeIndicators")
    check_year("year", year, today_in_jakarta().year)
    target = await region(connection, region_code, identity, assignment)
    _check_level(target, "regionCode")
    kids = [k for k in await children(connection, target) if k.level in INDICATOR_REGION_LEVELS] if group_by_children else []
    figures = await _figures(connection, [target, *kids], year)
    return IndicatorTable(
        year=year,
        region=RegionIndicators(target, figures[target.code]),
        children=[RegionIndicators(k, figures[k.code]) for k in kids],
    )


async def set_target(
    connection: AsyncConnection, identity: Identity | None, region_code: str | None, year: int,
    indicator: Indicator, value: int, request_id: str | None,
) -> IndicatorFigure:
    """Set (or change) a target; the caller commits. Returns the indicator's figure with the new target."""
    if identity is None:
        access.report_scope(identity)
    POLICY.require(identity.role, "Mutation.setIndicatorTarget")  # type: ignore[union-attr]
    check_year("input.year", year, today_in_jakarta().year)
    if not 0 <= value <= 10_000_000:
        raise InvalidInput("input.target", "must be between 0 and 10000000")
    ref = await find_region(connection, region_code, field="input.regionCode")
    _check_level(ref, "input.regionCode")
    check_target_setter(identity.role.value, identity.region, ref.code)  # type: ignore[union-attr]
    await indicator_data.set_target(
        connection, ref.code, year, indicator.value, value, identity.subject, identity.role.value, request_id  # type: ignore[union-attr]
    )
    return (await _figures(connection, [ref], year))[ref.code][list(Indicator).index(indicator)]
