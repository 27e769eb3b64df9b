"""Publish every facilitator and assignment again, now that facilitator payloads carry the login subject.

Revision ID: 0005_republish_facilitators
Revises: 0004_audit

Reporting scopes a facilitator by her assignments, mapping her token's ``sub`` to her record through
the subject in ``FacilitatorRegistered``/``FacilitatorUpdated`` (services/registry/domain/events.py).
Events written before carry no subject, and a reporting database built before its facilitator
tables had stepped over them: one event per facilitator (``FacilitatorUpdated``) and per assignment
(``FacilitatorAssignmentRepublished``) with today's state, in this migration's transaction, brings
every consumer up to date without a replay. The payloads are built as ``events.py`` builds them.
"""
from siir.migrations import execute_script

revision = "0005_republish_facilitators"
down_revision = "0004_audit"
branch_labels = None
depends_on = None

REPUBLISH = """
INSERT INTO registry.outbox (aggregate_type, aggregate_id, event_type, payload)
SELECT 'Facilitator', f.id::text, 'FacilitatorUpdated', jsonb_build_object('schema', 1, 'facilitator', jsonb_build_object(
    'id', f.id::text, 'regencyCode', f.regency_code, 'subject', f.subject, 'sex', f.sex,
    'activeFrom', f.active_from::text, 'activeUntil', f.active_until::text, 'version', f.version))
FROM registry.facilitators f ORDER BY f.id;
INSERT INTO registry.outbox (aggregate_type, aggregate_id, event_type, payload)
SELECT 'Facilitator', a.facilitator_id::text, 'FacilitatorAssignmentRepublished', jsonb_build_object('schema', 1, 'assignment',
    jsonb_build_object('id', a.id::text, 'facilitatorId', a.facilitator_id::text, 'villageCode', a.village_code,
        'homeIndustryId', a.home_industry_id::text, 'activeFrom', a.active_from::text, 'activeUntil', a.active_until::text))
FROM registry.facilitator_assignments a ORDER BY a.id
"""


def upgrade() -> None:
    execute_script(REPUBLISH)


def downgrade() -> None:
    pass  # published events stay published (the outbox is append-only)
