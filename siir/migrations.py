"""Schema migrations: the Alembic machinery every service's own history (in its own PostgreSQL schema) runs on."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command, context
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from siir.database import async_url


def alembic_config(directory: Path, database_url: str) -> Config:
    """Alembic's configuration for the history in ``directory`` against ``database_url``."""
    config = Config()
    config.set_main_option("script_location", str(directory))
    # Alembic's config is an ini parser: a literal % must be doubled.
    config.set_main_option("sqlalchemy.url", async_url(database_url).replace("%", "%%"))
    return config


def upgrade(directory: Path, database_url: str) -> None:
    """Bring the history in ``directory`` to its newest revision (idempotent)."""
    command.upgrade(alembic_config(directory, database_url), "head")


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


def execute_script(sql: str) -> None:
    """Run a DDL script inside a migration, one statement at a time.

    asyncpg prepares every statement and so refuses several in one call; scripts here keep
    one statement per ``;`` at a line end and no semicolons inside literals.
    """
    from alembic import op

    for statement in sql.split(";\n"):
        if statement.strip():
            op.execute(statement)
