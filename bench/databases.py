"""Databases for the benchmarks: admin statements on a server, and a fresh one seeded with demo IR.

Shared by the scripts under ``bench/`` (each puts the project root on ``sys.path`` first).
"""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg

from siir.database import asyncpg_dsn


async def admin(server: str, sql: str) -> Any:
    """Run one statement on the server's ``postgres`` database; its first value, if any."""
    connection = await asyncpg.connect(**asyncpg_dsn(f"{server}/postgres"))
    try:
        return await connection.fetchval(sql)
    finally:
        await connection.close()


async def fresh_demo_database(server: str, database: str, count: int) -> str:
    """``database`` dropped, created, migrated and seeded with ``count`` demo IR; returns its URL."""
    from services.registry_demo.seeding import seed_demo_data
    from siirctl.preparation import prepare_database

    url = f"{server}/{database}"
    await admin(server, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    await admin(server, f'CREATE DATABASE "{database}"')
    await asyncio.to_thread(prepare_database, url)
    await seed_demo_data(url, count=count, seed=1)
    return url
