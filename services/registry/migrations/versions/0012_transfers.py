"""Transfers of an IR between regencies/cities (issue 14).

Revision ID: 0012_transfers
Revises: 0011_legal_form

``registry.home_industry_transfers`` holds every proposal and its outcome: the sending office
proposes (PENDING), the receiving office accepts or declines, the sender may withdraw; a province
office or the ministry records one directly (ACCEPTED at once). An accepted row keeps the IR's old
village and registration number, which is how an old number stays findable (unique: a running
number is never issued twice). One pending proposal per IR (partial unique index, so a race ends in
CONFLICT); each office's pending list walks its own (regency, id) index.
"""
from alembic import op  # noqa: F401

from siir.migrations import execute_script

revision = "0012_transfers"
down_revision = "0011_legal_form"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script(
        """
        CREATE TABLE registry.home_industry_transfers (
            id bigserial PRIMARY KEY,
            home_industry_id bigint NOT NULL REFERENCES registry.home_industries (id),
            status text NOT NULL CHECK (status IN ('PENDING', 'ACCEPTED', 'DECLINED', 'WITHDRAWN')),
            from_regency_code text NOT NULL,
            from_village_code text NOT NULL,
            from_registration_number text NOT NULL,
            to_regency_code text NOT NULL,
            to_village_code text NOT NULL REFERENCES registry.regions (code),
            to_registration_number text,
            reason text NOT NULL,
            proposed_by text NOT NULL,
            proposed_role text NOT NULL,
            proposed_at timestamptz NOT NULL DEFAULT now(),
            decided_by text,
            decided_role text,
            decided_at timestamptz,
            transferred_on date,
            decision_note text,
            version integer NOT NULL DEFAULT 1,
            CHECK (from_regency_code <> to_regency_code),
            CHECK (to_regency_code = left(to_village_code, 5)),
            CHECK ((status = 'ACCEPTED') = (to_registration_number IS NOT NULL AND transferred_on IS NOT NULL)),
            CHECK ((status = 'PENDING') = (decided_at IS NULL))
        );
        CREATE UNIQUE INDEX home_industry_transfers_one_pending ON registry.home_industry_transfers (home_industry_id)
            WHERE status = 'PENDING';
        CREATE INDEX home_industry_transfers_pending_from ON registry.home_industry_transfers (from_regency_code, id)
            WHERE status = 'PENDING';
        CREATE INDEX home_industry_transfers_pending_to ON registry.home_industry_transfers (to_regency_code, id)
            WHERE status = 'PENDING';
        CREATE UNIQUE INDEX home_industry_transfers_old_number
            ON registry.home_industry_transfers (from_registration_number) WHERE status = 'ACCEPTED';
        CREATE INDEX home_industry_transfers_home_industry ON registry.home_industry_transfers (home_industry_id, id)
        """
    )


def downgrade() -> None:
    execute_script("DROP TABLE registry.home_industry_transfers")
