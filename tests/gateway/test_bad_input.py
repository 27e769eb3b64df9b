"""Bad input: a spec-conformant error response with the right status, never a 500, and
never a subgraph call."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

GQL = "application/graphql-response+json"
JSON_CT = {"content-type": "application/json"}

# (id, method, headers, body, query params, expected status)
CASES: list[tuple[str, str, dict[str, str], bytes | None, dict[str, str] | None, int]] = [
    ("syntax-error", "POST", {**JSON_CT, "accept": GQL}, b'{"query": "{ topProducts { upc }"}', None, 400),
    ("syntax-error-legacy-json", "POST", {**JSON_CT, "accept": "application/json"}, b'{"query": "{ topProducts {"}', None, 200),
    ("unknown-field", "POST", {**JSON_CT, "accept": GQL}, b'{"query": "{ topProducts { nope } }"}', None, 400),
    ("inaccessible-field", "POST", {**JSON_CT, "accept": GQL}, b'{"query": "{ topProducts { secret } }"}', None, 400),
    ("missing-variable", "POST", {**JSON_CT, "accept": GQL},
     b'{"query": "query($u: String!) { product(upc: $u) { upc } }"}', None, 400),
    ("wrong-variable-type", "POST", {**JSON_CT, "accept": GQL},
     b'{"query": "query($u: String!) { product(upc: $u) { upc } }", "variables": {"u": 5}}', None, 400),
    ("wrong-nested-input", "POST", {**JSON_CT, "accept": GQL},
     b'{"query": "query($f: ProductFilter!) { productsByFilter(filter: $f) { upc } }", '
     b'"variables": {"f": {"range": {"min": "x"}}}}', None, 400),
    ("unknown-operation-name", "POST", {**JSON_CT, "accept": GQL},
     b'{"query": "query A { me { id } }", "operationName": "B"}', None, 400),
    ("ambiguous-operation", "POST", {**JSON_CT, "accept": GQL},
     b'{"query": "query A { me { id } } query B { me { id } }"}', None, 400),
    ("non-json-body", "POST", {**JSON_CT, "accept": GQL}, b"not json", None, 400),
    ("non-json-body-legacy", "POST", {**JSON_CT, "accept": "application/json"}, b"not json", None, 400),
    ("body-not-object", "POST", {**JSON_CT, "accept": GQL}, b"[1, 2]", None, 400),
    ("no-query", "POST", {**JSON_CT, "accept": GQL}, b'{"variables": {}}', None, 400),
    ("variables-not-object", "POST", {**JSON_CT, "accept": GQL}, b'{"query": "{ me { id } }", "variables": [1]}', None, 400),
    ("wrong-content-type", "POST", {"content-type": "text/plain", "accept": GQL}, b'{"query": "{ me { id } }"}', None, 415),
    ("get-mutation", "GET", {"accept": GQL}, None, {"query": 'mutation { setName(id: "u1", name: "x") { id } }'}, 405),
    ("get-bad-variables-json", "GET", {"accept": GQL}, None,
     {"query": "query($u: String!) { product(upc: $u) { upc } }", "variables": "{bad"}, 400),
    ("put", "PUT", {**JSON_CT, "accept": GQL}, b'{"query": "{ me { id } }"}', None, 405),
    ("subscription", "POST", {**JSON_CT, "accept": GQL}, b'{"query": "subscription { me { id } }"}', None, 400),
]


@pytest.mark.parametrize("name,method,headers,body,params,status", CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_refused_without_subgraph_calls(
    name: str, method: str, headers: dict[str, str], body: bytes | None, params: dict[str, str] | None,
    status: int, our_gateway: str, http: httpx.Client, subgraph_log: Any,
) -> None:
    response = http.request(method, our_gateway, headers=headers, content=body, params=params)
    assert response.status_code == status, response.text
    payload = response.json()
    assert "data" not in payload
    assert payload["errors"] and all(isinstance(e["message"], str) and e["message"] for e in payload["errors"])
    assert all("code" in e.get("extensions", {}) for e in payload["errors"])
    if status == 405:
        assert response.headers["allow"] in ("POST", "GET, POST")
    assert subgraph_log.requests() == []


def test_bad_input_statuses_match_hive_where_both_follow_the_spec(
    our_gateway: str, hive_gateway: str, http: httpx.Client,
) -> None:
    # Hive answers 500 to bad variables JSON in a GET and has no body for 415; others agree.
    skip = {"get-bad-variables-json", "subscription", "wrong-content-type"}
    for name, method, headers, body, params, _ in CASES:
        if name in skip:
            continue
        ours = http.request(method, our_gateway, headers=headers, content=body, params=params)
        hive = http.request(method, hive_gateway, headers=headers, content=body, params=params)
        assert ours.status_code == hive.status_code, name


def test_absurdly_deep_operations_are_refused_cleanly(our_gateway: str, http: httpx.Client, subgraph_log: Any) -> None:
    depth = 400
    query = "{ latestReviews { " + "product { reviews { " * depth + "body" + " } }" * depth + " } }"
    response = http.post(our_gateway, json={"query": query}, headers={"accept": GQL})
    assert response.status_code == 400, response.text[:300]
    assert "data" not in response.json()
    assert subgraph_log.requests() == []
