"""Mutations of facilitators (pendamping), their assignments and mentoring notes, with their inputs."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import strawberry
from strawberry import UNSET

from services.registry import facilitator_registrar
from services.registry.domain import network_access
from services.registry.domain import validation as check
from services.registry.graphql.context import RegistryInfo
from services.registry.graphql.enums import Sex
from services.registry.unit_of_work import Target
from services.registry.graphql.facilitator import Facilitator, FacilitatorAssignment, MentoringNote
from siir.errors import InvalidInput


@strawberry.input(description="A village, or a single IR, for a facilitator to look after. The period defaults to her service.")
class FacilitatorAssignmentInput:
    village_code: str | None = strawberry.field(default=None, description="A village (desa/kelurahan): every IR in it.")
    home_industry_id: strawberry.ID | None = strawberry.field(default=None, description="A single IR.")
    active_from: dt.date | None = strawberry.field(default=None, description="First day of the assignment.")
    active_until: dt.date | None = strawberry.field(
        default=None,
        description="Last day, included; null while open-ended."
    )


@strawberry.input(description="A facilitator engaged by a regency/city office, with her first assignments.")
class RegisterFacilitatorInput:
    regency_code: str = strawberry.field(description="The regency/city whose office engages her.")
    person_name: str = strawberry.field(description="The facilitator's (pendamping's) full name.")
    active_from: dt.date = strawberry.field(description="First day of service.")
    active_until: dt.date | None = strawberry.field(
        default=None,
        description="Last day of service, included; optional."
    )
    sex: Sex | None = strawberry.field(default=None, description="The facilitator's sex; optional.")
    organisation: str | None = strawberry.field(
        default=None,
        description="Employer, e.g. a local NGO or the Dinas; optional."
    )
    phone: str | None = strawberry.field(default=None, description="Phone number, Indonesian (08…, +62…); optional.")
    email: str | None = strawberry.field(default=None, description="E-mail address; optional.")
    subject: str | None = strawberry.field(
        default=None, description="Her login subject (`sub` of her access token), linking her account to this record."
    )
    assignments: list[FacilitatorAssignmentInput] = strawberry.field(
        default_factory=list,
        description="Villages or IR to assign her to at once; optional."
    )


@strawberry.input(description="Changes to a facilitator; fields left out stay as they are. `activeUntil` ends her service and assignments.")
class UpdateFacilitatorInput:
    person_name: str | None = strawberry.field(
        default=UNSET,
        description="The facilitator's full name. Omitted: unchanged."
    )
    sex: Sex | None = strawberry.field(
        default=UNSET,
        description="The facilitator's sex; null clears it. Omitted: unchanged."
    )
    organisation: str | None = strawberry.field(default=UNSET, description="Employer. Omitted: unchanged.")
    phone: str | None = strawberry.field(default=UNSET, description="Phone number. Omitted: unchanged.")
    email: str | None = strawberry.field(default=UNSET, description="E-mail address. Omitted: unchanged.")
    subject: str | None = strawberry.field(
        default=UNSET,
        description="The facilitator's own login subject (user id), linking her account to this record. Omitted: "
                    "unchanged."
    )
    active_from: dt.date | None = strawberry.field(
        default=UNSET,
        description="First day of service. Omitted: unchanged."
    )
    active_until: dt.date | None = strawberry.field(
        default=UNSET,
        description="Last day of service, included. Omitted: unchanged."
    )


@strawberry.input(description="A mentoring visit to an IR.")
class MentoringNoteInput:
    facilitator_id: strawberry.ID = strawberry.field(description="The facilitator (pendamping) who mentored.")
    noted_on: dt.date = strawberry.field(description="Date of the mentoring; not in the future.")
    notes: str = strawberry.field(
        description="What was done and agreed. Long text: up to 2,000 characters, newlines and tabs allowed."
    )


def _assignment(field: str, data: FacilitatorAssignmentInput) -> dict[str, Any]:
    if (data.village_code is None) == (data.home_industry_id is None):
        raise InvalidInput(field, "give either a villageCode or a homeIndustryId")
    start, end = check.period(f"{field}.active", data.active_from, data.active_until, required=False)
    return {
        "village_code": check.text(f"{field}.villageCode", data.village_code, max_length=20),
        "home_industry_id": check.record_id(f"{field}.homeIndustryId", data.home_industry_id),
        "active_from": start,
        "active_until": end,
    }


def _reach(info: RegistryInfo) -> facilitator_registrar.Reach:
    """Whether a facilitator of a regency lies in the writer's region (the policy admits DISTRICT_OFFICER only)."""
    identity = info.context.identity
    return lambda regency_code: network_access.admits_facilitator(identity, regency_code)


@strawberry.type
class FacilitatorMutation:
    @strawberry.federation.mutation(
        description="Engage a facilitator, with the villages and IR assigned to her (a regency/city office, for "
        "its own regency/city).",
    )
    async def register_facilitator(
        self,
        info: RegistryInfo,
        input: Annotated[RegisterFacilitatorInput, strawberry.argument(
            description="The new facilitator (pendamping)."
        )],
    ) -> Facilitator:
        identity = info.context.identity
        network_access.check_facilitator_regency(identity, input.regency_code.strip(), "input.regencyCode")
        start, end = check.period("input.active", input.active_from, input.active_until)
        values = {
            "regency_code": check.text("input.regencyCode", input.regency_code, required=True, max_length=20),
            "person_name": check.text("input.personName", input.person_name, required=True),
            "sex": input.sex.value if input.sex else None,
            "organisation": check.text("input.organisation", input.organisation),
            "phone": check.phone("input.phone", input.phone),
            "email": check.email("input.email", input.email),
            "subject": check.text("input.subject", input.subject),
            "active_from": start,
            "active_until": end,
        }
        check.list_length("input.assignments", input.assignments)
        assignments = [_assignment(f"input.assignments[{i}]", a) for i, a in enumerate(input.assignments)]
        row = await facilitator_registrar.register_facilitator(info.context.engine, values, assignments, info.context.actor())
        return Facilitator.from_row(row)

    @strawberry.federation.mutation(
        description="Change a facilitator's details or service; CONFLICT when `expectedVersion` is stale.",
    )
    async def update_facilitator(
        self,
        info: RegistryInfo,
        id: Annotated[strawberry.ID, strawberry.argument(description="The facilitator to change.")],
        expected_version: Annotated[int, strawberry.argument(
            description="The version you last read (`version`): a stale one is CONFLICT and nothing is written."
        )],
        input: Annotated[UpdateFacilitatorInput, strawberry.argument(
            description="The fields to change; omitted fields stay as they are."
        )]
    ) -> Facilitator:
        values: dict[str, Any] = {}
        if input.person_name is not UNSET:
            values["person_name"] = check.text("input.personName", input.person_name, required=True)
        if input.sex is not UNSET:
            values["sex"] = input.sex.value if input.sex else None
        if input.organisation is not UNSET:
            values["organisation"] = check.text("input.organisation", input.organisation)
        if input.phone is not UNSET:
            values["phone"] = check.phone("input.phone", input.phone)
        if input.email is not UNSET:
            values["email"] = check.email("input.email", input.email)
        if input.subject is not UNSET:
            values["subject"] = check.text("input.subject", input.subject)
        if input.active_from is not UNSET:
            if input.active_from is None:
                raise InvalidInput("input.activeFrom", "is required")
            values["active_from"] = check.period("input.active", input.active_from, None)[0]
        if input.active_until is not UNSET:
            values["active_until"] = check.period("input.active", values.get("active_from") or check.EARLIEST_DATE, input.active_until)[1]
        row = await facilitator_registrar.update_facilitator(
            info.context.engine, check.required_id("id", id), expected_version, values, _reach(info), info.context.actor()
        )
        return Facilitator.from_row(row)

    @strawberry.federation.mutation(
        description="Assign a village or an IR of her regency/city to a facilitator.",
    )
    async def assign_facilitator(
        self,
        info: RegistryInfo,
        facilitator_id: Annotated[strawberry.ID, strawberry.argument(
            description="The facilitator (pendamping) to assign."
        )],
        input: Annotated[FacilitatorAssignmentInput, strawberry.argument(
            description="What to assign her to (a village or an IR) and for which period."
        )]
    ) -> FacilitatorAssignment:
        row = await facilitator_registrar.assign(
            info.context.engine, check.required_id("facilitatorId", facilitator_id), _assignment("input", input), _reach(info),
            info.context.actor(),
        )
        return FacilitatorAssignment.from_row(row)

    @strawberry.federation.mutation(
        description="End an assignment: `endedOn` is the last day (defaults to today, WIB).",
    )
    async def end_facilitator_assignment(
        self,
        info: RegistryInfo,
        id: Annotated[strawberry.ID, strawberry.argument(description="The assignment to end.")],
        ended_on: Annotated[dt.date | None, strawberry.argument(
            description="Last day of the assignment, included; not before it started."
        )] = None
    ) -> FacilitatorAssignment:
        until = ended_on or info.context.today()
        if until < check.EARLIEST_DATE:
            raise InvalidInput("endedOn", f"is before {check.EARLIEST_DATE.isoformat()}")
        row = await facilitator_registrar.end_assignment(
            info.context.engine, check.required_id("id", id), until, _reach(info), info.context.actor()
        )
        return FacilitatorAssignment.from_row(row)

    @strawberry.federation.mutation(
        description="Record a facilitator's mentoring visit (pendampingan) to an IR assigned to her, in her own name.",
    )
    async def record_mentoring_note(
        self,
        info: RegistryInfo,
        home_industry_id: Annotated[strawberry.ID, strawberry.argument(description="The IR mentored.")],
        input: Annotated[MentoringNoteInput, strawberry.argument(description="The note.")]
    ) -> MentoringNote:
        row, regency_code = await record_note(
            info.context, check.required_id("homeIndustryId", home_industry_id), input, info.context.engine
        )
        return MentoringNote.from_row(row, regency_code)


async def record_note(context: Any, home_industry_id: int, input: MentoringNoteInput, target: Target) -> tuple[Any, str]:
    """``recordMentoringNote`` (also an offline sync item): her own visit, to an IR assigned to her."""
    facilitator_id = check.required_id("input.facilitatorId", input.facilitator_id)
    own = await context.own_facilitator_id()  # None for other roles, refused just below
    network_access.mentoring_writer_check(context.identity, facilitator_id, own)
    today = context.today()
    values = {
        "facilitator_id": facilitator_id,
        "noted_on": check.past_date("input.notedOn", input.noted_on, today, required=True),
        "notes": check.text("input.notes", input.notes, required=True, max_length=check.MAX_TEXT),
    }
    return await facilitator_registrar.record_mentoring_note(
        target, home_industry_id, values, await context.record_scope(),
        context.actor(),
    )
