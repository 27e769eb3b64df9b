"""Bulk survey import (issue 14): the import jobs, each row's outcome, and which rows were imported.

Revision ID: 0014_imports
Revises: 0013_offline_sync

``registry.import_jobs``: one per uploaded survey file, for the caller who uploaded it (subject, role,
region: the job runs in that caller's scope). The file is kept (``file``) until the job has been
finished for the retention period, then cleared: it holds the owners' personal data. ``status`` is
the stage: VALIDATING (the dry run), VALIDATED (report ready, nothing written), COMMITTING,
COMMITTED, or FAILED. A worker holds a job while ``lease_until`` is in the future; a job whose lease
ran out (its process died) is taken over by any registry process and resumed from its recorded rows.

``registry.import_job_rows``: each data row's outcome (VALID, INVALID, ALREADY_IMPORTED, REGISTERED)
and problems, written in the transaction that decided it, so a resumed job knows where it was.

``registry.imported_rows``: the identity of every row an import registered (SHA-256 of the owner's NIK
and the normalised business name; no personal value in clear), so re-uploading the same file
registers nothing twice.
"""
from alembic import op  # noqa: F401

from siir.migrations import execute_script

revision = "0014_imports"
down_revision = "0013_offline_sync"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script(
        """
        CREATE TABLE registry.import_jobs (
            id uuid PRIMARY KEY,
            subject text NOT NULL,
            role text NOT NULL,
            region_code text,
            file_name text NOT NULL,
            file_format text NOT NULL CHECK (file_format IN ('xlsx', 'csv')),
            file_sha256 text NOT NULL,
            file bytea,
            status text NOT NULL CHECK (status IN ('VALIDATING', 'VALIDATED', 'COMMITTING', 'COMMITTED', 'FAILED')),
            total integer NOT NULL DEFAULT 0,
            processed integer NOT NULL DEFAULT 0,
            valid_rows integer NOT NULL DEFAULT 0,
            error_rows integer NOT NULL DEFAULT 0,
            already_imported_rows integer NOT NULL DEFAULT 0,
            registered_rows integer NOT NULL DEFAULT 0,
            failure text,
            created_at timestamptz NOT NULL DEFAULT now(),
            validated_at timestamptz,
            commit_requested_at timestamptz,
            finished_at timestamptz,
            lease_until timestamptz
        );
        CREATE INDEX import_jobs_waiting ON registry.import_jobs (created_at) WHERE status IN ('VALIDATING', 'COMMITTING');
        CREATE INDEX import_jobs_finished ON registry.import_jobs (finished_at) WHERE file IS NOT NULL;

        CREATE TABLE registry.import_job_rows (
            job_id uuid NOT NULL REFERENCES registry.import_jobs (id) ON DELETE CASCADE,
            row_number integer NOT NULL,
            outcome text NOT NULL CHECK (outcome IN ('VALID', 'INVALID', 'ALREADY_IMPORTED', 'REGISTERED')),
            problems jsonb NOT NULL DEFAULT '[]',
            row_key bytea,
            home_industry_id bigint REFERENCES registry.home_industries (id),
            PRIMARY KEY (job_id, row_number)
        );

        CREATE TABLE registry.imported_rows (
            row_key bytea PRIMARY KEY,
            home_industry_id bigint NOT NULL REFERENCES registry.home_industries (id),
            job_id uuid NOT NULL REFERENCES registry.import_jobs (id),
            row_number integer NOT NULL,
            imported_at timestamptz NOT NULL DEFAULT now()
        );
        """
    )


def downgrade() -> None:
    execute_script(
        """
        DROP TABLE registry.imported_rows;
        DROP TABLE registry.import_job_rows;
        DROP TABLE registry.import_jobs;
        """
    )
