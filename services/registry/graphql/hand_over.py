"""The hand-over package to the Ministry of Cooperatives and SMEs: query and approval."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry

from services.registry.data import audit
from services.registry.data import hand_overs as hand_over_data
from services.registry.domain import hand_over
from services.registry.graphql.context import RegistryInfo
from services.registry.graphql.home_industry import HomeIndustry
from siir.connections import Connection, CursorKey, page_size, slice_after
from siir.errors import Conflict

Year = Annotated[int, strawberry.argument(description="The year in which the IR graduated (2016 to this year).")]
RegionCode = Annotated[str, strawberry.argument(
    description="A province (33) or regency/city (33.74) Kemendagri code.")]


@strawberry.type(description="Who approved a hand-over package (persetujuan serah terima) and when.")
class HandOverApproval:
    year: int = strawberry.field(description="The package's year.")
    region_code: str = strawberry.field(description="The package's province or regency/city (Kemendagri code).")
    approved_by: str = strawberry.field(description="The approver's subject (user id).")
    approved_role: str = strawberry.field(description="The approver's role: PROVINCE_OFFICER or MINISTRY.")
    approved_at: dt.datetime = strawberry.field(description="When it was approved.")
    home_industry_count: int = strawberry.field(description="How many IR the package held when approved.")
    changed_since: bool = strawberry.field(
        description="True when the graduated IR of the year and region are no longer those approved (a later change).")


#: A page of a package's IR (the export reads them all, a page at a time).
MAX_PACKAGE_PAGE = 500
PACKAGE_CURSOR = CursorKey("HandOverPackage", int)


@strawberry.type(description="The graduated IR of a year and region handed over to the Ministry of Cooperatives and SMEs "
                             "(serah terima IR yang naik menjadi usaha kecil ke Kementerian Koperasi dan UKM).")
class HandOverPackage:
    year: int = strawberry.field(description="The year in which the IR graduated (moved up to small enterprise).")
    region_code: str = strawberry.field(description="Province or regency/city (Kemendagri code).")
    approval: HandOverApproval | None = strawberry.field(description="The approval; null until approved.")
    graduated: strawberry.Private[list[HomeIndustry]]

    @strawberry.field(
        description="The IR that graduated that year in the region, with NIB and KBLI (legality), Kemendagri village "
                    "code, owner (as the field policy discloses it) and class history (assessments), by id, a page at "
                    "a time.")
    def home_industries(
        self,
        first: Annotated[int, strawberry.argument(description=f"Page size: at most {MAX_PACKAGE_PAGE}.")] = 50,
        after: Annotated[str | None, strawberry.argument(description="The `endCursor` of the previous page.")] = None,
    ) -> Connection[HomeIndustry]:
        return slice_after(self.graduated, page_size(first, MAX_PACKAGE_PAGE), after, key=PACKAGE_CURSOR,
                           key_of=lambda home_industry: (int(home_industry.id),), node_of=lambda home_industry: home_industry)


def _approval(row: dict, current: list[int]) -> HandOverApproval:
    return HandOverApproval(year=row["year"], region_code=row["region_code"], approved_by=row["approved_by"],
                            approved_role=row["approved_role"], approved_at=row["approved_at"],
                            home_industry_count=len(row["home_industries"]),
                            changed_since=sorted(row["home_industries"]) != sorted(current))


@strawberry.type
class HandOverQuery:
    @strawberry.federation.field(description="A year's hand-over package for a province or regency/city: the graduated "
                                             "IR and its approval. The ministry any region; an office its own.")
    async def hand_over_package(self, info: RegistryInfo, year: Year, region_code: RegionCode) -> HandOverPackage:
        code = hand_over.check_region(region_code)
        hand_over.check_year(year, info.context.today())
        hand_over.may_read(info.context.identity, code)
        scope = await info.context.record_scope()
        async with info.context.connect() as connection:
            rows = await hand_over_data.graduated(connection, year, code, scope)
            approved = await hand_over_data.approval(connection, year, code)
        for row in rows:
            info.context.loaders.prime_home_industry(row)
        ids = [row["id"] for row in rows]
        return HandOverPackage(year=year, region_code=code,
                               approval=_approval(dict(approved), ids) if approved else None,
                               graduated=[HomeIndustry.from_row(row) for row in rows])


@strawberry.type
class HandOverMutation:
    @strawberry.mutation(description="Approve a year's hand-over package for a province or regency/city (province office "
                                     "or ministry), recording the IR it holds; audited. CONFLICT when already approved.")
    async def approve_hand_over(self, info: RegistryInfo, year: Year, region_code: RegionCode) -> HandOverApproval:
        code = hand_over.check_region(region_code)
        hand_over.check_year(year, info.context.today())
        identity = info.context.identity
        hand_over.may_approve(identity, code)
        scope = await info.context.record_scope()
        async with info.context.engine.begin() as connection:
            ids = [row["id"] for row in await hand_over_data.graduated(connection, year, code, scope)]
            row = await hand_over_data.approve(connection, {
                "year": year, "region_code": code, "home_industries": ids,
                "approved_by": identity.subject, "approved_role": str(identity.role)})
            if row is None:
                raise Conflict(f"the {year} hand-over package of {code} is already approved")
            written = {**row, "approved_at": row["approved_at"].isoformat()}
            await audit.record_write(connection, info.context.actor(), None, written,
                                     record=audit.Record("HandOverApproval", row["id"], code))
        return _approval(dict(row), ids)
