"""The programme's indicators (Tabel 3): milestones per IR, yearly indicator counts, targets and their trail.

Revision ID: 0005
Revises: 0004

``home_industries.milestones`` keeps the first day each milestone fact (SPP-IRT, NIB, online
selling) held; ``indicator_counts`` is the consumer-maintained rollup the indicator table reads
(nation, provinces, regencies/cities; by year, owner's sex and KRTP; with key sums for the cell-key
method). Milestones come from the order of past events, so, as in 0003, the read model is emptied
and the consumer's cursor reset: the consumer replays the registry's outbox (which keeps every event).

``indicator_targets`` holds the target of an indicator for a region and year (set by the ministry
for any region, by a province for itself and its regencies); ``indicator_target_changes`` is its
append-only trail (who, when, old and new value).
"""
from alembic import op

from siir.migrations import execute_script

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script(
        """
        TRUNCATE reporting.home_industries, reporting.class_history, reporting.stock_changes,
                 reporting.move_counts, reporting.needs_counts;
        UPDATE reporting.consumer_state
        SET transaction_id = '0', event_id = 0, events_applied = 0, events_skipped = 0, last_event_at = NULL;
        ALTER TABLE reporting.home_industries ADD COLUMN milestones jsonb NOT NULL DEFAULT '{}';

        CREATE TABLE reporting.indicator_counts (
            level                    smallint NOT NULL,
            region_code              text NOT NULL,
            year                     integer NOT NULL,
            indicator                text NOT NULL,
            owner_sex                text NOT NULL,
            female_head_of_household boolean NOT NULL,
            home_industries          integer NOT NULL,
            key_sum                  bigint NOT NULL DEFAULT 0,
            PRIMARY KEY (level, region_code, year, indicator, owner_sex, female_head_of_household)
        );

        CREATE TABLE reporting.indicator_targets (
            region_code  text NOT NULL,
            year         integer NOT NULL,
            indicator    text NOT NULL,
            target       integer NOT NULL CHECK (target >= 0),
            set_by       text NOT NULL,
            set_by_role  text NOT NULL,
            set_at       timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (region_code, year, indicator)
        );

        CREATE TABLE reporting.indicator_target_changes (
            id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            region_code  text NOT NULL,
            year         integer NOT NULL,
            indicator    text NOT NULL,
            old_target   integer,
            new_target   integer NOT NULL,
            changed_by   text NOT NULL,
            changed_by_role text NOT NULL,
            request_id   text,
            changed_at   timestamptz NOT NULL DEFAULT now()
        );
        CREATE INDEX indicator_target_changes_target ON reporting.indicator_target_changes (region_code, year, indicator, id)
        """
    )


def downgrade() -> None:
    op.execute("DROP TABLE reporting.indicator_target_changes, reporting.indicator_targets, reporting.indicator_counts")
    op.execute("ALTER TABLE reporting.home_industries DROP COLUMN milestones")
