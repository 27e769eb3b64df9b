"""Transfers of an IR between regencies/cities (pindah kabupaten/kota): the type, the pending list, the mutations."""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Annotated

import strawberry
from sqlalchemy.engine import RowMapping

from services.registry import transfer_registrar
from services.registry.data import transfers as transfer_data
from services.registry.domain import transfers
from services.registry.domain import validation as check
from services.registry.graphql.context import RegistryInfo
from services.registry.graphql.enums import BusinessCategory, IrClass
from services.registry.graphql.home_industry import HomeIndustry
from services.registry.graphql.region import Region
from siir import identifiers
from siir.auth.identity import Role
from siir.connections import Connection, CursorKey, page_of, page_size
from siir.errors import Forbidden

MAX_PAGE = 200
TRANSFER_CURSOR = CursorKey("HomeIndustryTransfer", int)


@strawberry.enum(description="Where a transfer (pindah kabupaten/kota) stands.")
class TransferStatus(Enum):
    PENDING = strawberry.enum_value(transfers.PENDING, description="Proposed; the receiving office has not decided.")
    ACCEPTED = strawberry.enum_value(
        transfers.ACCEPTED, description="Done: the IR belongs to the receiving regency/city under its new number."
    )
    DECLINED = strawberry.enum_value(transfers.DECLINED, description="The receiving office declined; the IR stayed.")
    WITHDRAWN = strawberry.enum_value(transfers.WITHDRAWN, description="The sending office withdrew the proposal.")


@strawberry.type(
    description="A transfer of an IR to a village of another regency/city (pindah kabupaten/kota): proposed by the "
    "sending office and accepted or declined by the receiving one, or recorded directly by a province office or the "
    "ministry. The receiving office sees this summary while it is pending, and the IR itself once it accepts."
)
class HomeIndustryTransfer:
    id: strawberry.ID = strawberry.field(description="Opaque identifier; pass it back as given.")
    status: TransferStatus = strawberry.field(description="Pending, accepted, declined or withdrawn.")
    reason: str = strawberry.field(description="Why the IR moves (alasan), as the proposer gave it.")
    business_name: str = strawberry.field(description="The IR's business name (nama usaha): the proposal's summary.")
    business_category: BusinessCategory = strawberry.field(description="The IR's business category (kategori usaha).")
    current_class: IrClass | None = strawberry.field(description="The IR's current class; null before its first assessment.")
    from_registration_number: str = strawberry.field(
        description="The IR's registration number in the sending regency/city (it stays findable after the move)."
    )
    new_registration_number: str | None = strawberry.field(
        description="The number the receiving regency/city issued on acceptance; null until then."
    )
    proposed_at: dt.datetime = strawberry.field(description="When it was proposed (or recorded directly).")
    decided_at: dt.datetime | None = strawberry.field(description="When it was accepted, declined or withdrawn.")
    transferred_on: dt.date | None = strawberry.field(
        description="The day the IR moved (Asia/Jakarta): reports count it out of the old regency/city and into the new "
        "one from this day. Null unless accepted."
    )
    decision_note: str | None = strawberry.field(description="Why it was declined or withdrawn; null otherwise.")
    version: int = strawberry.field(description="Row version: pass it back as `expectedVersion` to decide.")
    home_industry_id: strawberry.Private[int]
    from_village_code: strawberry.Private[str]
    to_village_code: strawberry.Private[str]

    @classmethod
    def from_row(cls, row: RowMapping) -> "HomeIndustryTransfer":
        return cls(
            id=strawberry.ID(str(row["id"])), status=TransferStatus(row["status"]), reason=row["reason"],
            business_name=row["business_name"], business_category=BusinessCategory(row["business_category"]),
            current_class=IrClass(row["current_class"]) if row["current_class"] else None,
            from_registration_number=row["from_registration_number"],
            new_registration_number=row["to_registration_number"], proposed_at=row["proposed_at"],
            decided_at=row["decided_at"], transferred_on=row["transferred_on"], decision_note=row["decision_note"],
            version=row["version"], home_industry_id=row["home_industry_id"],
            from_village_code=row["from_village_code"], to_village_code=row["to_village_code"],
        )

    @strawberry.field(description="The village (desa/kelurahan) the IR leaves.")
    async def from_village(self, info: RegistryInfo) -> Region:
        row = await info.context.loaders.region.load(self.from_village_code)
        assert row is not None, "a village the IR was in"
        return Region.from_row(row)

    @strawberry.field(description="The village (desa/kelurahan) in the receiving regency/city.")
    async def to_village(self, info: RegistryInfo) -> Region:
        row = await info.context.loaders.region.load(self.to_village_code)
        assert row is not None, "to_village_code is a foreign key"
        return Region.from_row(row)

    @strawberry.field(
        description="The IR itself, when your scope reaches it: the sending office while pending, the receiving office "
        "once accepted; null otherwise."
    )
    async def home_industry(self, info: RegistryInfo) -> HomeIndustry | None:
        row = await info.context.loaders.home_industry.load(self.home_industry_id)
        return HomeIndustry.from_row(row) if row is not None else None


async def _answer(info: RegistryInfo, row: RowMapping) -> HomeIndustryTransfer:
    async with info.context.connect() as connection:
        view = (await transfer_data.transfer_views(connection, [row["id"]]))[row["id"]]
    return HomeIndustryTransfer.from_row(view)


def _office_region(info: RegistryInfo) -> str | None:
    """The region whose transfers the caller lists: its regency/city or province; None: the nation."""
    identity = info.context.identity
    if identity.role is Role.MINISTRY:
        return None
    if identity.role in (Role.DISTRICT_OFFICER, Role.PROVINCE_OFFICER) and identity.region:
        return identity.region
    raise Forbidden("transfers are listed for the regency/city and province offices and the ministry")


@strawberry.type
class TransferQuery:
    @strawberry.federation.field(
        description="Pending transfers leaving or entering your regency/city (or province; the ministry: all), a page "
        "at a time in the order they were proposed. Each carries the IR's summary; the IR itself only within your "
        "scope.",
    )
    async def pending_home_industry_transfers(
        self,
        info: RegistryInfo,
        first: Annotated[int, strawberry.argument(description=f"Transfers per page: at most {MAX_PAGE}.")] = 20,
        after: Annotated[str | None, strawberry.argument(description="`endCursor` of the previous page.")] = None,
    ) -> Connection[HomeIndustryTransfer]:
        page_size(first, MAX_PAGE)
        region = _office_region(info)
        after_key = TRANSFER_CURSOR.decode(after) if after else None
        async with info.context.connect() as connection:
            rows = await transfer_data.pending_page(connection, region, first=first,
                                                    after_id=after_key[0] if after_key else None)

        async def total() -> int:
            async with info.context.connect() as connection:
                return await transfer_data.count_pending(connection, region)

        return page_of(rows, first, after=after is not None, key=TRANSFER_CURSOR, key_of=lambda row: (row["id"],),
                       node_of=HomeIndustryTransfer.from_row, total=total)


@strawberry.type
class TransferMutation:
    @strawberry.federation.mutation(
        description="Move an IR to a village of another regency/city, keeping its id, history, assessments and "
        "interventions. The sending regency office proposes (PENDING, the receiving office decides); a province "
        "office holding both regencies, or the ministry, moves it at once (ACCEPTED). On the move the receiving "
        "regency issues a new registration number; the old one stays findable.",
    )
    async def transfer_home_industry(
        self,
        info: RegistryInfo,
        id: Annotated[strawberry.ID, strawberry.argument(description="The IR that moves.")],
        expected_version: Annotated[int, strawberry.argument(
            description="The IR's version you last read: a stale one is CONFLICT and nothing is written."
        )],
        village_code: Annotated[str, strawberry.argument(
            description="The village (desa/kelurahan) in the receiving regency/city, e.g. `35.07.01.2001`."
        )],
        reason: Annotated[str, strawberry.argument(description="Why it moves (alasan), e.g. the family moved; audited.")],
    ) -> HomeIndustryTransfer:
        context = info.context
        scope = await context.record_scope()
        pk = check.required_id("id", id, what="home industry")
        code = village_code.strip()
        identifiers.check_code_form("villageCode", code)
        reason_text = check.text("reason", reason, required=True, max_length=check.MAX_TEXT)
        assert reason_text is not None
        row = await transfer_registrar.propose(
            context.engine, context.identity, pk, expected_version, code, reason_text, context.today(), scope,
            context.actor(),
        )
        return await _answer(info, row)

    @strawberry.federation.mutation(
        description="Accept a pending transfer into your regency/city (the receiving office): the IR moves today "
        "and gets your regency's next registration number.",
    )
    async def accept_home_industry_transfer(
        self,
        info: RegistryInfo,
        id: Annotated[strawberry.ID, strawberry.argument(description="The pending transfer.")],
        expected_version: Annotated[int, strawberry.argument(description="The transfer's version you last read.")],
    ) -> HomeIndustryTransfer:
        context = info.context
        row = await transfer_registrar.accept(
            context.engine, context.identity, check.required_id("id", id, what="transfer"), expected_version, context.today(),
            context.actor(),
        )
        return await _answer(info, row)

    @strawberry.federation.mutation(
        description="Decline a pending transfer into your regency/city (the receiving office), saying why: the IR "
        "stays with the sending office.",
    )
    async def decline_home_industry_transfer(
        self,
        info: RegistryInfo,
        id: Annotated[strawberry.ID, strawberry.argument(description="The pending transfer.")],
        expected_version: Annotated[int, strawberry.argument(description="The transfer's version you last read.")],
        reason: Annotated[str, strawberry.argument(description="Why it is declined (alasan); audited.")],
    ) -> HomeIndustryTransfer:
        context = info.context
        note = check.text("reason", reason, required=True, max_length=check.MAX_TEXT)
        assert note is not None
        row = await transfer_registrar.decline(
            context.engine, context.identity, check.required_id("id", id, what="transfer"), expected_version, note, context.actor()
        )
        return await _answer(info, row)

    @strawberry.federation.mutation(
        description="Withdraw a pending transfer your regency/city office proposed.",
    )
    async def withdraw_home_industry_transfer(
        self,
        info: RegistryInfo,
        id: Annotated[strawberry.ID, strawberry.argument(description="The pending transfer.")],
        expected_version: Annotated[int, strawberry.argument(description="The transfer's version you last read.")],
        reason: Annotated[str | None, strawberry.argument(description="Why it is withdrawn; optional.")] = None,
    ) -> HomeIndustryTransfer:
        context = info.context
        note = check.text("reason", reason, max_length=check.MAX_TEXT)
        row = await transfer_registrar.withdraw(
            context.engine, context.identity, check.required_id("id", id, what="transfer"), expected_version, note, context.actor()
        )
        return await _answer(info, row)
