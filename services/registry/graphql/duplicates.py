"""``possibleDuplicates``: pairs of active IR of the caller's regency/city that may be one business."""

from __future__ import annotations

import base64
import binascii
from enum import Enum
from typing import Annotated

import strawberry

from services.registry.data import duplicates as duplicate_data
from services.registry.domain import duplicates
from services.registry.graphql.context import RegistryInfo
from services.registry.graphql.home_industry import HomeIndustry
from services.registry.graphql.query import PageInfo
from siir import identifiers
from siir.errors import Forbidden, InvalidInput

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


@strawberry.type(description="One possible duplicate and its cursor.")
class PossibleDuplicateEdge:
    cursor: str = strawberry.field(description="Pass it as `after` to continue after this pair.")
    node: PossibleDuplicate = strawberry.field(description="The pair.")


@strawberry.type(description="A page of possible duplicates (Relay connection), by the pair's ids.")
class PossibleDuplicateConnection:
    edges: list[PossibleDuplicateEdge] = strawberry.field(description="The pairs of this page.")
    page_info: PageInfo = strawberry.field(description="Whether more pairs follow, and the cursors.")


def _encode(first_id: int, second_id: int) -> str:
    return base64.urlsafe_b64encode(f"PossibleDuplicate:{first_id}:{second_id}".encode()).decode()


def _decode(cursor: str) -> tuple[int, int]:
    try:
        kind, first, second = base64.urlsafe_b64decode(cursor.encode()).decode().split(":")
        pair = identifiers.record_id(first), identifiers.record_id(second)
        if kind != "PossibleDuplicate" or pair[0] is None or pair[1] is None:
            raise ValueError(kind)
        return pair[0], pair[1]
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidInput("after", "is not a cursor from this connection") from None


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
        first: Annotated[int, strawberry.argument(description="Pairs per page (0 to 200).")] = 20,
        after: Annotated[str | None, strawberry.argument(description="`endCursor` of the previous page.")] = None,
    ) -> PossibleDuplicateConnection:
        if not 0 <= first <= MAX_PAGE:
            raise InvalidInput("first", f"must be between 0 and {MAX_PAGE}")
        scope = await info.context.record_scope()
        if scope.region is None or scope.region.count(".") != 1:
            raise Forbidden("possible duplicates are listed for a regency/city office")
        after_pair = _decode(after) if after else None
        async with info.context.connect() as connection:
            rows = await duplicate_data.possible_duplicate_page(
                connection, scope.region, duplicates.PROBABLE_NAME_SIMILARITY, first=first, after=after_pair
            )
        page = rows[:first]
        edges = [
            PossibleDuplicateEdge(
                cursor=_encode(row["first_id"], row["second_id"]),
                node=PossibleDuplicate(
                    first_id=row["first_id"], second_id=row["second_id"],
                    reasons=[DuplicateReason(reason) for reason in row["reasons"]], similarity=round(float(row["score"]), 3),
                ),
            )
            for row in page
        ]
        return PossibleDuplicateConnection(
            edges=edges,
            page_info=PageInfo(
                has_next_page=len(rows) > first,
                has_previous_page=after_pair is not None,
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=edges[-1].cursor if edges else None,
            ),
        )
