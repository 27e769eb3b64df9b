"""CORS at the gateway, over real HTTP: a portal on an allowed origin may call it, others may not,
and nothing changes when no origin is configured."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any, Iterator

import httpx
import pytest

from gateway.app import build_app
from gateway.cors import CorsOriginRefused
from gateway.limits import Limits
from siir.settings import Settings
from tests.conftest import ServerThread

SUPERGRAPH = Path(__file__).resolve().parents[2] / "schema" / "supergraph.graphql"
PORTAL = "https://portal.dinas-pppa.example"
OTHER = "https://elsewhere.example"
PREFLIGHT = {"access-control-request-method": "POST", "access-control-request-headers": "authorization, content-type"}


def _serve(tokens: Any, origins: tuple[str, ...]) -> ServerThread:
    settings = replace(Settings(), cors_origins=origins)
    return ServerThread(build_app(SUPERGRAPH.read_text(), verifier=tokens.verifier, limits=Limits(), settings=settings))


@pytest.fixture(scope="module")
def with_cors(tokens: Any) -> Iterator[str]:
    with _serve(tokens, (PORTAL, "http://localhost:5173")) as server:
        yield server.url + "/graphql"


@pytest.fixture(scope="module")
def without_cors(tokens: Any) -> Iterator[str]:
    with _serve(tokens, ()) as server:
        yield server.url + "/graphql"


def test_preflight_from_an_allowed_origin(with_cors: str) -> None:
    response = httpx.options(with_cors, headers={"origin": PORTAL, **PREFLIGHT})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == PORTAL
    allowed = {h.strip().lower() for h in response.headers["access-control-allow-headers"].split(",")}
    assert {"authorization", "content-type"} <= allowed
    assert "POST" in response.headers["access-control-allow-methods"]
    assert "access-control-allow-credentials" not in response.headers  # bearer tokens, never cookies


def test_preflight_from_another_origin_is_not_allowed(with_cors: str) -> None:
    response = httpx.options(with_cors, headers={"origin": OTHER, **PREFLIGHT})
    assert "access-control-allow-origin" not in response.headers
    assert response.status_code == 400


def test_responses_to_an_allowed_origin_carry_the_header(with_cors: str, tokens: Any) -> None:
    # POST /graphql takes the gateway's fast path, which skips Starlette's middleware: it must
    # still answer with the header, or the browser hides the answer from the portal.
    answered = httpx.post(with_cors, json={"query": "{ __typename }"},
                          headers={"origin": PORTAL, **tokens.headers("MINISTRY")})
    assert answered.status_code == 200 and answered.json() == {"data": {"__typename": "Query"}}
    assert answered.headers["access-control-allow-origin"] == PORTAL
    assert "retry-after" in answered.headers["access-control-expose-headers"].lower()
    # A refusal too, so the portal can read why (here: no token).
    refused = httpx.post(with_cors, json={"query": "{ __typename }"}, headers={"origin": PORTAL})
    assert refused.status_code == 401 and refused.headers["access-control-allow-origin"] == PORTAL
    got = httpx.get(with_cors, params={"query": "{ __typename }"},
                    headers={"origin": PORTAL, "accept": "application/json", **tokens.headers("MINISTRY")})
    assert got.status_code == 200 and got.headers["access-control-allow-origin"] == PORTAL
    other = httpx.post(with_cors, json={"query": "{ __typename }"}, headers={"origin": OTHER, **tokens.headers("MINISTRY")})
    assert other.status_code == 200 and "access-control-allow-origin" not in other.headers


def test_no_cors_headers_when_not_configured(without_cors: str, tokens: Any) -> None:
    preflight = httpx.options(without_cors, headers={"origin": PORTAL, **PREFLIGHT})
    assert preflight.status_code == 405
    assert not [h for h in preflight.headers if h.startswith("access-control-")]
    answered = httpx.post(without_cors, json={"query": "{ __typename }"},
                          headers={"origin": PORTAL, **tokens.headers("MINISTRY")})
    assert answered.status_code == 200
    assert not [h for h in answered.headers if h.startswith("access-control-")]


@pytest.mark.parametrize("origin", ["https://portal.example/", "portal.example", "https://portal.example/app"])
def test_an_origin_with_a_path_or_no_scheme_is_refused_at_start(tokens: Any, origin: str) -> None:
    settings = replace(Settings(), cors_origins=(origin,))
    with pytest.raises(CorsOriginRefused, match="SIIR_CORS_ORIGINS"):
        build_app(SUPERGRAPH.read_text(), verifier=tokens.verifier, limits=Limits(), settings=settings)


def test_origins_are_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIIR_CORS_ORIGINS", f"{PORTAL}, http://localhost:5173")
    assert Settings.from_environment().cors_origins == (PORTAL, "http://localhost:5173")
    monkeypatch.delenv("SIIR_CORS_ORIGINS")
    assert Settings.from_environment().cors_origins == ()
