"""``possibleDuplicates``: pairs of active IR of the caller's regency/city that may be one business."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any

import strawberry

from services.registry.data import duplicates as duplicate_data
from services.registry.domain import duplicates
from services.registry.graphql.context import RegistryInfo
from services.registry.graphql.home_industry import HomeIndustry
from siir.connections import Connection, CursorKey, page_of, page_size
from siir.errors import Forbidden

MAX_PAGE = 200


@strawberry.enum(description="Why two IR are listed as possible duplicates (kemungkinan duplikat).")
class DuplicateReason(Enum):
    SAME_PHONE = strawberry.enum_value(duplicates.SAME_PHONE, description="The owners' phone numbers are the same.")
    SIMILAR_NAMES = strawberry.enum_value(
        duplicates.SIMILAR_NAMES,
        description="Owner and business names are both trigram-similar, in one sub-district (kecamatan).",
    )


@strawberry.type(
    description="Two active IR of your regency/city that may be one business registered twice; "
    "`mergeHomeIndustries` merges them once checked."
)
class PossibleDuplicate:
    first_id: strawberry.Private[int]
    second_id: strawberry.Private[int]
    reasons: list[DuplicateReason] = strawberry.field(description="Every reason the pair is listed for.")
    similarity: float = strawberry.field(
        description="0 to 1: the lower of the owner-name and business-name trigram similarities; 1 for the same phone."
    )

    @strawberry.field(description="The earlier registration of the pair (the lower id).")
    async def first(self, info: RegistryInfo) -> HomeIndustry | None:
        row = await info.context.loaders.home_industry.load(self.first_id)
        return HomeIndustry.from_row(row) if row is not None else None

    @strawberry.field(description="The later registration of the pair.")
    async def second(self, info: RegistryInfo) -> HomeIndustry | None:
        row = await info.context.loaders.home_industry.load(self.second_id)
        return HomeIndustry.from_row(row) if row is not None else None


#: The list's cursors: the pair's ids, its order.
PAIR_CURSOR = CursorKey("PossibleDuplicate", int, int)


@strawberry.type
class DuplicateQuery:
    @strawberry.federation.field(
        description="Active IR of your regency/city that may be one business registered twice: the same owner's "
        "phone, or owner and business names both similar in one sub-district. For the regency office; a page at "
        "a time, in the order of the pair's ids.",
    )
    async def possible_duplicates(
        self,
        info: RegistryInfo,
        first: Annotated[int, strawberry.argument(description=f"Pairs per page: at most {MAX_PAGE}.")] = 20,
        after: Annotated[str | None, strawberry.argument(description="`endCursor` of the previous page.")] = None,
    ) -> Connection[PossibleDuplicate]:
        page_size(first, MAX_PAGE)
        scope = await info.context.record_scope()
        if scope.region is None or scope.region.count(".") != 1:
            raise Forbidden("possible duplicates are listed for a regency/city office")
        after_pair = PAIR_CURSOR.decode(after) if after else None
        async with info.context.connect() as connection:
            rows = await duplicate_data.possible_duplicate_page(
                connection, scope.region, duplicates.PROBABLE_NAME_SIMILARITY, first=first, after=after_pair
            )

        async def total() -> int:
            async with info.context.connect() as connection:
                return await duplicate_data.count_possible_duplicates(connection, scope.region,
                                                                      duplicates.PROBABLE_NAME_SIMILARITY)

        def pair(row: Any) -> PossibleDuplicate:
            return PossibleDuplicate(first_id=row["first_id"], second_id=row["second_id"],
                                     reasons=[DuplicateReason(reason) for reason in row["reasons"]],
                                     similarity=round(float(row["score"]), 3))

        return page_of(rows, first, after=after is not None, key=PAIR_CURSOR,
                       key_of=lambda row: (row["first_id"], row["second_id"]), node_of=pair,
                       total=total)
