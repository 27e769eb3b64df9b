"""Sign-offs on PostgreSQL without the HTTP layer: concurrent steps on one sign-off (the row lock lets
exactly one pass; the other is a CONFLICT and leaves nothing half-written), and lateness against the
default and the ministry's deadlines."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator

import asyncpg
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from services.reporting import sign_offs
from services.reporting.domain.sign_off import Level, SignOffAction
from siir.auth.identity import Identity, Role
from siir.database import create_engine
from siir.errors import Conflict, Forbidden

PROVINCE_OFFICE = Identity(subject="kepala-bidang-33", role=Role.PROVINCE_OFFICER, region="33", partner=None,
                           expires_at=0, token="")
OTHER_OFFICER = Identity(subject="staf-33", role=Role.PROVINCE_OFFICER, region="33", partner=None, expires_at=0, token="")


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url, pool_size=4)
    yield engine
    await engine.dispose()


async def submitted(pg: asyncpg.Connection, code: str) -> None:
    await pg.execute("DELETE FROM reporting.sign_off_steps WHERE region_code = $1", code)
    await pg.execute("DELETE FROM reporting.sign_offs WHERE region_code = $1", code)
    await pg.execute("INSERT INTO reporting.sign_offs (region_code, year, level, state, version, submitted_by) "
                     "VALUES ($1, 2025, 'REGENCY', 'SUBMITTED', 1, 'kabupaten')", code)


@pytest.mark.parametrize("second", [SignOffAction.APPROVE, SignOffAction.RETURN])
async def test_two_officers_deciding_at_once_one_wins(engine: AsyncEngine, pg: asyncpg.Connection,
                                                     second: SignOffAction) -> None:
    code = "33.01" if second is SignOffAction.APPROVE else "33.02"
    await submitted(pg, code)
    outcomes = await asyncio.gather(
        sign_offs.act(engine, PROVINCE_OFFICE, "Mutation.approveAnnualReport", SignOffAction.APPROVE, code, 2025),
        sign_offs.act(engine, OTHER_OFFICER, f"Mutation.{second.value.lower()}AnnualReport", second, code, 2025,
                      comment="periksa lagi"),
        return_exceptions=True,
    )
    passed = [o for o in outcomes if not isinstance(o, BaseException)]
    refused = [o for o in outcomes if isinstance(o, BaseException)]
    assert len(passed) == 1 and len(refused) == 1, outcomes
    assert isinstance(refused[0], Conflict)
    row = await pg.fetchrow("SELECT state, version FROM reporting.sign_offs WHERE region_code = $1", code)
    assert (row["state"], row["version"]) == (passed[0].state.value, 2)
    steps = await pg.fetch("SELECT action, actor FROM reporting.sign_off_steps WHERE region_code = $1", code)
    assert len(steps) == 1 and steps[0]["actor"] == passed[0].decided_by


async def test_late_against_the_default_or_the_ministrys_deadline(engine: AsyncEngine, pg: asyncpg.Connection) -> None:
    ministry = Identity(subject="kemen-pppa", role=Role.MINISTRY, region=None, partner=None, expires_at=0, token="")
    await pg.execute("DELETE FROM reporting.sign_off_deadlines WHERE year = 2024")
    await pg.execute("DELETE FROM reporting.sign_offs WHERE year = 2024 AND region_code LIKE '35.%'")
    await pg.execute("INSERT INTO reporting.sign_offs (region_code, year, level, state, comment) "
                     "VALUES ('35.01', 2024, 'REGENCY', 'WAIVED', 'tidak ada IR')")
    async with engine.connect() as connection:
        status = await sign_offs.status(connection, PROVINCE_OFFICE, 2024, "33", Level.REGENCY)
        assert len(status.entries) == 35 and all(e.late and e.deadline == dt.date(2025, 1, 31) for e in status.entries)
        east_java = await sign_offs.status(connection, ministry, 2024, "35", Level.REGENCY)
        waived = next(e for e in east_java.entries if e.region_code == "35.01")
        assert not waived.late and sum(e.late for e in east_java.entries) == len(east_java.entries) - 1
    with pytest.raises(Forbidden):
        await sign_offs.set_deadline(engine, PROVINCE_OFFICE, 2024, Level.REGENCY, dt.date(2099, 1, 1))
    await sign_offs.set_deadline(engine, ministry, 2024, Level.REGENCY, dt.date(2026, 12, 31))
    async with engine.connect() as connection:
        status = await sign_offs.status(connection, ministry, 2024, "33", Level.REGENCY)
    assert not any(e.late for e in status.entries) and status.entries[0].deadline == dt.date(2026, 12, 31)
