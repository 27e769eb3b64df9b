"""The audit trail as GraphQL: who read which IR's personal data, who changed what, who was refused what.

Read-only: no mutation touches ``registry.audit_events`` and the database refuses UPDATE and
DELETE on it. Every value in a change is disclosed as the viewer sees the field it is stored for
(``services/registry/audit_disclosure.py``, from the policy); a column with no field is withheld.
"""

from __future__ import annotations

import datetime as dt
import enum

import strawberry
from sqlalchemy.engine import RowMapping

from services.registry.data import audit as audit_data
from services.registry.domain import access
from services.registry.audit_disclosure import disclosed_changes, personal_reads
from services.registry.graphql.context import RegistryInfo
from siir.auth.identity import Identity
from siir import identifiers
from siir.connections import Connection, CursorKey, page_of, page_size
from siir.enum_values import describe_values
from siir.errors import InvalidInput

MAX_PAGE = 500

@strawberry.enum(description="What happened: a read of personal data, a change, or a denied attempt (FORBIDDEN).")
class AuditAction(enum.Enum):
    READ = "READ"
    WRITE = "WRITE"
    DENIED = "DENIED"


describe_values(AuditAction, {
    "READ": "Personal data was read (full or masked).",
    "WRITE": "The record was changed.",
    "DENIED": "An attempt was refused (FORBIDDEN); nothing was read or changed.",
})


@strawberry.type(description="A personal field read, and how much of it the reader saw (FULL or MASKED).")
class AuditField:
    name: str = strawberry.field(description="The personal field read, e.g. `Owner.nik`.")
    disclosure: str = strawberry.field(description="How much the reader saw: FULL or MASKED.")


@strawberry.type(description="One changed column: its value before and after, as JSON text, disclosed as your role "
                 "sees the field it is stored for (full, masked or generalised); withheld values are null.")
class AuditChange:
    column: str = strawberry.field(description="The stored column that changed.")
    before: str | None = strawberry.field(
        description="Value before the change (JSON text) as your role sees it; null when there was none or it is "
                    "withheld."
    )
    after: str | None = strawberry.field(
        description="Value after the change (JSON text) as your role sees it; null when removed or withheld."
    )
    withheld: bool = strawberry.field(
        description="True when your role may not see this column's value (or part of a row created beside the "
        "record), so `before`/`after` leave it out: the flag says it changed, not what it was."
    )


@strawberry.type(description="One audit event: who (subject, role, region, partner), when, through which operation, "
                 "on which record (an IR, a team, a team member, a facilitator, an intervention, a partner…), "
                 "which personal fields were read, which columns changed, or which field was refused and why.")
class AuditEvent:
    id: strawberry.ID = strawberry.field(description="Opaque identifier; pass it back as given.")
    occurred_at: dt.datetime = strawberry.field(description="When it happened (date and time with offset).")
    action: AuditAction = strawberry.field(description="What happened: READ, WRITE or DENIED.")
    operation: str = strawberry.field(description="The GraphQL operation, e.g. `query ListHomeIndustries`.")
    subject: str = strawberry.field(description="Who did it: the caller's subject (user id) from the token.")
    role: str = strawberry.field(description="The caller's role, e.g. DISTRICT_OFFICER.")
    actor_region: str | None = strawberry.field(
        description="The caller's region code; null for national roles and partners."
    )
    partner: str | None = strawberry.field(
        description="The partner institution the caller acted for; null for other roles."
    )
    entity_type: str | None = strawberry.field(
        description="The kind of record: HomeIndustry, Team, TeamMember, Facilitator, FacilitatorAssignment, "
        "MentoringNote, Intervention, Partner or PartnerProgramme. Null for a denial that named no record."
    )
    entity_id: strawberry.ID | None = strawberry.field(
        description="Id of the record read, changed or refused; null for a denial that named no record."
    )
    home_industry_id: strawberry.ID | None = strawberry.field(description="The IR the record belongs to, if any.")
    region_code: str | None = strawberry.field(
        description="The record's region: an IR's regency/city, a team's province or regency/city, a "
        "facilitator's regency/city; null for national records (the national team, partners). DENIED: the region "
        "asked for, or the refused record's region."
    )
    regency_code: str | None = strawberry.field(
        deprecation_reason="Use `regionCode`: not every record has a regency.",
        description="The record's regency/city (kabupaten/kota) code; null when it has none."
    )
    fields: list[AuditField] = strawberry.field(
        description="READ: the personal fields read and how much of each the reader saw."
    )
    changes: list[AuditChange] = strawberry.field(description="WRITE: the columns that changed, before and after.")
    path: str | None = strawberry.field(
        description="DENIED: the GraphQL path of the refused field, e.g. `homeIndustries.edges.0.node.owner.nik`."
    )
    reason: str | None = strawberry.field(description="DENIED: why it was refused (the FORBIDDEN error's message).")


#: A page of audit events, newest first (``siir.connections``).
AuditEventConnection = Connection[AuditEvent]
#: The trail's cursors: the event id (events are listed newest first, so "after" is an older id).
AUDIT_CURSOR = CursorKey("AuditEvent", int)


@strawberry.input(description="Which audit events to list; parts combine with AND.")
class AuditTrailFilter:
    home_industry_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="Only events about this IR (its own record and the records belonging to it)."
    )
    entity_type: str | None = strawberry.field(default=None, description="e.g. `Team` or `Facilitator`.")
    entity_id: strawberry.ID | None = strawberry.field(default=None, description="Only events about this record id.")
    subject: str | None = strawberry.field(default=None, description="Only events by this caller (subject).")
    action: AuditAction | None = strawberry.field(default=None, description="Only events of this action.")
    since: dt.datetime | None = strawberry.field(default=None, description="From this moment (inclusive).")
    until: dt.datetime | None = strawberry.field(default=None, description="Until this moment (exclusive).")
    region_code: str | None = strawberry.field(default=None, description="A regency/city (or province) inside your scope.")


def _event(identity: Identity, row: RowMapping) -> AuditEvent:
    changes = [
        AuditChange(column=shown.column, before=shown.before, after=shown.after, withheld=shown.withheld)
        for shown in disclosed_changes(identity.role, row["entity_type"], row["before"], row["after"])
    ]
    fields = row["fields"] if row["action"] == audit_data.READ else {}
    return AuditEvent(
        id=strawberry.ID(str(row["id"])),
        occurred_at=row["occurred_at"],
        action=AuditAction(row["action"]),
        operation=row["operation"],
        subject=row["subject"],
        role=row["role"],
        actor_region=row["actor_region"],
        partner=row["partner"],
        entity_type=row["entity_type"],
        entity_id=strawberry.ID(str(row["entity_id"])) if row["entity_id"] is not None else None,
        home_industry_id=strawberry.ID(str(row["home_industry_id"])) if row["home_industry_id"] is not None else None,
        region_code=row["region_code"],
        regency_code=row["region_code"],
        fields=[AuditField(name=name, disclosure=how) for name, how in sorted(fields.items())],
        changes=changes,
        path=row["path"],
        reason=row["reason"],
    )


async def audit_trail(
    info: RegistryInfo, filter: AuditTrailFilter | None, first: int, after: str | None
) -> AuditEventConnection:
    identity = info.context.identity
    region = access.audit_scope(identity)
    page_size(first, MAX_PAGE)
    spec = audit_data.AuditQuery(region=region)
    if filter is not None:
        home_industry_id = None
        if filter.home_industry_id is not None:
            home_industry_id = identifiers.record_id(filter.home_industry_id)
            if home_industry_id is None:
                raise InvalidInput("filter.homeIndustryId", "is not a home industry id")
        entity_id = None
        if filter.entity_id is not None:
            entity_id = identifiers.record_id(filter.entity_id)
            if entity_id is None:
                raise InvalidInput("filter.entityId", "is not a record id")
        if filter.region_code is not None:
            wanted = identifiers.check_code_form("filter.regionCode", filter.region_code.strip())
            access.check_region_filter(access.RecordScope(region=region), wanted)
            region = wanted
        if filter.since and filter.until and filter.since >= filter.until:
            raise InvalidInput("filter.until", "must be after filter.since")
        spec = audit_data.AuditQuery(
            region=region,
            home_industry_id=home_industry_id,
            entity_type=filter.entity_type,
            entity_id=entity_id,
            subject=filter.subject,
            action=filter.action.value if filter.action else None,
            since=filter.since,
            until=filter.until,
        )
    before_id = AUDIT_CURSOR.decode(after)[0] if after else None
    async with info.context.connect() as connection:
        rows = await audit_data.audit_page(connection, spec, first=first, before_id=before_id)
    # Personal values shown in changes are reads like any other: the trail records its own readers.
    for row in rows[:first]:
        for name, disclosure in personal_reads(identity.role, row["entity_type"], row["before"], row["after"]).items():
            info.context.reads.note(
                audit_data.Record(row["entity_type"], row["entity_id"], row["region_code"], row["home_industry_id"]),
                name, disclosure,
            )

    async def total() -> int:
        async with info.context.connect() as connection:
            return await audit_data.count_audit_events(connection, spec)

    return page_of(rows, first, after=after is not None, key=AUDIT_CURSOR, key_of=lambda row: (row["id"],),
                   node_of=lambda row: _event(identity, row), total=total)
