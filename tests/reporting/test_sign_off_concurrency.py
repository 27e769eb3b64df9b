"""Concurrent steps on one sign-off: the row lock lets exactly one pass; the other is a CONFLICT and
leaves nothing half-written (one step in the audit trail)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import asyncpg
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from services.reporting import sign_offs
from services.reporting.domain.sign_off import SignOffAction
from siir.auth.identity import Identity, Role
from siir.database import create_engine
from siir.errors import Conflict

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
