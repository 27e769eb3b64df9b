"""Per-request DataLoaders: every relationship field is batched into one statement per level.

A region load also fetches the region's ancestors in the same statement (their codes are
prefixes of its code) and primes the cache with them, so ``village { parent { parent } }`` over
a page of IR costs one statement, not one per level.
"""

from __future__ import annotations

import datetime as dt
import contextlib
from collections.abc import Awaitable, Callable, Mapping, Sequence
from functools import partial
from typing import Any, Generic, TypeVar

from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from services.registry.data import (
    assessments, facilitators, home_industries, interventions, partners, regions, teams, transfers,
)
from services.registry.domain.access import RecordScope
from siir.graphql import RequestLoader

K = TypeVar("K")
V = TypeVar("V")

#: Where a loader's statement runs: the request's connection (``RequestSnapshot.connect``).
Connect = Callable[[], contextlib.AbstractAsyncContextManager[AsyncConnection]]


class QueryLoader(RequestLoader[K, V | None], Generic[K, V]):
    """Loads a batch of keys with one call of a data-access function that answers a mapping."""

    def __init__(
        self, connect: Connect, fetch: Callable[[AsyncConnection, Sequence[K]], Awaitable[Mapping[K, V]]]
    ) -> None:
        super().__init__()
        self.connect = connect
        self.fetch = fetch

    async def batch_load_fn(self, keys: Sequence[K]) -> list[V | None]:
        async with self.connect() as connection:
            found = await self.fetch(connection, keys)
        return [found.get(key) for key in keys]


class RegionLoader(RequestLoader[str, RowMapping | None]):
    def __init__(self, connect: Connect) -> None:
        super().__init__()
        self.connect = connect

    async def batch_load_fn(self, codes: Sequence[str]) -> list[RowMapping | None]:
        wanted = set(codes)
        for code in codes:
            wanted.update(regions.ancestor_codes(code))
        async with self.connect() as connection:
            found = await regions.regions_by_codes(connection, wanted)
        for code, row in found.items():
            if code not in codes:
                self.prime(code, row)
        return [found.get(code) for code in codes]


class HomeIndustryLoader(RequestLoader[int, RowMapping | None]):
    """IR by id, only those the caller's scope reaches (its scope is settled before the statement)."""

    def __init__(self, connect: Connect, record_scope: Callable[[], Awaitable[RecordScope]]) -> None:
        super().__init__()
        self.connect = connect
        self.record_scope = record_scope

    async def batch_load_fn(self, ids: Sequence[int]) -> list[RowMapping | None]:
        scope = await self.record_scope()
        async with self.connect() as connection:
            found = await home_industries.home_industries_by_ids(connection, ids, scope)
        return [found.get(pk) for pk in ids]


async def _on_day(
    fetch: Callable[[AsyncConnection, Sequence[Any], dt.date], Awaitable[Mapping[Any, Any]]],
    day: dt.date,
    connection: AsyncConnection,
    keys: Sequence[Any],
) -> Mapping[Any, Any]:
    return await fetch(connection, keys, day)


class Loaders:
    """The loaders of one request (never shared: their caches would outlive a write)."""

    def __init__(self, connect: Connect, today: dt.date, record_scope: Callable[[], Awaitable[RecordScope]]) -> None:
        self.region = RegionLoader(connect)
        # children_of and assessments_of answer every key (an empty list when there is none).
        self.child_regions: QueryLoader[str, list[RowMapping]] = QueryLoader(connect, regions.children_of)
        # Only the IR the caller may read: one outside the scope loads as missing.
        self.home_industry = HomeIndustryLoader(connect, record_scope)
        self.assessment_history: QueryLoader[int, list[RowMapping]] = QueryLoader(connect, assessments.assessments_of)
        self.latest_assessment: QueryLoader[int, RowMapping] = QueryLoader(connect, assessments.latest_assessments)
        # Teams, facilitators, partners, interventions. "Current" answers are as of the request's day.
        self.team: QueryLoader[int, RowMapping] = QueryLoader(connect, teams.teams_by_ids)
        self.current_team: QueryLoader[str, RowMapping] = QueryLoader(connect, partial(_on_day, teams.current_teams, today))
        self.team_members: QueryLoader[int, list[RowMapping]] = QueryLoader(connect, teams.members_of)
        self.facilitator: QueryLoader[int, RowMapping] = QueryLoader(connect, facilitators.facilitators_by_ids)
        self.region_facilitators: QueryLoader[str, list[RowMapping]] = QueryLoader(
            connect, partial(_on_day, facilitators.facilitators_in_regions, today)
        )
        self.facilitator_assignments: QueryLoader[int, list[RowMapping]] = QueryLoader(connect, facilitators.assignments_of)
        self.home_industry_facilitators: QueryLoader[int, list[RowMapping]] = QueryLoader(
            connect, partial(_on_day, facilitators.facilitators_of_home_industries, today)
        )
        self.facilitator_home_industries: QueryLoader[int, list[RowMapping]] = QueryLoader(
            connect, partial(_on_day, facilitators.home_industries_of_facilitators, today)
        )
        self.mentoring_notes: QueryLoader[int, list[RowMapping]] = QueryLoader(connect, facilitators.notes_of_home_industries)
        self.partner: QueryLoader[int, RowMapping] = QueryLoader(connect, partners.partners_by_ids)
        self.partner_programmes: QueryLoader[int, list[RowMapping]] = QueryLoader(connect, partners.programmes_of)
        self.programme: QueryLoader[int, RowMapping] = QueryLoader(connect, partners.programmes_by_ids)
        self.interventions: QueryLoader[int, list[RowMapping]] = QueryLoader(connect, interventions.interventions_of)
        self.intervention: QueryLoader[int, RowMapping] = QueryLoader(connect, interventions.interventions_by_ids)
        # Each IR's accepted transfers (its registration-number history); an empty list when none.
        self.accepted_transfers: QueryLoader[int, list[RowMapping]] = QueryLoader(connect, transfers.accepted_of)

    def prime_home_industry(self, row: Any) -> None:
        self.home_industry.prime(row["id"], row)
