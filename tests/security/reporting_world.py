"""A reporting world for the security tests: registry changes in Kota Semarang (33.74), Kabupaten
Malang (35.07) and Kota Banda Aceh (11.71), applied by reporting's consumer, and the reporting
subgraph (trusting the ``tokens`` fixture) with our gateway in front of it and the registry.

Counts depend on what other tests wrote to the session database; tests read the expected figures
as MINISTRY and compare, rather than hard-coding them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from sqlalchemy import text

from gateway.app import build_app as build_gateway
from gateway.limits import Limits
from services.reporting.consumer import OutboxConsumer
from siir.database import asyncpg_dsn, create_engine
from tests.conftest import GraphQLClient, ServerThread, Tokens
from services.registry import registrar
from tests.reporting.registry_changes import ACTOR, ANYWHERE, REGENCIES, RegistryChanges

SEMARANG = "33.74"
#: The product of the world's few IR (never one of the random changes' products).
RARE_PRODUCT = "Gula Semut"
MALANG = "35.07"
#: Villages other tests register into by name.
FIXED_VILLAGES = frozenset({"33.74.01.1001", "35.07.01.2001"})
SUPERGRAPH = Path(__file__).resolve().parents[2] / "schema" / "supergraph.graphql"


@dataclass
class ReportingWorld:
    client: httpx.AsyncClient
    url: str  # the reporting subgraph's base URL
    tokens: Tokens
    semarang_ir: str  # an IR of Kota Semarang known to reporting
    malang_ir: str  # one of Kabupaten Malang
    few_villages: list[str]  # villages holding 0–3 IR between them (small counts for partners)

    def as_role(self, role: str, region: str | None = None, **claims: Any) -> GraphQLClient:
        return GraphQLClient(self.client, self.url + "/graphql", self.tokens.headers(role, region, **claims), self.tokens)

    async def export(self, path: str, role: str | None = None, region: str | None = None, **claims: Any) -> httpx.Response:
        headers = self.tokens.headers(role, region, **claims) if role else {}
        return await self.client.get(self.url + path, headers=headers)


@pytest.fixture(scope="module")
def reporting_subgraph(database_url: str, tokens: Tokens) -> Iterator[ServerThread]:
    from services.reporting.app import build_app

    with ServerThread(build_app(database_url, run_consumer=False, verifier=tokens.verifier)) as server:
        yield server


@pytest.fixture(scope="module")
async def reporting_world(database_url: str, reporting_subgraph: ServerThread, tokens: Tokens) -> AsyncIterator[ReportingWorld]:
    engine = create_engine(database_url, pool_size=2)
    try:
        changes = RegistryChanges(engine, seed=505)
        await changes.run(400)
        # Three more IR, each in a village of its regency that no random change uses: small counts.
        async with engine.connect() as connection:
            few = {}
            for regency in REGENCIES:
                rows = await connection.execute(text(
                    "SELECT code FROM registry.regions WHERE level = 4 AND code LIKE :p ORDER BY code DESC"), {"p": regency + ".%"})
                few[regency] = next(c for (c,) in rows if c not in changes.villages[regency] and c not in FIXED_VILLAGES)
        changes.villages = {regency: [village] for regency, village in few.items()}
        for _ in range(3):
            await changes.register()
        # ...making a product only they name, so every regency's needs table has an item of 1-4 IR
        # whatever other tests wrote into the session's database before.
        for pk in changes.log.ids[-3:]:
            async with engine.connect() as connection:
                version = await connection.scalar(text("SELECT version FROM registry.home_industries WHERE id = :id"), {"id": pk})
            await registrar.update(engine, pk, version, {"products": [{"name": RARE_PRODUCT}]}, ANYWHERE, ACTOR)
    finally:
        await engine.dispose()
    consumer = OutboxConsumer(database_url, database_url)
    await consumer.connect()
    try:
        await consumer.catch_up_to_latest()
    finally:
        await consumer.close()
    pg = await asyncpg.connect(**asyncpg_dsn(database_url))
    try:
        ids = {}
        for regency in (SEMARANG, MALANG):
            ids[regency] = str(await pg.fetchval(
                "SELECT id FROM reporting.home_industries WHERE village_code LIKE $1 ORDER BY id LIMIT 1", regency + ".%"))
    finally:
        await pg.close()
    async with httpx.AsyncClient(timeout=60) as client:
        yield ReportingWorld(client, reporting_subgraph.url, tokens, ids[SEMARANG], ids[MALANG], list(few.values()))


@pytest.fixture(scope="module")
async def gateway(registry_server: ServerThread, reporting_subgraph: ServerThread, tokens: Tokens) -> AsyncIterator[httpx.AsyncClient]:
    """Our gateway (in process, default limits) on the real registry and reporting subgraphs."""
    app = build_gateway(SUPERGRAPH.read_text(), verifier=tokens.verifier, limits=Limits(),
                        subgraph_urls={"registry": registry_server.url + "/graphql",
                                       "reporting": reporting_subgraph.url + "/graphql"})
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway", timeout=60) as client:
        yield client
    await app.state.gateway.client.aclose()
