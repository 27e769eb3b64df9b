"""A catch-up window's steps, run on two connections at once, in a working schema of their own.

A window (``catch_up_window``) is a chain of set-based statements, each building a working table from
the ones before. PostgreSQL runs a statement on one core, and the machine has more: independent steps
(the needs cells while the standing changes are computed, the two halves of the feed's decoding) run
side by side on ``LANES`` connections. Each working table is an unlogged table (no WAL, like a
temporary table) of ``SCHEMA``, committed by the statement that builds it so the other connection can
read it. They are only the window's scratch: the projection is written afterwards, from them, in the
one transaction that holds the consumer's cursor, so a failure anywhere leaves the read model as it was.
Only one window runs at a time per database (that transaction holds the cursor's row lock from before
the first step); the schema is dropped when the window commits, and a window that failed leaves it for
the next one to drop before its first step.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass

import asyncpg

#: The working tables' schema.
SCHEMA = "reporting_catch_up"
#: Connections the steps run on: the cores of the machine the projection is rebuilt on.
LANES = 2
#: Session settings of a lane: sorts and hash tables of millions of rows in memory, not in temporary
#: files; no parallel workers beside the other lane; and a statement whose lane was closed (the window
#: failed elsewhere, the consumer stopped) ends within a second instead of running on for minutes.
SETTINGS = {"search_path": SCHEMA, "work_mem": "512MB", "max_parallel_workers_per_gather": "0",
            "client_connection_check_interval": "1000"}


@dataclass(frozen=True, slots=True)
class Step:
    """Statements building working tables, and Python reading them, once the steps named ``after`` are done."""

    name: str
    after: tuple[str, ...] = ()
    statements: tuple[str, ...] = ()
    then: Callable[[asyncpg.Connection], Awaitable[None]] | None = None
    #: Runs on the writer (the connection whose transaction commits the projection), not on a lane.
    writes: bool = False

    async def run(self, connection: asyncpg.Connection) -> None:
        for statement in self.statements:
            await connection.execute(statement)
        if self.then is not None:
            await self.then(connection)


def shared(name: str, after: tuple[str, ...], statement: str, table: str, *, analyse: bool = False,
           then: Callable[[asyncpg.Connection], Awaitable[None]] | None = None) -> tuple[Step, ...]:
    """A working table built in ``LANES`` shares side by side: ``statement`` (with ``{lane}`` and ``{lanes}``)
    builds ``{table}_{lane}`` on each lane, then step ``name`` makes ``table`` the view of them all (and, with
    ``analyse``, gives the planner their statistics) and runs ``then``."""
    shares = tuple(Step(f"{name} {lane}", after, (statement.format(lane=lane, lanes=LANES),)) for lane in range(LANES))
    tables = [f"{table}_{lane}" for lane in range(LANES)]
    joined = "CREATE VIEW " + table + " AS " + " UNION ALL ".join(f"SELECT * FROM {share}" for share in tables)
    analysed = (f"ANALYZE {', '.join(tables)}",) if analyse else ()
    return (*shares, Step(name, tuple(share.name for share in shares), (joined, *analysed), then))


#: Opens a connection to the reporting database with the session settings given.
Connect = Callable[[dict[str, str]], Awaitable[asyncpg.Connection]]


@contextlib.asynccontextmanager
async def lanes(connect: Connect) -> AsyncIterator[list[asyncpg.Connection]]:
    """``LANES`` connections (``connect(settings)``) and an empty working schema; the connections are closed after."""
    opened: list[asyncpg.Connection] = []
    try:
        for _ in range(LANES):
            opened.append(await connect(SETTINGS))
        await opened[0].execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE; CREATE SCHEMA {SCHEMA}")
        yield opened
    finally:
        for connection in opened:
            connection.terminate()  # a lane stopped mid-statement cannot be closed politely


async def run(connections: Sequence[asyncpg.Connection], writer: asyncpg.Connection, steps: Sequence[Step]) -> None:
    """Run every step once, as soon as the steps it comes after are done: a step that ``writes`` on ``writer``
    (the projection's transaction), the others each on the first free lane of ``connections``; among ready steps the first
    listed goes first (list the longest chain first). The writer's steps fill the time the lanes leave
    idle; a write must come after every step that reads the table it writes (an empty table's indexes are
    dropped until the commit: a lane reading it would wait for a commit that waits for the lane). The
    first failure stops the others and is raised."""
    names = {step.name for step in steps}
    unknown = {name for step in steps for name in step.after} - names
    assert not unknown, f"steps come after steps that do not exist: {unknown}"
    done: set[str] = set()
    started: set[str] = set()
    progress = asyncio.Condition()

    def ready(writes: bool | None) -> Step | None:
        return next((s for s in steps if s.name not in started and done.issuperset(s.after)
                     and writes in (None, s.writes)), None)

    async def worker(connection: asyncpg.Connection, writes: bool) -> None:
        mine = [step.name for step in steps if step.writes == writes]
        while True:
            async with progress:
                while (step := ready(writes)) is None and not started.issuperset(mine):
                    if ready(None) is None and len(started) == len(done):  # nothing running could free a step
                        raise RuntimeError(f"steps wait on each other: {sorted(names - started)}")
                    await progress.wait()
                if step is None:
                    return
                started.add(step.name)
            await step.run(connection)
            async with progress:
                done.add(step.name)
                progress.notify_all()

    try:
        async with asyncio.TaskGroup() as group:
            for lane in connections:
                group.create_task(worker(lane, writes=False))
            group.create_task(worker(writer, writes=True))
    except BaseExceptionGroup as failed:  # the first failure; the steps still running were cancelled by it
        raise failed.exceptions[0]
