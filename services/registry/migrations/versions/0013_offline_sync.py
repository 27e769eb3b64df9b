"""Offline sync (issue 14): the client-generated id of every item a facilitator's app synced.

One row per item applied, written in the item's own transaction: replaying the item finds it and
answers DUPLICATE with the original result, writing nothing. ``fingerprint`` is the SHA-256 of the
item's content, so a client id reused for different content is refused.

Revision ID: 0013_offline_sync
Revises: 0012_transfers
"""
from alembic import op

revision = "0013_offline_sync"
down_revision = "0012_transfers"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE registry.offline_sync_items (
            client_id uuid PRIMARY KEY,
            kind text NOT NULL CHECK (kind IN ('REGISTRATION', 'ASSESSMENT', 'MENTORING_NOTE', 'UPDATE')),
            fingerprint text NOT NULL,
            subject text NOT NULL,
            record_id bigint NOT NULL,
            home_industry_id bigint NOT NULL REFERENCES registry.home_industries (id),
            version integer NOT NULL,
            synced_at timestamptz NOT NULL DEFAULT now()
        )
        """
    )


def downgrade() -> None:
    op.execute("DROP TABLE registry.offline_sync_items")
