"""Applying a large window of the feed in PostgreSQL, set-based: how the consumer catches up.

When the feed is far behind (a bulk load, a rebuild from an empty projection) the consumer applies
up to ``size`` events at once without bringing the events into Python: when the feed is in the same
database (``registry.outbox``), PostgreSQL folds each IR's events of the window into its new record
(``apply_event`` in SQL: the last snapshot, the assessments recorded and moved away, transfers, the
first day of each milestone fact), takes each changed IR's old contributions out of the rollups and
puts its new ones in (``rollup_contributions``). Python computes only the record keys of IR seen for
the first time and the facilitators' snapshots (a few events). The working tables are built by steps
on two connections at once (``window_steps``; decoding the feed and the snapshots is shared between
them by event and by IR); the projection is written in the one transaction that moves the cursor, each
table as soon as its rows are computed. It comes out row by row as the batch consumer builds it
(``tests/reporting/test_catch_up_window.py``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import asyncpg
import orjson

from services.reporting.data import empty_table_fill, projection_store, rollup_contributions, window_steps
from services.reporting.data.outbox_feed import Cursor
from services.reporting.domain import assignments
from services.reporting.domain.disclosure import record_key
from services.reporting.domain.indicators import FORMAL_LEGAL_FORMS
from services.reporting.domain.projection import HOME_INDUSTRY_EVENTS

#: work_mem of the window's writes (the lanes have theirs: window_steps.SETTINGS).
WORK_MEM = "512MB"
_IR_EVENTS = "ARRAY[" + ", ".join(f"'{e}'" for e in sorted(HOME_INDUSTRY_EVENTS)) + "]"
_FORMAL = "ARRAY[" + ", ".join(f"'{f}'" for f in sorted(FORMAL_LEGAL_FORMS)) + "]"

# The window: every event after the cursor, settled (outbox_feed.read_events), at most $3, in the feed's order.
ORDER = """
CREATE UNLOGGED TABLE window_order AS
SELECT row_number() OVER (ORDER BY f.transaction_id, f.id) AS seq, f.id, f.transaction_id
FROM (
    SELECT f.transaction_id, f.id FROM registry.outbox f
    WHERE (f.transaction_id, f.id) > ($1::text::xid8, $2::bigint)
      AND f.transaction_id < pg_snapshot_xmin(pg_current_snapshot())
    ORDER BY f.transaction_id, f.id
    LIMIT $3
) f
"""

# Its events, a share of them per lane (decoding the payloads is most of a window's reading): of IR events the
# parts that add up across events, of facilitator events the payload (Python applies those).
EVENTS = f"""
CREATE UNLOGGED TABLE window_events_{{lane}} AS
SELECT o.seq, o.id, o.transaction_id, o.occurred_at, o.aggregate_type, o.event_type,
       CASE WHEN o.aggregate_type = '{assignments.AGGREGATE}' THEN o.payload END AS facilitator_payload,
       CASE WHEN o.ir_event THEN o.aggregate_id::bigint END AS home_industry_id,
       coalesce(o.ir_event AND x.schema = '1'::jsonb, false) AS known,
       (o.occurred_at AT TIME ZONE 'Asia/Jakarta')::date AS occurred_on,
       s."registeredOn" AS registered_on,
       coalesce(s."hasPirt", false) AS spp_irt, coalesce(s."hasNib", false) AS nib,
       coalesce(s."marketingChannels" ? 'ONLINE', false) AS online,
       coalesce(s."legalForm" = ANY({_FORMAL}), false) AS formal_entity,
       a.id AS assessment_id, a."assessedOn" AS assessed_on, a."irClass" AS ir_class, a.score,
       a."smallEnterpriseCandidate" AS small_enterprise_candidate,
       x."assessmentsMovedAway" AS moved_away,
       t.id AS transfer_id, t."transferredOn" AS transferred_on, t."fromVillageCode" AS from_village_code
FROM (
    SELECT f.*, w.seq, f.aggregate_type = 'HomeIndustry' AND f.event_type = ANY({_IR_EVENTS}) AS ir_event
    FROM window_order w JOIN registry.outbox f ON f.id = w.id
    WHERE w.seq % {{lanes}} = {{lane}}
) o
LEFT JOIN LATERAL jsonb_to_record(CASE WHEN o.ir_event THEN o.payload END)
    AS x(schema jsonb, "homeIndustry" jsonb, assessment jsonb, "assessmentsMovedAway" bigint[], transfer jsonb) ON true
LEFT JOIN LATERAL jsonb_to_record(x."homeIndustry")
    AS s("registeredOn" text, "hasPirt" boolean, "hasNib" boolean, "marketingChannels" jsonb, "legalForm" text) ON true
LEFT JOIN LATERAL jsonb_to_record(CASE WHEN o.event_type = 'AssessmentRecorded' THEN x.assessment END)
    AS a(id bigint, "assessedOn" date, "irClass" text, score integer, "smallEnterpriseCandidate" boolean) ON true
LEFT JOIN LATERAL jsonb_to_record(CASE WHEN o.event_type = 'HomeIndustryTransferred' THEN x.transfer END)
    AS t(id text, "transferredOn" text, "fromVillageCode" text) ON true
"""

# Each IR the window changes. An event of a payload shape this code does not read applies to an IR
# already known (it is kept as it was, and the event is its last) and is stepped over otherwise.
CHANGED = """
CREATE UNLOGGED TABLE window_ir AS
WITH first_known AS (
    SELECT home_industry_id, min(seq) FILTER (WHERE known) AS seq
    FROM window_events WHERE home_industry_id IS NOT NULL GROUP BY home_industry_id
), marked AS (
    SELECT e.home_industry_id, e.seq, e.id, e.known, p.id IS NOT NULL AS kept,
           e.known OR p.id IS NOT NULL OR e.seq > f.seq AS applied
    FROM window_events e JOIN first_known f USING (home_industry_id)
    LEFT JOIN reporting.home_industries p ON p.id = e.home_industry_id
)
SELECT home_industry_id AS id, bool_or(kept) AS kept, count(*) FILTER (WHERE applied) AS applied,
       (max(ARRAY[seq, id]) FILTER (WHERE applied))[2] AS last_event_id,
       (max(ARRAY[seq, id]) FILTER (WHERE known))[2] AS last_known_event_id
FROM marked GROUP BY home_industry_id HAVING count(*) FILTER (WHERE applied) > 0
"""

# Its class history after the window: what it had, less what the window moved away, plus what the
# window recorded (an assessment's last event decides; a move away follows a recording in one event).
HISTORY = """
CREATE UNLOGGED TABLE window_history AS
WITH steps AS (
    SELECT home_industry_id, seq, 0 AS step, assessment_id, assessed_on, ir_class, score, small_enterprise_candidate
    FROM window_events WHERE known AND assessment_id IS NOT NULL
    UNION ALL
    SELECT home_industry_id, seq, 1, unnest(moved_away), NULL, NULL, NULL, NULL
    FROM window_events WHERE known AND moved_away IS NOT NULL
), last_steps AS (
    SELECT DISTINCT ON (home_industry_id, assessment_id) *
    FROM steps ORDER BY home_industry_id, assessment_id, seq DESC, step DESC
)
SELECT home_industry_id, assessment_id, assessed_on, ir_class, score, small_enterprise_candidate, true AS recorded
FROM last_steps WHERE step = 0
UNION ALL
SELECT h.home_industry_id, h.assessment_id, h.assessed_on, h.ir_class, h.score, h.small_enterprise_candidate, false
FROM reporting.class_history h JOIN window_ir w ON w.id = h.home_industry_id AND w.kept
WHERE NOT EXISTS (SELECT 1 FROM last_steps l
                  WHERE l.home_industry_id = h.home_industry_id AND l.assessment_id = h.assessment_id)
"""

MILESTONES = """
CREATE UNLOGGED TABLE window_milestones AS
SELECT home_industry_id, jsonb_object_agg(fact, day) AS milestones
FROM (
    SELECT DISTINCT ON (e.home_industry_id, f.fact) e.home_industry_id, f.fact,
           CASE WHEN e.event_type = 'HomeIndustryRegistered' THEN e.registered_on
                ELSE greatest(e.occurred_on::text COLLATE "C", e.registered_on COLLATE "C") END AS day
    FROM window_events e
    CROSS JOIN LATERAL (VALUES ('SPP_IRT', e.spp_irt), ('NIB', e.nib), ('ONLINE', e.online),
                               ('FORMAL_ENTITY', e.formal_entity)) f(fact, held)
    WHERE e.known AND f.held
    ORDER BY e.home_industry_id, f.fact, e.seq
) first_days
GROUP BY home_industry_id
"""

TRANSFERS = """
CREATE UNLOGGED TABLE window_transfers AS
SELECT DISTINCT ON (home_industry_id, transfer_id) home_industry_id, transfer_id, transferred_on, from_village_code
FROM window_events WHERE known AND transfer_id IS NOT NULL
ORDER BY home_industry_id, transfer_id, seq
"""

# The last snapshot each changed IR's events carry, a share of the IR per lane (decoding it is most of the
# records' cost).
SNAPSHOTS = """
CREATE UNLOGGED TABLE window_snapshots_{lane} AS
SELECT w.id, s.*
FROM window_ir w JOIN registry.outbox o ON o.id = w.last_known_event_id
CROSS JOIN LATERAL jsonb_to_record(o.payload->'homeIndustry') AS s(
    "registrationNumber" text, "villageCode" text, "businessCategory" text, "ownerSex" text,
    "ownerIsFemaleHeadOfHousehold" boolean, "workersFemale" integer, "workersMale" integer, "registeredOn" date,
    status text, "statusChangedOn" date, products text[], constraints text[], hopes text[],
    "assistanceReceived" jsonb, "marketingChannels" text[])
WHERE w.id % {lanes} = {lane}
"""

# The IR's record after the window, in reporting.home_industries' columns: the last snapshot it read
# (or the record as it was), with its history, transfers and milestones added up.
RECORDS = """
CREATE UNLOGGED TABLE window_records AS
WITH newest AS (
    SELECT DISTINCT ON (home_industry_id) home_industry_id, ir_class, assessed_on, small_enterprise_candidate
    FROM window_history ORDER BY home_industry_id, assessed_on DESC, assessment_id DESC
), records AS (
SELECT w.id,
       coalesce(s."registrationNumber", p.registration_number) AS registration_number,
       coalesce(s."villageCode", p.village_code) AS village_code,
       CASE WHEN s.id IS NULL THEN p.business_category ELSE s."businessCategory" END AS business_category,
       CASE WHEN s.id IS NULL THEN p.owner_sex ELSE s."ownerSex" END AS owner_sex,
       CASE WHEN s.id IS NULL THEN p.female_head_of_household ELSE coalesce(s."ownerIsFemaleHeadOfHousehold", false) END
           AS female_head_of_household,
       CASE WHEN s.id IS NULL THEN p.workers_female ELSE coalesce(s."workersFemale", 0) END AS workers_female,
       CASE WHEN s.id IS NULL THEN p.workers_male ELSE coalesce(s."workersMale", 0) END AS workers_male,
       CASE WHEN s.id IS NULL THEN p.registered_on ELSE s."registeredOn" END AS registered_on,
       CASE WHEN s.id IS NULL THEN p.status ELSE s.status END AS status,
       CASE WHEN s.id IS NULL THEN p.status_changed_on ELSE s."statusChangedOn" END AS status_changed_on,
       n.ir_class AS current_class, n.assessed_on AS last_assessed_on,
       coalesce(n.small_enterprise_candidate, false) AS small_enterprise_candidate,
       CASE WHEN s.id IS NULL THEN p.products
            ELSE array_remove(array_remove(coalesce(s.products, '{}'), ''), NULL) END AS products,
       CASE WHEN s.id IS NULL THEN p.constraints ELSE coalesce(s.constraints, '{}') END AS constraints,
       CASE WHEN s.id IS NULL THEN p.hopes ELSE coalesce(s.hopes, '{}') END AS hopes,
       CASE WHEN s.id IS NULL THEN p.assistance_received ELSE coalesce(s."assistanceReceived", '[]') END
           AS assistance_received,
       CASE WHEN s.id IS NULL THEN p.marketing_channels ELSE coalesce(s."marketingChannels", '{}') END
           AS marketing_channels,
       w.last_event_id,
       coalesce(p.record_key, k.record_key) AS record_key,
       coalesce(m.milestones, '{}') || coalesce(p.milestones, '{}') AS milestones,
       coalesce(p.transfers, '[]') AS transfers
FROM window_ir w
LEFT JOIN window_snapshots s ON s.id = w.id
LEFT JOIN reporting.home_industries p ON p.id = w.id
LEFT JOIN window_keys k ON k.id = w.id
LEFT JOIN newest n ON n.home_industry_id = w.id
LEFT JOIN window_milestones m ON m.home_industry_id = w.id
)
SELECT """ + ", ".join(projection_store.HOME_INDUSTRY_COLUMNS).replace(
    "regency_code", "split_part(village_code, '.', 1) || '.' || split_part(village_code, '.', 2) AS regency_code"
) + " FROM records"

# Transfers are rare: those the window adds are merged into the few records they concern (a replayed
# transfer adds nothing), oldest first.
ADD_TRANSFERS = """
UPDATE window_records r SET transfers = (
    SELECT jsonb_agg(move ORDER BY move->>'on' COLLATE "C", (move->>'id')::bigint)
    FROM (
        SELECT move FROM jsonb_array_elements(r.transfers) move
        UNION ALL
        SELECT jsonb_build_object('id', t.transfer_id, 'on', t.transferred_on, 'fromVillageCode', t.from_village_code)
        FROM window_transfers t
        WHERE t.home_industry_id = r.id
          AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements(r.transfers) known WHERE known->>'id' = t.transfer_id)
    ) moves)
WHERE r.id IN (SELECT home_industry_id FROM window_transfers)
"""


# Old contributions (sign -1) of every changed IR, and its new assessments (sign +1).
OLD_INPUTS = (
    """
    INSERT INTO rollup_ir_before
    SELECT p.id, -1, p.village_code, p.registered_on, p.status, p.status_changed_on, p.owner_sex,
           p.female_head_of_household, p.workers_female, p.workers_male, coalesce(p.record_key, 0), p.transfers,
           p.milestones, p.products, p.constraints, p.hopes, p.assistance_received
    FROM reporting.home_industries p JOIN window_ir w ON w.id = p.id
    """,
    """
    INSERT INTO rollup_history
    SELECT h.home_industry_id, -1, h.assessment_id, h.assessed_on, h.ir_class, h.small_enterprise_candidate
    FROM reporting.class_history h JOIN window_ir w ON w.id = h.home_industry_id AND w.kept
    """,
    # what a merge moves away still counts for the IR it leaves until now (load_records' moving_away)
    """
    INSERT INTO rollup_history
    SELECT m.home_industry_id, -1, h.assessment_id, h.assessed_on, h.ir_class, h.small_enterprise_candidate
    FROM (SELECT DISTINCT home_industry_id, unnest(moved_away) AS assessment_id FROM window_events
          WHERE known AND moved_away IS NOT NULL) m
    JOIN window_ir w ON w.id = m.home_industry_id AND w.kept
    JOIN reporting.class_history h ON h.assessment_id = m.assessment_id AND h.home_industry_id <> m.home_industry_id
    """,
    """
    INSERT INTO rollup_history
    SELECT home_industry_id, 1, assessment_id, assessed_on, ir_class, small_enterprise_candidate FROM window_history
    """,
)

# With its new records (sign +1), once they are built: a view, not a copy of a million records.
NEW_INPUTS = (
    """
    CREATE VIEW rollup_ir AS
    SELECT * FROM rollup_ir_before
    UNION ALL
    SELECT id, 1, village_code, registered_on, status, status_changed_on, owner_sex, female_head_of_household,
           workers_female, workers_male, coalesce(record_key, 0), transfers, milestones, products, constraints, hopes,
           assistance_received
    FROM window_records
    """,
    "ANALYZE rollup_ir_before, window_records, rollup_history",
)

_RECORDS = ", ".join(projection_store.HOME_INDUSTRY_COLUMNS)
_RECORDS_INSERT = (
    f"INSERT INTO reporting.home_industries ({_RECORDS}) SELECT {_RECORDS} FROM window_records"
)
_HISTORY_INSERT = """
    INSERT INTO reporting.class_history
    SELECT DISTINCT ON (assessment_id) assessment_id, home_industry_id, assessed_on, ir_class, score,
           small_enterprise_candidate
    FROM window_history WHERE recorded ORDER BY assessment_id
"""
#: (table, plain insert into it when empty, merge otherwise)
SAVE = (
    ("reporting.home_industries", _RECORDS_INSERT, _RECORDS_INSERT + " ON CONFLICT (id) DO UPDATE SET "
     + ", ".join(f"{c} = excluded.{c}" for c in projection_store.HOME_INDUSTRY_COLUMNS[1:])),
    # An assessment seen again under another IR was moved there by a registry merge (as save_batch).
    ("reporting.class_history", _HISTORY_INSERT, _HISTORY_INSERT + " ON CONFLICT (assessment_id)"
     " DO UPDATE SET home_industry_id = excluded.home_industry_id"
     " WHERE reporting.class_history.home_industry_id <> excluded.home_industry_id"),
)


@dataclass(frozen=True, slots=True)
class WindowResult:
    events: int
    applied: int
    skipped: int
    cursor: Cursor
    last_event_at: dt.datetime | None


async def apply_window(target: asyncpg.Connection, cursor: Cursor, size: int,
                       connect: window_steps.Connect) -> WindowResult:
    """Fold up to ``size`` settled events after ``cursor`` into the projection; the caller holds the
    cursor's row lock in an open transaction on ``target`` and moves it (nothing here commits it).

    The working tables are built on connections of their own (``connect(settings)``, ``window_steps``);
    the projection is written on ``target``, in the caller's transaction."""
    async with window_steps.lanes(connect) as lanes:
        # The other lane has nothing to do until the order is known: this step may use parallel workers.
        await lanes[0].execute("SET max_parallel_workers_per_gather = 2")
        await lanes[0].execute(ORDER, str(cursor.transaction_id), cursor.event_id, size)
        await lanes[0].execute(f"SET max_parallel_workers_per_gather = {window_steps.SETTINGS['max_parallel_workers_per_gather']}")
        last = await lanes[0].fetchrow(
            "SELECT seq, transaction_id::text AS xid, id FROM window_order ORDER BY seq DESC LIMIT 1")
        if last is None:
            await target.execute(f"DROP SCHEMA {window_steps.SCHEMA} CASCADE")
            return WindowResult(0, 0, 0, cursor, None)
        path = await target.fetchval("SELECT current_setting('search_path')")
        await target.execute("SELECT set_config('search_path', $1, true)", window_steps.SCHEMA)
        await target.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")
        folding = _Folding()
        await window_steps.run(lanes, target, folding.steps())
    await target.execute(f"DROP SCHEMA {window_steps.SCHEMA} CASCADE")
    await target.execute("SELECT set_config('search_path', $1, true)", path)
    applied = folding.ir_applied + folding.facilitator_applied
    events = int(last["seq"])
    return WindowResult(events, applied, events - applied, Cursor(int(last["xid"]), last["id"]), folding.last_event_at)


class _Folding:
    """The window's steps after its order is known, and what Python reads of them."""

    def __init__(self) -> None:
        self.facilitator_changes = assignments.FacilitatorChanges()
        self.facilitator_applied = 0
        self.ir_applied = 0
        self.last_event_at: dt.datetime | None = None

    def steps(self) -> tuple[window_steps.Step, ...]:
        Step = window_steps.Step
        return (
            *window_steps.shared("events", (), EVENTS, "window_events", analyse=True, then=self._bounds),
            Step("changed", ("events",), (CHANGED, "ANALYZE window_ir"), self._applied),
            Step("keys", ("changed",), (), self._keys),
            Step("history", ("changed",), (HISTORY,)),
            Step("milestones", ("events",), (MILESTONES,)),
            Step("transfers", ("events",), (TRANSFERS,)),
            *window_steps.shared("snapshots", ("changed",), SNAPSHOTS, "window_snapshots"),
            Step("records", ("keys", "history", "milestones", "transfers", "snapshots"), (RECORDS, ADD_TRANSFERS)),
            Step("old contributions", ("history",), (*rollup_contributions.INPUTS, *OLD_INPUTS)),
            Step("new contributions", ("records", "old contributions"), NEW_INPUTS),
            *rollup_contributions.steps(after="new contributions"),
            Step("facilitators", ("events",), (), self._facilitators),
            # The writes, on the projection's transaction, each after the last step that reads its table.
            *(Step(f"write {table}", (built, "keys", "old contributions"), (), empty_table_fill.writing(table, insert, merge),
                   writes=True)
              for (table, insert, merge), built in zip(SAVE, ("records", "history"))),
            *rollup_contributions.write_steps(),
            Step("write facilitators", ("facilitators",), (), self._save_facilitators, writes=True),
        )

    async def _bounds(self, lane: asyncpg.Connection) -> None:
        self.last_event_at = await lane.fetchval("SELECT max(occurred_at) FROM window_events")

    async def _applied(self, lane: asyncpg.Connection) -> None:
        self.ir_applied = int(await lane.fetchval("SELECT coalesce(sum(applied), 0) FROM window_ir"))

    async def _keys(self, lane: asyncpg.Connection) -> None:
        """IR seen for the first time get their record key, fixed for good (computed in Python: it is keyed)."""
        secret = await projection_store.record_key_secret(lane)
        new_ids = await lane.fetch(
            "SELECT w.id FROM window_ir w LEFT JOIN reporting.home_industries p ON p.id = w.id WHERE p.record_key IS NULL"
        )
        await lane.execute("CREATE UNLOGGED TABLE window_keys (id bigint PRIMARY KEY, record_key bigint NOT NULL)")
        await lane.copy_records_to_table(
            "window_keys", records=[(row["id"], record_key(secret, row["id"])) for row in new_ids]
        )

    async def _save_facilitators(self, target: asyncpg.Connection) -> None:
        changes = self.facilitator_changes
        await projection_store.save_facilitators(target, changes.facilitators.values(), changes.assignments.values())

    async def _facilitators(self, lane: asyncpg.Connection) -> None:
        for row in await lane.fetch(
            "SELECT id, event_type, facilitator_payload::text AS payload FROM window_events"
            " WHERE facilitator_payload IS NOT NULL ORDER BY seq"
        ):
            self.facilitator_applied += self.facilitator_changes.apply(row["event_type"], orjson.loads(row["payload"]), row["id"])
