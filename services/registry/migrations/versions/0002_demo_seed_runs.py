"""Demo seed runs: a marker per completed ``siir seed`` so that ``siir up`` seeds only once.

Revision ID: 0002
Revises: 0001
"""
from alembic import op

from siir.migrations import execute_script

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script(
        """
        CREATE TABLE registry.demo_seed_runs (
            seed            bigint NOT NULL,
            count           integer NOT NULL CHECK (count >= 0),
            home_industries integer NOT NULL,
            assessments     integer NOT NULL,
            first_home_industry_id bigint,
            seconds         double precision NOT NULL,
            completed_at    timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (seed, count)
        );
        COMMENT ON TABLE registry.demo_seed_runs IS
            'Completed demo-data seed runs (siir seed): same seed and count seed once'
        """
    )


def downgrade() -> None:
    op.execute("DROP TABLE registry.demo_seed_runs")
