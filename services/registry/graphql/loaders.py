"""Per-request DataLoaders: every relationship field is batched into one statement per level.

A region load also fetches the region's ancestors in the same statement (their codes are
prefixes of its code) and primes the cache with them, so ``village { parent { parent } }`` over
a page of IR costs one statement, not one per level.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aiodataloader import DataLoader
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncEngine

from services.registry.data import assessments, home_industries, regions


class RegionLoader(DataLoader[str, RowMapping | None]):
    def __init__(self, engine: AsyncEngine) -> None:
        super().__init__()
        self.engine = engine

    async def batch_load_fn(self, codes: Sequence[str]) -> list[RowMapping | None]:
        wanted = set(codes)
        for code in codes:
            wanted.update(regions.ancestor_codes(code))
        async with self.engine.connect() as connection:
            found = await regions.regions_by_codes(connection, wanted)
        for code, row in found.items():
            if code not in codes:
                self.prime(code, row)
        return [found.get(code) for code in codes]


class ChildRegionsLoader(DataLoader[str, list[RowMapping]]):
    def __init__(self, engine: AsyncEngine) -> None:
        super().__init__()
        self.engine = engine

    async def batch_load_fn(self, parent_codes: Sequence[str]) -> list[list[RowMapping]]:
        async with self.engine.connect() as connection:
            children = await regions.children_of(connection, parent_codes)
        return [children[code] for code in parent_codes]


class HomeIndustryLoader(DataLoader[int, RowMapping | None]):
    def __init__(self, engine: AsyncEngine) -> None:
        super().__init__()
        self.engine = engine

    async def batch_load_fn(self, ids: Sequence[int]) -> list[RowMapping | None]:
        async with self.engine.connect() as connection:
            found = await home_industries.home_industries_by_ids(connection, ids)
        return [found.get(i) for i in ids]


class AssessmentHistoryLoader(DataLoader[int, list[RowMapping]]):
    def __init__(self, engine: AsyncEngine) -> None:
        super().__init__()
        self.engine = engine

    async def batch_load_fn(self, ids: Sequence[int]) -> list[list[RowMapping]]:
        async with self.engine.connect() as connection:
            history = await assessments.assessments_of(connection, ids)
        return [history[i] for i in ids]


class LatestAssessmentLoader(DataLoader[int, RowMapping | None]):
    def __init__(self, engine: AsyncEngine) -> None:
        super().__init__()
        self.engine = engine

    async def batch_load_fn(self, ids: Sequence[int]) -> list[RowMapping | None]:
        async with self.engine.connect() as connection:
            latest = await assessments.latest_assessments(connection, ids)
        return [latest.get(i) for i in ids]


class Loaders:
    """The loaders of one request (never shared: their caches would outlive a write)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.region = RegionLoader(engine)
        self.child_regions = ChildRegionsLoader(engine)
        self.home_industry = HomeIndustryLoader(engine)
        self.assessment_history = AssessmentHistoryLoader(engine)
        self.latest_assessment = LatestAssessmentLoader(engine)

    def prime_home_industry(self, row: Any) -> None:
        self.home_industry.prime(row["id"], row)
