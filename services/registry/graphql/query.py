"""Root query fields of the registry."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry

from services.registry.data import facilitators as facilitator_data
from services.registry.data import home_industries as home_industry_data
from services.registry.data import partners as partner_data
from services.registry.data import regions as region_data
from services.registry.data import teams as team_data
from services.registry.data import transfers as transfer_data
from services.registry.domain import access, network_access
from services.registry.graphql.audit_trail import AuditEventConnection, AuditTrailFilter, audit_trail
from services.registry.graphql.context import RegistryInfo
from services.registry.graphql.enums import HomeIndustryStatus, IrClass, ProviderKind, RegionLevel, Sex, TeamLevel
from services.registry.graphql.facilitator import Facilitator
from services.registry.graphql.intervention import Intervention
from services.registry.graphql.partner import Partner
from services.registry.graphql.team import Team
from services.registry.graphql.home_industry import HomeIndustry
from services.registry.graphql.duplicates import DuplicateQuery
from services.registry.graphql.transfer import TransferQuery
from services.registry.graphql.reassessment import ReassessmentQueries
from services.registry.graphql.region import Region
from services.registry.graphql.selection import node_fields
from siir import identifiers
from siir.connections import Connection, CursorKey, page_of, page_size
from siir.errors import InvalidInput

MAX_PAGE = 500
#: The largest page of teams, facilitators and partners (there are 553 teams at most in office at
#: once; a province has a few hundred facilitators): more is read page by page.
MAX_LIST_PAGE = 500

#: Enough for any one answer of ``regions``: the 514 regencies/cities, or the children of one
#: region (108 at most). It is also the list's declared size (``list_sizes``), so it stays tight.
MAX_REGIONS = 600

#: Cursors of the root lists: each carries the row's sort key (keyset pagination, ``siir.connections``).
REGION_CURSOR = CursorKey("Region", str)
TEAM_CURSOR = CursorKey("Team", str, str, dt.date, int)
FACILITATOR_CURSOR = CursorKey("Facilitator", str, str, int)
PARTNER_CURSOR = CursorKey("Partner", str, str, int)


@strawberry.input(description="Which IR to list; every part is optional and they combine with AND.")
class HomeIndustryFilter:
    region_code: str | None = strawberry.field(
        default=None, description="Any Kemendagri region: province, regency/city, sub-district or village."
    )
    ir_class: IrClass | None = strawberry.field(
        default=None, name="class", description="Only IR whose newest assessment is of this class."
    )
    status: HomeIndustryStatus | None = strawberry.field(default=None, description="Only IR with this status.")
    owner_sex: Sex | None = strawberry.field(default=None, description="Only IR whose owner is of this sex.")
    owner_is_female_head_of_household: bool | None = strawberry.field(
        default=None, description="Only IR led by a female head of household (KRTP), or only the others."
    )
    search: str | None = strawberry.field(
        default=None, description="Text in the business or owner name (case-insensitive, at least 3 characters)."
    )


#: A page of IR (``siir.connections``); its cursors carry the IR's id (registration order).
HomeIndustryConnection = Connection[HomeIndustry]
HOME_INDUSTRY_CURSOR = CursorKey("HomeIndustry", int)


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


@strawberry.type(description="Reads of the registry: regions, home industries (IR), managing teams, facilitators, "
                             "partners, interventions and the audit trail.")
class Query(ReassessmentQueries, DuplicateQuery, TransferQuery):
    @strawberry.federation.field(description="A region by its Kemendagri code, or null when there is none.")
    async def region(
        self,
        info: RegistryInfo,
        code: Annotated[str, strawberry.argument(
            description="Kemendagri code, dotted: `33`, `33.74`, `33.74.01`, `33.74.01.1001`."
        )],
    ) -> Region | None:
        row = await info.context.loaders.region.load(code.strip())
        return Region.from_row(row) if row is not None else None

    @strawberry.federation.field(
        description="Regions under a parent and/or at a level, ordered by code, a page at a time. Sub-districts "
        "and villages need a parentCode (there are 83,762 villages).",
    )
    async def regions(
        self,
        info: RegistryInfo,
        parent_code: Annotated[str | None, strawberry.argument(
            description="Only the regions directly under this Kemendagri code. Omitted: the provinces, or with "
                        "`level: REGENCY` every regency/city; sub-districts and villages need it."
        )] = None,
        level: Annotated[RegionLevel | None, strawberry.argument(description="Only regions of this level.")] = None,
        first: Annotated[int, strawberry.argument(description=f"Page size: at most {MAX_REGIONS}.")] = 100,
        after: Annotated[str | None, strawberry.argument(description="The `endCursor` of the previous page.")] = None,
    ) -> Connection[Region]:
        first = page_size(first, MAX_REGIONS)
        if parent_code is None and level in (None, RegionLevel.SUBDISTRICT, RegionLevel.VILLAGE):
            if level is None:
                level = RegionLevel.PROVINCE
            else:
                raise InvalidInput("parentCode", f"is required to list {level.name.lower()} regions")
        if parent_code is not None and (await info.context.loaders.region.load(parent_code)) is None:
            raise InvalidInput("parentCode", f"{parent_code} is not a Kemendagri region code")
        after_key = REGION_CURSOR.decode(after) if after is not None else None
        level_value = level.value if level else None
        async with info.context.connect() as connection:
            rows = await region_data.list_regions(
                connection, parent_code=parent_code, level=level_value, limit=first + 1,
                after=after_key[0] if after_key else None,
            )

        async def total() -> int:
            async with info.context.connect() as connection:
                return await region_data.count_regions(connection, parent_code=parent_code, level=level_value)

        return page_of(rows, first, after=after is not None, key=REGION_CURSOR, key_of=lambda row: (row["code"],),
                       node_of=Region.from_row, total=total)

    @strawberry.federation.field(
        description="An IR by id, or null when there is none within your scope."
    )
    async def home_industry(
        self,
        info: RegistryInfo,
        id: Annotated[strawberry.ID, strawberry.argument(description="The IR's id.")],
    ) -> HomeIndustry | None:
        return await HomeIndustry.resolve_reference(info, id)

    @strawberry.federation.field(
        description="An IR by its registration number (IR-33.74-000123), or null when there is none within your scope. "
        "A number it held before a transfer to another regency/city finds it too (`registrationNumberHistory`).",
    )
    async def home_industry_by_registration_number(
        self,
        info: RegistryInfo,
        number: Annotated[str, strawberry.argument(description="Registration number, e.g. `IR-33.74-000123`.")],
    ) -> HomeIndustry | None:
        scope = await info.context.record_scope()
        if len(number) > 40:
            raise InvalidInput("number", "is not a registration number")
        async with info.context.connect() as connection:
            row = await home_industry_data.home_industry_by_registration_number(connection, number.strip(), scope)
            if row is None:
                # A number it held before a transfer to another regency/city still finds it.
                moved = await transfer_data.moved_from_number(connection, number.strip())
                if moved is not None:
                    row = (await home_industry_data.home_industries_by_ids(connection, [moved], scope)).get(moved)
        if row is None:
            return None
        info.context.loaders.prime_home_industry(row)
        return HomeIndustry.from_row(row)

    @strawberry.federation.field(
        description="IR matching a filter, a page at a time, in registration order. Only IR within your scope: "
        "a filter reaching outside it is FORBIDDEN. `totalCount` is exact: region, class and status filters are "
        "answered from counters kept with every change; a village, owner's sex or KRTP filter, a name search, or a "
        "partner's or facilitator's scope counts the matching rows, which costs more the more rows match: ask for "
        "it only when shown.",
    )
    async def home_industries(
        self,
        info: RegistryInfo,
        filter: Annotated[HomeIndustryFilter | None, strawberry.argument(
            description="Which IR to answer; omitted: every IR within your scope."
        )] = None,
        first: Annotated[int, strawberry.argument(description="How many IR to answer on this page, 0 to 500.")] = 20,
        after: Annotated[str | None, strawberry.argument(
            description="Answer the IR after this cursor (`pageInfo.endCursor` of the previous page); omitted: from "
                        "the start."
        )] = None,
    ) -> HomeIndustryConnection:
        page_size(first, MAX_PAGE)
        scope = await info.context.record_scope()
        spec = _query_spec(filter, scope)
        after_id = HOME_INDUSTRY_CURSOR.decode(after)[0] if after else None
        unread = home_industry_data.unread_columns(node_fields(info))
        async with info.context.connect() as connection:
            rows = await home_industry_data.home_industry_page(
                connection, spec, scope, first=first, after_id=after_id, unread=unread
            )
        if not unread:  # only whole rows may answer later loads of the same IR
            for row in rows[:first]:
                info.context.loaders.prime_home_industry(row)

        async def total() -> int:
            async with info.context.connect() as connection:
                return await home_industry_data.count_home_industries(connection, spec, scope)

        return page_of(rows, first, after=after is not None, key=HOME_INDUSTRY_CURSOR, key_of=lambda row: (row["id"],),
                       node_of=HomeIndustry.from_row, total=total)

    @strawberry.federation.field(
        description="The national team in office today (Tim Pengelola Nasional), or null."
    )
    async def national_team(self, info: RegistryInfo) -> Team | None:
        async with info.context.connect() as connection:
            row = await team_data.current_national_team(connection, info.context.today())
        return Team.from_row(row) if row is not None else None

    @strawberry.federation.field(description="A managing team by id, or null.")
    async def team(
        self,
        info: RegistryInfo,
        id: Annotated[strawberry.ID, strawberry.argument(description="The team's id.")],
    ) -> Team | None:
        return await Team.resolve_reference(info, id)

    @strawberry.federation.field(
        description="Managing teams by level and/or region (the region's own and those inside it), current and "
        "past; `activeOn` keeps those in office that day. Team structures are public-service information; "
        "members' contacts are for the offices whose region covers the team.",
    )
    async def teams(
        self,
        info: RegistryInfo,
        level: Annotated[TeamLevel | None, strawberry.argument(description="Only teams of this level.")] = None,
        region_code: Annotated[str | None, strawberry.argument(
            description="Only teams of this Kemendagri region and the regions inside it."
        )] = None,
        active_on: Annotated[dt.date | None, strawberry.argument(
            description="Only teams in office on this date."
        )] = None,
        first: Annotated[int, strawberry.argument(description=f"Page size: at most {MAX_LIST_PAGE}.")] = 50,
        after: Annotated[str | None, strawberry.argument(description="The `endCursor` of the previous page.")] = None,
    ) -> Connection[Team]:
        first = page_size(first, MAX_LIST_PAGE)
        code = _region_code("regionCode", region_code)
        after_key = TEAM_CURSOR.decode(after) if after is not None else None
        where = dict(level=level.value if level else None, region_code=code, active_on=active_on)
        async with info.context.connect() as connection:
            rows = await team_data.list_teams(connection, **where, limit=first + 1, after=after_key)

        async def total() -> int:
            async with info.context.connect() as connection:
                return await team_data.count_teams(connection, **where)

        return page_of(rows, first, after=after is not None, key=TEAM_CURSOR, key_of=team_data.team_key,
                       node_of=Team.from_row, total=total)

    @strawberry.federation.field(
        description="A facilitator by id, or null when there is none within your region."
    )
    async def facilitator(
        self,
        info: RegistryInfo,
        id: Annotated[strawberry.ID, strawberry.argument(description="The facilitator's id.")],
    ) -> Facilitator | None:
        return await Facilitator.resolve_reference(info, id)

    @strawberry.federation.field(
        description="Facilitators engaged in a region (and the regions inside it); `activeOn` keeps those in "
        "service that day. A region outside yours is FORBIDDEN.",
    )
    async def facilitators(
        self,
        info: RegistryInfo,
        region_code: Annotated[str, strawberry.argument(
            description="Kemendagri code of the region: its facilitators and those of the regions inside it."
        )],
        active_on: Annotated[dt.date | None, strawberry.argument(
            description="Only facilitators in service on this date."
        )] = None,
        first: Annotated[int, strawberry.argument(description=f"Page size: at most {MAX_LIST_PAGE}.")] = 50,
        after: Annotated[str | None, strawberry.argument(description="The `endCursor` of the previous page.")] = None,
    ) -> Connection[Facilitator]:
        first = page_size(first, MAX_LIST_PAGE)
        code = _region_code("regionCode", region_code)
        assert code is not None
        network_access.check_facilitator_filter(info.context.identity, code, "regionCode")
        after_key = FACILITATOR_CURSOR.decode(after) if after is not None else None
        async with info.context.connect() as connection:
            rows = await facilitator_data.list_facilitators(
                connection, region_code=code, active_on=active_on, limit=first + 1, after=after_key
            )

        async def total() -> int:
            async with info.context.connect() as connection:
                return await facilitator_data.count_facilitators(connection, region_code=code, active_on=active_on)

        return page_of(rows, first, after=after is not None, key=FACILITATOR_CURSOR,
                       key_of=facilitator_data.facilitator_key, node_of=Facilitator.from_row, total=total)

    @strawberry.federation.field(
        description="A partner institution by id, or null (a partner sees only itself)."
    )
    async def partner(
        self,
        info: RegistryInfo,
        id: Annotated[strawberry.ID, strawberry.argument(description="The partner's id.")],
    ) -> Partner | None:
        return await Partner.resolve_reference(info, id)

    @strawberry.federation.field(
        description="Partner institutions, by kind and name (a partner sees only itself)."
    )
    async def partners(
        self,
        info: RegistryInfo,
        kind: Annotated[ProviderKind | None, strawberry.argument(description="Only partners of this kind.")] = None,
        first: Annotated[int, strawberry.argument(description=f"Page size: at most {MAX_LIST_PAGE}.")] = 50,
        after: Annotated[str | None, strawberry.argument(description="The `endCursor` of the previous page.")] = None,
    ) -> Connection[Partner]:
        first = page_size(first, MAX_LIST_PAGE)
        only = network_access.partner_reach(info.context.identity)
        after_key = PARTNER_CURSOR.decode(after) if after is not None else None
        async with info.context.connect() as connection:
            if only is not None:
                rows = list((await partner_data.partners_by_ids(connection, [only])).values())
                rows = [row for row in rows if kind is None or row["kind"] == kind.value]
                rows = [row for row in rows if after_key is None or partner_data.partner_key(row) > after_key]
                count = len(rows)
            else:
                rows = await partner_data.list_partners(
                    connection, kind=kind.value if kind else None, limit=first + 1, after=after_key
                )
                count = None

        async def total() -> int:
            if count is not None:
                return count
            async with info.context.connect() as connection:
                return await partner_data.count_partners(connection, kind=kind.value if kind else None)

        return page_of(rows, first, after=after is not None, key=PARTNER_CURSOR, key_of=partner_data.partner_key,
                       node_of=Partner.from_row, total=total)

    @strawberry.federation.field(
        description="An intervention by id, or null when its IR is not within your scope."
    )
    async def intervention(
        self,
        info: RegistryInfo,
        id: Annotated[strawberry.ID, strawberry.argument(description="The intervention's id.")],
    ) -> Intervention | None:
        return await Intervention.resolve_reference(info, id)

    @strawberry.federation.field(
        description="The audit trail (newest first): reads of personal data and every change, for your "
        "regency/city (DISTRICT_OFFICER) or national (MINISTRY). Nobody can change it.",
    )
    async def audit_trail(
        self,
        info: RegistryInfo,
        filter: Annotated[AuditTrailFilter | None, strawberry.argument(
            description="Which events to answer; omitted: all within your scope."
        )] = None,
        first: Annotated[int, strawberry.argument(
            description="How many events to answer on this page, 0 to 500."
        )] = 50,
        after: Annotated[str | None, strawberry.argument(
            description="Answer the events after this cursor (`endCursor` of the previous page); omitted: from the "
                        "newest."
        )] = None
    ) -> AuditEventConnection:
        return await audit_trail(info, filter, first, after)
