"""The re-assessment worklist: IR due or overdue for their yearly assessment, per regency or facilitator.

Record-level (the IR with its name, registration number, facilitators), so it lives where the records
and their masking live: the registry. Each item's ``homeIndustry`` is the registry's HomeIndustry,
so every field's policy (masking, audit of personal data) applies as on any other list.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import datetime as dt
from typing import Annotated

import strawberry

from services.registry.data import facilitators as facilitator_data
from services.registry.data import reassessment as worklist_data
from services.registry.domain import access
from services.registry.domain import reassessment as rule
from services.registry.graphql.context import RegistryInfo
from services.registry.graphql.home_industry import HomeIndustry
from siir import identifiers
from siir.auth.identity import Role
from siir.errors import Forbidden, InvalidInput

MAX_PAGE = 500


def encode_cursor(last_assessed_on: dt.date | None, home_industry_id: int) -> str:
    day = (last_assessed_on or rule.NEVER).isoformat()
    return base64.urlsafe_b64encode(f"Reassessment:{day}:{home_industry_id}".encode()).decode()


def decode_cursor(cursor: str) -> tuple[dt.date, int]:
    try:
        kind, day, value = base64.urlsafe_b64decode(cursor.encode()).decode().split(":")
        number = identifiers.record_id(value)
        if kind != "Reassessment" or number is None:
            raise ValueError(kind)
        return dt.date.fromisoformat(day), number
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidInput("after", "is not a cursor from this worklist") from None


@strawberry.type(description="An IR due or overdue for its yearly re-assessment (penilaian ulang).")
class ReassessmentDue:
    home_industry: HomeIndustry = strawberry.field(description="The IR (name, registration number, facilitators, ...).")
    last_assessed_on: dt.date | None = strawberry.field(description="Date of its newest assessment; null if never assessed.")
    due_on: dt.date = strawberry.field(description="One year after the last assessment (today if never assessed).")
    overdue: bool = strawberry.field(description="True when the due date has passed (or it was never assessed).")
    days_overdue: int = strawberry.field(description="Days past the due date (0 when not yet overdue).")


@strawberry.type(description="A page of the re-assessment worklist, oldest last assessment first.")
class ReassessmentWorklist:
    items: list[ReassessmentDue] = strawberry.field(description="This page's IR.")
    end_cursor: str | None = strawberry.field(description="Pass as `after` for the next page.")
    has_next_page: bool = strawberry.field(description="Whether another page follows.")


@strawberry.type
class ReassessmentQueries:
    @strawberry.federation.field(description="Active IR due for their yearly re-assessment within `dueWithinDays` days "
                                 "(default 30), overdue and never-assessed ones included, oldest last assessment first; "
                                 "of a regency (district office), a region in your scope, or a facilitator's assigned IR "
                                 "(a facilitator sees her own). Keyset-paginated.")
    async def reassessment_worklist(
        self, info: RegistryInfo,
        region_code: Annotated[str | None, strawberry.argument(
            description="Kemendagri code of a regency/city (or any region in your scope); omitted: your whole scope.")] = None,
        facilitator_id: Annotated[strawberry.ID | None, strawberry.argument(
            description="Only the IR assigned today to this facilitator (villages or single IR).")] = None,
        due_within_days: Annotated[int, strawberry.argument(description="Horizon in days (0..366).")] = rule.DEFAULT_DUE_WITHIN_DAYS,
        first: Annotated[int, strawberry.argument(description="Page size (0..500).")] = 50,
        after: Annotated[str | None, strawberry.argument(description="`endCursor` of the previous page.")] = None,
    ) -> ReassessmentWorklist:
        if not 0 <= first <= MAX_PAGE:
            raise InvalidInput("first", f"must be between 0 and {MAX_PAGE}")
        rule.check_due_within("dueWithinDays", due_within_days)
        context = info.context
        scope = await context.record_scope()
        today = context.today()
        region = None
        if region_code is not None:
            region = region_code.strip()
            if not identifiers.is_code_prefix(region):
                raise InvalidInput("regionCode", "is not a Kemendagri region code")
            if not scope.reaches_region(region):
                raise Forbidden(f"region {region} is outside your scope ({scope.region or 'national'})",
                                field="regionCode", region=region)
        if facilitator_id is not None:
            wanted = identifiers.record_id(str(facilitator_id))
            if wanted is None:
                raise InvalidInput("facilitatorId", "is not a facilitator id")
            if context.identity.role is Role.FACILITATOR:
                if wanted != await context.own_facilitator_id():
                    raise Forbidden("a facilitator's worklist is her own", field="facilitatorId")
            else:
                async with context.connect() as connection:
                    villages, ids = await facilitator_data.assigned_scope(connection, wanted, today)
                scope = dataclasses.replace(scope, villages=frozenset(villages), home_industry_ids=frozenset(ids))
        async with context.connect() as connection:
            rows = await worklist_data.worklist_page(
                connection, region, scope,
                assessed_on_or_before=rule.latest_listed_assessment(today, due_within_days),
                first=first, after=decode_cursor(after) if after else None,
            )
        page = rows[:first]
        for row in page:
            context.loaders.prime_home_industry(row)
        items = [
            ReassessmentDue(
                home_industry=HomeIndustry.from_row(row), last_assessed_on=row["last_assessed_on"],
                due_on=rule.due_on(row["last_assessed_on"], today),
                overdue=row["last_assessed_on"] is None or rule.due_on(row["last_assessed_on"], today) < today,
                days_overdue=rule.days_overdue(row["last_assessed_on"], today),
            )
            for row in page
        ]
        return ReassessmentWorklist(
            items=items,
            end_cursor=encode_cursor(page[-1]["last_assessed_on"], page[-1]["id"]) if page else None,
            has_next_page=len(rows) > first,
        )
