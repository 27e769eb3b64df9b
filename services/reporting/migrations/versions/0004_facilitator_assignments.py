"""Facilitators (pendamping) and their assignments, as the registry's outbox publishes them.

Revision ID: 0004
Revises: 0003

Reporting scopes a FACILITATOR by the villages and IR assigned to her (domain/access.py), so it keeps
what the registry publishes of them: ids, the regency, the login subject (how a token's ``sub`` finds
her) and the periods. No name, phone or e-mail. The registry republishes every facilitator and
assignment (its migration 0005), so the consumer fills these tables without a replay.
"""
from alembic import op

from siir.migrations import execute_script

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script(
        """
        CREATE TABLE reporting.facilitators (
            id            bigint PRIMARY KEY,
            regency_code  text NOT NULL,
            -- Not unique here: the registry's is, but a batch may pass a subject from one record to another.
            subject       text,
            active_from   date NOT NULL,
            active_until  date,
            version       integer NOT NULL,
            last_event_id bigint NOT NULL
        );
        CREATE INDEX facilitators_subject ON reporting.facilitators (subject) WHERE subject IS NOT NULL;

        CREATE TABLE reporting.facilitator_assignments (
            id               bigint PRIMARY KEY,
            facilitator_id   bigint NOT NULL,
            village_code     text,
            home_industry_id bigint,
            active_from      date NOT NULL,
            active_until     date,
            last_event_id    bigint NOT NULL,
            CHECK ((village_code IS NULL) <> (home_industry_id IS NULL))
        );
        CREATE INDEX facilitator_assignments_facilitator ON reporting.facilitator_assignments (facilitator_id, active_from)
        """
    )


def downgrade() -> None:
    op.execute("DROP TABLE reporting.facilitator_assignments, reporting.facilitators")
