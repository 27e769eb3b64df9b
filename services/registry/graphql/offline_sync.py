"""``syncOfflineWork``: a facilitator's app sends the work it captured without signal, in one batch.

Each item goes through the very function its single mutation uses (``registerHomeIndustry``,
``updateHomeIndustry``, ``recordAssessment``, ``recordMentoringNote``), in a unit of work of its
own, together with the row that remembers its client id: an item is written whole or not at all,
and one refused item leaves the others applied. Rules: ``domain/offline_sync.py``; docs/offline-sync.md.
"""

from __future__ import annotations

import uuid
from enum import Enum
from typing import Annotated, Any

import strawberry
from sqlalchemy.engine import RowMapping

from services.registry.data import home_industries as home_industry_data
from services.registry.data.audit import Denial, Record
from services.registry.data import offline_sync as sync_data
from services.registry.domain import offline_sync as sync
from services.registry.domain import validation as check
from services.registry.graphql import facilitator_mutation, mutation
from services.registry.graphql.context import RegistryInfo
from services.registry.graphql.facilitator_mutation import MentoringNoteInput
from services.registry.graphql.inputs import (
    AssessmentInput,
    RegisterHomeIndustryInput,
    UpdateHomeIndustryInput,
    record_values,
)
from services.registry.unit_of_work import UnitOfWork
from siir import identifiers
from siir.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound


@strawberry.enum(description="What the registry did with one synced item (hasil sinkronisasi).")
class OfflineSyncStatus(Enum):
    APPLIED = strawberry.enum_value("APPLIED", description="Written now: `recordId` and `homeIndustryVersion` say what it made.")
    DUPLICATE = strawberry.enum_value(
        "DUPLICATE", description="Already synced (the same `clientId` and content): nothing written, the original result."
    )
    CONFLICT = strawberry.enum_value(
        "CONFLICT", description="The IR changed on the server since `baseVersion`: nothing written; `currentVersion` and "
        "`differingFields` say what the client must reconcile before sending the item again with a new `clientId`."
    )
    REFUSED = strawberry.enum_value(
        "REFUSED", description="Refused by the same rules as the single mutation: nothing written; `code` and `field` "
        "say why (docs/errors.md)."
    )


@strawberry.enum(description="The kind of work an item carries.")
class OfflineItemKind(Enum):
    REGISTRATION = strawberry.enum_value(sync.REGISTRATION, description="A new IR with its first assessment (pendaftaran).")
    ASSESSMENT = strawberry.enum_value(sync.ASSESSMENT, description="A (re-)assessment of an IR (penilaian).")
    MENTORING_NOTE = strawberry.enum_value(sync.MENTORING_NOTE, description="A mentoring visit (catatan pendampingan).")
    UPDATE = strawberry.enum_value(sync.UPDATE, description="A change to an IR record, based on a version the client read.")


@strawberry.input(description="Which IR an item is about: its server `homeIndustryId`, or the `clientId` of its "
                              "registration synced earlier in this batch or a previous one (`homeIndustryClientId`).")
class OfflineTarget:
    home_industry_id: strawberry.ID | None = strawberry.field(default=None, description="The IR's server id.")
    home_industry_client_id: strawberry.ID | None = strawberry.field(
        default=None, description="The `clientId` of the REGISTRATION item that registered the IR offline."
    )


@strawberry.input(description="An assessment captured offline.")
class OfflineAssessmentInput(OfflineTarget):
    input: AssessmentInput = strawberry.field(description="The assessment, as for `recordAssessment`.")


@strawberry.input(description="A mentoring note captured offline.")
class OfflineMentoringNoteInput(OfflineTarget):
    input: MentoringNoteInput = strawberry.field(description="The note, as for `recordMentoringNote`.")


@strawberry.input(description="A change to an IR record captured offline.")
class OfflineUpdateInput(OfflineTarget):
    base_version: int = strawberry.field(
        description="The IR's `version` the client had when it made the change: a newer one on the server is CONFLICT."
    )
    input: UpdateHomeIndustryInput = strawberry.field(description="The fields to change, as for `updateHomeIndustry`.")


@strawberry.input(description="One piece of work captured offline: its `clientId` and exactly one of the kinds.")
class OfflineWorkItem:
    client_id: strawberry.ID = strawberry.field(
        description="A UUID the app generated when the work was captured; the same item sent again must carry the same one."
    )
    registration: RegisterHomeIndustryInput | None = strawberry.field(
        default=None, description="A new IR, as for `registerHomeIndustry`."
    )
    assessment: OfflineAssessmentInput | None = strawberry.field(default=None, description="An assessment of an IR.")
    mentoring_note: OfflineMentoringNoteInput | None = strawberry.field(default=None, description="A mentoring note.")
    update: OfflineUpdateInput | None = strawberry.field(default=None, description="A change to an IR record.")


@strawberry.type(description="The answer to one synced item, in the order sent.")
class OfflineSyncResult:
    client_id: strawberry.ID = strawberry.field(description="The item's `clientId`.")
    status: OfflineSyncStatus = strawberry.field(description="What was done with it.")
    kind: OfflineItemKind | None = strawberry.field(description="The item's kind; null when it named none or several.")
    record_id: strawberry.ID | None = strawberry.field(
        description="APPLIED/DUPLICATE: the server id of what it made (the IR, assessment or mentoring note)."
    )
    home_industry_id: strawberry.ID | None = strawberry.field(description="APPLIED/DUPLICATE: the IR it concerns.")
    home_industry_version: int | None = strawberry.field(
        description="APPLIED/DUPLICATE: the IR's `version` right after the item was applied."
    )
    current_version: int | None = strawberry.field(description="CONFLICT: the IR's current `version` on the server.")
    differing_fields: list[str] | None = strawberry.field(
        description="CONFLICT: the fields the item would change whose server value differs from the item's (camelCase)."
    )
    code: str | None = strawberry.field(description="REFUSED: the error code (docs/errors.md), as the single mutation's.")
    field: str | None = strawberry.field(description="REFUSED: the input path at fault, e.g. `items[2].registration.villageCode`.")
    message: str | None = strawberry.field(description="REFUSED/CONFLICT: why, in words.")


class _Rollback(Exception):
    """Another request synced this client id first: undo the item's writes."""


def _refused(client_id: str, kind: str | None, code: str, field: str | None, message: str) -> OfflineSyncResult:
    return OfflineSyncResult(
        client_id=strawberry.ID(client_id), status=OfflineSyncStatus.REFUSED, kind=_kind(kind), record_id=None,
        home_industry_id=None, home_industry_version=None, current_version=None, differing_fields=None,
        code=code, field=field, message=message,
    )


def _kind(kind: str | None) -> OfflineItemKind | None:
    return None if kind is None else OfflineItemKind(kind)


def _done(status: OfflineSyncStatus, stored: RowMapping | dict[str, Any]) -> OfflineSyncResult:
    return OfflineSyncResult(
        client_id=strawberry.ID(str(stored["client_id"])), status=status, kind=_kind(stored["kind"]),
        record_id=strawberry.ID(str(stored["record_id"])), home_industry_id=strawberry.ID(str(stored["home_industry_id"])),
        home_industry_version=stored["version"], current_version=None, differing_fields=None, code=None, field=None,
        message=None,
    )


def _path(prefix: str, kind: str, field: str | None) -> str:
    """The error's field as a path in the batch: ``input.x`` of a registration is ``items[i].registration.x``."""
    if field is None:
        return prefix
    if kind == sync.REGISTRATION and (field == "input" or field.startswith("input.")):
        return prefix + field[len("input"):]
    return f"{prefix}.{field}"


# Named Mutation: it is merged into the schema's Mutation (graphql/schema.py), where list_sizes finds its
# field's @listSize by that name.
@strawberry.type(name="Mutation")
class OfflineSyncMutation:
    @strawberry.federation.mutation(
        description="Sync the work a facilitator's app captured offline (registrations, assessments, mentoring "
        f"notes, record changes): at most {sync.MAX_ITEMS} items, each applied on its own (one refused item leaves "
        "the others written) by the same rules as its single mutation, in your scope. Idempotent: an item sent "
        "again with its `clientId` answers DUPLICATE and writes nothing. See docs/offline-sync.md.",
    )
    async def sync_offline_work(
        self,
        info: RegistryInfo,
        items: Annotated[list[OfflineWorkItem], strawberry.argument(
            description=f"The items in the order they were captured (1 to {sync.MAX_ITEMS}); a registration may be "
            "referenced by the items after it through its `clientId`."
        )],
    ) -> list[OfflineSyncResult]:
        sync.check_batch_size(len(items))
        context = info.context
        subject = context.identity.subject
        ids: list[uuid.UUID | None] = []
        for index, item in enumerate(items):
            try:
                ids.append(sync.client_id(f"items[{index}].clientId", item.client_id))
            except InvalidInput:
                ids.append(None)
        async with context.engine.connect() as connection:
            stored = await sync_data.items_by_client_ids(connection, [pk for pk in ids if pk is not None])
        return [
            await _apply(info, index, item, pk, stored, subject) for index, (item, pk) in enumerate(zip(items, ids))
        ]


async def _apply(
    info: RegistryInfo, index: int, item: OfflineWorkItem, client_id: uuid.UUID | None,
    stored: dict[uuid.UUID, Any], subject: str,
) -> OfflineSyncResult:
    prefix = f"items[{index}]"
    given = [(name, getattr(item, name)) for name in sync.KINDS if getattr(item, name) is not None]
    kind = sync.KINDS[given[0][0]] if len(given) == 1 else None
    if client_id is None:
        return _refused(str(item.client_id), kind, InvalidInput.code, f"{prefix}.clientId",
                        "is not a UUID in its canonical form")
    if kind is None:
        return _refused(str(client_id), None, InvalidInput.code, prefix,
                        "give exactly one of registration, assessment, mentoringNote, update")
    name, content = given[0]
    print_ = sync.fingerprint(kind, content)
    item_prefix = f"{prefix}.{name.split('_')[0]}{''.join(p.title() for p in name.split('_')[1:])}"
    for attempt in range(2):
        previous = stored.get(client_id)
        if previous is not None:
            if sync.reused_id(previous, kind, print_, subject):
                return _refused(str(client_id), kind, Conflict.code, f"{prefix}.clientId",
                                "was already used for another item: give each item its own clientId")
            return _done(OfflineSyncStatus.DUPLICATE, previous)
        try:
            return await _write(info, item_prefix, kind, content, client_id, print_, subject, stored)
        except _Rollback:
            async with info.context.engine.connect() as connection:
                stored.update(await sync_data.items_by_client_ids(connection, [client_id]))
        except Conflict as error:
            if kind == sync.UPDATE and "currentVersion" in error.extensions:
                return await _conflict(info, client_id, content, error)
            return _refused(str(client_id), kind, error.code, _path(item_prefix, kind, error.extensions.get("field")),
                            error.message)
        except DomainError as error:
            field = _path(item_prefix, kind, error.extensions.get("field"))
            if isinstance(error, Forbidden):  # in the audit trail like every FORBIDDEN (graphql/read_audit.py)
                info.context.reads.deny(Denial(
                    path=f"syncOfflineWork.{field}"[:1000], reason=error.message[:1000],
                    record=error.record if isinstance(error.record, Record) else None, region_code=error.region,
                ))
            return _refused(str(client_id), kind, error.code, field, error.message)
    raise AssertionError("a client id claimed and then not found")  # pragma: no cover


async def _target(info: RegistryInfo, content: Any, stored: dict[uuid.UUID, Any]) -> int:
    """The server id of the IR an item names, by its id or its registration's client id."""
    if (content.home_industry_id is None) == (content.home_industry_client_id is None):
        raise InvalidInput("homeIndustryId", "give either homeIndustryId or homeIndustryClientId")
    if content.home_industry_id is not None:
        return check.required_id("homeIndustryId", content.home_industry_id, what="home industry")
    registration_id = sync.client_id("homeIndustryClientId", content.home_industry_client_id)
    registration = stored.get(registration_id)
    if registration is None:
        async with info.context.engine.connect() as connection:
            registration = (await sync_data.items_by_client_ids(connection, [registration_id])).get(registration_id)
    if registration is None or registration["kind"] != sync.REGISTRATION:
        raise NotFound("no registration was synced with that clientId", field="homeIndustryClientId")
    return registration["home_industry_id"]


async def _write(
    info: RegistryInfo, prefix: str, kind: str, content: Any, client_id: uuid.UUID, print_: str, subject: str,
    stored: dict[uuid.UUID, Any],
) -> OfflineSyncResult:
    context = info.context
    async with UnitOfWork.begin(context.engine, context.actor()) as work:
        if kind == sync.REGISTRATION:
            row = await mutation.register(context, content, work)
            record_id, home_industry_id, version = row["id"], row["id"], row["version"]
        elif kind == sync.ASSESSMENT:
            row, assessment = await mutation.assess(context, await _target(info, content, stored), content.input, work)
            record_id, home_industry_id, version = assessment["id"], row["id"], row["version"]
        elif kind == sync.MENTORING_NOTE:
            pk = await _target(info, content, stored)
            note, _ = await facilitator_mutation.record_note(context, pk, content.input, work)
            version = (await home_industry_data.home_industries_by_ids(work.connection, [pk]))[pk]["version"]
            record_id, home_industry_id = note["id"], pk
        else:
            row = await mutation.update(context, await _target(info, content, stored), content.base_version, content.input, work)
            record_id, home_industry_id, version = row["id"], row["id"], row["version"]
        values = {"client_id": client_id, "kind": kind, "fingerprint": print_, "subject": subject,
                  "record_id": record_id, "home_industry_id": home_industry_id, "version": version}
        if not await sync_data.claim(work.connection, values):
            raise _Rollback
    stored[client_id] = values
    return _done(OfflineSyncStatus.APPLIED, values)


async def _conflict(info: RegistryInfo, client_id: uuid.UUID, content: OfflineUpdateInput, error: Conflict) -> OfflineSyncResult:
    pk = identifiers.record_id(content.home_industry_id) if content.home_industry_id is not None else None
    differing: list[str] = []
    if pk is not None or content.home_industry_client_id is not None:
        async with info.context.engine.connect() as connection:
            if pk is None:
                found = await sync_data.items_by_client_ids(connection, [uuid.UUID(str(content.home_industry_client_id))])
                pk = next(iter(found.values()))["home_industry_id"]
            current = (await home_industry_data.home_industries_by_ids(connection, [pk])).get(pk)
        if current is not None:
            differing = sync.differing_fields(record_values(content.input, info.context.today()), current)
    return OfflineSyncResult(
        client_id=strawberry.ID(str(client_id)), status=OfflineSyncStatus.CONFLICT, kind=OfflineItemKind.UPDATE,
        record_id=None, home_industry_id=None if pk is None else strawberry.ID(str(pk)), home_industry_version=None,
        current_version=error.extensions["currentVersion"], differing_fields=differing, code=Conflict.code,
        field=None, message=error.message,
    )
