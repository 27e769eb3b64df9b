"""Fixtures of the reporting suite: the registry's engine, a consumer, the reporting server."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from services.reporting.consumer import OutboxConsumer
from siir.database import create_engine
from tests.conftest import GraphQLClient, ServerThread, Tokens


@pytest.fixture(scope="session")
async def registry_engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url, pool_size=4)
    yield engine
    await engine.dispose()


@pytest.fixture
async def consumer(database_url: str) -> AsyncIterator[OutboxConsumer]:
    consumer = OutboxConsumer(database_url, database_url, batch_size=500, poll_interval=0.2)
    await consumer.connect()
    yield consumer
    await consumer.close()


@pytest.fixture(scope="session")
def reporting_server(database_url: str, tokens: Tokens) -> Iterator[ServerThread]:
    """The reporting subgraph (no consumer), trusting the ``tokens`` fixture's key."""
    from services.reporting.app import build_app

    with ServerThread(build_app(database_url, run_consumer=False, verifier=tokens.verifier)) as server:
        yield server


#: The reporting client's default caller: the national view.
DEFAULT_ROLE = ("MINISTRY",)


@pytest.fixture
async def reporting(reporting_server: ServerThread, tokens: Tokens) -> AsyncIterator[GraphQLClient]:
    """A MINISTRY caller of the reporting subgraph; ``reporting.as_role(...)`` calls as someone else."""
    async with httpx.AsyncClient(timeout=60) as client:
        yield GraphQLClient(client, reporting_server.url + "/graphql", tokens.headers(*DEFAULT_ROLE), tokens)


@pytest.fixture
async def reporting_http(reporting_server: ServerThread, tokens: Tokens) -> AsyncIterator[httpx.AsyncClient]:
    """Plain HTTP (exports) on the reporting subgraph as MINISTRY."""
    async with httpx.AsyncClient(base_url=reporting_server.url, timeout=60, headers=tokens.headers(*DEFAULT_ROLE)) as client:
        yield client
