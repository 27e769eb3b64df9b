"""The re-assessment worklist's index: active IR of a regency by their last assessment date.

Revision ID: 0007_reassessment_worklist
Revises: 0006_scale

Every IR is re-assessed at least once a year (Permen PPPA 2/2016 BAB V). A regency's worklist lists
its active IR whose last assessment is more than a year old or due within N days, oldest first; a
page walks this index from the cursor and stops after its rows (never-assessed IR sort first).
"""
from alembic import op

revision = "0007_reassessment_worklist"
down_revision = "0006_scale"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "CREATE INDEX home_industries_reassessment ON registry.home_industries"
        " (regency_code, (coalesce(last_assessed_on, DATE '0001-01-01')), id) WHERE status = 'ACTIVE'"
    )


def downgrade() -> None:
    op.execute("DROP INDEX registry.home_industries_reassessment")
