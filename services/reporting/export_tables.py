"""Reports as tables (a title, a header, rows) for the CSV and XLSX exports."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from services.reporting import reports
from services.reporting.domain.reports import Counts, Moves, Statistics
from services.reporting.domain.standing import Standing

COUNT_HEADER = ["unassessed", "pemula", "berkembang", "maju", "active", "closed", "graduated", "total"]
STATISTICS_HEADER = [*COUNT_HEADER, "female_owned_active", "male_owned_active", "krtp_active", "workers_women",
                     "workers_men", "small_enterprise_candidates"]
MOVES_HEADER = ["new_registrations", "moved_up", "moved_down", "pemula_to_berkembang", "berkembang_to_maju",
                "maju_to_graduated", "closed", "graduated"]


@dataclass(frozen=True, slots=True)
class Table:
    title: str
    header: list[str]
    rows: list[list[Any]]


def _counts(c: Counts) -> list[int]:
    return [c.of(Standing.UNASSESSED), c.of(Standing.PEMULA), c.of(Standing.BERKEMBANG), c.of(Standing.MAJU),
            c.active, c.of(Standing.CLOSED), c.of(Standing.GRADUATED), c.total]


def _statistics(s: Statistics) -> list[int]:
    return [*_counts(s.counts), s.female_owned.active, s.male_owned.active, s.female_head_of_household.active,
            s.workers_female, s.workers_male, s.small_enterprise_candidates]


def _moves(m: Moves) -> list[int]:
    return [m.new_registrations, m.moved_up, m.moved_down, m.count("PEMULA", "BERKEMBANG"),
            m.count("BERKEMBANG", "MAJU"), m.count("MAJU", "GRADUATED"), m.closed, m.graduated]


def distribution_tables(d: reports.Distribution) -> list[Table]:
    rows = [[d.region.code, d.region.name, d.as_of.isoformat(), *_statistics(d.statistics)]]
    rows += [[ref.code, ref.name, d.as_of.isoformat(), *_statistics(s)] for ref, s in d.children]
    return [Table(f"Class distribution {d.region.name} {d.as_of.isoformat()}",
                  ["region_code", "region_name", "as_of", *STATISTICS_HEADER], rows)]


def annual_report_tables(r: reports.AnnualReport) -> list[Table]:
    start, end = f"{r.year - 1}-12-31", f"{r.year}-12-31"
    summary = Table(
        f"Annual report {r.region.name} {r.year}",
        ["region_code", "region_name", "year", "as_of", *STATISTICS_HEADER],
        [[r.region.code, r.region.name, r.year, start, *_statistics(r.start)],
         [r.region.code, r.region.name, r.year, end, *_statistics(r.end)]],
    )
    moves = Table(
        "Moves",
        ["region_code", "region_name", "year", *MOVES_HEADER],
        [[r.region.code, r.region.name, r.year, *_moves(r.transitions)]]
        + [[ref.code, ref.name, r.year, *_moves(m)] for ref, _, _, m in r.children],
    )
    children = Table(
        "Regions",
        ["region_code", "region_name", *[f"start_{h}" for h in COUNT_HEADER], *[f"end_{h}" for h in COUNT_HEADER]],
        [[ref.code, ref.name, *_counts(s.counts), *_counts(e.counts)] for ref, s, e, _ in r.children],
    )
    needs_rows: list[list[Any]] = []
    for c in r.needs.classes:
        needs_rows.append([c.ir_class, "IR", "", "", c.home_industries])
        needs_rows += [[c.ir_class, "PRODUCT", item, "", n] for item, n in c.products]
        needs_rows += [[c.ir_class, "NEED", item, "", n] for item, n in c.needs]
        needs_rows += [[c.ir_class, "CONSTRAINT", item, "", n] for item, n in c.constraints]
        needs_rows += [[c.ir_class, "ASSISTANCE", item, kind, n] for item, kind, n in c.assistance]
        needs_rows += [[c.ir_class, "PROVIDER", item, kind, n] for item, kind, n in c.providers]
    needs = Table("Needs analysis", ["class", "kind", "item", "provider_kind", "home_industries"], needs_rows)
    return [summary, moves, children, needs]
