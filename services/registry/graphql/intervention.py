"""Interventions given to an IR, with its class before and after."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import strawberry
from sqlalchemy.engine import RowMapping

from services.registry.domain import network_access
from services.registry.domain import validation as check
from services.registry.domain.classification import IrClass as DomainClass
from services.registry.domain.interventions import class_change
from services.registry.graphql.context import RegistryInfo
from services.registry.graphql.enums import InterventionType, IrClass, ProviderKind
from services.registry.graphql.partner import Partner, PartnerProgramme
from services.registry.graphql.scalars import Rupiah

if TYPE_CHECKING:
    from services.registry.graphql.home_industry import HomeIndustry

HomeIndustryType = Annotated["HomeIndustry", strawberry.lazy("services.registry.graphql.home_industry")]


@strawberry.type(description="Who provided an intervention: a registered partner, or a government office (SKPD) named in words.")
class InterventionProvider:
    kind: ProviderKind = strawberry.field(description="Kind of institution that gave it.")
    name: str = strawberry.field(description="The partner's name when recorded, or the office's name.")
    partner_id: strawberry.Private[int | None]
    programme_id: strawberry.Private[int | None]

    @strawberry.field(description="The partner, when the provider is a registered one.")
    async def partner(self, info: RegistryInfo) -> Partner | None:
        # A partner reads its own record only; the provider's name above is always shown.
        if self.partner_id is None or not network_access.admits_partner(info.context.identity, self.partner_id):
            return None
        row = await info.context.loaders.partner.load(self.partner_id)
        return Partner.from_row(row) if row is not None else None

    @strawberry.field(description="The partner's programme it came under, if any.")
    async def programme(self, info: RegistryInfo) -> PartnerProgramme | None:
        if self.programme_id is None:
            return None
        row = await info.context.loaders.programme.load(self.programme_id)
        if row is None or not network_access.admits_partner(info.context.identity, row["partner_id"]):
            return None
        return PartnerProgramme.from_row(row)


@strawberry.federation.type(
    keys=["id"],
    description="An intervention (intervensi) given to an IR: capital, equipment, training, technical guidance, "
    "mentoring, marketing or licensing, with its provider, dates, value and outcome, and the IR's class "
    "before and after, so reports can tell which interventions came before a move up.",
)
class Intervention:
    id: strawberry.ID = strawberry.field(description="Opaque identifier; pass it back as given.")
    type: InterventionType = strawberry.field(description="Kind of intervention (intervensi).")
    topic: str = strawberry.field(description="What it was about, e.g. `pengemasan produk` (packaging).")
    provider: InterventionProvider = strawberry.field(
        description="Who gave it: a partner institution or a government office."
    )
    started_on: dt.date = strawberry.field(description="First day of the intervention.")
    ended_on: dt.date | None = strawberry.field(description="Last day; null while it runs.")
    value: Rupiah | None = strawberry.field(description="Value in rupiah (capital given, equipment cost, training cost).")
    outcome_notes: str | None = strawberry.field(description="What came of it, in free text; null when not recorded.")
    class_before: IrClass | None = strawberry.field(
        description="The IR's class at the start: its newest assessment on or before `startedOn`."
    )
    class_after: IrClass | None = strawberry.field(
        description="The IR's class at its first assessment after `endedOn`; null until then or while it runs."
    )
    class_after_assessed_on: dt.date | None = strawberry.field(description="Date of that assessment.")
    version: int = strawberry.field(description="Row version for optimistic concurrency: pass it back as `expectedVersion`.")
    home_industry_id: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: RowMapping) -> "Intervention":
        return cls(
            id=strawberry.ID(str(row["id"])),
            type=InterventionType(row["type"]),
            topic=row["topic"],
            provider=InterventionProvider(
                kind=ProviderKind(row["provider_kind"]),
                name=row["provider_name"],
                partner_id=row["partner_id"],
                programme_id=row["programme_id"],
            ),
            started_on=row["started_on"],
            ended_on=row["ended_on"],
            value=row["value"],
            outcome_notes=row["outcome_notes"],
            class_before=IrClass(row["class_before"]) if row["class_before"] else None,
            class_after=IrClass(row["class_after"]) if row["class_after"] else None,
            class_after_assessed_on=row["class_after_on"],
            version=row["version"],
            home_industry_id=row["home_industry_id"],
        )

    @classmethod
    async def resolve_reference(cls, info: RegistryInfo, id: strawberry.ID) -> "Intervention | None":
        """An intervention by id; one whose IR is outside the caller's scope resolves as missing (null)."""
        pk = check.reference_id(id)  # the loader applies the scope itself
        if pk is None:
            return None
        row = await info.context.loaders.intervention.load(pk)
        if row is None or await info.context.loaders.home_industry.load(row["home_industry_id"]) is None:
            return None
        return cls.from_row(row)

    @strawberry.field(
        description="Classes moved between `classBefore` and `classAfter`: 1 for Pemula → Berkembang, 2 for "
        "Pemula → Maju, negative for a move down, 0 for none; null while either is unknown."
    )
    def class_change(self) -> int | None:
        return class_change(
            DomainClass(self.class_before.value) if self.class_before else None,
            DomainClass(self.class_after.value) if self.class_after else None,
        )

    @strawberry.field(description="The IR that received it.")
    async def home_industry(self, info: RegistryInfo) -> HomeIndustryType:
        from services.registry.graphql.home_industry import HomeIndustry

        row = await info.context.loaders.home_industry.load(self.home_industry_id)
        assert row is not None, "home_industry_id is a foreign key"
        return HomeIndustry.from_row(row)
