"""The IR's KBLI 2020 business classification code (five digits), for the hand-over to the Ministry of
Cooperatives and SMEs, whose register needs it.

Revision ID: 0008_kbli
Revises: 0007_reassessment_worklist
"""
from alembic import op

revision = "0008_kbli"
down_revision = "0007_reassessment_worklist"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE registry.home_industries ADD COLUMN kbli text CHECK (kbli ~ '^[0-9]{5}$')")


def downgrade() -> None:
    op.execute("ALTER TABLE registry.home_industries DROP COLUMN kbli")
