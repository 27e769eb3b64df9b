"""Managing teams (Tim Pengelola) and their members."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import strawberry
from sqlalchemy.engine import RowMapping

from services.registry.domain import network_access
from services.registry.domain import validation as check
from services.registry.domain.periods import Period
from services.registry.graphql.context import RegistryInfo
from services.registry.graphql.enums import TeamLevel, TeamPosition
from services.registry.graphql.region import Region
from siir.connections import Connection, CursorKey, page_size, slice_after

#: Largest pages of a team's members and of a region's facilitators.
MAX_MEMBERS_PAGE = 200
MAX_FACILITATORS_PAGE = 500
MEMBER_CURSOR = CursorKey("TeamMember", int)
FACILITATOR_CURSOR = CursorKey("RegionFacilitator", int)

if TYPE_CHECKING:
    from services.registry.graphql.facilitator import Facilitator

FacilitatorType = Annotated["Facilitator", strawberry.lazy("services.registry.graphql.facilitator")]


@strawberry.type(description="The decree (surat keputusan) that set up a team: a Bupati/Walikota's decree for a "
                 "regency/city team, a Governor's for a province, a Minister's for the national team.")
class Decree:
    number: str = strawberry.field(description="Number of the decree (Surat Keputusan, SK) that formed the team.")
    date: dt.date = strawberry.field(description="Date of the decree.")
    signed_by: str = strawberry.field(description="Who signed it, e.g. `Walikota Semarang`.")


@strawberry.type(description="A member of a managing team, in one position for one period.")
class TeamMember:
    id: strawberry.ID = strawberry.field(description="Opaque identifier; pass it back as given.")
    person_name: str = strawberry.field(description="The member's name.")
    position: TeamPosition = strawberry.field(description="Position in the team.")
    title: str | None = strawberry.field(description="Office held, e.g. `Sekretaris Daerah` or `Kepala Bappeda`.")
    agency: str = strawberry.field(description="Agency represented: an SKPD, a ministry or another institution.")
    active_from: dt.date = strawberry.field(description="First day in the position.")
    active_until: dt.date | None = strawberry.field(description="Last day in the position; null while open.")
    team_id: strawberry.Private[int]
    team_region: strawberry.Private[str | None]
    contact: strawberry.Private[dict[str, str | None]]

    @classmethod
    def from_row(cls, row: RowMapping, team_region: str | None) -> "TeamMember":
        return cls(
            id=strawberry.ID(str(row["id"])),
            person_name=row["person_name"],
            position=TeamPosition(row["position"]),
            title=row["title"],
            agency=row["agency"],
            contact={"phone": row["phone"], "email": row["email"]},
            active_from=row["active_from"],
            active_until=row["active_until"],
            team_id=row["team_id"],
            team_region=team_region,
        )


    @strawberry.federation.field(
        description="Phone number in E.164 form (+62…); for the offices whose region covers the team.",
    )
    def phone(self, info: RegistryInfo) -> str | None:
        return self.contact["phone"]

    @strawberry.federation.field(description="E-mail; for the offices whose region covers the team.")
    def email(self, info: RegistryInfo) -> str | None:
        return self.contact["email"]

    @strawberry.field(description="Whether the member is in the position today (WIB).")
    def is_active(self, info: RegistryInfo) -> bool:
        return Period(self.active_from, self.active_until).includes(info.context.today())

    @strawberry.field(description="The team.")
    async def team(self, info: RegistryInfo) -> "Team":
        row = await info.context.loaders.team.load(self.team_id)
        assert row is not None, "team_id is a foreign key"
        return Team.from_row(row)


@strawberry.federation.type(
    keys=["id"],
    description="A managing team (Tim Pengelola Industri Rumahan, Permen PPPA 2/2016 BAB IV A): national, "
    "province or regency/city, set up by decree for a period. One team per region and level at a time.",
)
class Team:
    id: strawberry.ID = strawberry.field(description="Opaque identifier; pass it back as given.")
    level: TeamLevel = strawberry.field(description="Level: national, province or regency/city.")
    name: str = strawberry.field(description="Name of the team, e.g. `Tim Pengelola PPEP Kota Semarang`.")
    decree: Decree = strawberry.field(description="The decree (SK) that formed it.")
    active_from: dt.date = strawberry.field(description="First day in office.")
    active_until: dt.date | None = strawberry.field(description="Last day in office; null while open.")
    version: int = strawberry.field(description="Row version for optimistic concurrency: pass it back as `expectedVersion`.")
    region_code: strawberry.Private[str | None]
    pk: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: RowMapping) -> "Team":
        return cls(
            id=strawberry.ID(str(row["id"])),
            pk=row["id"],
            level=TeamLevel(row["level"]),
            name=row["name"],
            decree=Decree(number=row["decree_number"], date=row["decree_date"], signed_by=row["decree_signed_by"]),
            active_from=row["active_from"],
            active_until=row["active_until"],
            version=row["version"],
            region_code=row["region_code"],
        )

    @classmethod
    async def resolve_reference(cls, info: RegistryInfo, id: strawberry.ID) -> "Team | None":
        pk = check.reference_id(id)
        if pk is None:
            return None
        row = await info.context.loaders.team.load(pk)
        return cls.from_row(row) if row is not None else None

    @strawberry.field(description="Whether the team is in office today (WIB).")
    def is_active(self, info: RegistryInfo) -> bool:
        return Period(self.active_from, self.active_until).includes(info.context.today())

    @strawberry.field(description="The province or regency/city; null for the national team.")
    async def region(self, info: RegistryInfo) -> Region | None:
        if self.region_code is None:
            return None
        row = await info.context.loaders.region.load(self.region_code)
        return Region.from_row(row) if row is not None else None

    @strawberry.field(
        description="Members, leadership first. `activeOn` keeps those in office on that day; without it, "
        "every member the team has had."
    )
    async def members(
        self,
        info: RegistryInfo,
        active_on: Annotated[dt.date | None, strawberry.argument(
            description="Only members in their position on this date; omitted: current and past."
        )] = None,
        first: Annotated[int, strawberry.argument(description=f"Page size: at most {MAX_MEMBERS_PAGE}.")] = 50,
        after: Annotated[str | None, strawberry.argument(description="The `endCursor` of the previous page.")] = None,
    ) -> Connection[TeamMember]:
        first = page_size(first, MAX_MEMBERS_PAGE)
        rows = await info.context.loaders.team_members.load(self.pk)
        if active_on is not None:
            rows = [r for r in rows if Period(r["active_from"], r["active_until"]).includes(active_on)]
        return slice_after(rows, first, after, key=MEMBER_CURSOR, key_of=lambda row: (row["id"],),
                           node_of=lambda row: TeamMember.from_row(row, self.region_code))

    @strawberry.federation.field(
        description="Facilitators (pendamping) in service today engaged by the offices of the team's region, "
        "by name. Regency/city offices engage facilitators, so the national team lists none: use "
        "`facilitators(regionCode:)` for a province or the country. FORBIDDEN outside your region.",
    )
    async def facilitators(
        self,
        info: RegistryInfo,
        first: Annotated[int, strawberry.argument(description=f"Page size: at most {MAX_FACILITATORS_PAGE}.")] = 20,
        after: Annotated[str | None, strawberry.argument(description="The `endCursor` of the previous page.")] = None,
    ) -> Connection[FacilitatorType]:
        return await region_facilitators(info, self.region_code, first, after, "Team.facilitators")


async def region_facilitators(
    info: RegistryInfo, region_code: str | None, first: int, after: str | None, coordinate: str
) -> "Connection[Facilitator]":
    """A page of the facilitators of a region's offices (a team's or a region's), loaded for every
    region of the answer in one statement."""
    from services.registry.graphql.facilitator import Facilitator

    first = page_size(first, MAX_FACILITATORS_PAGE)
    rows: list[RowMapping] = []
    if region_code is not None:
        network_access.check_facilitator_filter(info.context.identity, region_code, coordinate=coordinate)
        rows = await info.context.loaders.region_facilitators.load(region_code)
    return slice_after(rows, first, after, key=FACILITATOR_CURSOR, key_of=lambda row: (row["id"],),
                       node_of=Facilitator.from_row)
