"""Which regencies' data each write transaction changed: what the registry's answer cache checks (issue 16).

Revision ID: 0015_data_changes
Revises: 0014_imports

``registry.data_changes`` holds one row per (writing transaction, regency it changed), written by
statement-level triggers in that transaction, so a row becomes visible exactly when the change does.
A cached answer remembers the snapshot it was computed on; it is still the answer if no row of its
regencies (or the '' row, "anything may have changed") is visible now that was not visible in that
snapshot (``services/registry/data/data_changes.py``). Rows are keyed by transaction id, so writers
never wait on each other here (a shared version counter would queue every writer in the country).

Every table of the schema is declared below, default deny: a table is either noted by its IR's
regency, noted as '' (it may change any answer), or exempt with the reason (and
``tests/registry/test_answer_cache.py`` fails on a table that is none of these):
- by regency: ``home_industries`` (old and new regency: a transfer changes both), the IR's own rows
  ``assessments``, ``interventions``, ``mentoring_notes`` (through their IR), ``registration_counters``;
- '' (rarely written, reach across regencies): regions, rule sets, thresholds, teams, facilitators and
  their assignments, partners and their programmes, transfers, hand-over approvals;
- exempt, never read by a cached answer: the audit trail, outbox, import jobs and their rows, offline
  sync items, demo seed runs, Alembic's version; ``home_industry_counts`` (and, since 0016,
  ``home_industry_search``) change only in the statement that changes ``home_industries``, whose own
  rows note it.
"""
from alembic import op  # noqa: F401

from siir.migrations import execute_script

revision = "0015_data_changes"
down_revision = "0014_imports"
branch_labels = None
depends_on = None

BY_REGENCY = ("home_industries", "registration_counters")
BY_HOME_INDUSTRY = ("assessments", "interventions", "mentoring_notes")
EVERYWHERE = ("regions", "rule_sets", "graduation_thresholds", "teams", "team_members", "facilitators",
              "facilitator_assignments", "partners", "partner_programmes", "home_industry_transfers",
              "hand_over_approvals")
EXEMPT = ("audit_events", "outbox", "import_jobs", "import_job_rows", "imported_rows", "offline_sync_items",
          "demo_seed_runs", "alembic_version", "home_industry_counts", "data_changes",
          # Migration 0016: kept in the statement that changes home_industries, like the counts.
          "home_industry_search")

_NOTE = "INSERT INTO registry.data_changes (xid, regency_code) SELECT DISTINCT pg_current_xact_id(), code FROM ({rows}) AS changed ON CONFLICT DO NOTHING"


def _regencies(rows: str) -> str:
    return _NOTE.format(rows=f"SELECT r.regency_code AS code FROM {rows} AS r")


def _regencies_of_home_industries(rows: str) -> str:
    return _NOTE.format(rows=f"SELECT h.regency_code AS code FROM {rows} AS r JOIN registry.home_industries AS h ON h.id = r.home_industry_id")


def _everywhere(rows: str) -> str:
    return _NOTE.format(rows=f"SELECT '' AS code FROM {rows} AS r LIMIT 1")


def _function(name: str, note) -> str:  # type: ignore[no-untyped-def]
    return f"""
        CREATE FUNCTION registry.{name}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'INSERT' THEN
                {note("new_rows")};
            ELSIF TG_OP = 'UPDATE' THEN
                {note("(SELECT * FROM new_rows UNION ALL SELECT * FROM old_rows)")};
            ELSIF TG_OP = 'DELETE' THEN
                {note("old_rows")};
            ELSE
                INSERT INTO registry.data_changes (xid, regency_code) VALUES (pg_current_xact_id(), '') ON CONFLICT DO NOTHING;
            END IF;
            RETURN NULL;
        END $$
        """


def _triggers(table: str, function: str) -> str:
    return f"""
        CREATE TRIGGER {table}_data_change_insert AFTER INSERT ON registry.{table}
            REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION registry.{function}();
        CREATE TRIGGER {table}_data_change_update AFTER UPDATE ON registry.{table}
            REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION registry.{function}();
        CREATE TRIGGER {table}_data_change_delete AFTER DELETE ON registry.{table}
            REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION registry.{function}();
        CREATE TRIGGER {table}_data_change_truncate AFTER TRUNCATE ON registry.{table}
            FOR EACH STATEMENT EXECUTE FUNCTION registry.{function}();
        """


_FUNCTIONS = {
    "note_regency_change": (_regencies, BY_REGENCY),
    "note_home_industry_change": (_regencies_of_home_industries, BY_HOME_INDUSTRY),
    "note_change_everywhere": (_everywhere, EVERYWHERE),
}


def upgrade() -> None:
    execute_script(
        """
        CREATE TABLE registry.data_changes (
            xid xid8 NOT NULL,
            regency_code text NOT NULL,
            PRIMARY KEY (xid, regency_code)
        )
        """
    )
    # Function bodies hold semicolons: one op.execute each, not execute_script.
    for name, (note, tables) in _FUNCTIONS.items():
        op.execute(_function(name, note))
        execute_script("".join(_triggers(table, name) for table in tables))


def downgrade() -> None:
    for name, (_note, tables) in _FUNCTIONS.items():
        for table in tables:
            execute_script("".join(f"DROP TRIGGER {table}_data_change_{event} ON registry.{table};\n"
                                   for event in ("insert", "update", "delete", "truncate")))
        op.execute(f"DROP FUNCTION registry.{name}()")
    execute_script("DROP TABLE registry.data_changes")
