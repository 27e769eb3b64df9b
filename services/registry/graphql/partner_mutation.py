"""Mutations of partner institutions and their programmes, with their inputs."""

from __future__ import annotations

import datetime as dt
from typing import Any

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
    classes: list[IrClass] = strawberry.field(default_factory=list)
    requires_nib: bool = False
    requires_pirt: bool = False
    requires_halal_certificate: bool = False
    statuses: list[HomeIndustryStatus] = strawberry.field(default_factory=lambda: [HomeIndustryStatus.ACTIVE])
    region_codes: list[str] = strawberry.field(default_factory=list)


@strawberry.input(description="A partner's programme.")
class PartnerProgrammeInput:
    name: str
    eligibility: EligibilityRuleInput
    active_from: dt.date
    active_until: dt.date | None = None
    description: str | None = None


@strawberry.input(description="Changes to a programme; fields left out stay as they are.")
class UpdatePartnerProgrammeInput:
    name: str | None = UNSET
    description: str | None = UNSET
    eligibility: EligibilityRuleInput | None = UNSET
    active_from: dt.date | None = UNSET
    active_until: dt.date | None = UNSET


@strawberry.input(description="A partner institution with its programmes.")
class RegisterPartnerInput:
    kind: ProviderKind
    name: str
    region_code: str | None = None
    website: str | None = None
    programmes: list[PartnerProgrammeInput] = strawberry.field(default_factory=list)


@strawberry.input(description="Changes to a partner; fields left out stay as they are.")
class UpdatePartnerInput:
    name: str | None = UNSET
    region_code: str | None = UNSET
    website: str | None = UNSET


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
    async def register_partner(self, info: RegistryInfo, input: RegisterPartnerInput) -> Partner:
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
        self, info: RegistryInfo, id: strawberry.ID, expected_version: int, input: UpdatePartnerInput
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
        self, info: RegistryInfo, partner_id: strawberry.ID, input: PartnerProgrammeInput
    ) -> PartnerProgramme:
        row = await partner_registrar.add_programme(
            info.context.engine, check.required_id("partnerId", partner_id), _programme("input", input), info.context.actor()
        )
        return PartnerProgramme.from_row(row)

    @strawberry.federation.mutation(
        description="Change a programme: its name, description, eligibility rule or period.",
    )
    async def update_partner_programme(
        self, info: RegistryInfo, id: strawberry.ID, input: UpdatePartnerProgrammeInput
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
