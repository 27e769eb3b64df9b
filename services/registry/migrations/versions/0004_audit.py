"""The audit trail: every read of personal data, every write and every denied attempt, append-only.

Revision ID: 0004_audit
Revises: 0003_teams
"""
from alembic import op

from siir.migrations import execute_script

revision = "0004_audit"
down_revision = "0003_teams"
branch_labels = None
depends_on = None


def upgrade() -> None:
    execute_script(
        """
        CREATE TABLE registry.audit_events (
            id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            occurred_at      timestamptz NOT NULL DEFAULT now(),
            action           text NOT NULL CHECK (action IN ('READ', 'WRITE', 'DENIED')),
            operation        text NOT NULL,
            subject          text NOT NULL,
            role             text NOT NULL,
            actor_region     text,
            partner          text,
            entity_type      text,
            entity_id        bigint,
            home_industry_id bigint,
            region_code      text,
            fields           jsonb NOT NULL,
            before           jsonb,
            after            jsonb,
            path             text,
            reason           text,
            CHECK (action = 'DENIED' OR (entity_type IS NOT NULL AND entity_id IS NOT NULL)),
            CHECK ((action = 'DENIED') = (path IS NOT NULL AND reason IS NOT NULL)),
            CHECK (jsonb_typeof(fields) = 'object'),
            CHECK (action = 'WRITE' OR (before IS NULL AND after IS NULL)),
            CHECK (entity_type <> 'HomeIndustry' OR (home_industry_id = entity_id AND region_code IS NOT NULL))
        );
        COMMENT ON TABLE registry.audit_events IS
            'Append-only audit trail (UU 27/2022 PDP): one row per record (an IR, a team member, a facilitator…) '
            'per request that read its personal fields (fields: field -> FULL or MASKED), and one per write '
            'with the changed columns before and after. region_code: the IR''s regency, a team''s province or '
            'regency, a facilitator''s regency; null for national records (national team, partners). '
            'home_industry_id: the IR the record belongs to, if any. DENIED: one row per FORBIDDEN answer, with the '
            'GraphQL path of the refused field, the reason, and the record or region asked for where known';
        -- The questions a data protection officer asks: who touched this IR, what did this person
        -- touch, what happened in this regency, in a period.
        CREATE INDEX audit_events_home_industry ON registry.audit_events (home_industry_id, id)
            WHERE home_industry_id IS NOT NULL;
        CREATE INDEX audit_events_entity ON registry.audit_events (entity_type, entity_id, id);
        CREATE INDEX audit_events_subject ON registry.audit_events (subject, id);
        CREATE INDEX audit_events_region ON registry.audit_events (region_code text_pattern_ops, id);
        -- A regency office sees the denials of its own callers, wherever they asked.
        CREATE INDEX audit_events_denied_actor_region ON registry.audit_events (actor_region text_pattern_ops, id)
            WHERE action = 'DENIED';
        CREATE INDEX audit_events_occurred_at ON registry.audit_events (occurred_at);

        CREATE FUNCTION registry.audit_events_refuse_change() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'registry.audit_events is append-only: % refused', TG_OP
            USING ERRCODE = 'insufficient_privilege'; END
        $$;
        CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON registry.audit_events
            FOR EACH ROW EXECUTE FUNCTION registry.audit_events_refuse_change();
        CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON registry.audit_events
            FOR EACH STATEMENT EXECUTE FUNCTION registry.audit_events_refuse_change();
        REVOKE UPDATE, DELETE, TRUNCATE ON registry.audit_events FROM PUBLIC
        """
    )


def downgrade() -> None:
    op.execute("DROP TABLE registry.audit_events")
    op.execute("DROP FUNCTION registry.audit_events_refuse_change()")
