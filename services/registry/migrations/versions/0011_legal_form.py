"""The IR's legal form (bentuk badan usaha): Tabel 3 counts the formal entities formed (cooperative, PT).

Every IR registered before this revision is an unincorporated individual or family business
(usaha perorangan), which is what the regulation says most IR are (BAB I: "sebagian besar IR belum
mempunyai legalitas sebagai badan usaha"). A constant default makes the new column metadata-only in
PostgreSQL 11+: no rewrite of the table, whatever its size.

Revision ID: 0011_legal_form
Revises: 0010_duplicate_detection
"""
from alembic import op

revision = "0011_legal_form"
down_revision = "0010_duplicate_detection"
branch_labels = None
depends_on = None

FORMS = ("INDIVIDUAL", "JOINT_BUSINESS_GROUP", "PARTNERSHIP", "COOPERATIVE", "LIMITED_COMPANY")


def upgrade() -> None:
    allowed = ", ".join(f"'{form}'" for form in FORMS)
    op.execute(
        "ALTER TABLE registry.home_industries ADD COLUMN legal_form text NOT NULL DEFAULT 'INDIVIDUAL' "
        f"CONSTRAINT home_industries_legal_form_check CHECK (legal_form IN ({allowed}))"
    )


def downgrade() -> None:
    op.execute("ALTER TABLE registry.home_industries DROP COLUMN legal_form")
