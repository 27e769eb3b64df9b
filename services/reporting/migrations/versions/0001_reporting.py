"""Reporting's read model: its regions, the consumer's cursor, the IR projection, class history, rollups.

Revision ID: 0001
Revises:

Nothing personal is stored here: no names, NIK, phone numbers, addresses or coordinates.
"""
from alembic import op

from siir.migrations import execute_script

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script(
        """
        CREATE TABLE reporting.regions (
            code        text PRIMARY KEY,
            name        text NOT NULL,
            level       smallint NOT NULL CHECK (level BETWEEN 1 AND 4),
            kind        text NOT NULL,
            parent_code text
        );
        CREATE INDEX regions_parent ON reporting.regions (parent_code, code);
        CREATE INDEX regions_level ON reporting.regions (level, code);

        -- Where the consumer stands in the registry's outbox: the (transaction_id, id) of the last
        -- event applied, written in the same transaction as the projection changes it caused.
        CREATE TABLE reporting.consumer_state (
            consumer        text PRIMARY KEY,
            transaction_id  xid8 NOT NULL DEFAULT '0',
            event_id        bigint NOT NULL DEFAULT 0,
            events_applied  bigint NOT NULL DEFAULT 0,
            events_skipped  bigint NOT NULL DEFAULT 0,
            last_event_at   timestamptz,
            last_batch_at   timestamptz
        );

        CREATE TABLE reporting.home_industries (
            id                          bigint PRIMARY KEY,
            registration_number         text NOT NULL,
            village_code                text NOT NULL,
            regency_code                text NOT NULL,
            business_category           text NOT NULL,
            owner_sex                   text NOT NULL,
            female_head_of_household    boolean NOT NULL,
            workers_female              integer NOT NULL,
            workers_male                integer NOT NULL,
            registered_on               date NOT NULL,
            status                      text NOT NULL,
            status_changed_on           date,
            current_class               text,
            last_assessed_on            date,
            small_enterprise_candidate  boolean NOT NULL,
            products                    text[] NOT NULL,
            constraints                 text[] NOT NULL,
            hopes                       text[] NOT NULL,
            assistance_received         jsonb NOT NULL,
            marketing_channels          text[] NOT NULL,
            last_event_id               bigint NOT NULL
        );
        CREATE INDEX home_industries_village ON reporting.home_industries (village_code text_pattern_ops);
        CREATE INDEX home_industries_candidates ON reporting.home_industries (village_code text_pattern_ops)
            WHERE small_enterprise_candidate AND status = 'ACTIVE';

        CREATE TABLE reporting.class_history (
            assessment_id              bigint PRIMARY KEY,
            home_industry_id           bigint NOT NULL,
            assessed_on                date NOT NULL,
            ir_class                   text NOT NULL,
            score                      smallint NOT NULL,
            small_enterprise_candidate boolean NOT NULL
        );
        CREATE INDEX class_history_home_industry ON reporting.class_history (home_industry_id, assessed_on, assessment_id);

        -- Net changes of the IR stock per region (level 0 nation with code '', 1 province,
        -- 2 regency/city, 3 sub-district) and period bucket (A all time, Y year, M month, D day;
        -- period_start is the bucket's first day). The stock as of a date is the sum of the buckets
        -- up to it; today's is the all-time bucket.
        CREATE TABLE reporting.stock_changes (
            level                    smallint NOT NULL,
            region_code              text NOT NULL,
            period                   text NOT NULL CHECK (period IN ('A', 'Y', 'M', 'D')),
            period_start             date NOT NULL,
            standing                 text NOT NULL,
            owner_sex                text NOT NULL,
            female_head_of_household boolean NOT NULL,
            candidate                boolean NOT NULL,
            home_industries          integer NOT NULL,
            workers_female           integer NOT NULL,
            workers_male             integer NOT NULL,
            PRIMARY KEY (level, region_code, period, period_start, standing, owner_sex, female_head_of_household, candidate)
        );

        -- Moves between standings (from_standing NEW: a registration) per region and period bucket.
        CREATE TABLE reporting.move_counts (
            level           smallint NOT NULL,
            region_code     text NOT NULL,
            period          text NOT NULL CHECK (period IN ('A', 'Y', 'M', 'D')),
            period_start    date NOT NULL,
            from_standing   text NOT NULL,
            to_standing     text NOT NULL,
            owner_sex       text NOT NULL,
            home_industries integer NOT NULL,
            PRIMARY KEY (level, region_code, period, period_start, from_standing, to_standing, owner_sex)
        )
        """
    )


def downgrade() -> None:
    op.execute(
        "DROP TABLE reporting.move_counts, reporting.stock_changes, reporting.class_history, "
        "reporting.home_industries, reporting.consumer_state, reporting.regions"
    )
