"""A catch-up window's steps (data/window_steps.py): run side by side, each after what it needs, writes on the writer.

Real connections to the test database: the steps record which backend ran them and when.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import asyncpg
import pytest

from services.reporting.data import window_steps
from services.reporting.data.window_steps import Step
from siir.database import asyncpg_dsn


@pytest.fixture
async def connections(database_url: str) -> AsyncIterator[tuple[list[asyncpg.Connection], asyncpg.Connection]]:
    async def connect(settings: dict[str, str]) -> asyncpg.Connection:
        return await asyncpg.connect(**asyncpg_dsn(database_url), server_settings=settings)

    writer = await connect({})
    try:
        async with window_steps.lanes(connect) as lanes:
            yield lanes, writer
    finally:
        await writer.close()


async def test_steps_run_after_what_they_need_side_by_side_and_writes_only_on_the_writer(
    connections: tuple[list[asyncpg.Connection], asyncpg.Connection]
) -> None:
    lanes, writer = connections
    finished: list[str] = []
    ran_on: dict[str, int] = {}
    other_started = asyncio.Event()

    def step(name: str, after: tuple[str, ...] = (), writes: bool = False, waits: bool = False) -> Step:
        async def run(connection: asyncpg.Connection) -> None:
            ran_on[name] = await connection.fetchval("SELECT pg_backend_pid()")
            if name == "decode b":
                other_started.set()
            if waits:  # finishes only once the other lane has started: the two run side by side
                await asyncio.wait_for(other_started.wait(), 10)
            finished.append(name)

        return Step(name, after, (), run, writes=writes)

    steps = (
        step("decode a", waits=True), step("decode b"),
        step("join", ("decode a", "decode b")),
        step("write joined", ("join",), writes=True),
        step("cells", ("join",)),
        step("write cells", ("cells",), writes=True),
    )
    await window_steps.run(lanes, writer, steps)

    assert sorted(finished) == sorted(s.name for s in steps)
    for s in steps:
        assert all(finished.index(before) < finished.index(s.name) for before in s.after), (s.name, finished)
    lane_pids = {await lane.fetchval("SELECT pg_backend_pid()") for lane in lanes}
    writer_pid = await writer.fetchval("SELECT pg_backend_pid()")
    assert {ran_on["decode a"], ran_on["decode b"]} == lane_pids
    assert ran_on["write joined"] == ran_on["write cells"] == writer_pid
    assert {ran_on["join"], ran_on["cells"]} <= lane_pids


async def test_working_tables_built_on_one_lane_are_read_on_the_other(
    connections: tuple[list[asyncpg.Connection], asyncpg.Connection]
) -> None:
    lanes, writer = connections
    totals: list[int] = []

    async def total(connection: asyncpg.Connection) -> None:
        totals.append(await connection.fetchval(f"SELECT sum(n) FROM {window_steps.SCHEMA}.both_halves"))

    await window_steps.run(lanes, writer, (
        Step("low", (), ("CREATE UNLOGGED TABLE low AS SELECT n FROM generate_series(1, 50) n",)),
        Step("high", (), ("CREATE UNLOGGED TABLE high AS SELECT n FROM generate_series(51, 100) n",)),
        Step("both", ("low", "high"), ("CREATE VIEW both_halves AS SELECT n FROM low UNION ALL SELECT n FROM high",)),
        Step("read", ("both",), (), total, writes=True),
    ))
    assert totals == [5050]


async def test_a_failing_step_stops_the_others_and_its_error_is_raised(
    connections: tuple[list[asyncpg.Connection], asyncpg.Connection]
) -> None:
    lanes, writer = connections
    ran: list[str] = []

    async def noted(connection: asyncpg.Connection) -> None:
        ran.append("after the failure")

    steps = (
        Step("long", (), ("SELECT pg_sleep(60)",)),
        Step("failing", (), ("SELECT 1 / 0",)),
        Step("after", ("failing",), (), noted),
    )
    with pytest.raises(asyncpg.DivisionByZeroError):
        await asyncio.wait_for(window_steps.run(lanes, writer, steps), 30)  # the 60 s sleep was cancelled
    assert ran == []


async def test_steps_that_wait_on_each_other_are_refused_not_left_hanging(
    connections: tuple[list[asyncpg.Connection], asyncpg.Connection]
) -> None:
    lanes, writer = connections
    steps = (Step("a", ("b",)), Step("b", ("a",)), Step("c"))
    with pytest.raises(RuntimeError, match="wait on each other"):
        await asyncio.wait_for(window_steps.run(lanes, writer, steps), 30)
