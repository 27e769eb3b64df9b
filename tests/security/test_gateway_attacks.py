"""The gateway's half of the attack suite: each case asserts the exact denial (HTTP status and
``extensions.code``) and that no subgraph was called.

Real processes over real HTTP: ``python -m gateway`` with its default limits (nothing
SIIR_GATEWAY_* set but a high rate limit, except in the rate-limit cases) in front of the
fixture subgraphs (tests/gateway/subgraphs), which record every request and header they get.
The registry's own checks (scope, masking, consent) are in test_registry_attacks.py.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from siir.auth.keys import SigningKey, key_id
from siir.auth.tokens import issue_token
from tests.gateway.conftest import (  # noqa: F401  (fixtures shared with the gateway suite)
    anonymous_http,
    gateway_env,
    guarded_gateway,
    guarded_supergraph_file,
    node_modules,
    start_gateway,
    stop,
    strict_gateway,
    subgraph_log,
    subgraphs_url,
    supergraph_file,
    trusted_key_file,
)

GQL = "application/graphql-response+json"
SIMPLE = "{ topProducts { upc name } }"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def post(client: httpx.Client, url: str, query: str, token: str | None = None, *,
         variables: dict[str, Any] | None = None, headers: dict[str, str] | None = None) -> httpx.Response:
    sent = {"accept": GQL, **(headers or {})}
    if token is not None:
        sent["authorization"] = f"Bearer {token}"
    return client.post(url, json={"query": query, "variables": variables or {}}, headers=sent)


def denial(response: httpx.Response, status: int, code: str) -> list[dict[str, Any]]:
    """Assert the exact denial: status, no data, every error with ``code``; returns the errors."""
    assert response.status_code == status, response.text[:500]
    body = response.json()
    assert "data" not in body, body
    assert body["errors"] and {e["extensions"]["code"] for e in body["errors"]} == {code}, body
    return body["errors"]


# -- identity: no token, bad tokens, forged headers -------------------------------------------

def _claims(tokens: Any, **overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {"sub": "mallory", "role": "MINISTRY", "iss": tokens.ISSUER, "aud": tokens.AUDIENCE,
              "iat": now, "exp": now + 600, **overrides}
    return {k: v for k, v in claims.items() if v is not None}


def _signed(tokens: Any, **overrides: Any) -> str:
    return jwt.encode(_claims(tokens, **overrides), tokens.key.private_key, algorithm="ES256",
                      headers={"kid": tokens.key.kid})


def _alg_none(tokens: Any) -> str:
    return b64(b'{"alg":"none","typ":"JWT"}') + "." + b64(json.dumps(_claims(tokens)).encode()) + "."


def _hs256_with_public_key(tokens: Any) -> str:
    pem = tokens.key.public_key.public_bytes(serialization.Encoding.PEM,
                                             serialization.PublicFormat.SubjectPublicKeyInfo)
    signing_input = (b64(json.dumps({"alg": "HS256", "kid": tokens.key.kid}).encode()) + "."
                     + b64(json.dumps(_claims(tokens)).encode()))
    return signing_input + "." + b64(hmac.new(pem, signing_input.encode(), hashlib.sha256).digest())


def _untrusted_key(tokens: Any) -> str:
    other = ec.generate_private_key(ec.SECP256R1())
    return jwt.encode(_claims(tokens), other, algorithm="ES256", headers={"kid": key_id(other.public_key())})


def _forged_under_trusted_kid(tokens: Any) -> str:
    return jwt.encode(_claims(tokens), ec.generate_private_key(ec.SECP256R1()), algorithm="ES256",
                      headers={"kid": tokens.key.kid})


def _expired(tokens: Any) -> str:
    return issue_token(tokens.key, subject="late", role="MINISTRY", issuer=tokens.ISSUER, audience=tokens.AUDIENCE,
                       now=int(time.time()) - 7200, lifetime=3600)


BAD_TOKENS = {
    "expired": _expired,
    "alg-none": _alg_none,
    "hs256-signed-with-the-public-key": _hs256_with_public_key,
    "wrong-audience": lambda t: _signed(t, aud="another-app"),
    "wrong-issuer": lambda t: _signed(t, iss="https://evil.example"),
    "untrusted-key": _untrusted_key,
    "forged-signature-under-a-trusted-kid": _forged_under_trusted_kid,
    "district-officer-with-a-province-region": lambda t: _signed(t, role="DISTRICT_OFFICER", region="33"),
    "unknown-role": lambda t: _signed(t, role="SUPERUSER"),
    "no-subject": lambda t: _signed(t, sub=None),
    "not-a-jwt": lambda t: "definitely-not-a-jwt",
}


@pytest.mark.parametrize("make", BAD_TOKENS.values(), ids=BAD_TOKENS.keys())
def test_a_bad_token_is_401_before_anything_else(make: Any, tokens: Any, strict_gateway: str,
                                                 anonymous_http: httpx.Client, subgraph_log: Any) -> None:
    response = post(anonymous_http, strict_gateway, SIMPLE, make(tokens))
    denial(response, 401, "UNAUTHENTICATED")
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert subgraph_log.requests() == []


@pytest.mark.parametrize("headers", [
    {},
    {"authorization": "Basic bWluaXN0cnk6cGFzcw=="},
    {"authorization": "Bearer"},
    {"x-siir-role": "MINISTRY", "x-siir-region": "33", "x-user-id": "admin"},
    {"x-forwarded-user": "admin", "x-remote-user": "admin", "x-role": "MINISTRY"},
], ids=["no-header", "basic-scheme", "empty-bearer", "forged-siir-headers-only", "forged-proxy-headers-only"])
def test_no_valid_bearer_token_is_401(headers: dict[str, str], strict_gateway: str, anonymous_http: httpx.Client,
                                      subgraph_log: Any) -> None:
    denial(post(anonymous_http, strict_gateway, SIMPLE, headers=headers), 401, "UNAUTHENTICATED")
    assert subgraph_log.requests() == []


def test_a_get_without_a_token_is_401(strict_gateway: str, anonymous_http: httpx.Client, subgraph_log: Any) -> None:
    response = anonymous_http.get(strict_gateway, params={"query": SIMPLE}, headers={"accept": GQL})
    denial(response, 401, "UNAUTHENTICATED")
    assert subgraph_log.requests() == []


def test_a_bad_token_is_refused_even_with_an_invalid_document(tokens: Any, strict_gateway: str,
                                                              anonymous_http: httpx.Client) -> None:
    # Authentication comes first: an anonymous caller learns nothing about the schema.
    denial(post(anonymous_http, strict_gateway, "{ nope }", _alg_none(tokens)), 401, "UNAUTHENTICATED")


def test_forged_identity_headers_reach_no_subgraph(tokens: Any, strict_gateway: str, anonymous_http: httpx.Client,
                                                   subgraph_log: Any) -> None:
    token = tokens("DISTRICT_OFFICER", "33.74", subject="dina")
    forged = {"x-siir-role": "MINISTRY", "x-siir-region": "", "x-user-id": "admin", "x-user-role": "MINISTRY",
              "x-forwarded-user": "admin", "x-role": "MINISTRY", "x-remote-user": "admin",
              "x-partner": "everyone", "cookie": "session=admin"}
    response = post(anonymous_http, strict_gateway, "{ me { name reviews { body } } }", token, headers=forged)
    assert response.status_code == 200 and "errors" not in response.json()
    requests = subgraph_log.requests()
    assert [r["subgraph"] for r in requests] == ["accounts", "reviews"]
    for request in requests:
        assert request["authorization"] == f"Bearer {token}"  # the caller's own, verified token
        assert not set(forged) & set(request["headers"]), request["headers"]


def test_the_health_check_stays_open(strict_gateway: str, anonymous_http: httpx.Client) -> None:
    base = strict_gateway.rsplit("/", 1)[0]
    assert anonymous_http.get(base + "/healthcheck").json() == {"status": "ok"}


# -- authorization directives: @authenticated, @requiresScopes, @policy --------------------------

# What each role reaches among the guarded root fields (gw_guarded.py): the gateway's policy.
REACH = {
    "MINISTRY": {"enterpriseCount", "enterprises", "auditTrail"},
    "PROVINCE_OFFICER": {"enterpriseCount", "enterprises"},
    "DISTRICT_OFFICER": {"enterpriseCount", "enterprises", "auditTrail", "notes"},
    "FACILITATOR": {"enterpriseCount", "enterprises", "notes"},
    "PARTNER": {"enterpriseCount", "enterprises"},
    "ANALYST": {"enterpriseCount"},
}
PROBES = {
    "enterpriseCount": "{ enterpriseCount }",
    "enterprises": "{ enterprises { id name nik owner { name phone } } }",
    "auditTrail": "{ auditTrail { id what } }",
    "notes": "{ enterprises { id notes } }",
    "exportAll": "{ exportAll }",
}
ROLE_TOKENS = {"MINISTRY": (None, None), "PROVINCE_OFFICER": ("33", None), "DISTRICT_OFFICER": ("33.74", None),
               "FACILITATOR": ("33.74", None), "PARTNER": (None, "900002"), "ANALYST": (None, None)}


@pytest.mark.parametrize("role", REACH)
def test_what_each_role_reaches_through_the_gateway(role: str, tokens: Any, guarded_gateway: str,
                                                    anonymous_http: httpx.Client, subgraph_log: Any) -> None:
    region, partner = ROLE_TOKENS[role]
    token = tokens(role, region, partner=partner)
    reached = set()
    for name, query in PROBES.items():
        subgraph_log.reset()
        response = post(anonymous_http, guarded_gateway, query, token)
        if "errors" not in response.json():
            assert response.status_code == 200
            reached.add(name)
        else:
            refused = {e["path"][-1] for e in refusal(response)}
            # Refused fields are null (non-null ones null the whole answer) and no subgraph is asked for them.
            assert not any((response.json()["data"] or {}).values())
            assert not any(field in _sent_fields(subgraph_log) for field in refused)
    assert reached == REACH[role]


def refusal(response: httpx.Response) -> list[dict[str, Any]]:
    """Assert a refusal of fields the role may not reach: answered as a subgraph answers its own
    (HTTP 200, each refused field null, FORBIDDEN field errors naming their paths); returns the errors."""
    assert response.status_code == 200, response.text[:500]
    body = response.json()
    assert "data" in body, body
    assert body["errors"] and {e["extensions"]["code"] for e in body["errors"]} == {"FORBIDDEN"}, body
    return body["errors"]


def _sent_fields(log: Any) -> str:
    """Every query text the fixture subgraphs received."""
    return " ".join(str(r) for r in log.requests())


def _forbidden_paths(response: httpx.Response) -> set[str]:
    return {".".join(e["path"]) for e in refusal(response)}


ANALYST_TRICKS = {
    "alias": ("{ total: enterpriseCount list: enterprises { id } }", {"list"}),
    "named-fragment": ("{ ...F } fragment F on Query { enterprises { id } }", {"enterprises"}),
    "inline-fragment": ("{ ... on Query { enterprises { id } } }", {"enterprises"}),
    "skipped-field": ("{ enterpriseCount enterprises @skip(if: true) { id } }", {"enterprises"}),
    "include-variable": ("query($no: Boolean = false) { enterprises @include(if: $no) { id } }", {"enterprises"}),
    # Fields under a refused field get no error of their own: they are never selected (only the null is).
    "single-lookup-and-type-policy": ('{ enterprise(id: "e1") { name owner { name } } }', {"enterprise"}),
    "fragment-spread-twice-aliased": ("{ a: enterprises { ...E } b: enterprises { ...E } } "
                                      "fragment E on Enterprise { nik }", {"a", "b"}),
}


@pytest.mark.parametrize("query,paths", ANALYST_TRICKS.values(), ids=ANALYST_TRICKS.keys())
def test_an_analyst_cannot_reach_record_level_data_by_any_trick(query: str, paths: set[str], tokens: Any,
                                                                guarded_gateway: str, anonymous_http: httpx.Client,
                                                                subgraph_log: Any) -> None:
    response = post(anonymous_http, guarded_gateway, query, tokens("ANALYST"))
    assert _forbidden_paths(response) == paths
    body = response.json()
    assert not any((body["data"] or {}).values()), body
    assert "nik" not in _sent_fields(subgraph_log) and "enterprises" not in _sent_fields(subgraph_log)


def test_a_refused_nullable_field_is_null_and_the_rest_of_the_answer_stands(tokens: Any, guarded_gateway: str,
                                                                            anonymous_http: httpx.Client,
                                                                            subgraph_log: Any) -> None:
    """As a subgraph answers a field its policy refuses: the field null with its error at its path,
    the allowed fields of the same operation (in both subgraphs) answered."""
    query = "{ enterpriseCount enterprises { name mentored visits } }"
    response = post(anonymous_http, guarded_gateway, query, tokens("PARTNER", partner="900002"))
    assert response.status_code == 200
    body = response.json()
    assert body["data"] == {"enterpriseCount": 2, "enterprises": [
        {"name": "Keripik Bu Sri", "mentored": True, "visits": None},
        {"name": "Batik Laras", "mentored": True, "visits": None}]}
    assert body["errors"] == [{"message": body["errors"][0]["message"], "path": ["enterprises", "visits"],
                               "extensions": {"code": "FORBIDDEN", "coordinate": "Enterprise.visits"}}]
    assert "visits" not in _sent_fields(subgraph_log) and "mentored" in _sent_fields(subgraph_log)
    allowed = post(anonymous_http, guarded_gateway, query, tokens("FACILITATOR", "33.74")).json()
    assert "errors" not in allowed and allowed["data"]["enterprises"][0]["visits"] == 3


def test_a_refused_field_under_fragments_and_variables_is_withheld_only_there(tokens: Any, guarded_gateway: str,
                                                                              anonymous_http: httpx.Client,
                                                                              subgraph_log: Any) -> None:
    """The same fragment spread at two paths; a variable only the refused field used; a selection
    left empty by the removal (``{ visits }``) answers an object whose field is null."""
    query = ("query($e: ID!, $s: Boolean!) { enterprise(id: $e) { ...V } enterprises { ...V id } } "
             "fragment V on Enterprise { visits @include(if: $s) }")
    response = post(anonymous_http, guarded_gateway, query, tokens("PARTNER", partner="900002"),
                    variables={"e": "e2", "s": True})
    body = response.json()
    assert body["data"] == {"enterprise": {"visits": None},
                            "enterprises": [{"visits": None, "id": "e1"}, {"visits": None, "id": "e2"}]}, body
    assert _forbidden_paths(response) == {"enterprise.visits", "enterprises.visits"}


def test_a_field_of_another_subgraph_reached_by_an_entity_jump_is_guarded(tokens: Any, guarded_gateway: str,
                                                                          anonymous_http: httpx.Client,
                                                                          subgraph_log: Any) -> None:
    response = post(anonymous_http, guarded_gateway, "{ enterprises { name mentored notes } }",
                    tokens("PARTNER", partner="900002"))
    assert _forbidden_paths(response) == {"enterprises.notes"}
    assert "FORBIDDEN" in response.text and "role:FACILITATOR" in response.text
    # notes is [String!]! in a [Enterprise!]! list: its null reaches the root, as GraphQL's propagation says.
    assert response.json()["data"] is None
    assert "notes" not in _sent_fields(subgraph_log)


def test_a_refused_non_null_root_field_nulls_the_answer_without_calling_a_subgraph(
        tokens: Any, guarded_gateway: str, anonymous_http: httpx.Client, subgraph_log: Any) -> None:
    response = post(anonymous_http, guarded_gateway, "{ enterpriseCount auditTrail { id } }",
                    tokens("FACILITATOR", "33.74"))
    assert _forbidden_paths(response) == {"auditTrail"}
    assert response.json()["data"] is None
    assert subgraph_log.requests() == []


def test_a_mutation_needing_another_role_never_runs(tokens: Any, guarded_gateway: str,
                                                    anonymous_http: httpx.Client, subgraph_log: Any) -> None:
    query = 'mutation { renameEnterprise(id: "e1", name: "pwned") { name } }'
    response = post(anonymous_http, guarded_gateway, query, tokens("FACILITATOR", "33.74"))
    assert _forbidden_paths(response) == {"renameEnterprise"}
    assert response.json()["data"] == {"renameEnterprise": None}
    assert subgraph_log.mutations() == []
    allowed = post(anonymous_http, guarded_gateway, query, tokens("DISTRICT_OFFICER", "33.74"))
    assert allowed.json() == {"data": {"renameEnterprise": {"name": "pwned"}}}


@pytest.mark.parametrize("role,scope,status", [
    ("MINISTRY", None, "refused"),
    ("MINISTRY", "export:read", 200),
    ("ANALYST", "export:read role:MINISTRY", "refused"),  # a scope claim cannot grant a role
    ("PROVINCE_OFFICER", "export:read", "refused"),
], ids=["ministry-without-scope", "ministry-with-scope", "analyst-claiming-a-role-scope", "officer-with-scope"])
def test_requires_scopes_needs_every_scope_of_a_group(role: str, scope: str | None, status: int | str, tokens: Any,
                                                      guarded_gateway: str, anonymous_http: httpx.Client,
                                                      subgraph_log: Any) -> None:
    token = issue_token(tokens.key, subject="s", role=role, region="33" if role == "PROVINCE_OFFICER" else None,
                        scope=scope, issuer=tokens.ISSUER, audience=tokens.AUDIENCE)
    response = post(anonymous_http, guarded_gateway, "{ exportAll }", token)
    if status == 200:
        assert response.status_code == 200 and response.json()["data"]["exportAll"].startswith("id,name")
    else:
        assert _forbidden_paths(response) == {"exportAll"}
        assert subgraph_log.requests() == []


# -- abuse limits (the defaults, no SIIR_GATEWAY_* set) ----------------------------------------

def _nested(depth: int) -> str:
    # me(1) reviews(2) product(3) reviews(4) product(5) ... name at the bottom.
    levels = ["me", "reviews", "product", "reviews", "product", "reviews", "product", "reviews"]
    inner = "upc" if levels[depth - 2] in ("product",) else "body" if levels[depth - 2] == "reviews" else "name"
    query = inner
    for level in reversed(levels[: depth - 1]):
        query = f"{level} {{ {query} }}"
    return "{ " + query + " }"


@pytest.mark.parametrize("query,code", [
    (_nested(7), "MAX_DEPTH_EXCEEDED"),
    ("{ " + " ".join(f"a{i}: me {{ id }}" for i in range(16)) + " }", "MAX_ALIASES_EXCEEDED"),
    ("{ me { " + " ".join(["id"] * 1001) + " } }", "MAX_TOKENS_EXCEEDED"),
    ("{ me { " + " ".join(["id @include(if: true)"] * 51) + " } }", "MAX_DIRECTIVES_EXCEEDED"),
    ("{ topProducts(first: 1000) { reviews { author { name } } } }", "COST_LIMIT_EXCEEDED"),
    ("{ " + " ".join(f"a{i}: topProducts {{ reviews {{ author {{ reviews {{ author {{ name }} }} }} }} }}"
                     for i in range(12)) + " }", "COST_LIMIT_EXCEEDED"),
    ("{ me { ...F0 } } " + " ".join(f"fragment F{i} on User {{ ...F{i + 1} ...F{i + 1} }}" for i in range(40))
     + " fragment F40 on User { id }", "COST_LIMIT_EXCEEDED"),
    ("{ __schema { types { name } } }", "INTROSPECTION_DISABLED"),
    ('{ me { id } ...T } fragment T on Query { __type(name: "User") { fields { name } } }', "INTROSPECTION_DISABLED"),
], ids=["depth-7", "16-aliases", "1001-tokens", "51-directives", "cost-from-a-page-size",
        "cost-from-aliased-nested-lists", "fragment-spread-explosion", "introspection-schema", "introspection-type-in-a-fragment"])
def test_each_default_limit_bites_before_any_subgraph_call(query: str, code: str, tokens: Any, strict_gateway: str,
                                                           anonymous_http: httpx.Client, subgraph_log: Any) -> None:
    errors = denial(post(anonymous_http, strict_gateway, query, tokens("MINISTRY")), 400, code)
    assert errors[0]["message"]
    assert subgraph_log.requests() == []


@pytest.mark.parametrize("query", [
    _nested(6),
    "{ " + " ".join(f"a{i}: me {{ id }}" for i in range(15)) + " }",
    "{ __typename me { __typename id } }",
    "{ topProducts(first: 4) { reviews { author { name } } } }",
], ids=["depth-6", "15-aliases", "typename-is-not-introspection", "cost-within-limits"])
def test_operations_at_the_limits_are_served(query: str, tokens: Any, strict_gateway: str,
                                             anonymous_http: httpx.Client) -> None:
    response = post(anonymous_http, strict_gateway, query, tokens("MINISTRY"))
    assert response.status_code == 200 and "errors" not in response.json(), response.text[:300]


def test_a_page_size_from_a_variable_is_costed_per_request(tokens: Any, strict_gateway: str,
                                                           anonymous_http: httpx.Client, subgraph_log: Any) -> None:
    query = "query($n: Int) { topProducts(first: $n) { reviews { author { name } } } }"
    token = tokens("MINISTRY")
    denial(post(anonymous_http, strict_gateway, query, token, variables={"n": 100000}), 400, "COST_LIMIT_EXCEEDED")
    assert subgraph_log.requests() == []
    served = post(anonymous_http, strict_gateway, query, token, variables={"n": 2})
    assert served.status_code == 200 and len(served.json()["data"]["topProducts"]) == 2


def test_field_suggestions_are_hidden(tokens: Any, strict_gateway: str, anonymous_http: httpx.Client) -> None:
    errors = denial(post(anonymous_http, strict_gateway, "{ topProduct { upc } }", tokens("MINISTRY")), 400,
                    "GRAPHQL_VALIDATION_FAILED")
    assert errors[0]["message"] == "Cannot query field 'topProduct' on type 'Query'."


def test_a_body_over_the_limit_is_413(tokens: Any, strict_gateway: str, anonymous_http: httpx.Client,
                                      subgraph_log: Any) -> None:
    padding = "x" * 300_000  # default limit: 262,144 bytes
    response = post(anonymous_http, strict_gateway, SIMPLE, tokens("MINISTRY"), variables={"pad": padding})
    denial(response, 413, "REQUEST_TOO_LARGE")
    assert subgraph_log.requests() == []


def test_batched_requests_are_refused(tokens: Any, strict_gateway: str, anonymous_http: httpx.Client,
                                      subgraph_log: Any) -> None:
    response = anonymous_http.post(strict_gateway, json=[{"query": SIMPLE}, {"query": SIMPLE}],
                                   headers={"accept": GQL, **tokens.headers("MINISTRY")})
    errors = denial(response, 400, "BATCHING_NOT_SUPPORTED")
    assert "one operation per request" in errors[0]["message"]
    assert subgraph_log.requests() == []


@pytest.fixture(scope="module")
def throttled_gateway(supergraph_file: Path, tokens: Any, trusted_key_file: Path,
                      tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    env = gateway_env(tokens, trusted_key_file, SIIR_GATEWAY_RATE_LIMIT="0.5", SIIR_GATEWAY_RATE_BURST="3")
    proc, url = start_gateway(supergraph_file, env, tmp_path_factory.mktemp("throttled"))
    yield url
    stop(proc)


def test_a_subject_over_its_rate_is_429_and_others_are_not(tokens: Any, throttled_gateway: str,
                                                           anonymous_http: httpx.Client, subgraph_log: Any) -> None:
    greedy = tokens("PARTNER", partner="900002", subject="greedy")
    statuses = [post(anonymous_http, throttled_gateway, SIMPLE, greedy).status_code for _ in range(3)]
    assert statuses == [200, 200, 200]  # the burst
    subgraph_log.reset()
    response = post(anonymous_http, throttled_gateway, SIMPLE, greedy)
    denial(response, 429, "RATE_LIMITED")
    assert int(response.headers["retry-after"]) >= 1
    assert subgraph_log.requests() == []
    # A new token for the same subject shares the bucket; another subject has its own.
    again = tokens("PARTNER", partner="900002", subject="greedy", lifetime=7200)
    denial(post(anonymous_http, throttled_gateway, SIMPLE, again), 429, "RATE_LIMITED")
    assert post(anonymous_http, throttled_gateway, SIMPLE, tokens("MINISTRY", subject="other")).status_code == 200


def test_legacy_json_clients_get_the_same_refusal_with_the_specs_200(tokens: Any, strict_gateway: str,
                                                                     anonymous_http: httpx.Client,
                                                                     subgraph_log: Any) -> None:
    # GraphQL over HTTP: application/json answers a refused (well-formed) document with 200;
    # the refusal itself is the same, and authentication keeps its 401.
    legacy = {"accept": "application/json"}
    response = post(anonymous_http, strict_gateway, _nested(7), tokens("MINISTRY"), headers=legacy)
    denial(response, 200, "MAX_DEPTH_EXCEEDED")
    denial(post(anonymous_http, strict_gateway, SIMPLE, "x.y.z", headers=legacy), 401, "UNAUTHENTICATED")
    assert subgraph_log.requests() == []


def test_a_get_is_limited_like_a_post(tokens: Any, strict_gateway: str, anonymous_http: httpx.Client,
                                      subgraph_log: Any) -> None:
    response = anonymous_http.get(strict_gateway, params={"query": "{ __schema { queryType { name } } }"},
                                  headers={"accept": GQL, **tokens.headers("MINISTRY")})
    denial(response, 400, "INTROSPECTION_DISABLED")
    assert subgraph_log.requests() == []


@pytest.fixture(scope="module")
def default_gateway(supergraph_file: Path, tokens: Any, trusted_key_file: Path,
                    tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Nothing SIIR_GATEWAY_* set at all: the default rate limit too (50/s, bursts of 100)."""
    proc, url = start_gateway(supergraph_file, gateway_env(tokens, trusted_key_file),
                              tmp_path_factory.mktemp("defaults"))
    yield url
    stop(proc)


def test_the_default_rate_limit_bites_after_a_burst_of_100(tokens: Any, default_gateway: str,
                                                          anonymous_http: httpx.Client) -> None:
    token = tokens("ANALYST", subject="scraper")
    statuses = []
    for _ in range(1000):  # as fast as one connection goes; the bucket refills 50 a second
        statuses.append(post(anonymous_http, default_gateway, "{ __typename }", token).status_code)
        if statuses[-1] == 429:
            break
    assert statuses[:100] == [200] * 100
    assert statuses[-1] == 429, f"no 429 after {len(statuses)} requests"
