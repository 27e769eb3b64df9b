"""Root mutation fields of the registry: each is one transaction (see ``registrar``).

Each checks the caller's right to the change and its scope before anything is written, and
appends its audit event in the same transaction as the change.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import strawberry

from sqlalchemy.engine import RowMapping

from services.registry import registrar
from services.registry.domain import access, events, network_access
from services.registry.domain import validation as check
from services.registry.graphql.assessment import Assessment
from services.registry.graphql.context import RegistryInfo
from services.registry.graphql.home_industry import HomeIndustry
from services.registry.graphql.inputs import (
    AssessmentInput,
    RegisterHomeIndustryInput,
    UpdateHomeIndustryInput,
    assessment_values,
    record_values,
)
from services.registry.unit_of_work import Target
from siir.errors import Forbidden


def _pk(field: str, value: strawberry.ID) -> int:
    return check.required_id(field, value, what="home industry")


@strawberry.type(description="An assessment just recorded, and the IR with its class brought up to date.")
class RecordAssessmentPayload:
    assessment: Assessment = strawberry.field(description="The assessment recorded, with its levels, score and class.")
    home_industry: HomeIndustry = strawberry.field(description="The IR, its current class brought up to date.")


@strawberry.type(description="Changes to the registry. Each is checked whole and written whole or not at all; errors "
                             "are coded (docs/errors.md).")
class Mutation:
    @strawberry.federation.mutation(
        description="Register a new IR with its first assessment, in a village of your regency/city. CONFLICT when "
        "the owner's NIK already has an active IR (see `additionalBusinessReason`).",
    )
    async def register_home_industry(
        self,
        info: RegistryInfo,
        input: Annotated[RegisterHomeIndustryInput, strawberry.argument(description="The new IR, as surveyed.")],
    ) -> HomeIndustry:
        row = await register(info.context, input, info.context.engine)
        return HomeIndustry.from_row(row)

    @strawberry.federation.mutation(
        description="Change an IR record. Fails with CONFLICT when `expectedVersion` is not the current version.",
    )
    async def update_home_industry(
        self,
        info: RegistryInfo,
        id: Annotated[strawberry.ID, strawberry.argument(description="The IR to change.")],
        expected_version: Annotated[int, strawberry.argument(
            description="The version you last read (`version`): a stale one is CONFLICT and nothing is written."
        )],
        input: Annotated[UpdateHomeIndustryInput, strawberry.argument(
            description="The fields to change; omitted fields stay as they are."
        )]
    ) -> HomeIndustry:
        row = await update(info.context, _pk("id", id), expected_version, input, info.context.engine)
        return HomeIndustry.from_row(row)

    @strawberry.federation.mutation(
        description="Record a (re-)assessment; the IR's current class follows its newest assessment.",
    )
    async def record_assessment(
        self,
        info: RegistryInfo,
        home_industry_id: Annotated[strawberry.ID, strawberry.argument(description="The IR assessed.")],
        input: Annotated[AssessmentInput, strawberry.argument(
            description="The assessment: the six criteria's observations."
        )]
    ) -> RecordAssessmentPayload:
        row, assessment_row = await assess(info.context, _pk("homeIndustryId", home_industry_id), input, info.context.engine)
        return RecordAssessmentPayload(assessment=Assessment.from_row(assessment_row), home_industry=HomeIndustry.from_row(row))

    @strawberry.federation.mutation(
        description="Close an IR (e.g. gulung tikar): it stays in the registry and in the reports.",
    )
    async def close_home_industry(
        self,
        info: RegistryInfo,
        id: Annotated[strawberry.ID, strawberry.argument(description="The IR that closed.")],
        reason: Annotated[str, strawberry.argument(
            description="Why it closed, e.g. `gulung tikar` or `moved away`. Long text: up to 2,000 characters, "
                        "newlines and tabs allowed."
        )],
        closed_on: Annotated[dt.date | None, strawberry.argument(
            description="Date it closed; not in the future. Default: today (Asia/Jakarta)."
        )] = None
    ) -> HomeIndustry:
        context = info.context
        scope = await context.record_scope()
        today = context.today()
        reason_text = check.text("reason", reason, required=True, max_length=check.MAX_TEXT)
        on = check.past_date("closedOn", closed_on, today) or today
        row = await registrar.change_status(
            context.engine, _pk("id", id), "CLOSED", on, reason_text, events.HOME_INDUSTRY_CLOSED, scope, context.actor()
        )
        return HomeIndustry.from_row(row)

    @strawberry.federation.mutation(
        description="Merge two registrations of the same business (duplikat) of your regency/city: the assessments, "
        "interventions and mentoring notes of `drop` move to `keep`, and `drop` is closed as a duplicate of `keep` "
        "(status CLOSED, statusReason starting 'DUPLICATE of' and `keep`'s registration number). One transaction, "
        "audited. Answers the kept IR.",
    )
    async def merge_home_industries(
        self,
        info: RegistryInfo,
        keep: Annotated[strawberry.ID, strawberry.argument(description="The IR that stays (usually the older registration).")],
        drop: Annotated[strawberry.ID, strawberry.argument(description="The duplicate: closed, its records move to `keep`.")],
        reason: Annotated[str, strawberry.argument(description="Why they are one business (alasan); audited.")],
    ) -> HomeIndustry:
        context = info.context
        scope = await context.record_scope()
        keep_id, drop_id = _pk("keep", keep), _pk("drop", drop)
        reason_text = check.text("reason", reason, required=True, max_length=check.MAX_TEXT)
        row = await registrar.merge(context.engine, keep_id, drop_id, reason_text, context.today(), scope, context.actor())
        return HomeIndustry.from_row(row)

    @strawberry.federation.mutation(
        description="Record the hand-over of an IR Maju to the Ministry of Cooperatives and SMEs as a small "
        "enterprise (Usaha Kecil). Its latest assessment must make it a small-enterprise candidate.",
    )
    async def graduate_home_industry(
        self,
        info: RegistryInfo,
        id: Annotated[strawberry.ID, strawberry.argument(
            description="The IR that graduated to small enterprise (usaha kecil)."
        )],
        graduated_on: Annotated[dt.date | None, strawberry.argument(
            description="Date of the hand-over; not in the future. Default: today (Asia/Jakarta)."
        )] = None,
        note: Annotated[str | None, strawberry.argument(
            description="A note on the hand-over; optional. Long text: up to 2,000 characters, newlines and tabs "
                        "allowed."
        )] = None
    ) -> HomeIndustry:
        context = info.context
        scope = await context.record_scope()
        today = context.today()
        on = check.past_date("graduatedOn", graduated_on, today) or today
        note_text = check.text("note", note, max_length=check.MAX_TEXT)
        row = await registrar.change_status(
            context.engine, _pk("id", id), "GRADUATED", on, note_text, events.HOME_INDUSTRY_GRADUATED, scope,
            context.actor(),
        )
        return HomeIndustry.from_row(row)


# The single mutations' bodies, callable with a caller's unit of work (the offline sync applies each
# item through the same validation: graphql/offline_sync.py).


async def register(context: Any, input: RegisterHomeIndustryInput, target: Target) -> RowMapping:
    """``registerHomeIndustry``: check the input and the caller's scope, then register."""
    registration = await registration_of(context, input)
    return await registrar.register(
        target, registration.values, registration.assessment, context.rule_set, context.graduation_thresholds,
        context.today(), context.actor(), scope=await context.record_scope(),
        additional_business_reason=registration.additional_business_reason,
    )


async def registration_of(context: Any, input: RegisterHomeIndustryInput) -> registrar.Registration:
    """A registration input checked field by field and against the caller's scope (the registrar checks the
    rest: the village exists, the owner's other IR, the dates): the one check of ``registerHomeIndustry``,
    an offline sync item and an imported survey row."""
    scope = await context.record_scope()
    access.check_write_region(scope, input.village_code.strip(), "input.villageCode")
    today = context.today()
    values = record_values(input, today)
    values["registered_on"] = check.past_date("input.registeredOn", input.registered_on, today)
    criteria, assessment = assessment_values(
        "input.firstAssessment", input.first_assessment, values["business_started_on"], today
    )
    assessment["facilitator_id"] = network_access.assessment_facilitator(
        context.identity, assessment.get("facilitator_id"), await context.own_facilitator_id()
    )
    access.check_write_region(scope, values["village_code"], "input.villageCode")
    # A facilitator registers only in the villages assigned to her (none assigned: nowhere).
    if scope.assigned_only and values["village_code"] not in (scope.villages or ()):
        raise Forbidden(f"village {values['village_code']} is not assigned to you", field="input.villageCode")
    # Given at all, it must say why (blank is refused, not read as "not a second business").
    reason = check.text(
        "input.additionalBusinessReason", input.additional_business_reason,
        required=input.additional_business_reason is not None, max_length=check.MAX_TEXT,
    )
    return registrar.Registration(values, (criteria, assessment), reason)


async def update(
    context: Any, pk: int, expected_version: int, input: UpdateHomeIndustryInput, target: Target
) -> RowMapping:
    """``updateHomeIndustry``: CONFLICT when ``expected_version`` is stale."""
    scope = await context.record_scope()
    values = record_values(input, context.today())
    if "village_code" in values:
        access.check_write_region(scope, values["village_code"], "input.villageCode")
    return await registrar.update(target, pk, expected_version, values, scope, context.actor())


async def assess(context: Any, pk: int, input: AssessmentInput, target: Target) -> tuple[RowMapping, RowMapping]:
    """``recordAssessment``: the facilitator's own assessments name her."""
    scope = await context.record_scope()
    today = context.today()
    own = await context.own_facilitator_id()

    def build(business_started_on: dt.date) -> Any:
        criteria, values = assessment_values("input", input, business_started_on, today)
        values["facilitator_id"] = network_access.assessment_facilitator(
            context.identity, values.get("facilitator_id"), own
        )
        return criteria, values

    return await registrar.record_assessment(
        target, pk, build, context.rule_set, context.graduation_thresholds, scope, context.actor()
    )
