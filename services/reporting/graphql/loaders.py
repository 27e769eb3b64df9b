"""Per-request DataLoaders: statistics of many regions and progress of many IR in a few statements."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from functools import partial

from sqlalchemy.ext.asyncio import AsyncEngine

from services.reporting import reports
from services.reporting.data import regions as region_data
from services.reporting.data import reports as report_data
from services.reporting.domain.projection import IrRecord
from services.reporting.domain.reports import StockLine
from services.reporting.report_cache import ReportCache, snapshot
from siir.graphql import RequestLoader


class StockLoader(RequestLoader[tuple[str, dt.date], list[StockLine] | None]):
    """(region code, date) → the region's stock lines; None for an unknown code.

    Regions of one level and date share one read (a page of provinces or regencies asking for
    ``irStatistics`` costs one query, not one each). Villages are counted from the per-IR projection,
    the costliest of these (a page's 50 villages: thousands of IR with their class history), so their
    lines are kept in the process's report cache until the projection moves on: the lines are the
    projection's raw figures, the same for every caller (scope and disclosure control are applied by
    the resolver, after).
    """

    def __init__(self, engine: AsyncEngine, cache: ReportCache) -> None:
        super().__init__()
        self.engine = engine
        self.cache = cache

    async def batch_load_fn(self, keys: Sequence[tuple[str, dt.date]]) -> list[list[StockLine] | None]:
        found: dict[tuple[str, dt.date], list[StockLine]] = {}
        async with snapshot(self.engine) as connection:
            known = await region_data.regions_by_codes(connection, [code for code, _ in keys if code])
            groups: dict[tuple[int, dt.date], list[reports.RegionRef]] = defaultdict(list)
            for code, day in set(keys):
                if code == "":
                    groups[(0, day)].append(reports.RegionRef("", reports.NATION_NAME, 0))
                elif code in known:
                    groups[(known[code]["level"], day)].append(reports.RegionRef(code, known[code]["name"], known[code]["level"]))
            for (level, day), regions in groups.items():
                regions.sort(key=lambda region: region.code)
                if level <= reports.ROLLUP_DEPTH:  # provinces to sub-districts: the rollups, one read
                    lines = await reports.stock(connection, regions, day)
                else:
                    lines = await self.cache.answer(connection, None, ("villageStock", tuple(r.code for r in regions), day),
                                                    partial(reports.stock, connection, regions, day))
                for code, value in lines.items():
                    found[(code, day)] = value
        return [found.get(key) for key in keys]


class ChildrenLoader(RequestLoader[str, list[str]]):
    """Region code ("" the nation) → the codes of the regions directly inside it (one statement per batch)."""

    def __init__(self, engine: AsyncEngine) -> None:
        super().__init__()
        self.engine = engine

    async def batch_load_fn(self, codes: Sequence[str]) -> list[list[str]]:
        async with self.engine.connect() as connection:
            found = await region_data.children_of_many(connection, codes)
        return [found.get(code, []) for code in codes]


class RecordLoader(RequestLoader[int, IrRecord | None]):
    """IR id → its projection with class history (two statements per batch)."""

    def __init__(self, engine: AsyncEngine) -> None:
        super().__init__()
        self.engine = engine

    async def batch_load_fn(self, ids: Sequence[int]) -> list[IrRecord | None]:
        async with self.engine.connect() as connection:
            found = await report_data.records_by_ids(connection, ids)
        return [found.get(i) for i in ids]


class Loaders:
    """The loaders of one request (never shared: the projection moves on between requests)."""

    def __init__(self, engine: AsyncEngine, cache: ReportCache) -> None:
        self.stock = StockLoader(engine, cache)
        self.children = ChildrenLoader(engine)
        self.record = RecordLoader(engine)
