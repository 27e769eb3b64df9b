"""What every start needs before a service serves: each service's migrations, then the region lists.

The services own their histories and region loaders; this is the one place that knows them all and
the order they run in (reporting never references registry tables).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import asyncpg

from services.registry.data.region_reference import load_regions
from services.reporting.data.regions import load_regions as load_reporting_regions
from siir.database import asyncpg_dsn
from siir.migrations import upgrade
from siir.settings import PROJECT_ROOT

#: Services in the order their migrations run.
MIGRATION_DIRS: dict[str, Path] = {
    "registry": PROJECT_ROOT / "services" / "registry" / "migrations",
    "reporting": PROJECT_ROOT / "services" / "reporting" / "migrations",
}


def migrate(database_url: str, *, services: list[str] | None = None) -> None:
    """Bring every service's schema (or only ``services``') to its newest revision (idempotent)."""
    for service in services or list(MIGRATION_DIRS):
        upgrade(MIGRATION_DIRS[service], database_url)


def prepare_reporting_database(reporting_url: str) -> int:
    """Reporting's schema and its regions on a database of its own (idempotent); returns the regions."""
    migrate(reporting_url, services=["reporting"])

    async def regions() -> int:
        connection = await asyncpg.connect(**asyncpg_dsn(reporting_url))
        try:
            return await load_reporting_regions(connection)
        finally:
            await connection.close()

    return asyncio.run(regions())


def prepare_database(database_url: str, reporting_url: str | None = None) -> int:
    """What every start needs, idempotent: migrations, then the region reference lists.

    Reporting's schema goes to ``reporting_url`` when it has a database of its own.

    Returns the number of regions. Runs its own event loop, so call it from a thread inside one.
    """
    reporting_url = reporting_url or database_url
    migrate(database_url, services=["registry"])
    migrate(reporting_url, services=["reporting"])

    async def regions() -> int:
        connection = await asyncpg.connect(**asyncpg_dsn(database_url))
        reporting = await asyncpg.connect(**asyncpg_dsn(reporting_url))
        try:
            await load_reporting_regions(reporting)
            return await load_regions(connection)
        finally:
            await connection.close()
            await reporting.close()

    return asyncio.run(regions())
