"""The re-assessment worklist: IR due or overdue for their yearly assessment, per regency or facilitator.

Record-level (the IR with its name, registration number, facilitators), so it lives where the records
and their masking live: the registry. Each item's ``homeIndustry`` is the registry's HomeIndustry,
so every field's policy (masking, audit of personal data) applies as on any other list.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Annotated, Any

import strawberry

from services.registry.data import facilitators as facilitator_data
from services.registry.data import reassessment as worklist_data
from services.registry.domain import reassessment as rule
from services.registry.graphql.context import RegistryInfo
from services.registry.graphql.home_industry import HomeIndustry
from siir import identifiers
from siir.auth.identity import Role
from siir.connections import Connection, CursorKey, page_of, page_size
from siir.errors import Forbidden, InvalidInput

MAX_PAGE = 500


#: The worklist's cursors: (last assessment, or NEVER for an IR never assessed; IR id), its order.
WORKLIST_CURSOR = CursorKey("Reassessment", dt.date, int)


@strawberry.type(description="An IR due or overdue for its yearly re-assessment (penilaian ulang).")
class ReassessmentDue:
    home_industry: HomeIndustry = strawberry.field(description="The IR (name, registration number, facilitators, ...).")
    last_assessed_on: dt.date | None = strawberry.field(description="Date of its newest assessment; null if never assessed.")
    due_on: dt.date = strawberry.field(description="One year after the last assessment (today if never assessed).")
    overdue: bool = strawberry.field(description="True when the due date has passed (or it was never assessed).")
    days_overdue: int = strawberry.field(description="Days past the due date (0 when not yet overdue).")


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
        first: Annotated[int, strawberry.argument(description=f"Page size: at most {MAX_PAGE}.")] = 50,
        after: Annotated[str | None, strawberry.argument(description="The `endCursor` of the previous page.")] = None,
    ) -> Connection[ReassessmentDue]:
        page_size(first, MAX_PAGE)
        after_key = WORKLIST_CURSOR.decode(after) if after is not None else None
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
        assessed_on_or_before = rule.latest_listed_assessment(today, due_within_days)
        async with context.connect() as connection:
            rows = await worklist_data.worklist_page(connection, region, scope, assessed_on_or_before=assessed_on_or_before,
                                                     first=first, after=after_key)
        for row in rows[:first]:
            context.loaders.prime_home_industry(row)

        def due(row: Any) -> ReassessmentDue:
            return ReassessmentDue(
                home_industry=HomeIndustry.from_row(row), last_assessed_on=row["last_assessed_on"],
                due_on=rule.due_on(row["last_assessed_on"], today),
                overdue=row["last_assessed_on"] is None or rule.due_on(row["last_assessed_on"], today) < today,
                days_overdue=rule.days_overdue(row["last_assessed_on"], today),
            )

        async def total() -> int:
            async with context.connect() as connection:
                return await worklist_data.count_due(connection, region, scope,
                                                     assessed_on_or_before=assessed_on_or_before)

        return page_of(rows, first, after=after is not None, key=WORKLIST_CURSOR,
                       key_of=lambda row: (row["last_assessed_on"] or rule.NEVER, row["id"]), node_of=due, total=total)
