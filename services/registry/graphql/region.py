"""The Region entity: a Kemendagri province, regency/city, sub-district or village."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from sqlalchemy.engine import RowMapping

from services.registry.graphql.context import RegistryInfo
from services.registry.graphql.enums import RegionLevel
from siir.connections import Connection, CursorKey, page_size, slice_after

if TYPE_CHECKING:
    from services.registry.graphql.facilitator import Facilitator
    from services.registry.graphql.team import Team

TeamType = Annotated["Team", strawberry.lazy("services.registry.graphql.team")]
FacilitatorType = Annotated["Facilitator", strawberry.lazy("services.registry.graphql.facilitator")]

#: Children of one region: 108 villages in the largest sub-district, so one page holds them all.
MAX_CHILDREN_PAGE = 150
CHILD_CURSOR = CursorKey("ChildRegion", str)


@strawberry.federation.type(
    keys=["code"],
    description="A Kemendagri region (wilayah): province (provinsi), regency/city (kabupaten/kota), "
    "sub-district (kecamatan) or village (desa/kelurahan). Its dotted code's prefixes are its ancestors.",
)
class Region:
    code: strawberry.ID = strawberry.field(description="Dotted Kemendagri code, e.g. `33.74.01.1001`.")
    name: str = strawberry.field(description="Official name, e.g. `Kota Semarang`.")
    level: RegionLevel = strawberry.field(
        description="Administrative level: province, regency/city, sub-district or village."
    )
    kind: str = strawberry.field(
        description="The region's own kind: provinsi, kabupaten, kota, kecamatan, distrik, desa, kelurahan, desa_adat."
    )
    postal_code: str | None = strawberry.field(description="Postal code (kode pos), for villages.")
    parent_code: strawberry.Private[str | None]

    @classmethod
    def from_row(cls, row: RowMapping | dict[str, Any]) -> "Region":
        return cls(
            code=strawberry.ID(row["code"]),
            name=row["name"],
            level=RegionLevel(row["level"]),
            kind=row["kind"],
            postal_code=row["postal_code"],
            parent_code=row["parent_code"],
        )

    @classmethod
    async def resolve_reference(cls, info: RegistryInfo, code: strawberry.ID) -> "Region | None":
        row = await info.context.loaders.region.load(str(code))
        return cls.from_row(row) if row is not None else None

    @strawberry.field(description="The region this one lies in; null for a province.")
    async def parent(self, info: RegistryInfo) -> "Region | None":
        if self.parent_code is None:
            return None
        row = await info.context.loaders.region.load(self.parent_code)
        return Region.from_row(row) if row is not None else None

    @strawberry.field(description="The regions directly inside this one, ordered by code, a page at a time.")
    async def children(
        self,
        info: RegistryInfo,
        first: Annotated[int, strawberry.argument(description=f"Page size: at most {MAX_CHILDREN_PAGE}.")] = MAX_CHILDREN_PAGE,
        after: Annotated[str | None, strawberry.argument(description="The `endCursor` of the previous page.")] = None,
    ) -> Connection["Region"]:
        first = page_size(first, MAX_CHILDREN_PAGE)
        rows = await info.context.loaders.child_regions.load(str(self.code))
        return slice_after(rows, first, after, key=CHILD_CURSOR, key_of=lambda row: (row["code"],),
                           node_of=Region.from_row)

    @strawberry.field(
        description="The managing team (Tim Pengelola) of this province or regency/city in office today, or null."
    )
    async def team(self, info: RegistryInfo) -> TeamType | None:
        from services.registry.graphql.team import Team

        if self.level not in (RegionLevel.PROVINCE, RegionLevel.REGENCY):
            return None
        row = await info.context.loaders.current_team.load(str(self.code))
        return Team.from_row(row) if row is not None else None

    @strawberry.federation.field(
        description="Facilitators (pendamping) in service today engaged by the offices of this region or of "
        "regions inside it, by name. FORBIDDEN for a region outside yours.",
    )
    async def facilitators(
        self,
        info: RegistryInfo,
        first: Annotated[int, strawberry.argument(description="Page size: at most 500.")] = 20,
        after: Annotated[str | None, strawberry.argument(description="The `endCursor` of the previous page.")] = None,
    ) -> Connection[FacilitatorType]:
        from services.registry.graphql.team import region_facilitators

        return await region_facilitators(info, str(self.code), first, after, "Region.facilitators")
