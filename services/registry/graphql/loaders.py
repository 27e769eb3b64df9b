"""Per-request DataLoaders: every relationship field is batched into one statement per level.

A region load also fetches the region's ancestors in the same statement (their codes are
prefixes of its code) and primes the cache with them, so ``village { parent { parent } }`` over
a page of IR costs one statement, not one per level.
"""

from __future__ import annotations

import datetime as dt
import contextlib
from collections.abc import Awaitable, Callable, Mapping, Sequence
from functools import cached_property, partial
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
        # Each loader is built on first use: a request uses a few of these twenty, and building them
        # all was a measurable share of a request served from the answer cache.
        self.connect = connect
        self.today = today
        self.record_scope = record_scope

    @cached_property
    def region(self) -> RegionLoader:
        return RegionLoader(self.connect)

    @cached_property
    def child_regions(self) -> QueryLoader[str, list[RowMapping]]:
        # children_of and assessments_of answer every key (an empty list when there is none).
        return QueryLoader(self.connect, regions.children_of)

    @cached_property
    def home_industry(self) -> HomeIndustryLoader:
        # Only the IR the caller may read: one outside the scope loads as missing.
        return HomeIndustryLoader(self.connect, self.record_scope)

    @cached_property
    def assessment_history(self) -> QueryLoader[int, list[RowMapping]]:
        return QueryLoader(self.connect, assessments.assessments_of)

    @cached_property
    def latest_assessment(self) -> QueryLoader[int, RowMapping]:
        return QueryLoader(self.connect, assessments.latest_assessments)

    @cached_property
    def team(self) -> QueryLoader[int, RowMapping]:
        # Teams, facilitators, partners, interventions. "Current" answers are as of the request's day.
        return QueryLoader(self.connect, teams.teams_by_ids)

    @cached_property
    def current_team(self) -> QueryLoader[str, RowMapping]:
        return QueryLoader(self.connect, partial(_on_day, teams.current_teams, self.today))

    @cached_property
    def team_members(self) -> QueryLoader[int, list[RowMapping]]:
        return QueryLoader(self.connect, teams.members_of)

    @cached_property
    def facilitator(self) -> QueryLoader[int, RowMapping]:
        return QueryLoader(self.connect, facilitators.facilitators_by_ids)

    @cached_property
    def region_facilitators(self) -> QueryLoader[str, list[RowMapping]]:
        return QueryLoader(self.connect, partial(_on_day, facilitators.facilitators_in_regions, self.today))

    @cached_property
    def facilitator_assignments(self) -> QueryLoader[int, list[RowMapping]]:
        return QueryLoader(self.connect, facilitators.assignments_of)

    @cached_property
    def home_industry_facilitators(self) -> QueryLoader[int, list[RowMapping]]:
        return QueryLoader(self.connect, partial(_on_day, facilitators.facilitators_of_home_industries, self.today))

    @cached_property
    def facilitator_home_industries(self) -> QueryLoader[int, list[RowMapping]]:
        return QueryLoader(self.connect, partial(_on_day, facilitators.home_industries_of_facilitators, self.today))

    @cached_property
    def mentoring_notes(self) -> QueryLoader[int, list[RowMapping]]:
        return QueryLoader(self.connect, facilitators.notes_of_home_industries)

    @cached_property
    def partner(self) -> QueryLoader[int, RowMapping]:
        return QueryLoader(self.connect, partners.partners_by_ids)

    @cached_property
    def partner_programmes(self) -> QueryLoader[int, list[RowMapping]]:
        return QueryLoader(self.connect, partners.programmes_of)

    @cached_property
    def programme(self) -> QueryLoader[int, RowMapping]:
        return QueryLoader(self.connect, partners.programmes_by_ids)

    @cached_property
    def interventions(self) -> QueryLoader[int, list[RowMapping]]:
        return QueryLoader(self.connect, interventions.interventions_of)

    @cached_property
    def intervention(self) -> QueryLoader[int, RowMapping]:
        return QueryLoader(self.connect, interventions.interventions_by_ids)

    @cached_property
    def accepted_transfers(self) -> QueryLoader[int, list[RowMapping]]:
        # Each IR's accepted transfers (its registration-number history); an empty list when none.
        return QueryLoader(self.connect, transfers.accepted_of)

    def prime_home_industry(self, row: Any) -> None:
        self.home_industry.prime(row["id"], row)
