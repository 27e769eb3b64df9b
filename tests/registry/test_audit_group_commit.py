"""The read audit's group commit: concurrent requests' rows go in one commit, each waits for it."""

from __future__ import annotations

import asyncio

import asyncpg
from services.registry.data.audit import Actor, AuditWriter, ReadLog, Record
from siir.database import asyncpg_dsn, create_engine


def _log(ir: int) -> ReadLog:
    log = ReadLog()
    log.note(Record.home_industry({"id": ir, "regency_code": "33.74"}), "nik", "FULL")
    log.note(Record.home_industry({"id": ir + 1, "regency_code": "33.74"}), "phone", "MASKED")
    return log


async def test_concurrent_flushes_share_one_commit_and_every_row_is_stored_before_they_return(database_url: str) -> None:
    engine = create_engine(database_url, pool_size=2)
    readers = await asyncpg.create_pool(**asyncpg_dsn(database_url), min_size=1, max_size=6)
    try:
        actor = Actor("group-commit-test", "DISTRICT_OFFICER", "33.74", None, "query Page")
        writer = AuditWriter.of(engine)
        commits_before = writer.commits

        async def request(n: int) -> int:
            await _log(1000 + 10 * n).flush(engine, actor)
            # Released only after the commit: the rows are visible to another session now.
            return await readers.fetchval(
                "SELECT count(*) FROM registry.audit_events WHERE subject = 'group-commit-test' AND entity_id = $1",
                1000 + 10 * n,
            )

        seen = await asyncio.gather(*(request(n) for n in range(6)))
        assert seen == [1] * 6
        assert writer.commits - commits_before == 1  # six requests, one INSERT and one commit
        assert await readers.fetchval(
            "SELECT count(*) FROM registry.audit_events WHERE subject = 'group-commit-test'"
        ) == 12
    finally:
        await readers.close()
        await engine.dispose()


async def test_when_the_commit_fails_every_waiting_request_gets_the_error(admin_url: str) -> None:
    from tests.conftest import create_database, drop_database

    url = await asyncio.to_thread(create_database, admin_url)  # not migrated: no audit table, so the INSERT fails
    engine = create_engine(url, pool_size=2)
    try:
        actor = Actor("group-commit-test", "MINISTRY", None, None, "query Page")
        results = await asyncio.gather(*(_log(n).flush(engine, actor) for n in range(3)), return_exceptions=True)
        assert len(results) == 3 and all(isinstance(r, Exception) for r in results)
    finally:
        await engine.dispose()
        await asyncio.to_thread(drop_database, admin_url, url)
