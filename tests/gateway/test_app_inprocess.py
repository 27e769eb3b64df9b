"""build_app used in-process (ASGI transport), as the siir CLI may."""

from __future__ import annotations

import re

from pathlib import Path
from typing import Any

import httpx
import pytest

from gateway.app import IdentityHeaderRefused, build_app
from gateway.limits import Limits


@pytest.fixture()
def app_and_client(supergraph_file: Path, subgraphs_url: str, tokens: Any) -> Any:
    app = build_app(supergraph_file.read_text(), verifier=tokens.verifier, limits=Limits())
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway",
                               headers=tokens.headers("MINISTRY"))
    return app, client


async def test_in_process_query_over_real_subgraphs(app_and_client: Any) -> None:
    app, client = app_and_client
    async with client:
        r = await client.post("/graphql", json={"query": "{ me { name reviews { body } } }"})
    assert r.status_code == 200
    assert r.json() == {"data": {"me": {"name": "Ada Lovelace", "reviews": [{"body": "Love it"}, {"body": "Sturdy"}]}}}
    assert r.headers["content-type"] == "application/json"
    await app.state.gateway.client.aclose()


async def test_unexpected_failure_is_a_graphql_shaped_500(app_and_client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    app, client = app_and_client

    async def boom(*_: Any) -> None:
        raise RuntimeError("bug")

    monkeypatch.setattr(app.state.gateway.executor, "execute", boom)
    async with client:
        r = await client.post("/graphql", json={"query": "{ me { name } }"},
                              headers={"accept": "application/graphql-response+json"})
    assert r.status_code == 500
    assert r.json()["errors"][0]["extensions"]["code"] == "INTERNAL_SERVER_ERROR"


def test_subgraph_url_overrides(supergraph_file: Path, monkeypatch: pytest.MonkeyPatch, tokens: Any) -> None:
    monkeypatch.setenv("SIIR_SUBGRAPH_ACCOUNTS_URL", "http://accounts.internal:8080/graphql")
    app = build_app(supergraph_file.read_text(), subgraph_urls={"reviews": "http://reviews.internal/graphql"},
                    verifier=tokens.verifier, limits=Limits())
    urls = app.state.gateway.executor.urls
    assert urls["ACCOUNTS"] == "http://accounts.internal:8080/graphql"
    assert urls["REVIEWS"] == "http://reviews.internal/graphql"
    assert urls["PRODUCTS"].endswith("/products/graphql")


async def test_named_client_headers_reach_every_subgraph(supergraph_file: Path, subgraph_log: Any,
                                                          tokens: Any) -> None:
    app = build_app(supergraph_file.read_text(), propagate_headers=["Authorization", "X-Request-Id"],
                    verifier=tokens.verifier, limits=Limits())
    first, second = tokens("MINISTRY"), tokens("DISTRICT_OFFICER", "33.74")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway") as client:
        r = await client.post("/graphql", json={"query": "{ me { name reviews { body } } }"},
                              headers={"authorization": f"Bearer {first}", "x-request-id": "r1", "x-other": "no"})
        assert r.status_code == 200 and "errors" not in r.json()
        r = await client.get("/graphql", params={"query": "{ me { name } }"}, headers={"authorization": f"Bearer {second}"})
        assert r.status_code == 200
    await app.state.gateway.client.aclose()
    seen = [(q["subgraph"], q["authorization"], q["headers"].get("x-request-id"), "x-other" in q["headers"])
            for q in subgraph_log.requests()]
    assert seen[:2] == [("accounts", f"Bearer {first}", "r1", False), ("reviews", f"Bearer {first}", "r1", False)]
    # A request without an id gets one from the gateway, passed on like a client's.
    assert seen[2][:2] == ("accounts", f"Bearer {second}") and re.fullmatch(r"[0-9a-f]{32}", seen[2][2])
    assert not seen[2][3]


async def test_only_the_callers_token_reaches_subgraphs_by_default(supergraph_file: Path, subgraph_log: Any,
                                                                   tokens: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SIIR_GATEWAY_PROPAGATE_HEADERS", raising=False)
    app = build_app(supergraph_file.read_text(), verifier=tokens.verifier, limits=Limits())
    token = tokens("PARTNER", partner="900002")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway") as client:
        await client.post("/graphql", json={"query": "{ me { name } }"},
                          headers={"authorization": f"Bearer {token}", "x-request-id": "r1", "x-other": "no"})
    await app.state.gateway.client.aclose()
    (request,) = subgraph_log.requests()
    assert request["authorization"] == f"Bearer {token}"
    assert "x-other" not in request["headers"]
    # The request id is the gateway's own (validated, or made): it always goes along, for the logs.
    assert request["headers"]["x-request-id"] == "r1"


@pytest.mark.parametrize("header", ["X-Siir-Role", "x-user-id", "X-Forwarded-User", "x-role", "Cookie",
                                    "x-remote-user", "X-Auth-Request-Email"])
def test_identity_headers_cannot_be_configured_for_propagation(supergraph_file: Path, tokens: Any,
                                                               header: str) -> None:
    with pytest.raises(IdentityHeaderRefused):
        build_app(supergraph_file.read_text(), propagate_headers=["x-request-id", header],
                  verifier=tokens.verifier, limits=Limits())
