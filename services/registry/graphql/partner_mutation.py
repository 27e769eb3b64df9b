"""Mutations of partner institutions and their programmes, with their inputs."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import strawberry
from strawberry import UNSET

from services.registry import partner_registrar
from services.registry.domain import validation as check
from services.registry.domain.classification import IrClass as DomainClass
from services.registry.domain.eligibility import EligibilityRule as Rule
from services.registry.graphql.context import RegistryInfo
from services.registry.graphql.enums import HomeIndustryStatus, IrClass, ProviderKind
from services.registry.graphql.partner import Partner, PartnerProgramme
from siir.errors import InvalidInput


@strawberry.input(description="Which IR a programme is for; parts left out do not restrict (statuses default to ACTIVE).")
class EligibilityRuleInput:
    classes: list[IrClass] = strawberry.field(
        default_factory=list,
        description="Only IR of these classes; empty: any class."
    )
    requires_nib: bool = strawberry.field(
        default=False,
        description="Only IR with a business identification number (NIB)."
    )
    requires_pirt: bool = strawberry.field(
        default=False,
        description="Only IR with a food home-industry permit (SPP-IRT/P-IRT)."
    )
    requires_halal_certificate: bool = strawberry.field(default=False, description="Only IR with a halal certificate.")
    statuses: list[HomeIndustryStatus] = strawberry.field(
        default_factory=lambda: [HomeIndustryStatus.ACTIVE],
        description="Only IR with these statuses; empty: any status."
    )
    region_codes: list[str] = strawberry.field(
        default_factory=list,
        description="Only IR inside these Kemendagri regions; empty: anywhere."
    )


@strawberry.input(description="A partner's programme.")
class PartnerProgrammeInput:
    name: str = strawberry.field(description="Name of the programme.")
    eligibility: EligibilityRuleInput = strawberry.field(description="Which IR may take part.")
    active_from: dt.date = strawberry.field(description="First day the programme runs.")
    active_until: dt.date | None = strawberry.field(default=None, description="Last day it runs, included; optional.")
    description: str | None = strawberry.field(
        default=None,
        description="What the programme offers; optional. Long text: up to 2,000 characters, newlines and tabs "
                    "allowed."
    )


@strawberry.input(description="Changes to a programme; fields left out stay as they are.")
class UpdatePartnerProgrammeInput:
    name: str | None = strawberry.field(default=UNSET, description="Name of the programme. Omitted: unchanged.")
    description: str | None = strawberry.field(
        default=UNSET,
        description="What the programme offers. Long text: up to 2,000 characters, newlines and tabs allowed. "
                    "Omitted: unchanged."
    )
    eligibility: EligibilityRuleInput | None = strawberry.field(
        default=UNSET,
        description="Which IR may take part (replaces the whole rule). Omitted: unchanged."
    )
    active_from: dt.date | None = strawberry.field(
        default=UNSET,
        description="First day the programme runs. Omitted: unchanged."
    )
    active_until: dt.date | None = strawberry.field(
        default=UNSET,
        description="Last day it runs, included. Omitted: unchanged."
    )


@strawberry.input(description="A partner institution with its programmes.")
class RegisterPartnerInput:
    kind: ProviderKind = strawberry.field(description="Kind of institution.")
    name: str = strawberry.field(description="Name of the institution.")
    region_code: str | None = strawberry.field(
        default=None,
        description="Kemendagri code of the region it works in; optional (national)."
    )
    website: str | None = strawberry.field(default=None, description="Web address; optional.")
    programmes: list[PartnerProgrammeInput] = strawberry.field(
        default_factory=list,
        description="Its programmes; optional."
    )


@strawberry.input(description="Changes to a partner; fields left out stay as they are.")
class UpdatePartnerInput:
    name: str | None = strawberry.field(default=UNSET, description="Name of the institution. Omitted: unchanged.")
    region_code: str | None = strawberry.field(
        default=UNSET,
        description="Kemendagri code of the region it works in. Omitted: unchanged."
    )
    website: str | None = strawberry.field(default=UNSET, description="Web address. Omitted: unchanged.")


def _eligibility(field: str, data: EligibilityRuleInput) -> dict[str, Any]:
    check.list_length(f"{field}.regionCodes", data.region_codes)
    codes = [check.text(f"{field}.regionCodes[{i}]", c, required=True, max_length=20) for i, c in enumerate(data.region_codes)]
    rule = Rule(
        classes=frozenset(DomainClass(c.value) for c in data.classes),
        requires_nib=data.requires_nib,
        requires_pirt=data.requires_pirt,
        requires_halal_certificate=data.requires_halal_certificate,
        statuses=frozenset(s.value for s in data.statuses),
        region_codes=tuple(sorted({c for c in codes if c is not None})),
    )
    return rule.to_json()


def _programme(field: str, data: PartnerProgrammeInput) -> dict[str, Any]:
    start, end = check.period(f"{field}.active", data.active_from, data.active_until)
    return {
        "name": check.text(f"{field}.name", data.name, required=True),
        "description": check.text(f"{field}.description", data.description, max_length=check.MAX_TEXT),
        "eligibility": _eligibility(f"{field}.eligibility", data.eligibility),
        "active_from": start,
        "active_until": end,
    }


@strawberry.type
class PartnerMutation:
    @strawberry.federation.mutation(
        description="Register a partner institution with its programmes. CONFLICT when the name is taken.",
    )
    async def register_partner(
        self,
        info: RegistryInfo,
        input: Annotated[RegisterPartnerInput, strawberry.argument(description="The new partner institution.")],
    ) -> Partner:
        values = {
            "kind": input.kind.value,
            "name": check.text("input.name", input.name, required=True),
            "region_code": check.text("input.regionCode", input.region_code, max_length=20),
            "website": check.text("input.website", input.website, max_length=300),
        }
        check.list_length("input.programmes", input.programmes)
        programmes = [_programme(f"input.programmes[{i}]", p) for i, p in enumerate(input.programmes)]
        row = await partner_registrar.register_partner(info.context.engine, values, programmes, info.context.actor())
        return Partner.from_row(row)

    @strawberry.federation.mutation(
        description="Change a partner; CONFLICT when `expectedVersion` is stale.",
    )
    async def update_partner(
        self,
        info: RegistryInfo,
        id: Annotated[strawberry.ID, strawberry.argument(description="The partner to change.")],
        expected_version: Annotated[int, strawberry.argument(
            description="The version you last read (`version`): a stale one is CONFLICT and nothing is written."
        )],
        input: Annotated[UpdatePartnerInput, strawberry.argument(
            description="The fields to change; omitted fields stay as they are."
        )]
    ) -> Partner:
        values: dict[str, Any] = {}
        if input.name is not UNSET:
            values["name"] = check.text("input.name", input.name, required=True)
        if input.region_code is not UNSET:
            values["region_code"] = check.text("input.regionCode", input.region_code, max_length=20)
        if input.website is not UNSET:
            values["website"] = check.text("input.website", input.website, max_length=300)
        row = await partner_registrar.update_partner(
            info.context.engine, check.required_id("id", id), expected_version, values, info.context.actor()
        )
        return Partner.from_row(row)

    @strawberry.federation.mutation(
        description="Add a programme to a partner.",
    )
    async def add_partner_programme(
        self,
        info: RegistryInfo,
        partner_id: Annotated[strawberry.ID, strawberry.argument(description="The partner that runs the programme.")],
        input: Annotated[PartnerProgrammeInput, strawberry.argument(
            description="The new programme and its eligibility rule."
        )]
    ) -> PartnerProgramme:
        row = await partner_registrar.add_programme(
            info.context.engine, check.required_id("partnerId", partner_id), _programme("input", input), info.context.actor()
        )
        return PartnerProgramme.from_row(row)

    @strawberry.federation.mutation(
        description="Change a programme: its name, description, eligibility rule or period.",
    )
    async def update_partner_programme(
        self,
        info: RegistryInfo,
        id: Annotated[strawberry.ID, strawberry.argument(description="The programme to change.")],
        input: Annotated[UpdatePartnerProgrammeInput, strawberry.argument(
            description="The fields to change; omitted fields stay as they are."
        )]
    ) -> PartnerProgramme:
        values: dict[str, Any] = {}
        if input.name is not UNSET:
            values["name"] = check.text("input.name", input.name, required=True)
        if input.description is not UNSET:
            values["description"] = check.text("input.description", input.description, max_length=check.MAX_TEXT)
        if input.eligibility is not UNSET:
            if input.eligibility is None:
                raise InvalidInput("input.eligibility", "is required")
            values["eligibility"] = _eligibility("input.eligibility", input.eligibility)
        if input.active_from is not UNSET:
            if input.active_from is None:
                raise InvalidInput("input.activeFrom", "is required")
            values["active_from"] = check.period("input.active", input.active_from, None)[0]
        if input.active_until is not UNSET:
            values["active_until"] = check.period("input.active", values.get("active_from") or check.EARLIEST_DATE, input.active_until)[1]
        row = await partner_registrar.update_programme(info.context.engine, check.required_id("id", id), values, info.context.actor())
        return PartnerProgramme.from_row(row)
