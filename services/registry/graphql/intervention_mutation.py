"""Mutations of interventions, with their inputs."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import strawberry
from strawberry import UNSET

from services.registry import intervention_registrar
from services.registry.domain import validation as check
from services.registry.graphql.context import RegistryInfo
from services.registry.graphql.enums import InterventionType
from services.registry.graphql.intervention import Intervention
from services.registry.graphql.scalars import Rupiah
from siir.errors import InvalidInput


@strawberry.input(
    description="An intervention given to an IR. The provider is a registered partner (`partnerId`, optionally "
    "its `programmeId`) or a government office named in `governmentOffice`."
)
class InterventionInput:
    type: InterventionType = strawberry.field(description="Kind of intervention (intervensi).")
    topic: str = strawberry.field(description="What it was about, e.g. `Packaging design`.")
    started_on: dt.date = strawberry.field(description="First day; not in the future.")
    ended_on: dt.date | None = strawberry.field(
        default=None,
        description="Last day, included; optional, not before `startedOn`."
    )
    partner_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="The partner institution that gave it; optional."
    )
    programme_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="The partner's programme it belongs to; optional."
    )
    government_office: str | None = strawberry.field(default=None, description="The SKPD, e.g. `Dinas Koperasi dan UKM Kota Semarang`.")
    value: Rupiah | None = strawberry.field(default=None, description="Value in rupiah.")
    outcome_notes: str | None = strawberry.field(
        default=None,
        description="What came of it; optional. Long text: up to 2,000 characters, newlines and tabs allowed."
    )


@strawberry.input(description="Changes to an intervention; fields left out stay as they are. A new provider replaces the old one.")
class UpdateInterventionInput:
    type: InterventionType | None = strawberry.field(
        default=UNSET,
        description="Kind of intervention. Omitted: unchanged."
    )
    topic: str | None = strawberry.field(default=UNSET, description="What it was about. Omitted: unchanged.")
    started_on: dt.date | None = strawberry.field(default=UNSET, description="First day. Omitted: unchanged.")
    ended_on: dt.date | None = strawberry.field(default=UNSET, description="Last day, included. Omitted: unchanged.")
    partner_id: strawberry.ID | None = strawberry.field(
        default=UNSET,
        description="The partner institution that gave it. Omitted: unchanged."
    )
    programme_id: strawberry.ID | None = strawberry.field(
        default=UNSET,
        description="The partner's programme it belongs to. Omitted: unchanged."
    )
    government_office: str | None = strawberry.field(
        default=UNSET,
        description="The government office (SKPD) that gave it, when no partner did. Omitted: unchanged."
    )
    value: Rupiah | None = strawberry.field(
        default=UNSET,
        description="Value of what was given, in rupiah. Omitted: unchanged."
    )
    outcome_notes: str | None = strawberry.field(
        default=UNSET,
        description="What came of it. Long text: up to 2,000 characters, newlines and tabs allowed. Omitted: "
                    "unchanged."
    )


def _ended_on(value: dt.date | None, today: dt.date) -> dt.date | None:
    """An end date; a running intervention may carry its planned end, at most three years ahead."""
    if value is not None and value > today + dt.timedelta(days=3 * 366):
        raise InvalidInput("input.endedOn", "is more than three years ahead")
    if value is not None and value < check.EARLIEST_DATE:
        raise InvalidInput("input.endedOn", f"is before {check.EARLIEST_DATE.isoformat()}")
    return value


@strawberry.type
class InterventionMutation:
    @strawberry.federation.mutation(
        description="Record an intervention given to an IR of your regency/city. Refused when it starts before "
        "the IR was registered, has a negative value or names an unknown partner.",
    )
    async def record_intervention(
        self,
        info: RegistryInfo,
        home_industry_id: Annotated[strawberry.ID, strawberry.argument(
            description="The IR that received the intervention."
        )],
        input: Annotated[InterventionInput, strawberry.argument(description="The intervention.")]
    ) -> Intervention:
        today = info.context.today()
        values = {
            "type": input.type.value,
            "topic": check.text("input.topic", input.topic, required=True),
            "started_on": check.past_date("input.startedOn", input.started_on, today, required=True),
            "ended_on": _ended_on(input.ended_on, today),
            "partner_id": check.record_id("input.partnerId", input.partner_id),
            "programme_id": check.record_id("input.programmeId", input.programme_id),
            "government_office": check.text("input.governmentOffice", input.government_office),
            "value": check.rupiah("input.value", input.value),
            "outcome_notes": check.text("input.outcomeNotes", input.outcome_notes, max_length=check.MAX_TEXT),
        }
        row = await intervention_registrar.record_intervention(
            info.context.engine, check.required_id("homeIndustryId", home_industry_id), values, await info.context.record_scope(),
            info.context.actor(),
        )
        return Intervention.from_row(row)

    @strawberry.federation.mutation(
        description="Change an intervention (its end, value, outcome); CONFLICT when `expectedVersion` is stale.",
    )
    async def update_intervention(
        self,
        info: RegistryInfo,
        id: Annotated[strawberry.ID, strawberry.argument(description="The intervention to change.")],
        expected_version: Annotated[int, strawberry.argument(
            description="The version you last read (`version`): a stale one is CONFLICT and nothing is written."
        )],
        input: Annotated[UpdateInterventionInput, strawberry.argument(
            description="The fields to change; omitted fields stay as they are."
        )]
    ) -> Intervention:
        today = info.context.today()
        values: dict[str, Any] = {}
        if input.type is not UNSET:
            if input.type is None:
                raise InvalidInput("input.type", "is required")
            values["type"] = input.type.value
        if input.topic is not UNSET:
            values["topic"] = check.text("input.topic", input.topic, required=True)
        if input.started_on is not UNSET:
            values["started_on"] = check.past_date("input.startedOn", input.started_on, today, required=True)
        if input.ended_on is not UNSET:
            values["ended_on"] = _ended_on(input.ended_on, today)
        if input.partner_id is not UNSET:
            values["partner_id"] = check.record_id("input.partnerId", input.partner_id)
        if input.programme_id is not UNSET:
            values["programme_id"] = check.record_id("input.programmeId", input.programme_id)
        if input.government_office is not UNSET:
            values["government_office"] = check.text("input.governmentOffice", input.government_office)
        if input.value is not UNSET:
            values["value"] = check.rupiah("input.value", input.value)
        if input.outcome_notes is not UNSET:
            values["outcome_notes"] = check.text("input.outcomeNotes", input.outcome_notes, max_length=check.MAX_TEXT)
        row = await intervention_registrar.update_intervention(
            info.context.engine, check.required_id("id", id), expected_version, values, await info.context.record_scope(),
            info.context.actor(),
        )
        return Intervention.from_row(row)
