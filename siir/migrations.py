"""Schema migrations: each service owns an Alembic history for its own PostgreSQL schema."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command, context
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from siir.database import async_url

#: Services in the order their migrations run (reporting never references registry tables).
MIGRATION_DIRS: dict[str, Path] = {
    "registry": Path(__file__).resolve().parent.parent / "services" / "registry" / "migrations",
    "reporting": Path(__file__).resolve().parent.parent / "services" / "reporting" / "migrations",
}


def alembic_config(service: str, database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATION_DIRS[service]))
    # Alembic's config is an ini parser: a literal % must be doubled.
    config.set_main_option("sqlalchemy.url", async_url(database_url).replace("%", "%%"))
    return config


def run_environment(schema: str) -> None:
    """A service's ``env.py``: its migrations, with their version table, in its own PostgreSQL schema."""

    def run(connection: Connection) -> None:
        connection.execute(text(f"CREATE SCHEMA IF NOT EXISTS {schema}"))
        context.configure(
            connection=connection,
            version_table="alembic_version",
            version_table_schema=schema,
            transactional_ddl=True,
        )
        with context.begin_transaction():
            context.run_migrations()

    async def main() -> None:
        engine = create_async_engine(context.config.get_main_option("sqlalchemy.url"))
        async with engine.begin() as connection:
            await connection.run_sync(run)
        await engine.dispose()

    asyncio.run(main())


def migrate(database_url: str, *, services: list[str] | None = None) -> None:
    """Bring every service's schema to its newest revision (idempotent)."""
    for service in services or list(MIGRATION_DIRS):
        command.upgrade(alembic_config(service, database_url), "head")


def execute_script(sql: str) -> None:
    """Run a DDL script inside a migration, one statement at a time.

    asyncpg prepares every statement and so refuses several in one call; scripts here keep
    one statement per ``;`` at a line end and no semicolons inside literals.
    """
    from alembic import op

    for statement in sql.split(";\n"):
        if statement.strip():
            op.execute(statement)


def prepare_reporting_database(reporting_url: str) -> int:
    """Reporting's schema and its regions on a database of its own (idempotent); returns the regions."""
    import asyncio

    import asyncpg

    from services.reporting.data.regions import load_regions
    from siir.database import asyncpg_dsn

    migrate(reporting_url, services=["reporting"])

    async def regions() -> int:
        connection = await asyncpg.connect(**asyncpg_dsn(reporting_url))
        try:
            return await load_regions(connection)
        finally:
            await connection.close()

    return asyncio.run(regions())


def prepare_database(database_url: str, reporting_url: str | None = None) -> int:
    """What every start needs, idempotent: migrations, then the region reference lists.

    Reporting's schema goes to ``reporting_url`` when it has a database of its own.

    Returns the number of regions. Runs its own event loop, so call it from a thread inside one.
    """
    import asyncio

    import asyncpg

    from services.registry.data.region_reference import load_regions
    from services.reporting.data.regions import load_regions as load_reporting_regions
    from siir.database import asyncpg_dsn

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
