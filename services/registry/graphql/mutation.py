"""Root mutation fields of the registry: each is one transaction (see ``registrar``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import strawberry

from services.registry import registrar
from services.registry.domain import events
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
from siir.errors import InvalidInput


def _pk(field: str, value: strawberry.ID) -> int:
    try:
        pk = int(value)
    except (TypeError, ValueError):
        raise InvalidInput(field, f"{value!r} is not a home industry id") from None
    if not 0 < pk < 2**63:
        raise InvalidInput(field, f"{value!r} is not a home industry id")
    return pk


@strawberry.type(description="An assessment just recorded, and the IR with its class brought up to date.")
class RecordAssessmentPayload:
    assessment: Assessment
    home_industry: HomeIndustry


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Register a new IR with its first assessment.")
    async def register_home_industry(self, info: RegistryInfo, input: RegisterHomeIndustryInput) -> HomeIndustry:
        context = info.context
        today = context.today()
        values = record_values(input, today)
        values["registered_on"] = check.past_date("input.registeredOn", input.registered_on, today)
        assessment = assessment_values(
            "input.firstAssessment", input.first_assessment, values["business_started_on"], today
        )
        row = await registrar.register(
            context.engine, values, assessment, context.rule_set, context.graduation_thresholds, today
        )
        return HomeIndustry.from_row(row)

    @strawberry.mutation(
        description="Change an IR record. Fails with CONFLICT when `expectedVersion` is not the current version."
    )
    async def update_home_industry(
        self, info: RegistryInfo, id: strawberry.ID, expected_version: int, input: UpdateHomeIndustryInput
    ) -> HomeIndustry:
        pk = _pk("id", id)
        values = record_values(input, info.context.today())
        row = await registrar.update(info.context.engine, pk, expected_version, values)
        return HomeIndustry.from_row(row)

    @strawberry.mutation(description="Record a (re-)assessment; the IR's current class follows its newest assessment.")
    async def record_assessment(
        self, info: RegistryInfo, home_industry_id: strawberry.ID, input: AssessmentInput
    ) -> RecordAssessmentPayload:
        context = info.context
        pk = _pk("homeIndustryId", home_industry_id)
        today = context.today()

        def build(business_started_on: dt.date) -> Any:
            return assessment_values("input", input, business_started_on, today)

        row, assessment_row = await registrar.record_assessment(
            context.engine, pk, build, context.rule_set, context.graduation_thresholds
        )
        return RecordAssessmentPayload(assessment=Assessment.from_row(assessment_row), home_industry=HomeIndustry.from_row(row))

    @strawberry.mutation(description="Close an IR (e.g. gulung tikar): it stays in the registry and in the reports.")
    async def close_home_industry(
        self, info: RegistryInfo, id: strawberry.ID, reason: str, closed_on: dt.date | None = None
    ) -> HomeIndustry:
        today = info.context.today()
        reason_text = check.text("reason", reason, required=True, max_length=check.MAX_TEXT)
        on = check.past_date("closedOn", closed_on, today) or today
        row = await registrar.change_status(
            info.context.engine, _pk("id", id), "CLOSED", on, reason_text, events.HOME_INDUSTRY_CLOSED
        )
        return HomeIndustry.from_row(row)

    @strawberry.mutation(
        description="Record the hand-over of an IR Maju to the Ministry of Cooperatives and SMEs as a small "
        "enterprise (Usaha Kecil). Its latest assessment must make it a small-enterprise candidate."
    )
    async def graduate_home_industry(
        self, info: RegistryInfo, id: strawberry.ID, graduated_on: dt.date | None = None, note: str | None = None
    ) -> HomeIndustry:
        today = info.context.today()
        on = check.past_date("graduatedOn", graduated_on, today) or today
        note_text = check.text("note", note, max_length=check.MAX_TEXT)
        row = await registrar.change_status(
            info.context.engine, _pk("id", id), "GRADUATED", on, note_text, events.HOME_INDUSTRY_GRADUATED
        )
        return HomeIndustry.from_row(row)
