"""The Core table objects used in queries match the migrated schema, column for column."""

from __future__ import annotations

import asyncpg

from services.registry.data.tables import metadata
from siir.database import asyncpg_dsn


async def test_every_table_object_matches_the_migrated_columns(database_url: str) -> None:
    connection = await asyncpg.connect(**asyncpg_dsn(database_url))
    try:
        for table in metadata.sorted_tables:
            rows = await connection.fetch(
                "SELECT column_name, is_nullable FROM information_schema.columns "
                "WHERE table_schema = 'registry' AND table_name = $1",
                table.name,
            )
            migrated = {r["column_name"]: r["is_nullable"] == "YES" for r in rows}
            declared = {c.name: c.nullable for c in table.columns if not c.primary_key}
            assert set(declared) <= set(migrated), (table.name, set(declared) - set(migrated))
            for name, nullable in declared.items():
                assert migrated[name] == nullable, (table.name, name)
    finally:
        await connection.close()
