"""Asserts that reporting's projection equals the registry's tables, recomputed independently."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from typing import Any

import asyncpg

from services.reporting.domain.disclosure import record_key
from services.reporting.domain.reports import move_lines, stock_lines
from services.reporting.domain.projection import IrRecord
from services.reporting.domain.standing import AssessedClass
from tests.reporting import registry_recompute

DATES = (dt.date(2016, 12, 31), dt.date(2019, 6, 30), dt.date(2023, 1, 1), dt.date(2024, 12, 31), dt.date(2026, 11, 20))
PERIODS = ((dt.date(2016, 1, 1), dt.date(2026, 12, 31)), (dt.date(2024, 1, 1), dt.date(2024, 12, 31)),
           (dt.date(2023, 3, 15), dt.date(2025, 2, 2)), (dt.date(2025, 12, 31), dt.date(2025, 12, 31)))


async def _rollup_stock(pg: asyncpg.Connection, level: int, as_of: dt.date) -> dict[tuple[Any, ...], tuple[int, int, int]]:
    rows = await pg.fetch(
        """
        SELECT region_code, standing, owner_sex, female_head_of_household AS krtp, candidate,
               sum(home_industries)::int AS n, sum(workers_female)::int AS wf, sum(workers_male)::int AS wm
        FROM reporting.stock_changes
        WHERE level = $1 AND ((period = 'Y' AND period_start < $2) OR (period = 'M' AND period_start >= $2 AND period_start < $3)
              OR (period = 'D' AND period_start >= $3 AND period_start <= $4))
        GROUP BY 1, 2, 3, 4, 5
        """,
        level, as_of.replace(month=1, day=1), as_of.replace(day=1), as_of,
    )
    return {(r["region_code"], r["standing"], r["owner_sex"], r["krtp"], r["candidate"]): (r["n"], r["wf"], r["wm"])
            for r in rows if (r["n"], r["wf"], r["wm"]) != (0, 0, 0)}


async def _rollup_moves(pg: asyncpg.Connection, level: int, first: dt.date, last: dt.date) -> dict[tuple[str, ...], int]:
    from services.reporting.domain.periods import buckets_between

    buckets = buckets_between(first, last)
    rows = await pg.fetch(
        """
        SELECT m.region_code, m.from_standing, m.to_standing, m.owner_sex, sum(m.home_industries)::int AS n
        FROM reporting.move_counts m JOIN unnest($2::text[], $3::date[]) b(period, start)
          ON m.period = b.period AND m.period_start = b.start
        WHERE m.level = $1 GROUP BY 1, 2, 3, 4
        """,
        level, [p for p, _ in buckets], [s for _, s in buckets],
    )
    return {(r["region_code"], r["from_standing"], r["to_standing"], r["owner_sex"]): r["n"] for r in rows if r["n"]}


async def _rollup_key_sums(pg: asyncpg.Connection, code: str, as_of: dt.date) -> dict[tuple[Any, ...], int]:
    """A sub-district's stock cells on a date from the rollup: the sum of their IR's record keys."""
    rows = await pg.fetch(
        """
        SELECT standing, owner_sex, female_head_of_household AS krtp, candidate, sum(home_industries)::int AS n,
               sum(key_sum)::bigint AS key_sum
        FROM reporting.stock_changes
        WHERE level = 3 AND region_code = $1 AND ((period = 'Y' AND period_start < $2)
              OR (period = 'M' AND period_start >= $2 AND period_start < $3) OR (period = 'D' AND period_start >= $3 AND period_start <= $4))
        GROUP BY 1, 2, 3, 4
        """,
        code, as_of.replace(month=1, day=1), as_of.replace(day=1), as_of,
    )
    return {(r["standing"], r["owner_sex"], r["krtp"], r["candidate"]): r["key_sum"] for r in rows if r["n"]}


async def _records_inside(pg: asyncpg.Connection, code: str) -> list[IrRecord]:
    records: dict[int, IrRecord] = {}
    # Those there now and those a transfer took elsewhere (they count there for the days before it).
    for r in await pg.fetch("SELECT * FROM reporting.home_industries WHERE village_code LIKE $1 OR EXISTS ("
                            "SELECT 1 FROM jsonb_array_elements(transfers) t WHERE t->>'fromVillageCode' LIKE $1)",
                            code + ".%"):
        transfers = r["transfers"] if isinstance(r["transfers"], list) else json.loads(r["transfers"])
        records[r["id"]] = IrRecord(r["id"], r["registration_number"], r["village_code"], r["business_category"],
                                    r["owner_sex"], r["female_head_of_household"], r["workers_female"], r["workers_male"],
                                    r["registered_on"], r["status"], r["status_changed_on"], [], [], [], [], [],
                                    record_key=r["record_key"], transfers=transfers)
    for r in await pg.fetch("SELECT * FROM reporting.class_history WHERE home_industry_id = ANY($1::bigint[])", list(records)):
        records[r["home_industry_id"]].history[r["assessment_id"]] = AssessedClass(
            r["assessment_id"], r["assessed_on"], r["ir_class"], r["score"], r["small_enterprise_candidate"])
    return list(records.values())


async def assert_facilitators_match_registry(pg: asyncpg.Connection) -> None:
    """Facilitators and assignments, period for period, as the registry holds them (names and contacts excluded)."""
    columns = "id, regency_code, subject, active_from, active_until, version"
    assert [tuple(r) for r in await pg.fetch(f"SELECT {columns} FROM reporting.facilitators ORDER BY id")] == [
        tuple(r) for r in await pg.fetch(f"SELECT {columns} FROM registry.facilitators ORDER BY id")]
    columns = "id, facilitator_id, village_code, home_industry_id, active_from, active_until"
    assert [tuple(r) for r in await pg.fetch(f"SELECT {columns} FROM reporting.facilitator_assignments ORDER BY id")] == [
        tuple(r) for r in await pg.fetch(f"SELECT {columns} FROM registry.facilitator_assignments ORDER BY id")]


async def assert_projection_matches_registry(pg: asyncpg.Connection) -> None:
    await assert_facilitators_match_registry(pg)
    # Per IR: the record and its whole class history.
    projected = await pg.fetch(
        "SELECT id, village_code, owner_sex, female_head_of_household, workers_female, workers_male, registered_on,"
        " status, status_changed_on, current_class, last_assessed_on, constraints, hopes FROM reporting.home_industries ORDER BY id"
    )
    registry = await pg.fetch(
        "SELECT id, village_code, owner_sex, owner_is_female_head_of_household, workers_female, workers_male, registered_on,"
        " status, status_changed_on, current_class, last_assessed_on, constraints, hopes FROM registry.home_industries ORDER BY id"
    )
    assert [tuple(r) for r in projected] == [tuple(r) for r in registry]
    history = await pg.fetch("SELECT assessment_id, home_industry_id, assessed_on, ir_class, score, small_enterprise_candidate"
                             " FROM reporting.class_history ORDER BY 1")
    assessments = await pg.fetch("SELECT id, home_industry_id, assessed_on, ir_class, score, small_enterprise_candidate"
                                 " FROM registry.assessments ORDER BY 1")
    assert [tuple(r) for r in history] == [tuple(r) for r in assessments]
    # Each IR's record key is the one its id and the database's secret give (domain/disclosure.py).
    secret = bytes(await pg.fetchval("SELECT secret FROM reporting.disclosure_secret"))
    for r in await pg.fetch("SELECT id, record_key FROM reporting.home_industries"):
        assert r["record_key"] == record_key(secret, r["id"]), r["id"]

    # Rollups (nation, provinces, regencies): the stock on several dates and the moves of several periods.
    for level in (0, 1, 2, 3):
        for day in DATES:
            expected = await registry_recompute.stock(pg, level, day)
            assert await _rollup_stock(pg, level, day) == expected, (level, day)
        for first, last in PERIODS:
            expected_moves = await registry_recompute.moves(pg, level, first, last)
            assert await _rollup_moves(pg, level, first, last) == expected_moves, (level, first, last)

    # The all-time bucket is today's stock.
    everything = dt.date(2999, 12, 31)
    for level in (0, 1, 2, 3):
        now = await pg.fetch(
            "SELECT region_code, standing, owner_sex, female_head_of_household AS krtp, candidate, home_industries AS n,"
            " workers_female AS wf, workers_male AS wm FROM reporting.stock_changes WHERE level = $1 AND period = 'A'", level)
        assert {(r["region_code"], r["standing"], r["owner_sex"], r["krtp"], r["candidate"]): (r["n"], r["wf"], r["wm"])
                for r in now if (r["n"], r["wf"], r["wm"]) != (0, 0, 0)} == await registry_recompute.stock(pg, level, everything)

    # The needs-analysis rollup.
    for level in (0, 1, 2, 3):
        rows = await pg.fetch("SELECT region_code, ir_class, kind, item, detail, home_industries FROM reporting.needs_counts"
                              " WHERE level = $1 AND home_industries <> 0", level)
        assert {tuple(r)[:5]: r["home_industries"] for r in rows} == await registry_recompute.needs(pg, level), level

    # Villages are answered from the per-IR projection: same figures.
    subdistricts = [r[0] for r in await pg.fetch(
        "SELECT DISTINCT array_to_string((string_to_array(village_code, '.'))[1:3], '.') FROM registry.home_industries ORDER BY 1 LIMIT 6")]
    for code in subdistricts:
        records = await _records_inside(pg, code)
        for day in DATES:
            expected = await registry_recompute.stock(pg, 4, day, inside=code)
            got: dict[tuple[Any, ...], tuple[int, int, int]] = defaultdict(lambda: (0, 0, 0))
            for village in {r.village_on(day) for r in records if r.village_on(day).startswith(code + ".")}:
                for line in stock_lines(records, day, lambda placed, village=village: placed == village):
                    got[(village, line.standing, line.owner_sex, line.female_head_of_household, line.candidate)] = (
                        line.home_industries, line.workers_female, line.workers_male)
            assert dict(got) == expected, (code, day)
            # Disclosure control keys each cell on the sum of its IR's record keys: the rollup's sums,
            # kept through every update, back-dated assessment and closure, equal the IR's own keys.
            keys = {(line.standing, line.owner_sex, line.female_head_of_household, line.candidate): line.key_sum
                    for line in stock_lines(records, day, lambda placed: placed.startswith(code + "."))
                    if line.home_industries}
            assert await _rollup_key_sums(pg, code, day) == keys, (code, day)
        for first, last in PERIODS:
            expected_moves = await registry_recompute.moves(pg, 3, first, last, inside=code)
            got_moves = {(code, m.from_standing, m.to_standing, m.owner_sex): m.home_industries
                         for m in move_lines(records, first, last, lambda placed: placed.startswith(code + "."))}
            assert got_moves == expected_moves, (code, first, last)
