"""Report queries over the rollups (nation, provinces, regencies) and the per-IR projection (smaller regions)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from services.reporting.domain.access import Assignment
from services.reporting.domain.periods import ALL_TIME_START, buckets_between, read_backwards, today_in_jakarta
from services.reporting.domain.projection import IrRecord
from services.reporting.domain.reports import MoveLine, StockLine
from services.reporting.domain.standing import AssessedClass

_STOCK = text(
    """
    SELECT region_code, standing, owner_sex, female_head_of_household, candidate,
           sum(home_industries)::int AS home_industries, sum(workers_female)::int AS workers_female,
           sum(workers_male)::int AS workers_male, sum(key_sum)::bigint AS key_sum
    FROM reporting.stock_changes
    WHERE level = :level AND region_code = ANY(:regions)
      AND ((period = 'Y' AND period_start < :year_start)
        OR (period = 'M' AND period_start >= :year_start AND period_start < :month_start)
        OR (period = 'D' AND period_start >= :month_start AND period_start <= :as_of))
    GROUP BY region_code, standing, owner_sex, female_head_of_household, candidate
    """
)

_STOCK_NOW = text(
    """
    SELECT region_code, standing, owner_sex, female_head_of_household, candidate,
           home_industries, workers_female, workers_male, key_sum
    FROM reporting.stock_changes
    WHERE level = :level AND region_code = ANY(:regions) AND period = 'A' AND period_start = :all_time
    """
)

_STOCK_AFTER = text(
    """
    SELECT region_code, standing, owner_sex, female_head_of_household, candidate,
           sum(home_industries)::int AS home_industries, sum(workers_female)::int AS workers_female,
           sum(workers_male)::int AS workers_male, sum(key_sum)::bigint AS key_sum
    FROM reporting.stock_changes
    WHERE level = :level AND region_code = ANY(:regions)
      AND ((period = 'D' AND period_start > :as_of AND period_start < :next_month)
        OR (period = 'M' AND period_start >= :next_month AND period_start < :next_year)
        OR (period = 'Y' AND period_start >= :next_year))
    GROUP BY region_code, standing, owner_sex, female_head_of_household, candidate
    """
)

_MOVES = text(
    """
    SELECT m.region_code, m.from_standing, m.to_standing, m.owner_sex, sum(m.home_industries)::int AS home_industries,
           sum(m.key_sum)::bigint AS key_sum
    FROM reporting.move_counts m
    JOIN unnest(CAST(:periods AS text[]), CAST(:starts AS date[])) AS b(period, period_start)
      ON m.period = b.period AND m.period_start = b.period_start
    WHERE m.level = :level AND m.region_code = ANY(:regions)
    GROUP BY m.region_code, m.from_standing, m.to_standing, m.owner_sex
    """
)


async def rollup_stock(
    connection: AsyncConnection, level: int, regions: Sequence[str], as_of: dt.date
) -> dict[str, list[StockLine]]:
    """The stock at the end of ``as_of`` of each region (all at one rollup level).

    Today or later: the all-time bucket. A recent date: all time less the buckets after it. An
    older one: the buckets up to it. Either way a few hundred rows per region at most.
    """
    params: dict[str, Any] = {"level": level, "regions": list(regions), "as_of": as_of}
    today = today_in_jakarta()
    totals: dict[tuple[str, str, str, bool, bool], list[int]] = defaultdict(lambda: [0, 0, 0, 0])

    def add(result: Any, sign: int) -> None:
        for row in result.mappings():
            entry = totals[(row["region_code"], row["standing"], row["owner_sex"], row["female_head_of_household"], row["candidate"])]
            entry[0] += sign * row["home_industries"]
            entry[1] += sign * row["workers_female"]
            entry[2] += sign * row["workers_male"]
            entry[3] += sign * row["key_sum"]

    if as_of >= today or read_backwards(as_of, today):
        add(await connection.execute(_STOCK_NOW, {**params, "all_time": ALL_TIME_START}), 1)
        if as_of < today:
            next_month = (as_of.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
            add(await connection.execute(_STOCK_AFTER, {
                **params, "next_month": next_month, "next_year": dt.date(as_of.year + 1, 1, 1)}), -1)
    else:
        add(await connection.execute(_STOCK, {
            **params, "year_start": as_of.replace(month=1, day=1), "month_start": as_of.replace(day=1)}), 1)
    out: dict[str, list[StockLine]] = {code: [] for code in regions}
    for (code, standing, sex, krtp, candidate), (n, women, men, key_sum) in totals.items():
        if n or women or men:
            out[code].append(StockLine(standing, sex, krtp, candidate, n, women, men, key_sum))
    return out


async def rollup_moves(
    connection: AsyncConnection, level: int, regions: Sequence[str], first: dt.date, last: dt.date
) -> dict[str, list[MoveLine]]:
    """Moves dated ``first``..``last`` of each region (all at ``level`` ≤ 2), from the rollup."""
    buckets = buckets_between(first, last)
    result = await connection.execute(
        _MOVES,
        {"level": level, "regions": list(regions), "periods": [p for p, _ in buckets], "starts": [s for _, s in buckets]},
    )
    out: dict[str, list[MoveLine]] = {code: [] for code in regions}
    for row in result.mappings():
        out[row["region_code"]].append(
            MoveLine(row["from_standing"], row["to_standing"], row["owner_sex"], row["home_industries"], row["key_sum"])
        )
    return out


def _like_prefix(code: str) -> str:
    return code.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + ".%"


def _region_clause(code: str) -> str:
    # A village code is matched exactly; anything above it by its dotted prefix.
    return "village_code = :code" if code.count(".") == 3 else "village_code LIKE :prefix"


def _record(row: RowMapping) -> IrRecord:
    return IrRecord(
        id=row["id"], registration_number=row["registration_number"], village_code=row["village_code"],
        business_category=row["business_category"], owner_sex=row["owner_sex"],
        female_head_of_household=row["female_head_of_household"], workers_female=row["workers_female"],
        workers_male=row["workers_male"], registered_on=row["registered_on"], status=row["status"],
        status_changed_on=row["status_changed_on"], products=list(row["products"]),
        constraints=list(row["constraints"]), hopes=list(row["hopes"]),
        assistance_received=list(row["assistance_received"] or []), marketing_channels=list(row["marketing_channels"]),
        record_key=row["record_key"], transfers=list(row["transfers"]),
    )


async def _with_history(connection: AsyncConnection, result: Any) -> dict[int, IrRecord]:
    """The IR rows of ``result`` by id, each with its class history (one more statement)."""
    records = {row["id"]: _record(row) for row in result.mappings()}
    if records:
        history = await connection.execute(
            text("SELECT * FROM reporting.class_history WHERE home_industry_id = ANY(:ids)"), {"ids": list(records)}
        )
        for row in history.mappings():
            records[row["home_industry_id"]].history[row["assessment_id"]] = AssessedClass(
                row["assessment_id"], row["assessed_on"], row["ir_class"], row["score"], row["small_enterprise_candidate"]
            )
    return records


#: IR that were in a region before a transfer took them elsewhere (partial index of transferred IR, 0007).
_MOVED_AWAY = (
    "SELECT * FROM reporting.home_industries WHERE transfers <> '[]' AND NOT ({region}) AND EXISTS ("
    "SELECT 1 FROM jsonb_array_elements(transfers) t WHERE t->>'fromVillageCode' = :code "
    "OR t->>'fromVillageCode' LIKE :prefix)"
)


async def records_in(connection: AsyncConnection, code: str) -> list[IrRecord]:
    """Every IR that is or was in a (small) region, with its class history: two statements.

    An IR transferred away still counts there for the days before its move (``IrRecord.village_on``)."""
    params = {"code": code, "prefix": _like_prefix(code)}
    region = _region_clause(code)
    result = await connection.execute(
        text(f"SELECT * FROM reporting.home_industries WHERE {region} UNION ALL "
             f"{_MOVED_AWAY.format(region=region)} ORDER BY id"), params
    )
    records = await _with_history(connection, result)
    return list(records.values())


async def records_in_villages(connection: AsyncConnection, codes: Sequence[str]) -> list[IrRecord]:
    """Every IR that is or was in one of these villages, with its class history: two statements.

    Only the villages asked for (a page's villages), not their sub-districts' every IR."""
    params = {"codes": list(codes)}
    result = await connection.execute(
        text("SELECT * FROM reporting.home_industries WHERE village_code = ANY(:codes) UNION ALL "
             "SELECT * FROM reporting.home_industries WHERE transfers <> '[]' AND NOT (village_code = ANY(:codes)) "
             "AND EXISTS (SELECT 1 FROM jsonb_array_elements(transfers) t WHERE t->>'fromVillageCode' = ANY(:codes)) "
             "ORDER BY id"), params
    )
    records = await _with_history(connection, result)
    return list(records.values())


async def records_by_ids(connection: AsyncConnection, ids: Sequence[int]) -> dict[int, IrRecord]:
    """IR records with their class history, by id (two statements for any number)."""
    result = await connection.execute(
        text("SELECT * FROM reporting.home_industries WHERE id = ANY(:ids)"), {"ids": list(ids)}
    )
    records = await _with_history(connection, result)
    return records


def _candidates_where(code: str, assignment: Assignment | None) -> str:
    where = "TRUE" if code == "" else _region_clause(code)
    if assignment is not None:
        where += " AND (h.village_code = ANY(CAST(:villages AS text[])) OR h.id = ANY(CAST(:ids AS bigint[])))"
    return "h.small_enterprise_candidate AND h.status = 'ACTIVE' AND " + where


def _candidates_parameters(code: str, assignment: Assignment | None) -> dict[str, Any]:
    return {"code": code, "prefix": _like_prefix(code),
            "villages": sorted(assignment.villages) if assignment else [],
            "ids": sorted(assignment.home_industry_ids) if assignment else []}


#: The hand-over list's order: newest assessment first (an IR never assessed last), then by id.
_CANDIDATE_DAY = "COALESCE(h.last_assessed_on, DATE '0001-01-01')"


def candidate_key(row: RowMapping) -> tuple[Any, ...]:
    return (row["last_assessed_on"] or dt.date(1, 1, 1), row["id"])


async def small_business_candidates(
    connection: AsyncConnection, code: str, limit: int, assignment: Assignment | None = None,
    after: tuple[Any, ...] | None = None,
) -> list[RowMapping]:
    """Active IR whose latest assessment makes them small-enterprise candidates, newest assessment first,
    ``limit`` of them after the sort key ``after`` (keyset); with ``assignment``, only the IR of its
    villages and its single IR (the SQL form of ``access.admits``)."""
    where = _candidates_where(code, assignment)
    if after is not None:
        where += f" AND ({_CANDIDATE_DAY} < :after_day OR ({_CANDIDATE_DAY} = :after_day AND h.id > :after_id))"
    result = await connection.execute(
        text(
            f"""
            SELECT h.id, h.registration_number, h.village_code, h.business_category, h.owner_sex,
                   h.last_assessed_on, h.current_class, c.score
            FROM reporting.home_industries h
            LEFT JOIN LATERAL (
                SELECT score FROM reporting.class_history
                WHERE home_industry_id = h.id ORDER BY assessed_on DESC, assessment_id DESC LIMIT 1
            ) c ON TRUE
            WHERE {where}
            ORDER BY {_CANDIDATE_DAY} DESC, h.id
            LIMIT :limit
            """
        ),
        {**_candidates_parameters(code, assignment), "limit": limit,
         **({"after_day": after[0], "after_id": after[1]} if after is not None else {})},
    )
    return list(result.mappings())


async def count_small_business_candidates(connection: AsyncConnection, code: str, assignment: Assignment | None) -> int:
    result = await connection.execute(
        text(f"SELECT count(*) FROM reporting.home_industries h WHERE {_candidates_where(code, assignment)}"),
        _candidates_parameters(code, assignment),
    )
    return int(result.scalar_one())


async def needs_lines(connection: AsyncConnection, code: str) -> list[RowMapping]:
    """Per current class of active IR: counts of products, constraints, hopes and assistance received.

    One row per (class, kind, item, provider kind) with the number of IR naming it and the sum of
    their record keys (disclosure.py): from the needs rollup down to sub-districts, from the per-IR
    projection for a village.
    """
    level = 0 if code == "" else code.count(".") + 1
    if level <= 3:
        result = await connection.execute(
            text(
                "SELECT ir_class AS current_class, kind, item, detail, home_industries AS n, key_sum FROM reporting.needs_counts"
                " WHERE level = :level AND region_code = :code AND home_industries <> 0"
            ),
            {"level": level, "code": code},
        )
        return list(result.mappings())
    result = await connection.execute(
        text(
            f"""
            WITH ir AS (
                SELECT id, record_key, current_class, products, constraints, hopes, assistance_received
                FROM reporting.home_industries
                WHERE status = 'ACTIVE' AND current_class IS NOT NULL AND {_region_clause(code)}
            ), items AS (
                SELECT id, record_key, current_class, 'IR' AS kind, '' AS item, '' AS detail FROM ir
                UNION SELECT id, record_key, current_class, 'PRODUCT', p, '' FROM ir, unnest(products) p
                UNION SELECT id, record_key, current_class, 'CONSTRAINT', c, '' FROM ir, unnest(constraints) c
                UNION SELECT id, record_key, current_class, 'NEED', h, '' FROM ir, unnest(hopes) h
                UNION SELECT id, record_key, current_class, 'ASSISTANCE', a->>'type', coalesce(a->>'providerKind', '')
                    FROM ir, jsonb_array_elements(assistance_received) a
                UNION SELECT id, record_key, current_class, 'PROVIDER', a->>'provider', coalesce(a->>'providerKind', '')
                    FROM ir, jsonb_array_elements(assistance_received) a
            )
            SELECT current_class, kind, item, detail, count(*)::int AS n, sum(record_key)::bigint AS key_sum
            FROM items GROUP BY 1, 2, 3, 4
            """
        ),
        {"code": code, "prefix": _like_prefix(code)},
    )
    return list(result.mappings())


async def data_years(connection: AsyncConnection) -> tuple[int, int] | None:
    """The first and last year with any change in the rollup (None when empty)."""
    result = await connection.execute(
        text(
            "SELECT extract(year FROM min(period_start))::int AS first, extract(year FROM max(period_start))::int AS last"
            " FROM reporting.move_counts WHERE level = 0 AND region_code = '' AND period = 'Y'"
        )
    )
    row = result.mappings().one()
    return None if row["first"] is None else (row["first"], row["last"])


async def consumer_state(connection: AsyncConnection) -> RowMapping | None:
    result = await connection.execute(
        text(
            "SELECT transaction_id::text AS transaction_id, event_id, events_applied, events_skipped, last_event_at,"
            " last_batch_at FROM reporting.consumer_state WHERE consumer = 'registry-outbox'"
        )
    )
    return result.mappings().first()
