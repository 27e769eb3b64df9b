"""Record keys for the cell-key method (domain/disclosure.py): a secret, each IR's key, each rollup
cell's sum of keys.

Revision ID: 0003
Revises: 0002

The secret is random per reporting database and never leaves it. A record key is derived from the
secret and the IR's id (HMAC-SHA256), so a replay of the feed gives every IR the same key again.
Rows written before this revision have no keys and their rollup cells no key sums, so the read
model is emptied and the consumer's cursor reset: the consumer rebuilds it from the registry's
outbox, which keeps every event (the same path as a new reporting database).
"""
import secrets

from alembic import op
from sqlalchemy import text

from siir.migrations import execute_script

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script(
        """
        CREATE TABLE reporting.disclosure_secret (
            singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
            secret    bytea NOT NULL CHECK (length(secret) >= 32)
        );
        TRUNCATE reporting.home_industries, reporting.class_history, reporting.stock_changes,
                 reporting.move_counts, reporting.needs_counts;
        UPDATE reporting.consumer_state
        SET transaction_id = '0', event_id = 0, events_applied = 0, events_skipped = 0, last_event_at = NULL;
        ALTER TABLE reporting.home_industries ADD COLUMN record_key bigint NOT NULL
            CHECK (record_key >= 0 AND record_key < 4294967296);
        ALTER TABLE reporting.stock_changes ADD COLUMN key_sum bigint NOT NULL DEFAULT 0;
        ALTER TABLE reporting.move_counts ADD COLUMN key_sum bigint NOT NULL DEFAULT 0;
        ALTER TABLE reporting.needs_counts ADD COLUMN key_sum bigint NOT NULL DEFAULT 0
        """
    )
    op.get_bind().execute(
        text("INSERT INTO reporting.disclosure_secret (secret) VALUES (:secret)"), {"secret": secrets.token_bytes(32)}
    )


def downgrade() -> None:
    execute_script(
        """
        ALTER TABLE reporting.needs_counts DROP COLUMN key_sum;
        ALTER TABLE reporting.move_counts DROP COLUMN key_sum;
        ALTER TABLE reporting.stock_changes DROP COLUMN key_sum;
        ALTER TABLE reporting.home_industries DROP COLUMN record_key;
        DROP TABLE reporting.disclosure_secret
        """
    )
