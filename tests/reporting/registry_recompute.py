"""The reports recomputed straight from the registry's own tables with GROUP BY (no reporting code).

The correctness tests compare the projection with these, and bench/reporting compares their speed:
each answers the same question as a reporting query, by scanning ``registry.home_industries``
and ``registry.assessments``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import asyncpg

#: Where an IR stands at the end of $1, with the regions it counts in.
STOCK_SQL = """
WITH latest AS (
    SELECT DISTINCT ON (a.home_industry_id) a.home_industry_id, a.ir_class, a.small_enterprise_candidate
    FROM registry.assessments a
    WHERE a.assessed_on <= $1
    ORDER BY a.home_industry_id, a.assessed_on DESC, a.id DESC
), placed AS (
    SELECT h.*, {placed} AS placed_village,
           (h.status <> 'ACTIVE' AND h.status_changed_on <= $1) AS gone, l.ir_class, l.small_enterprise_candidate
    FROM registry.home_industries h LEFT JOIN latest l ON l.home_industry_id = h.id
    WHERE h.registered_on <= $1
)
SELECT {region} AS region_code,
       CASE WHEN gone THEN status WHEN ir_class IS NULL THEN 'UNASSESSED' ELSE ir_class END AS standing,
       owner_sex, owner_is_female_head_of_household AS krtp,
       coalesce(NOT gone AND ir_class = 'MAJU' AND small_enterprise_candidate, false) AS candidate,
       count(*)::int AS home_industries, sum(workers_female)::int AS workers_female, sum(workers_male)::int AS workers_male
FROM placed
WHERE TRUE {where}
GROUP BY 1, 2, 3, 4, 5
"""

#: Every change of standing of every IR, dated, with the standing before (NULL: registration).
MOVES_SQL = """
WITH points AS (
    SELECT id AS home_industry_id, registered_on AS day FROM registry.home_industries h
    UNION
    SELECT a.home_industry_id, a.assessed_on FROM registry.assessments a
    JOIN registry.home_industries h ON h.id = a.home_industry_id WHERE a.assessed_on > h.registered_on
    UNION
    SELECT id, greatest(status_changed_on, registered_on) FROM registry.home_industries h
    WHERE status <> 'ACTIVE'
), standings AS (
    SELECT p.home_industry_id, p.day, h.owner_sex, {placed_on_day} AS placed_village,
           CASE WHEN h.status <> 'ACTIVE' AND h.status_changed_on <= p.day THEN h.status
                ELSE coalesce((SELECT a.ir_class FROM registry.assessments a
                               WHERE a.home_industry_id = p.home_industry_id AND a.assessed_on <= p.day
                               ORDER BY a.assessed_on DESC, a.id DESC LIMIT 1), 'UNASSESSED') END AS standing
    FROM points p JOIN registry.home_industries h ON h.id = p.home_industry_id
), sequence AS (
    SELECT *, lag(standing) OVER (PARTITION BY home_industry_id ORDER BY day) AS before FROM standings
)
SELECT {region} AS region_code, coalesce(before, 'NEW') AS from_standing, standing AS to_standing, owner_sex,
       count(*)::int AS home_industries
FROM sequence
WHERE (before IS NULL OR before <> standing) AND day BETWEEN $1 AND $2 {where}
GROUP BY 1, 2, 3, 4
"""


#: The village an IR was in at the end of a day: the one it left by its first transfer after that day,
#: else where it is now (registry.home_industry_transfers).
PLACED = ("coalesce((SELECT t.from_village_code FROM registry.home_industry_transfers t WHERE t.home_industry_id = {id}"
          " AND t.status = 'ACCEPTED' AND t.transferred_on > {day} ORDER BY t.transferred_on, t.id LIMIT 1), h.village_code)")


def _placed(identifier: str, day: str) -> str:
    return PLACED.format(id=identifier, day=day)


def region_expression(level: int, column: str = "placed_village") -> str:
    """SQL for the code of the level-``level`` region an IR is in ('' for the nation)."""
    if level == 0:
        return "''"
    return f"array_to_string((string_to_array({column}, '.'))[1:{level}], '.')"


def _inside(code: str) -> str:
    return "" if code == "" else f" AND (placed_village = '{code}' OR placed_village LIKE '{code}.%')"


async def stock(connection: asyncpg.Connection, level: int, as_of: dt.date, inside: str = "") -> dict[tuple[Any, ...], tuple[int, int, int]]:
    """(region, standing, sex, krtp, candidate) → (IR, women workers, men workers) at the end of ``as_of``."""
    sql = STOCK_SQL.format(region=region_expression(level), where=_inside(inside), placed=_placed("h.id", "$1"))
    return {
        (r["region_code"], r["standing"], r["owner_sex"], r["krtp"], r["candidate"]):
            (r["home_industries"], r["workers_female"], r["workers_male"])
        for r in await connection.fetch(sql, as_of)
    }


async def moves(connection: asyncpg.Connection, level: int, first: dt.date, last: dt.date, inside: str = "") -> dict[tuple[str, str, str, str], int]:
    """(region, from, to, sex) → IR that moved so between ``first`` and ``last`` (both included)."""
    sql = MOVES_SQL.format(region=region_expression(level), where=_inside(inside),
                           placed_on_day=_placed("p.home_industry_id", "p.day"))
    return {
        (r["region_code"], r["from_standing"], r["to_standing"], r["owner_sex"]): r["home_industries"]
        for r in await connection.fetch(sql, first, last)
    }


#: The needs analysis (BAB V H): per region and current class of active IR, how many IR name each item.
NEEDS_SQL = """
WITH ir AS (
    SELECT id, current_class, village_code, products, constraints, hopes, assistance_received
    FROM registry.home_industries WHERE status = 'ACTIVE' AND current_class IS NOT NULL
), items AS (
    SELECT id, current_class, village_code, 'IR' AS kind, '' AS item, '' AS detail FROM ir
    UNION SELECT id, current_class, village_code, 'PRODUCT', p->>'name', '' FROM ir, jsonb_array_elements(products) p
        WHERE coalesce(p->>'name', '') <> ''
    UNION SELECT id, current_class, village_code, 'CONSTRAINT', c, '' FROM ir, unnest(constraints) c
    UNION SELECT id, current_class, village_code, 'NEED', h, '' FROM ir, unnest(hopes) h
    UNION SELECT id, current_class, village_code, 'ASSISTANCE', coalesce(a->>'type', ''), coalesce(a->>'providerKind', '')
        FROM ir, jsonb_array_elements(assistance_received) a
    UNION SELECT id, current_class, village_code, 'PROVIDER', coalesce(a->>'provider', ''), coalesce(a->>'providerKind', '')
        FROM ir, jsonb_array_elements(assistance_received) a
)
SELECT {region} AS region_code, current_class, kind, item, detail, count(*)::int AS home_industries
FROM items GROUP BY 1, 2, 3, 4, 5
"""


async def needs(connection: asyncpg.Connection, level: int) -> dict[tuple[str, str, str, str, str], int]:
    """(region, class, kind, item, detail) → active IR of that class naming the item."""
    sql = NEEDS_SQL.format(region=region_expression(level, "village_code"))
    return {(r["region_code"], r["current_class"], r["kind"], r["item"], r["detail"]): r["home_industries"]
            for r in await connection.fetch(sql)}
