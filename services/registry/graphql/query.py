"""Root query fields of the registry."""

from __future__ import annotations

import base64
import binascii
import datetime as dt

import strawberry

from services.registry.data import facilitators as facilitator_data
from services.registry.data import home_industries as home_industry_data
from services.registry.data import partners as partner_data
from services.registry.data import regions as region_data
from services.registry.data import teams as team_data
from services.registry.domain import access, network_access
from services.registry.graphql.audit_trail import AuditEventConnection, AuditTrailFilter, audit_trail
from services.registry.graphql.context import RegistryInfo
from services.registry.graphql.enums import HomeIndustryStatus, IrClass, ProviderKind, RegionLevel, Sex, TeamLevel
from services.registry.graphql.facilitator import Facilitator
from services.registry.graphql.intervention import Intervention
from services.registry.graphql.partner import Partner
from services.registry.graphql.team import Team
from services.registry.graphql.home_industry import HomeIndustry
from services.registry.graphql.reassessment import ReassessmentQueries
from services.registry.graphql.region import Region
from services.registry.graphql.selection import node_fields
from siir import identifiers
from siir.errors import InvalidInput

MAX_PAGE = 500
#: Teams, facilitators and partners are listed whole, up to this many (there are 553 teams at most
#: in office at once; a province has a few hundred facilitators).
MAX_LIST = 2000

#: Enough for any one answer of ``regions``: the 514 regencies/cities, or the children of one
#: region (108 at most). It is also the list's declared size (``list_sizes``), so it stays tight.
MAX_REGIONS = 600


@strawberry.input(description="Which IR to list; every part is optional and they combine with AND.")
class HomeIndustryFilter:
    region_code: str | None = strawberry.field(
        default=None, description="Any Kemendagri region: province, regency/city, sub-district or village."
    )
    ir_class: IrClass | None = strawberry.field(default=None, name="class")
    status: HomeIndustryStatus | None = None
    owner_sex: Sex | None = None
    owner_is_female_head_of_household: bool | None = strawberry.field(
        default=None, description="Only IR led by a female head of household (KRTP), or only the others."
    )
    search: str | None = strawberry.field(
        default=None, description="Text in the business or owner name (case-insensitive, at least 3 characters)."
    )


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class HomeIndustryEdge:
    cursor: str
    node: HomeIndustry


@strawberry.type(description="A page of IR (Relay connection).")
class HomeIndustryConnection:
    edges: list[HomeIndustryEdge]
    page_info: PageInfo
    query: strawberry.Private[home_industry_data.HomeIndustryQuery]
    scope: strawberry.Private[access.RecordScope]

    @strawberry.field(
        description="How many IR match the filter, across all pages (within your scope), exactly. Region, class "
        "and status filters are answered from counters kept with every change; a village, owner's sex or KRTP "
        "filter, a name search, or a partner's or facilitator's scope counts the matching rows, which costs more "
        "the more rows match: ask for it only when shown."
    )
    async def total_count(self, info: RegistryInfo) -> int:
        async with info.context.connect() as connection:
            return await home_industry_data.count_home_industries(connection, self.query, self.scope)


def encode_cursor(home_industry_id: int) -> str:
    return base64.urlsafe_b64encode(f"HomeIndustry:{home_industry_id}".encode()).decode()


def decode_cursor(cursor: str) -> int:
    try:
        kind, _, value = base64.urlsafe_b64decode(cursor.encode()).decode().partition(":")
        number = identifiers.record_id(value)  # None beyond bigint, where no row is
        if kind != "HomeIndustry" or number is None:
            raise ValueError(kind)
        return number
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidInput("after", "is not a cursor from this connection") from None


def _region_code(field: str, code: str | None) -> str | None:
    if code is None:
        return None
    code = code.strip()
    if not identifiers.is_code_prefix(code):  # "" too: an empty code names no region
        raise InvalidInput(field, "is not a Kemendagri region code")
    return code


def _query_spec(filter: HomeIndustryFilter | None, scope: access.RecordScope) -> home_industry_data.HomeIndustryQuery:
    """The filter, checked against the caller's scope: asking outside it is FORBIDDEN, not empty."""
    if filter is None:
        return home_industry_data.HomeIndustryQuery()
    search = filter.search.strip() if filter.search else None
    if search is not None and len(search) < 3:
        raise InvalidInput("filter.search", "needs at least 3 characters")
    if search is not None and len(search) > 100:
        raise InvalidInput("filter.search", "is longer than 100 characters")
    region = _region_code("filter.regionCode", filter.region_code)
    if region is not None:
        access.check_region_filter(scope, region)
    if filter.status is not None:
        access.check_status_filter(scope, filter.status.value)
    return home_industry_data.HomeIndustryQuery(
        region_code=region,
        ir_class=filter.ir_class.value if filter.ir_class else None,
        status=filter.status.value if filter.status else None,
        owner_sex=filter.owner_sex.value if filter.owner_sex else None,
        owner_is_female_head_of_household=filter.owner_is_female_head_of_household,
        search=search,
    )


@strawberry.type
class Query(ReassessmentQueries):
    @strawberry.federation.field(description="A region by its Kemendagri code, or null when there is none.")
    async def region(self, info: RegistryInfo, code: str) -> Region | None:
        row = await info.context.loaders.region.load(code.strip())
        return Region.from_row(row) if row is not None else None

    @strawberry.federation.field(
        description="Regions under a parent and/or at a level, ordered by code. Sub-districts and villages "
        "need a parentCode (there are 83,762 villages).",
    )
    async def regions(
        self, info: RegistryInfo, parent_code: str | None = None, level: RegionLevel | None = None
    ) -> list[Region]:
        if parent_code is None and level in (None, RegionLevel.SUBDISTRICT, RegionLevel.VILLAGE):
            if level is None:
                level = RegionLevel.PROVINCE
            else:
                raise InvalidInput("parentCode", f"is required to list {level.name.lower()} regions")
        if parent_code is not None and (await info.context.loaders.region.load(parent_code)) is None:
            raise InvalidInput("parentCode", f"{parent_code} is not a Kemendagri region code")
        async with info.context.connect() as connection:
            rows = await region_data.list_regions(
                connection, parent_code=parent_code, level=level.value if level else None, limit=MAX_REGIONS
            )
        return [Region.from_row(row) for row in rows]

    @strawberry.federation.field(
        description="An IR by id, or null when there is none within your scope."
    )
    async def home_industry(self, info: RegistryInfo, id: strawberry.ID) -> HomeIndustry | None:
        return await HomeIndustry.resolve_reference(info, id)

    @strawberry.federation.field(
        description="An IR by its registration number (IR-33.74-000123), or null when there is none within your scope.",
    )
    async def home_industry_by_registration_number(self, info: RegistryInfo, number: str) -> HomeIndustry | None:
        scope = await info.context.record_scope()
        if len(number) > 40:
            raise InvalidInput("number", "is not a registration number")
        async with info.context.connect() as connection:
            row = await home_industry_data.home_industry_by_registration_number(connection, number.strip(), scope)
        if row is None:
            return None
        info.context.loaders.prime_home_industry(row)
        return HomeIndustry.from_row(row)

    @strawberry.federation.field(
        description="IR matching a filter, a page at a time, in registration order. Only IR within your scope: "
        "a filter reaching outside it is FORBIDDEN.",
    )
    async def home_industries(
        self,
        info: RegistryInfo,
        filter: HomeIndustryFilter | None = None,
        first: int = 20,
        after: str | None = None,
    ) -> HomeIndustryConnection:
        if not 0 <= first <= MAX_PAGE:
            raise InvalidInput("first", f"must be between 0 and {MAX_PAGE}")
        scope = await info.context.record_scope()
        spec = _query_spec(filter, scope)
        after_id = decode_cursor(after) if after else None
        unread = home_industry_data.unread_columns(node_fields(info))
        async with info.context.connect() as connection:
            rows = await home_industry_data.home_industry_page(
                connection, spec, scope, first=first, after_id=after_id, unread=unread
            )
        page = rows[:first]
        if not unread:  # only whole rows may answer later loads of the same IR
            for row in page:
                info.context.loaders.prime_home_industry(row)
        edges = [HomeIndustryEdge(cursor=encode_cursor(row["id"]), node=HomeIndustry.from_row(row)) for row in page]
        return HomeIndustryConnection(
            edges=edges,
            page_info=PageInfo(
                has_next_page=len(rows) > first,
                has_previous_page=after_id is not None,
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=edges[-1].cursor if edges else None,
            ),
            query=spec,
            scope=scope,
        )

    @strawberry.federation.field(
        description="The national team in office today (Tim Pengelola Nasional), or null."
    )
    async def national_team(self, info: RegistryInfo) -> Team | None:
        async with info.context.connect() as connection:
            row = await team_data.current_national_team(connection, info.context.today())
        return Team.from_row(row) if row is not None else None

    @strawberry.federation.field(description="A managing team by id, or null.")
    async def team(self, info: RegistryInfo, id: strawberry.ID) -> Team | None:
        return await Team.resolve_reference(info, id)

    @strawberry.federation.field(
        description="Managing teams by level and/or region (the region's own and those inside it), current and "
        "past; `activeOn` keeps those in office that day. Team structures are public-service information; "
        "members' contacts are for the offices whose region covers the team.",
    )
    async def teams(
        self,
        info: RegistryInfo,
        level: TeamLevel | None = None,
        region_code: str | None = None,
        active_on: dt.date | None = None,
    ) -> list[Team]:
        code = _region_code("regionCode", region_code)
        async with info.context.connect() as connection:
            rows = await team_data.list_teams(
                connection, level=level.value if level else None, region_code=code, active_on=active_on, limit=MAX_LIST
            )
        return [Team.from_row(row) for row in rows]

    @strawberry.federation.field(
        description="A facilitator by id, or null when there is none within your region."
    )
    async def facilitator(self, info: RegistryInfo, id: strawberry.ID) -> Facilitator | None:
        return await Facilitator.resolve_reference(info, id)

    @strawberry.federation.field(
        description="Facilitators engaged in a region (and the regions inside it); `activeOn` keeps those in "
        "service that day. A region outside yours is FORBIDDEN.",
    )
    async def facilitators(
        self, info: RegistryInfo, region_code: str, active_on: dt.date | None = None
    ) -> list[Facilitator]:
        code = _region_code("regionCode", region_code)
        assert code is not None
        network_access.check_facilitator_filter(info.context.identity, code, "regionCode")
        async with info.context.connect() as connection:
            rows = await facilitator_data.list_facilitators(
                connection, region_code=code, active_on=active_on, limit=MAX_LIST
            )
        return [Facilitator.from_row(row) for row in rows]

    @strawberry.federation.field(
        description="A partner institution by id, or null (a partner sees only itself)."
    )
    async def partner(self, info: RegistryInfo, id: strawberry.ID) -> Partner | None:
        return await Partner.resolve_reference(info, id)

    @strawberry.federation.field(
        description="Partner institutions, by kind and name (a partner sees only itself)."
    )
    async def partners(self, info: RegistryInfo, kind: ProviderKind | None = None) -> list[Partner]:
        only = network_access.partner_reach(info.context.identity)
        async with info.context.connect() as connection:
            if only is not None:
                rows = list((await partner_data.partners_by_ids(connection, [only])).values())
                rows = [row for row in rows if kind is None or row["kind"] == kind.value]
            else:
                rows = await partner_data.list_partners(connection, kind=kind.value if kind else None, limit=MAX_LIST)
        return [Partner.from_row(row) for row in rows]

    @strawberry.federation.field(
        description="An intervention by id, or null when its IR is not within your scope."
    )
    async def intervention(self, info: RegistryInfo, id: strawberry.ID) -> Intervention | None:
        return await Intervention.resolve_reference(info, id)

    @strawberry.federation.field(
        description="The audit trail (newest first): reads of personal data and every change, for your "
        "regency/city (DISTRICT_OFFICER) or national (MINISTRY). Nobody can change it.",
    )
    async def audit_trail(
        self, info: RegistryInfo, filter: AuditTrailFilter | None = None, first: int = 50, after: str | None = None
    ) -> AuditEventConnection:
        return await audit_trail(info, filter, first, after)
