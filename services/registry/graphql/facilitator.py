"""Facilitators (pendamping), their assignments and their mentoring notes."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import strawberry
from sqlalchemy.engine import RowMapping

from services.registry.domain import network_access
from services.registry.domain import validation as check
from services.registry.domain.periods import Period
from services.registry.graphql.context import RegistryInfo
from services.registry.graphql.enums import Sex
from services.registry.graphql.region import Region
from siir.connections import Connection, CursorKey, page_size, slice_after

if TYPE_CHECKING:
    from services.registry.graphql.home_industry import HomeIndustry

HomeIndustryType = Annotated["HomeIndustry", strawberry.lazy("services.registry.graphql.home_industry")]

#: Largest page of the IR a facilitator looks after (they grow with her assignments).
MAX_HOME_INDUSTRIES_PAGE = 500
HOME_INDUSTRY_CURSOR = CursorKey("FacilitatorHomeIndustry", int)


def _home_industry(row: RowMapping) -> "HomeIndustry":
    from services.registry.graphql.home_industry import HomeIndustry

    return HomeIndustry.from_row(row)


@strawberry.type(description="A village or a single IR assigned to a facilitator for a period.")
class FacilitatorAssignment:
    id: strawberry.ID = strawberry.field(description="Opaque identifier; pass it back as given.")
    active_from: dt.date = strawberry.field(description="First day of the assignment.")
    active_until: dt.date | None = strawberry.field(description="Last day of the assignment; null while open.")
    village_code: strawberry.Private[str | None]
    home_industry_id: strawberry.Private[int | None]
    facilitator_id: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: RowMapping) -> "FacilitatorAssignment":
        return cls(
            id=strawberry.ID(str(row["id"])),
            active_from=row["active_from"],
            active_until=row["active_until"],
            village_code=row["village_code"],
            home_industry_id=row["home_industry_id"],
            facilitator_id=row["facilitator_id"],
        )

    @strawberry.field(description="The village assigned (every IR in it), or null for a single IR.")
    async def village(self, info: RegistryInfo) -> Region | None:
        if self.village_code is None:
            return None
        row = await info.context.loaders.region.load(self.village_code)
        return Region.from_row(row) if row is not None else None

    @strawberry.field(description="The IR assigned, or null for a whole village.")
    async def home_industry(self, info: RegistryInfo) -> HomeIndustryType | None:
        if self.home_industry_id is None:
            return None
        row = await info.context.loaders.home_industry.load(self.home_industry_id)
        return _home_industry(row) if row is not None else None

    @strawberry.field(description="The facilitator (pendamping) assigned.")
    async def facilitator(self, info: RegistryInfo) -> "Facilitator":
        row = await info.context.loaders.facilitator.load(self.facilitator_id)
        assert row is not None, "facilitator_id is a foreign key"
        return Facilitator.from_row(row)


@strawberry.federation.type(
    keys=["id"],
    description="A facilitator (pendamping) or consultant engaged by a regency/city office to survey, "
    "re-assess and mentor the IR of assigned villages or single IR (mentoring lasts at least three years).",
)
class Facilitator:
    id: strawberry.ID = strawberry.field(description="Opaque identifier; pass it back as given.")
    person_name: str = strawberry.field(description="The facilitator's (pendamping's) name.")
    sex: Sex | None = strawberry.field(description="The facilitator's sex; null when not recorded.")
    organisation: str | None = strawberry.field(description="Employer, e.g. a local NGO or the Dinas itself.")
    active_from: dt.date = strawberry.field(description="First day of service.")
    active_until: dt.date | None = strawberry.field(description="Last day of service; null while open.")
    version: int = strawberry.field(description="Row version for optimistic concurrency: pass it back as `expectedVersion`.")
    regency_code: strawberry.Private[str]
    pk: strawberry.Private[int]
    contact: strawberry.Private[dict[str, str | None]]

    @classmethod
    def from_row(cls, row: RowMapping) -> "Facilitator":
        return cls(
            id=strawberry.ID(str(row["id"])),
            pk=row["id"],
            person_name=row["person_name"],
            sex=Sex(row["sex"]) if row["sex"] else None,
            organisation=row["organisation"],
            contact={"phone": row["phone"], "email": row["email"]},
            active_from=row["active_from"],
            active_until=row["active_until"],
            version=row["version"],
            regency_code=row["regency_code"],
        )

    @classmethod
    async def resolve_reference(cls, info: RegistryInfo, id: strawberry.ID) -> "Facilitator | None":
        """A facilitator by id; one outside the caller's region resolves as missing (null)."""
        identity = info.context.identity
        pk = check.reference_id(id)
        if pk is None:
            return None
        row = await info.context.loaders.facilitator.load(pk)
        if row is None or not network_access.admits_facilitator(identity, row["regency_code"]):
            return None
        return cls.from_row(row)


    @strawberry.federation.field(
        description="Phone number in E.164 form (+62…); for the offices whose region covers her regency/city, "
        "and for herself.",
    )
    async def phone(self, info: RegistryInfo) -> str | None:
        return self.contact["phone"]

    @strawberry.federation.field(
        description="E-mail; for the offices whose region covers her regency/city, and for herself.",
    )
    async def email(self, info: RegistryInfo) -> str | None:
        return self.contact["email"]

    @strawberry.field(description="Whether the facilitator is in service today (WIB).")
    def is_active(self, info: RegistryInfo) -> bool:
        return Period(self.active_from, self.active_until).includes(info.context.today())

    @strawberry.field(description="The regency/city whose office engaged the facilitator.")
    async def regency(self, info: RegistryInfo) -> Region:
        row = await info.context.loaders.region.load(self.regency_code)
        assert row is not None, "regency_code is a foreign key"
        return Region.from_row(row)

    @strawberry.field(description="Every assignment, current and past, newest first.")
    async def assignments(self, info: RegistryInfo) -> list[FacilitatorAssignment]:
        rows = await info.context.loaders.facilitator_assignments.load(self.pk)
        return [FacilitatorAssignment.from_row(row) for row in rows]

    @strawberry.field(description="The villages assigned today.")
    async def villages(self, info: RegistryInfo) -> list[Region]:
        today = info.context.today()
        rows = await info.context.loaders.facilitator_assignments.load(self.pk)
        codes = [
            r["village_code"] for r in rows
            if r["village_code"] is not None and Period(r["active_from"], r["active_until"]).includes(today)
        ]
        regions = await info.context.loaders.region.load_many(codes)
        return [Region.from_row(row) for row in regions if row is not None]

    @strawberry.federation.field(
        description="The IR she looks after today: assigned directly or in an assigned village, by id; only "
        "those within your scope.",
    )
    async def home_industries(
        self,
        info: RegistryInfo,
        first: Annotated[int, strawberry.argument(description=f"Page size: at most {MAX_HOME_INDUSTRIES_PAGE}.")] = 20,
        after: Annotated[str | None, strawberry.argument(description="The `endCursor` of the previous page.")] = None,
    ) -> Connection[HomeIndustryType]:
        first = page_size(first, MAX_HOME_INDUSTRIES_PAGE)
        rows = await info.context.loaders.facilitator_home_industries.load(self.pk)
        scope = await info.context.record_scope()
        return slice_after([row for row in rows if scope.admits(row)], first, after, key=HOME_INDUSTRY_CURSOR,
                           key_of=lambda row: (row["id"],), node_of=_home_industry)


@strawberry.type(description="A facilitator's note of a mentoring visit (pendampingan) to an IR.")
class MentoringNote:
    id: strawberry.ID = strawberry.field(description="Opaque identifier; pass it back as given.")
    noted_on: dt.date = strawberry.field(description="Date of the visit.")
    text: strawberry.Private[str]
    home_industry_id: strawberry.Private[int]
    facilitator_id: strawberry.Private[int]
    #: The IR's regency/city, for the audit trail of who read the text.
    regency_code: strawberry.Private[str]

    @classmethod
    def from_row(cls, row: RowMapping, regency_code: str) -> "MentoringNote":
        return cls(
            regency_code=regency_code,
            id=strawberry.ID(str(row["id"])),
            noted_on=row["noted_on"],
            text=row["notes"],
            home_industry_id=row["home_industry_id"],
            facilitator_id=row["facilitator_id"],
        )

    @strawberry.federation.field(
        description="What the facilitator noted; for the IR's regency/city office and its facilitator only.",
    )
    def notes(self, info: RegistryInfo) -> str:
        return self.text

    @strawberry.field(description="Who mentored.")
    async def facilitator(self, info: RegistryInfo) -> Facilitator:
        row = await info.context.loaders.facilitator.load(self.facilitator_id)
        assert row is not None, "facilitator_id is a foreign key"
        return Facilitator.from_row(row)

    @strawberry.field(description="The IR mentored.")
    async def home_industry(self, info: RegistryInfo) -> HomeIndustryType:
        row = await info.context.loaders.home_industry.load(self.home_industry_id)
        assert row is not None, "home_industry_id is a foreign key"
        return _home_industry(row)
