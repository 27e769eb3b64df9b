"""What a set of IR adds to the rollups, computed by PostgreSQL: the set-based twin of ``RollupDelta.add``.

A catch-up window (``data/catch_up_window.py``) fills two working tables, ``rollup_ir`` (one row per IR
and sign: its record as it was, sign -1, and as it is now, sign +1) and ``rollup_history`` (their
assessments, with the same sign); the window's ``steps`` then add up, per rollup cell, everything
those records contribute: each record's standing changes (``domain/standing.changes``), its stock,
moves, needs and indicator entries (``RollupDelta.add``, ``domain/indicators.indicator_years``), in
every region level and period bucket, and its ``write_steps`` add the net to the rollup tables
(``empty_table_fill``). The same rules as the Python build, written once more in SQL because a
rebuild would otherwise spend a third of a millisecond of Python per IR on them;
``tests/reporting/test_catch_up_window.py`` holds the two equal row by row on random feeds. A change to
``domain/standing.py``, ``domain/projection.py`` or ``domain/indicators.py`` must be made here too.

Cells are added up at the finest grain first (sub-district and day) and each coarser level and
period is summed from the one below, so a million IR cost a few passes over the finest cells
instead of sixteen rows per change.
"""

from __future__ import annotations

from services.reporting.data import empty_table_fill, window_steps

#: The working tables the caller fills (``window_steps``): ``rollup_ir_before`` (the records as they were, sign
#: -1; the caller makes ``rollup_ir`` of it and the records as they are now, sign +1) and ``rollup_history``.
INPUTS = (
    """
    CREATE UNLOGGED TABLE rollup_ir_before (
        id bigint NOT NULL, sign integer NOT NULL, village_code text NOT NULL, registered_on date NOT NULL,
        status text NOT NULL, status_changed_on date, owner_sex text NOT NULL, female_head_of_household boolean NOT NULL,
        workers_female integer NOT NULL, workers_male integer NOT NULL, record_key bigint NOT NULL,
        transfers jsonb NOT NULL, milestones jsonb NOT NULL, products text[] NOT NULL, constraints text[] NOT NULL,
        hopes text[] NOT NULL, assistance_received jsonb NOT NULL, PRIMARY KEY (id, sign)
    )
    """,
    """
    CREATE UNLOGGED TABLE rollup_history (
        home_industry_id bigint NOT NULL, sign integer NOT NULL, assessment_id bigint NOT NULL, assessed_on date NOT NULL,
        ir_class text NOT NULL, small_enterprise_candidate boolean NOT NULL
    )
    """,
)

# A region's code one level up: sub-district "33.74.01" → regency "33.74" → province "33" → nation "".
_UP = {3: "split_part(region_code, '.', 1) || '.' || split_part(region_code, '.', 2)", 2: "left(region_code, 2)"}
# The village an IR was in at the end of ``{day}`` (IrRecord.village_on): a transfer counts from its day on.
_VILLAGE_ON = (
    "CASE WHEN jsonb_array_length(r.transfers) = 0 THEN r.village_code ELSE coalesce(("
    " SELECT t.move->>'fromVillageCode' FROM jsonb_array_elements(r.transfers) WITH ORDINALITY t(move, n)"
    " WHERE (t.move->>'on')::date > {day} ORDER BY t.n LIMIT 1), r.village_code) END"
)
_SUB_DISTRICT = "left({village}, length({village}) - strpos(reverse({village}), '.'))"
_REGENCY = "split_part({village}, '.', 1) || '.' || split_part({village}, '.', 2)"

# Each assessment packed into one bigint ordered by (assessed_on, id), carrying its class and candidacy,
# so "the newest assessment up to a day" is a running max.
_PACKED = (
    "(((h.assessed_on - date '1800-01-01')::bigint << 44) | (h.assessment_id << 3)"
    " | ((CASE h.ir_class WHEN 'PEMULA' THEN 1 WHEN 'BERKEMBANG' THEN 2 ELSE 3 END)::bigint << 1)"
    " | (CASE WHEN h.small_enterprise_candidate THEN 1 ELSE 0 END)::bigint)"
)
# CLASS_RANK (domain/standing.py); NULL for a standing without a rank.
_RANK = "(CASE {standing} WHEN 'PEMULA' THEN 1 WHEN 'BERKEMBANG' THEN 2 WHEN 'MAJU' THEN 3 WHEN 'GRADUATED' THEN 4 END)"
_CLASS_OF = "(CASE (({packed}) >> 1) & 3 WHEN 1 THEN 'PEMULA' WHEN 2 THEN 'BERKEMBANG' ELSE 'MAJU' END)"

CHANGES = f"""
CREATE UNLOGGED TABLE rollup_changes AS
WITH points AS (
    -- the days its position may change on (kind 1) and its assessments (kind 0, before a day's position)
    SELECT r.id, r.sign, r.registered_on AS day, 1 AS kind, NULL::bigint AS packed FROM rollup_ir r
    UNION ALL
    SELECT h.home_industry_id, h.sign, h.assessed_on, 1, NULL FROM rollup_history h
    JOIN rollup_ir r ON r.id = h.home_industry_id AND r.sign = h.sign WHERE h.assessed_on > r.registered_on
    UNION ALL
    SELECT r.id, r.sign, greatest(r.status_changed_on, r.registered_on), 1, NULL FROM rollup_ir r
    WHERE r.status <> 'ACTIVE' AND r.status_changed_on IS NOT NULL
    UNION ALL
    SELECT h.home_industry_id, h.sign, h.assessed_on, 0, {_PACKED} FROM rollup_history h
), latest AS (
    SELECT id, sign, day, kind,
           max(packed) OVER (PARTITION BY id, sign ORDER BY day, kind ROWS UNBOUNDED PRECEDING) AS newest
    FROM points
), positions AS (
    SELECT l.id, l.sign, l.day,
           CASE WHEN r.status <> 'ACTIVE' AND r.status_changed_on <= l.day THEN r.status
                WHEN l.newest IS NULL THEN 'UNASSESSED'
                ELSE {_CLASS_OF.format(packed="l.newest")} END AS standing,
           CASE WHEN r.status <> 'ACTIVE' AND r.status_changed_on <= l.day THEN false
                WHEN l.newest IS NULL THEN false
                ELSE (l.newest & 1) = 1 AND ((l.newest >> 1) & 3) = 3 END AS candidate
    FROM latest l JOIN rollup_ir r ON r.id = l.id AND r.sign = l.sign
    WHERE l.kind = 1
), sequenced AS (
    SELECT id, sign, day, standing, candidate,
           lag(standing) OVER w AS before_standing, lag(candidate) OVER w AS before_candidate,
           row_number() OVER w AS n
    FROM positions WINDOW w AS (PARTITION BY id, sign ORDER BY day)
)
SELECT s.id, s.sign, s.day, s.n, s.before_standing, s.before_candidate, s.standing, s.candidate,
       {_VILLAGE_ON.format(day="s.day")} AS village
FROM sequenced s JOIN rollup_ir r ON r.id = s.id AND r.sign = s.sign
WHERE s.n = 1 OR s.before_standing IS DISTINCT FROM s.standing OR s.before_candidate IS DISTINCT FROM s.candidate
"""

STOCK_CELLS = f"""
CREATE UNLOGGED TABLE rollup_stock AS
SELECT 3::smallint AS level, region_code, 'D'::text AS period, day AS period_start, standing, owner_sex,
       female_head_of_household, candidate, sum(n)::bigint AS home_industries, sum(women)::bigint AS workers_female,
       sum(men)::bigint AS workers_male, sum(k)::bigint AS key_sum
FROM (
    SELECT {_SUB_DISTRICT.format(village="c.village")} AS region_code, c.day, c.standing, r.owner_sex,
           r.female_head_of_household, c.candidate, c.sign AS n, c.sign * r.workers_female AS women,
           c.sign * r.workers_male AS men, c.sign * r.record_key AS k
    FROM rollup_changes c JOIN rollup_ir r ON r.id = c.id AND r.sign = c.sign
    UNION ALL
    SELECT {_SUB_DISTRICT.format(village="c.village")}, c.day, c.before_standing, r.owner_sex,
           r.female_head_of_household, c.before_candidate, -c.sign, -c.sign * r.workers_female,
           -c.sign * r.workers_male, -c.sign * r.record_key
    FROM rollup_changes c JOIN rollup_ir r ON r.id = c.id AND r.sign = c.sign
    WHERE c.before_standing IS NOT NULL
    UNION ALL
    -- a transfer takes its standing of the day before out of the old region and into the new one
    SELECT {_SUB_DISTRICT.format(village="m.village")}, t.day, p.standing, r.owner_sex, r.female_head_of_household,
           p.candidate, m.direction * r.sign, m.direction * r.sign * r.workers_female,
           m.direction * r.sign * r.workers_male, m.direction * r.sign * r.record_key
    FROM rollup_ir r
    CROSS JOIN LATERAL (
        SELECT (t.move->>'on')::date AS day, t.n,
               t.move->>'fromVillageCode' AS old_village,
               coalesce(r.transfers->(t.n::int)->>'fromVillageCode', r.village_code) AS new_village
        FROM jsonb_array_elements(r.transfers) WITH ORDINALITY t(move, n)
    ) t
    CROSS JOIN LATERAL (VALUES (t.old_village, -1), (t.new_village, 1)) m(village, direction)
    JOIN LATERAL (
        SELECT c.standing, c.candidate FROM rollup_changes c
        WHERE c.id = r.id AND c.sign = r.sign AND c.day < t.day ORDER BY c.day DESC, c.n DESC LIMIT 1
    ) p ON true
    WHERE jsonb_array_length(r.transfers) > 0
) cells
GROUP BY 2, 4, 5, 6, 7, 8
"""

MOVE_CELLS = f"""
CREATE UNLOGGED TABLE rollup_moves AS
SELECT 3::smallint AS level, {_SUB_DISTRICT.format(village="c.village")} AS region_code, 'D'::text AS period,
       c.day AS period_start, coalesce(c.before_standing, 'NEW') AS from_standing, c.standing AS to_standing,
       r.owner_sex, sum(c.sign)::bigint AS home_industries, sum(c.sign * r.record_key)::bigint AS key_sum
FROM rollup_changes c JOIN rollup_ir r ON r.id = c.id AND r.sign = c.sign
WHERE c.before_standing IS NULL OR c.before_standing <> c.standing
GROUP BY 2, 4, 5, 6, 7
"""

# needs_items: each item once per IR (a set, deduplicated per IR: cheaper than across the window),
# counted where the IR is now under its newest class.
NEEDS_CELLS = f"""
CREATE UNLOGGED TABLE rollup_needs AS
WITH newest AS (
    SELECT DISTINCT ON (h.home_industry_id, h.sign) h.home_industry_id AS id, h.sign, h.ir_class
    FROM rollup_history h ORDER BY h.home_industry_id, h.sign, h.assessed_on DESC, h.assessment_id DESC
)
SELECT 3::smallint AS level, {_SUB_DISTRICT.format(village="r.village_code")} AS region_code, n.ir_class,
       i.kind, i.item, i.detail, sum(r.sign)::bigint AS home_industries, sum(r.sign * r.record_key)::bigint AS key_sum
FROM rollup_ir r JOIN newest n ON n.id = r.id AND n.sign = r.sign
CROSS JOIN LATERAL (
    SELECT DISTINCT * FROM (
        SELECT 'IR', '', ''
        UNION ALL SELECT 'PRODUCT', p, '' FROM unnest(r.products) p
        UNION ALL SELECT 'CONSTRAINT', c, '' FROM unnest(r.constraints) c
        UNION ALL SELECT 'NEED', h, '' FROM unnest(r.hopes) h
        UNION ALL SELECT 'ASSISTANCE', coalesce(a->>'type', ''), coalesce(a->>'providerKind', '')
                  FROM jsonb_array_elements(r.assistance_received) a
        UNION ALL SELECT 'PROVIDER', coalesce(a->>'provider', ''), coalesce(a->>'providerKind', '')
                  FROM jsonb_array_elements(r.assistance_received) a
    ) items
) i(kind, item, detail)
WHERE r.status = 'ACTIVE'
GROUP BY 2, 3, 4, 5, 6
"""

# indicator_years: (indicator, year) once per IR, counted where the IR was at the end of that year.
INDICATOR_CELLS = f"""
CREATE UNLOGGED TABLE rollup_indicators AS
WITH first_class AS (
    SELECT DISTINCT ON (h.home_industry_id, h.sign) h.home_industry_id AS id, h.sign, h.ir_class
    FROM rollup_history h ORDER BY h.home_industry_id, h.sign, h.assessed_on, h.assessment_id
), counted AS (
    -- each part counts indicators of its own, once per IR and year: only the standing changes can repeat one
    SELECT r.id, r.sign, n.indicator, extract(year FROM r.registered_on)::int AS year
    FROM rollup_ir r JOIN first_class f ON f.id = r.id AND f.sign = r.sign
    CROSS JOIN LATERAL (VALUES ('NEW_PEMULA'), (
        CASE WHEN substring(r.village_code FROM '[^.]*$') LIKE '1%' THEN 'NEW_PEMULA_IN_TOWNS' ELSE 'NEW_PEMULA_IN_VILLAGES' END
    )) n(indicator)
    WHERE f.ir_class = 'PEMULA'
    UNION ALL
    SELECT DISTINCT c.id, c.sign, i.indicator, extract(year FROM c.day)::int
    FROM rollup_changes c
    CROSS JOIN LATERAL unnest(ARRAY[
        CASE WHEN c.standing = 'CLOSED' AND c.before_standing IN ('UNASSESSED', 'PEMULA', 'BERKEMBANG', 'MAJU')
             THEN 'CLOSED_' || c.before_standing END,
        CASE WHEN c.standing = 'GRADUATED' THEN 'GRADUATED' END,
        CASE WHEN c.standing = 'GRADUATED' AND c.before_standing = 'MAJU' THEN 'MAJU_TO_SMALL_ENTERPRISE' END,
        CASE WHEN c.standing NOT IN ('CLOSED', 'GRADUATED') AND {_RANK.format(standing="c.before_standing")} <= 1
                  AND {_RANK.format(standing="c.standing")} >= 2 THEN 'PEMULA_TO_BERKEMBANG' END,
        CASE WHEN c.standing NOT IN ('CLOSED', 'GRADUATED') AND {_RANK.format(standing="c.before_standing")} <= 2
                  AND {_RANK.format(standing="c.standing")} >= 3 THEN 'BERKEMBANG_TO_MAJU' END
    ]) i(indicator)
    WHERE c.before_standing IS NOT NULL AND i.indicator IS NOT NULL
    UNION ALL
    SELECT r.id, r.sign,
           CASE m.fact WHEN 'SPP_IRT' THEN 'SPP_IRT_OBTAINED' WHEN 'NIB' THEN 'NIB_OBTAINED'
                       WHEN 'ONLINE' THEN 'ONLINE_SELLING_STARTED' ELSE 'FORMAL_ENTITY_FORMED' END,
           left(m.day, 4)::int
    FROM rollup_ir r, jsonb_each_text(r.milestones) m(fact, day)
    WHERE m.fact IN ('SPP_IRT', 'NIB', 'ONLINE', 'FORMAL_ENTITY')
)
SELECT 2::smallint AS level,
       {_REGENCY.format(village=_VILLAGE_ON.format(day="make_date(k.year, 12, 31)"))} AS region_code,
       k.year, k.indicator, r.owner_sex, r.female_head_of_household,
       sum(r.sign)::bigint AS home_industries, sum(r.sign * r.record_key)::bigint AS key_sum
FROM counted k JOIN rollup_ir r ON r.id = k.id AND r.sign = k.sign
GROUP BY 2, 3, 4, 5, 6
"""


def _sum_up(table: str, keys: tuple[str, ...], values: tuple[str, ...], level: int, periods: tuple[str, ...] = ()) -> list[str]:
    """Statements adding, to ``table``'s finest cells (``level``, and period D when it has ``periods``), each
    coarser period (months from days, years from months, all time from years) and each level above."""
    sums = ", ".join(f"sum({v})::bigint" for v in values)
    rest = ", ".join(keys)
    starts = {"M": ("date_trunc('month', period_start)::date", "D"), "Y": ("date_trunc('year', period_start)::date", "M"),
              "A": ("date '1945-01-01'", "Y")}
    statements = []
    for period in periods:
        start, below = starts[period]
        statements.append(
            f"INSERT INTO {table} SELECT level, region_code, '{period}', {start}, {rest}, {sums} FROM {table}"
            f" WHERE level = {level} AND period = '{below}' GROUP BY level, region_code, {start}, {rest}"
        )
    bucket = "period, period_start, " if periods else ""
    for below in range(level, 0, -1):  # each level from the one under it
        region = "''" if below == 1 else _UP[below]
        grouped = f"{bucket}{rest}" if below == 1 else f"{_UP[below]}, {bucket}{rest}"
        statements.append(
            f"INSERT INTO {table} SELECT {below - 1}, {region}, {bucket}{rest}, {sums} FROM {table}"
            f" WHERE level = {below} GROUP BY {grouped}"
        )
    return statements


_STOCK_KEYS = ("standing", "owner_sex", "female_head_of_household", "candidate")
_STOCK_VALUES = ("home_industries", "workers_female", "workers_male", "key_sum")
_MOVE_KEYS = ("from_standing", "to_standing", "owner_sex")
_COUNT_VALUES = ("home_industries", "key_sum")
_NEEDS_KEYS = ("ir_class", "kind", "item", "detail")
_INDICATOR_KEYS = ("year", "indicator", "owner_sex", "female_head_of_household")

#: (rollup table, working table, its key columns, its value columns)
_MERGES = (
    ("reporting.stock_changes", "rollup_stock",
     ("level", "region_code", "period", "period_start", *_STOCK_KEYS), _STOCK_VALUES),
    ("reporting.move_counts", "rollup_moves",
     ("level", "region_code", "period", "period_start", *_MOVE_KEYS), _COUNT_VALUES),
    ("reporting.needs_counts", "rollup_needs", ("level", "region_code", *_NEEDS_KEYS), _COUNT_VALUES),
    ("reporting.indicator_counts", "rollup_indicators", ("level", "region_code", *_INDICATOR_KEYS), _COUNT_VALUES),
)


def _inserts(table: str, cells: str, keys: tuple[str, ...], values: tuple[str, ...]) -> tuple[str, str]:
    """The net cells into the rollup: a plain insert (for an empty table) and a merge adding to what is there.
    Cells that cancelled out are left out, as RollupDelta.nonzero does."""
    columns = ", ".join((*keys, *values))
    nonzero = " OR ".join(f"{v} <> 0" for v in values)
    added = ", ".join(f"{v} = t.{v} + excluded.{v}" for v in values)
    insert = f"INSERT INTO {table} AS t ({columns}) SELECT {columns} FROM {cells} WHERE {nonzero}"
    return insert, f"{insert} ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {added}"


def steps(after: str) -> tuple[window_steps.Step, ...]:
    """The cells of every rollup, computed once ``after`` has filled ``rollup_ir`` and ``rollup_history``: the
    standing changes first, then each rollup's finest cells and their sums (the needs need no changes)."""
    Step = window_steps.Step
    # In this order two lanes finish the stock and move cells apart, so their long writes do not queue at the end.
    return (
        Step("standing changes", (after,), (CHANGES,)),
        Step("needs cells", (after,), (NEEDS_CELLS, *_sum_up("rollup_needs", _NEEDS_KEYS, _COUNT_VALUES, 3))),
        # moves have no all-time bucket
        Step("move cells", ("standing changes",),
             (MOVE_CELLS, *_sum_up("rollup_moves", _MOVE_KEYS, _COUNT_VALUES, 3, ("M", "Y")))),
        Step("stock cells", ("standing changes",),
             (STOCK_CELLS, *_sum_up("rollup_stock", _STOCK_KEYS, _STOCK_VALUES, 3, ("M", "Y", "A")))),
        Step("indicator cells", ("standing changes",),
             (INDICATOR_CELLS, *_sum_up("rollup_indicators", _INDICATOR_KEYS, _COUNT_VALUES, 2))),
    )


def write_steps() -> tuple[window_steps.Step, ...]:
    """Adding each rollup's computed cells to its table, on the projection's transaction."""
    return tuple(
        window_steps.Step(f"write {table}", (f"{name} cells",), (),
                          empty_table_fill.writing(table, *_inserts(table, cells, keys, values)), writes=True)
        for name, (table, cells, keys, values) in zip(("stock", "move", "needs", "indicator"), _MERGES)
    )
