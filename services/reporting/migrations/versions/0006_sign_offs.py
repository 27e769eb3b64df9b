"""Sign-off of annual reports by level (domain/sign_off.py): state per (region, year), frozen snapshots,
the audit trail of every step, and configurable deadlines per year.

Revision ID: 0006
Revises: 0005

``sign_offs`` holds one row per region and year that anybody acted on (no row: NOT_STARTED); its
``version`` moves on with every step and the row is locked (SELECT … FOR UPDATE) while a step is
checked, so two concurrent steps cannot both pass. Snapshots are never updated: a resubmission adds
one, approval points at one, and the signed figures are read from it ever after.
"""
from alembic import op

from siir.migrations import execute_script

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script(
        """
        CREATE TABLE reporting.sign_off_snapshots (
            id              bigserial PRIMARY KEY,
            region_code     text NOT NULL,
            year            integer NOT NULL,
            submitted_at    timestamptz NOT NULL,
            submitted_by    text NOT NULL,
            figures         jsonb NOT NULL,
            achievements    text NOT NULL,
            problems        text NOT NULL,
            follow_up_plan  text NOT NULL
        );
        CREATE INDEX sign_off_snapshots_region_year ON reporting.sign_off_snapshots (region_code, year, id);

        CREATE TABLE reporting.sign_offs (
            region_code           text NOT NULL,
            year                  integer NOT NULL,
            level                 text NOT NULL CHECK (level IN ('REGENCY', 'PROVINCE')),
            state                 text NOT NULL
                                  CHECK (state IN ('NOT_STARTED', 'SUBMITTED', 'RETURNED', 'APPROVED', 'WAIVED')),
            version               integer NOT NULL DEFAULT 0,
            snapshot_id           bigint REFERENCES reporting.sign_off_snapshots (id),
            approved_snapshot_id  bigint REFERENCES reporting.sign_off_snapshots (id),
            first_submitted_at    timestamptz,
            submitted_at          timestamptz,
            submitted_by          text,
            decided_at            timestamptz,
            decided_by            text,
            comment               text,
            PRIMARY KEY (region_code, year)
        );
        CREATE INDEX sign_offs_year_level ON reporting.sign_offs (year, level, state);

        CREATE TABLE reporting.sign_off_steps (
            id           bigserial PRIMARY KEY,
            region_code  text NOT NULL,
            year         integer NOT NULL,
            action       text NOT NULL,
            from_state   text NOT NULL,
            to_state     text NOT NULL,
            actor        text NOT NULL,
            actor_role   text NOT NULL,
            actor_region text,
            at           timestamptz NOT NULL DEFAULT now(),
            comment      text,
            snapshot_id  bigint REFERENCES reporting.sign_off_snapshots (id),
            version      integer NOT NULL
        );
        CREATE INDEX sign_off_steps_region_year ON reporting.sign_off_steps (region_code, year, id);

        CREATE TABLE reporting.sign_off_deadlines (
            year      integer NOT NULL,
            level     text NOT NULL CHECK (level IN ('REGENCY', 'PROVINCE')),
            deadline  date NOT NULL,
            PRIMARY KEY (year, level)
        )
        """
    )


def downgrade() -> None:
    op.execute("DROP TABLE reporting.sign_off_steps, reporting.sign_offs, reporting.sign_off_snapshots, "
               "reporting.sign_off_deadlines")
