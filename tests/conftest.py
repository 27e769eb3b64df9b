"""Shared test fixtures: a real PostgreSQL database and a real registry server over HTTP.

By default the embedded PostgreSQL (its own data folder under .siir/test) is used, so the
suite needs nothing but Python; the run stops it when it ends. ``SIIR_TEST_DATABASE_URL`` (e.g. postgresql://postgres@127.0.0.1:5432/postgres)
points it at an existing server instead. Each run creates a fresh database and drops it after.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
import uvicorn
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.engine import make_url

from siir.database import asyncpg_dsn
from siir.embedded import start_embedded_server, stop_embedded_server
from siir.settings import PROJECT_ROOT


#: The embedded server's data folder for tests (``SIIR_TEST_DATA_DIR`` moves it, e.g. for a test run inside a test).
TEST_DATA_DIR = Path(os.environ.get("SIIR_TEST_DATA_DIR") or PROJECT_ROOT / ".siir" / "test")


async def _admin(url: str, sql: str) -> None:
    connection = await asyncpg.connect(**asyncpg_dsn(url))
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


def create_database(admin_url: str, prefix: str = "siir_test") -> str:
    """A new empty database on the admin URL's server; returns its URL."""
    name = f"{prefix}_{secrets.token_hex(4)}"
    asyncio.run(_admin(admin_url, f'CREATE DATABASE "{name}"'))
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def drop_database(admin_url: str, url: str) -> None:
    name = make_url(url).database
    asyncio.run(_admin(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@contextlib.contextmanager
def prepared_database(admin_url: str, prefix: str = "siir_test") -> Iterator[str]:
    """A new database, migrated with the region reference list loaded; dropped afterwards."""
    from siirctl.preparation import prepare_database

    url = create_database(admin_url, prefix)
    try:
        prepare_database(url)
        yield url
    finally:
        drop_database(admin_url, url)


def _starts_workers(config: pytest.Config) -> bool:
    """Whether this process is pytest-xdist's controller of worker processes (``-n`` above 0)."""
    return not hasattr(config, "workerinput") and bool(getattr(config.option, "numprocesses", None))


def pytest_configure(config: pytest.Config) -> None:
    """Under pytest-xdist the controller starts the embedded server once, before its workers exist, and
    they inherit its URL: workers starting it at once would race for one data directory, and the first
    to finish would stop it under the others."""
    if _starts_workers(config) and not os.environ.get("SIIR_TEST_DATABASE_URL"):
        os.environ["SIIR_TEST_DATABASE_URL"] = start_embedded_server(TEST_DATA_DIR, keep_running=True)
        config.stash[_EMBEDDED_FOR_WORKERS] = True


def pytest_unconfigure(config: pytest.Config) -> None:
    if config.stash.get(_EMBEDDED_FOR_WORKERS, False):
        stop_embedded_server(TEST_DATA_DIR)


_EMBEDDED_FOR_WORKERS = pytest.StashKey[bool]()


@pytest.fixture(scope="session")
def admin_url() -> Iterator[str]:
    """``SIIR_TEST_DATABASE_URL``, or the embedded server, started for this run and stopped at its end."""
    configured = os.environ.get("SIIR_TEST_DATABASE_URL")
    if configured:
        yield configured
        return
    # Kept running across the processes a test starts; stopped here, when the run ends.
    yield start_embedded_server(TEST_DATA_DIR, keep_running=True)
    stop_embedded_server(TEST_DATA_DIR)


@pytest.fixture(scope="session")
def database_url(admin_url: str) -> Iterator[str]:
    """A freshly migrated database with the region reference list loaded."""
    with prepared_database(admin_url) as url:
        yield url


@pytest.fixture
async def pg(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    """A plain asyncpg connection to the test database, for checks straight in SQL."""
    connection = await asyncpg.connect(**asyncpg_dsn(database_url))
    yield connection
    await connection.close()


class StatementLog:
    """Counts the SQL statements every SQLAlchemy engine in this process sends."""

    def __init__(self) -> None:
        self.statements: list[str] = []
        self.lock = threading.Lock()

    def record(self, conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        with self.lock:
            self.statements.append(statement)

    def clear(self) -> None:
        with self.lock:
            self.statements.clear()

    def count(self) -> int:
        with self.lock:
            return len(self.statements)


@pytest.fixture(scope="session")
def statement_log() -> Iterator[StatementLog]:
    log = StatementLog()
    event.listen(Engine, "before_cursor_execute", log.record)
    yield log
    event.remove(Engine, "before_cursor_execute", log.record)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ServerThread:
    """A real uvicorn server on 127.0.0.1 in a background thread."""

    def __init__(self, app: Any) -> None:
        self.port = free_port()
        self.server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", loop="asyncio", lifespan="on")
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> "ServerThread":
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@pytest.fixture(scope="session")
def registry_server(database_url: str, statement_log: StatementLog, tokens: "Tokens") -> Iterator[ServerThread]:
    from services.registry.app import build_app

    with ServerThread(build_app(database_url, verifier=tokens.verifier)) as server:
        yield server


class GraphQLClient:
    """Posts GraphQL over real HTTP, as one caller (its bearer token), and returns the decoded JSON body."""

    def __init__(
        self, client: httpx.AsyncClient, url: str, headers: dict[str, str] | None = None, tokens: "Tokens | None" = None
    ) -> None:
        self.client = client
        self.url = url
        self.headers = headers or {}
        self.tokens = tokens

    async def __call__(self, query: str, variables: dict[str, Any] | None = None, **kwargs: Any) -> dict[str, Any]:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        response = await self.client.post(
            self.url, json={"query": query, "variables": variables or {}}, headers=headers, **kwargs
        )
        assert response.status_code < 500, response.text
        return response.json()

    def as_role(self, role: str, region: str | None = None, **claims: Any) -> "GraphQLClient":
        """The same server, called with a token of another role (``tokens(role, region, **claims)``)."""
        assert self.tokens is not None
        return GraphQLClient(self.client, self.url, self.tokens.headers(role, region, **claims), self.tokens)


#: The registry client's default caller: the office that owns the test villages' records.
DEFAULT_ROLE = ("DISTRICT_OFFICER", "33.74")


@pytest.fixture
async def registry(registry_server: ServerThread, tokens: "Tokens") -> AsyncIterator[GraphQLClient]:
    """A DISTRICT_OFFICER of Kota Semarang (33.74); ``registry.as_role(...)`` calls as someone else."""
    async with httpx.AsyncClient(timeout=30) as client:
        yield GraphQLClient(client, registry_server.url + "/graphql", tokens.headers(*DEFAULT_ROLE), tokens)


class Tokens:
    """Mints real signed bearer tokens for tests, and the verifier the test servers trust."""

    ISSUER = "siir-test"
    AUDIENCE = "siir"

    def __init__(self, key: Any) -> None:
        from siir.auth.tokens import TokenVerifier

        self.key = key
        self.verifier = TokenVerifier(issuer=self.ISSUER, audience=self.AUDIENCE, public_keys={key.kid: key.public_key})

    def __call__(
        self,
        role: str,
        region: str | None = None,
        *,
        partner: str | None = None,
        subject: str | None = None,
        lifetime: int = 3600,
    ) -> str:
        from siir.auth.tokens import issue_token

        return issue_token(
            self.key,
            subject=subject or f"test-{role.lower()}-{region or partner or 'national'}",
            role=role,
            region=region,
            partner=partner,
            issuer=self.ISSUER,
            audience=self.AUDIENCE,
            lifetime=lifetime,
        )

    def headers(self, role: str, region: str | None = None, **kwargs: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {self(role, region, **kwargs)}"}


@pytest.fixture(scope="session")
def tokens(tmp_path_factory: pytest.TempPathFactory) -> Tokens:
    from siir.auth.keys import load_or_create_signing_key

    return Tokens(load_or_create_signing_key(tmp_path_factory.mktemp("auth")))
