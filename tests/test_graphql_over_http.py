"""GraphQL over HTTP (https://graphql.github.io/graphql-over-http/draft/) the same way at the gateway
and at a subgraph: the negotiated media type, 4xx for requests that are not GraphQL requests, 400
for request errors under application/graphql-response+json (200 under legacy JSON), and the same
status for the same refusal whichever service refused it (docs/errors.md)."""

from __future__ import annotations

import json

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from gateway.app import build_app
from gateway.limits import Limits

SUPERGRAPH = Path(__file__).resolve().parents[1] / "schema" / "supergraph.graphql"
GQL = "application/graphql-response+json"
JSON = "application/json"


@pytest.fixture()
async def services(registry_server: Any, tokens: Any) -> AsyncIterator[dict[str, httpx.AsyncClient]]:
    """The registry subgraph over real HTTP, and the gateway in front of it."""
    app = build_app(SUPERGRAPH.read_text(), subgraph_urls={"registry": registry_server.url + "/graphql"},
                    verifier=tokens.verifier, limits=Limits())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway") as gateway, \
            httpx.AsyncClient(base_url=registry_server.url, timeout=30) as registry:
        yield {"gateway": gateway, "registry": registry}
    await app.state.gateway.client.aclose()


SERVICES = ["gateway", "registry"]


async def _post(client: httpx.AsyncClient, tokens: Any, *, accept: str | None = GQL, role: tuple[str, ...] = ("MINISTRY",),
                **kwargs: Any) -> httpx.Response:
    headers = {**tokens.headers(*role), **({"accept": accept} if accept else {})}
    if "json" in kwargs or "content" in kwargs:
        headers.setdefault("content-type", JSON)
    return await client.post("/graphql", headers=headers, **kwargs)


@pytest.mark.parametrize("service", SERVICES)
@pytest.mark.parametrize("accept,media_type", [(GQL, GQL), (f"{GQL}, {JSON};q=0.9", GQL), (JSON, JSON),
                                               (None, JSON), ("*/*", JSON)])
async def test_the_response_media_type_is_negotiated(services: Any, tokens: Any, service: str, accept: str | None,
                                                     media_type: str) -> None:
    response = await _post(services[service], tokens, accept=accept, json={"query": "{ __typename }"})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type
    assert response.json() == {"data": {"__typename": "Query"}}


@pytest.mark.parametrize("service", SERVICES)
@pytest.mark.parametrize("query,code", [("{ regions(level: PROVINCE) { code }", "GRAPHQL_PARSE_FAILED"),
                                        ("{ regions(level: PROVINCE) { nodes { nothing } } }", "GRAPHQL_VALIDATION_FAILED")])
async def test_a_request_error_is_400_under_graphql_response_json_and_200_under_legacy_json(
        services: Any, tokens: Any, service: str, query: str, code: str) -> None:
    for accept, status in ((GQL, 400), (JSON, 200)):
        response = await _post(services[service], tokens, accept=accept, json={"query": query})
        body = response.json()
        assert (response.status_code, response.headers["content-type"].split(";")[0]) == (status, accept)
        assert "data" not in body and [e["extensions"]["code"] for e in body["errors"]] == [code], body


MALFORMED = {
    "not-json": {"content": b"{not json"},
    "variables-not-an-object": {"json": {"query": "{ __typename }", "variables": [1, 2]}},
    "extensions-not-an-object": {"json": {"query": "{ __typename }", "extensions": "yes"}},
    "query-not-a-string": {"json": {"query": 42}},
    "batch": {"json": [{"query": "{ __typename }"}, {"query": "{ __typename }"}]},
}


@pytest.mark.parametrize("service", SERVICES)
@pytest.mark.parametrize("case", MALFORMED, ids=MALFORMED.keys())
async def test_a_request_that_is_not_graphql_is_a_coded_400_under_both_media_types(
        services: Any, tokens: Any, service: str, case: str) -> None:
    for accept in (GQL, JSON):
        response = await _post(services[service], tokens, accept=accept, **MALFORMED[case])
        assert response.status_code == 400, (accept, response.text)
        assert response.headers["content-type"].split(";")[0] == accept
        body = response.json()
        assert "data" not in body and body["errors"][0]["extensions"]["code"] in ("BAD_REQUEST", "BATCHING_NOT_SUPPORTED")


async def test_the_same_refusal_has_the_same_status_whichever_service_refused(services: Any, tokens: Any) -> None:
    # The gateway refuses auditTrail to a facilitator before calling the registry (its @policy); the
    # registry refuses the same field itself when called directly. Same status, code, path, no data.
    query = {"query": "{ auditTrail(first: 1) { pageInfo { hasNextPage } } }"}
    answers = {}
    for service in SERVICES:
        for accept in (GQL, JSON):
            response = await _post(services[service], tokens, accept=accept, role=("FACILITATOR", "33.74"), json=query)
            body = response.json()
            answers[(service, accept)] = (response.status_code, json.dumps(body["data"]),
                                          tuple((e["extensions"]["code"], tuple(e["path"])) for e in body["errors"]))
    # auditTrail is refusable, so nullable: the refusal nulls it (partial results, docs/connections.md).
    assert set(answers.values()) == {(200, '{"auditTrail": null}', (("FORBIDDEN", ("auditTrail",)),))}, answers


@pytest.mark.parametrize("body,request_error", [
    ({"data": None, "errors": [{"message": "x", "extensions": {"code": "GRAPHQL_PARSE_FAILED"}}]}, True),
    ({"data": None, "errors": [{"message": "x", "path": ["a"], "extensions": {"code": "FORBIDDEN"}}]}, False),
    # The audit extension failing around execution has no path, but it is the service's failure.
    ({"data": None, "errors": [{"message": "x", "extensions": {"code": "INTERNAL_SERVER_ERROR"}}]}, False),
    ({"data": None, "errors": [{"message": "x", "extensions": {"code": "SERVICE_UNAVAILABLE", "retryAfter": 5}}]}, False),
    ({"data": {"a": 1}, "errors": [{"message": "x", "extensions": {"code": "BAD_USER_INPUT"}}]}, False),
])
def test_what_a_subgraph_answers_as_a_request_error(body: dict[str, Any], request_error: bool) -> None:
    from siir.graphql_http import is_request_error

    assert is_request_error(body) is request_error
