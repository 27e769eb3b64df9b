"""Transfers between regencies/cities in reporting's projection (issue 14).

Revision ID: 0007
Revises: 0006

``home_industries.transfers`` keeps each IR's moves (registry event ``HomeIndustryTransferred``):
the day and the village it left, oldest first, so the consumer counts each change in the region the
IR was in on its day and moves its standing out of the old regions and into the new ones on the
transfer's day; a village or sub-district drill-down reads the IR transferred away from it too (partial
index of transferred IR). Registries before their migration 0012 published no transfers, so nothing is
replayed: every existing record starts with none.
"""
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE reporting.home_industries ADD COLUMN transfers jsonb NOT NULL DEFAULT '[]'")
    # A region's drill-down also reads the IR transferred away from it: few, found through this index.
    op.execute("CREATE INDEX home_industries_transferred ON reporting.home_industries (id) WHERE transfers <> '[]'")


def downgrade() -> None:
    op.execute("DROP INDEX reporting.home_industries_transferred")
    op.execute("ALTER TABLE reporting.home_industries DROP COLUMN transfers")
