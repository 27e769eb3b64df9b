"""``/readiness`` follows each service's dependencies; ``/healthcheck`` (liveness) does not.

Real servers over HTTP on a database of their own, which the tests take away (connections refused
and the open ones terminated) and give back; the gateway's subgraphs really stop.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import asyncpg
import httpx
import pytest
from sqlalchemy.engine import make_url

from siir.database import asyncpg_dsn
from siir.settings import PROJECT_ROOT
from siirctl.preparation import migrate
from tests.conftest import ServerThread, Tokens, create_database, drop_database


@pytest.fixture(scope="module")
def own_database(admin_url: str) -> Iterator[str]:
    url = create_database(admin_url, "siir_readiness")
    migrate(url)  # the schemas and rule sets suffice: nothing here reads regions
    yield url
    allow_connections(admin_url, url, True)
    drop_database(admin_url, url)


def allow_connections(admin_url: str, url: str, allowed: bool) -> None:
    """Take the database away (refuse connections, end the open ones) or give it back."""
    import asyncio

    name = make_url(url).database

    async def run() -> None:
        connection = await asyncpg.connect(**asyncpg_dsn(admin_url))
        try:
            await connection.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS {str(allowed).lower()}')
            if not allowed:
                await connection.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                         "WHERE datname = $1 AND pid <> pg_backend_pid()", name)
        finally:
            await connection.close()

    asyncio.run(run())


def probe(base: str, path: str = "/readiness") -> tuple[int, Any]:
    response = httpx.get(base + path, timeout=10)
    return response.status_code, response.json()


def eventually(base: str, status: int, timeout: float = 15.0) -> Any:
    """The readiness body once it answers ``status`` (pools notice a lost database on next use)."""
    deadline = time.monotonic() + timeout
    while True:
        got, body = probe(base)
        if got == status or time.monotonic() > deadline:
            assert got == status, body
            return body
        time.sleep(0.2)


@pytest.fixture
def database_away(admin_url: str, own_database: str) -> Iterator[Any]:
    """Call it to take the database away; it comes back after the test whatever happens."""
    yield lambda: allow_connections(admin_url, own_database, False)
    allow_connections(admin_url, own_database, True)


def test_the_registry_is_ready_only_while_its_database_answers(admin_url: str, own_database: str,
                                                                tokens: Tokens, database_away: Any) -> None:
    from services.registry.app import build_app

    with ServerThread(build_app(own_database, verifier=tokens.verifier)) as server:
        assert probe(server.url) == (200, {"ready": True, "service": "registry", "checks": {"database": "ok"}})
        database_away()
        assert eventually(server.url, 503) == {"ready": False, "service": "registry", "checks": {"database": "failing"}}
        # Still alive: restarting the process would not bring the database back.
        assert probe(server.url, "/healthcheck") == (200, {"status": "ok", "service": "registry"})
        allow_connections(admin_url, own_database, True)
        assert eventually(server.url, 200)["checks"] == {"database": "ok"}


def test_reporting_names_its_database_and_its_consumer(own_database: str, tokens: Tokens, database_away: Any) -> None:
    from services.reporting.app import build_app

    app = build_app(own_database, verifier=tokens.verifier, run_consumer=True)
    with ServerThread(app) as server:
        assert probe(server.url) == (200, {"ready": True, "service": "reporting",
                                           "checks": {"database": "ok", "consumer": "ok"}})
        database_away()
        # The consumer lives on (it reconnects by itself); the database is what fails.
        assert eventually(server.url, 503)["checks"] == {"database": "failing", "consumer": "ok"}
    without = build_app(own_database, verifier=tokens.verifier, run_consumer=False)
    with ServerThread(without) as server:
        assert eventually(server.url, 503)["checks"] == {"database": "failing"}


def test_the_gateway_is_ready_only_while_every_subgraph_is(own_database: str, tokens: Tokens,
                                                           database_away: Any) -> None:
    from gateway.app import build_app as gateway_app
    from services.registry.app import build_app as registry_app
    from services.reporting.app import build_app as reporting_app

    supergraph = (PROJECT_ROOT / "schema" / "supergraph.graphql").read_text()
    registry = ServerThread(registry_app(own_database, verifier=tokens.verifier)).__enter__()
    reporting = ServerThread(reporting_app(own_database, verifier=tokens.verifier, run_consumer=False)).__enter__()
    try:
        urls = {"registry": registry.url + "/graphql", "reporting": reporting.url + "/graphql"}
        with ServerThread(gateway_app(supergraph, subgraph_urls=urls, verifier=tokens.verifier)) as gateway:
            assert probe(gateway.url) == (200, {"ready": True, "subgraphs": {"registry": "ready", "reporting": "ready"}})
            reporting.__exit__()
            status, body = probe(gateway.url)
            assert (status, body) == (503, {"ready": False, "subgraphs": {"registry": "ready", "reporting": "unreachable"}})
            assert "127.0.0.1" not in httpx.get(gateway.url + "/readiness").text  # no addresses to anonymous callers
            database_away()
            assert eventually(gateway.url, 503)["subgraphs"] == {"registry": "not ready", "reporting": "unreachable"}
            assert probe(gateway.url, "/healthcheck")[0] == 200
    finally:
        registry.__exit__()
        if reporting.thread.is_alive():
            reporting.__exit__()
