"""Partner institutions (banks, universities, NGOs, businesses, government offices) and their programmes."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry
from sqlalchemy.engine import RowMapping

from services.registry.domain import network_access
from services.registry.domain import validation as check
from services.registry.domain.eligibility import EligibilityRule as Rule
from services.registry.graphql.context import RegistryInfo
from services.registry.graphql.enums import HomeIndustryStatus, IrClass, ProviderKind
from services.registry.graphql.region import Region
from siir.connections import Connection, CursorKey, page_size, slice_after


#: Largest page of a partner's programmes.
MAX_PROGRAMMES_PAGE = 100
PROGRAMME_CURSOR = CursorKey("PartnerProgramme", int)


@strawberry.type(
    description="Which IR a programme is for; every part combines with AND, an empty part does not restrict. "
    "A partner sees only IR whose owner consented to sharing (UU 27/2022 PDP) and that one of its "
    "programmes admits."
)
class EligibilityRule:
    classes: list[IrClass] = strawberry.field(description="IR classes admitted; empty = any class.")
    requires_nib: bool = strawberry.field(description="Only IR with a business identification number (NIB).")
    requires_pirt: bool = strawberry.field(description="Only IR with a food home-industry permit (SPP-IRT / P-IRT).")
    requires_halal_certificate: bool = strawberry.field(description="Only IR with a halal certificate.")
    statuses: list[HomeIndustryStatus] = strawberry.field(description="IR statuses admitted; empty = any.")
    region_codes: list[str] = strawberry.field(description="Kemendagri regions admitted (and everything inside); empty = anywhere.")

    @classmethod
    def from_rule(cls, rule: Rule) -> "EligibilityRule":
        data = rule.to_json()
        return cls(
            classes=[IrClass(c) for c in data["classes"]],
            requires_nib=rule.requires_nib,
            requires_pirt=rule.requires_pirt,
            requires_halal_certificate=rule.requires_halal_certificate,
            statuses=[HomeIndustryStatus(s) for s in data["statuses"]],
            region_codes=list(rule.region_codes),
        )


@strawberry.type(description="A partner's programme (credit, training, research, market access) with its eligibility rule.")
class PartnerProgramme:
    id: strawberry.ID = strawberry.field(description="Opaque identifier; pass it back as given.")
    name: str = strawberry.field(description="Name of the programme, e.g. `Kredit Usaha Rakyat`.")
    description: str | None = strawberry.field(description="What the programme offers; null when not given.")
    eligibility: EligibilityRule = strawberry.field(description="Which IR may take part.")
    active_from: dt.date = strawberry.field(description="First day the programme runs.")
    active_until: dt.date | None = strawberry.field(description="Last day it runs; null while open-ended.")
    partner_id: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: RowMapping) -> "PartnerProgramme":
        return cls(
            id=strawberry.ID(str(row["id"])),
            name=row["name"],
            description=row["description"],
            eligibility=EligibilityRule.from_rule(Rule.from_json(row["eligibility"])),
            active_from=row["active_from"],
            active_until=row["active_until"],
            partner_id=row["partner_id"],
        )

    @strawberry.field(description="The partner institution that runs it.")
    async def partner(self, info: RegistryInfo) -> "Partner":
        row = await info.context.loaders.partner.load(self.partner_id)
        assert row is not None, "partner_id is a foreign key"
        return Partner.from_row(row)


@strawberry.federation.type(
    keys=["id"],
    description="A partner institution of the programme (lembaga mitra): a bank, university, NGO, business "
    "or government office, with its programmes for IR.",
)
class Partner:
    id: strawberry.ID = strawberry.field(description="Opaque identifier; pass it back as given.")
    kind: ProviderKind = strawberry.field(
        description="Kind of institution: bank, university, NGO, business, government office."
    )
    name: str = strawberry.field(description="Name of the institution, e.g. `PNM Mekaar`.")
    website: str | None = strawberry.field(description="Web address; null when none.")
    version: int = strawberry.field(description="Row version for optimistic concurrency: pass it back as `expectedVersion`.")
    region_code: strawberry.Private[str | None]
    pk: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: RowMapping) -> "Partner":
        return cls(
            id=strawberry.ID(str(row["id"])),
            pk=row["id"],
            kind=ProviderKind(row["kind"]),
            name=row["name"],
            website=row["website"],
            version=row["version"],
            region_code=row["region_code"],
        )

    @classmethod
    async def resolve_reference(cls, info: RegistryInfo, id: strawberry.ID) -> "Partner | None":
        """A partner by id; a PARTNER reads only itself (another one resolves as missing)."""
        pk = check.reference_id(id)
        if pk is None or not network_access.admits_partner(info.context.identity, pk):
            return None
        row = await info.context.loaders.partner.load(pk)
        return cls.from_row(row) if row is not None else None

    @strawberry.field(description="Where a local institution sits; null for national ones.")
    async def region(self, info: RegistryInfo) -> Region | None:
        if self.region_code is None:
            return None
        row = await info.context.loaders.region.load(self.region_code)
        return Region.from_row(row) if row is not None else None

    @strawberry.field(description="Its programmes, by name, a page at a time.")
    async def programmes(
        self,
        info: RegistryInfo,
        first: Annotated[int, strawberry.argument(description=f"Page size: at most {MAX_PROGRAMMES_PAGE}.")] = 20,
        after: Annotated[str | None, strawberry.argument(description="The `endCursor` of the previous page.")] = None,
    ) -> Connection[PartnerProgramme]:
        first = page_size(first, MAX_PROGRAMMES_PAGE)
        rows = await info.context.loaders.partner_programmes.load(self.pk)
        return slice_after(rows, first, after, key=PROGRAMME_CURSOR, key_of=lambda row: (row["id"],),
                           node_of=PartnerProgramme.from_row)
