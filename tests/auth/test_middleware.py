"""RequireIdentity in front of a subgraph, over real HTTP: 401 without a verified token, the
identity on the request with one, the health check open."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from siir.auth.middleware import RequireIdentity, identity_of
from tests.conftest import ServerThread


async def whoami(request: Request) -> JSONResponse:
    identity = identity_of(request)
    return JSONResponse({"sub": identity.subject, "role": identity.role, "region": identity.region})


async def health(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


@pytest.fixture(scope="module")
def subgraph(tokens: Any) -> Iterator[str]:
    app = Starlette(routes=[Route("/graphql", whoami, methods=["POST"]), Route("/healthcheck", health)])
    with ServerThread(RequireIdentity(app, tokens.verifier)) as server:
        yield server.url


def test_a_verified_caller_reaches_the_app_with_its_identity(subgraph: str, tokens: Any) -> None:
    r = httpx.post(subgraph + "/graphql", headers=tokens.headers("FACILITATOR", "33.74", subject="fasil"))
    assert r.status_code == 200
    assert r.json() == {"sub": "fasil", "role": "FACILITATOR", "region": "33.74"}


@pytest.mark.parametrize("authorization", [None, "Bearer nope", "Basic eDp5"])
def test_a_direct_call_without_a_valid_token_is_401(subgraph: str, authorization: str | None) -> None:
    headers = {"authorization": authorization} if authorization else {}
    r = httpx.post(subgraph + "/graphql", headers={**headers, "x-siir-role": "MINISTRY"})
    assert r.status_code == 401
    assert r.headers["www-authenticate"].startswith("Bearer")
    assert r.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_the_health_check_stays_open(subgraph: str) -> None:
    assert httpx.get(subgraph + "/healthcheck").status_code == 200
