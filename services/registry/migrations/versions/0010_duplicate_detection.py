"""Duplicate detection: indexes for possibleDuplicates (issue 14).

Revision ID: 0010_duplicate_detection
Revises: 0009_hand_over

pg_trgm is there since 0001 (its GIN index covers ``business_name || ' ' || owner_name`` for the
search filter, which cannot answer a similarity between two rows' business names). Here: a trigram
GIN index on the business name of active IR, which the ``%`` join of possibleDuplicates probes once
per IR of the regency, and a (regency, phone) index of active IR for the same-phone pairs. The
registration check itself uses ``home_industries_owner_nik`` (0001).
"""
from alembic import op  # noqa: F401

from siir.migrations import execute_script

revision = "0010_duplicate_detection"
down_revision = "0009_hand_over"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script(
        """
        CREATE INDEX home_industries_business_name_trgm ON registry.home_industries
            USING gin (business_name gin_trgm_ops) WHERE status = 'ACTIVE';
        CREATE INDEX home_industries_regency_phone ON registry.home_industries (regency_code, owner_phone)
            WHERE status = 'ACTIVE' AND owner_phone IS NOT NULL
        """
    )


def downgrade() -> None:
    execute_script(
        """
        DROP INDEX registry.home_industries_business_name_trgm, registry.home_industries_regency_phone
        """
    )
