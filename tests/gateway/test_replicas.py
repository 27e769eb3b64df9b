"""Two gateway replicas (real processes, real HTTP) sharing the real Redis at 127.0.0.1:6379:
one rate limit per caller across both, and one APQ cache (a query registered through one replica
is found through the other). Keys live under a prefix of this run's own, deleted afterwards."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path
from typing import Any, Iterator

import httpx
import orjson
import pytest

from gw_redis import REDIS_URL, prefix  # noqa: F401 (a fixture)
from conftest import gateway_env, start_gateway, stop

GQL = "application/graphql-response+json"
#: 20 requests in any 200 seconds: the test's bursts never see the window move.
RATE = {"SIIR_GATEWAY_RATE_LIMIT": "0.1", "SIIR_GATEWAY_RATE_BURST": "20"}
QUERY = "query Top { topProducts(first: 2) { upc name } }"


@pytest.fixture(scope="module")
def replicas(supergraph_file: Path, tokens: Any, trusted_key_file: Path, prefix: str,
             tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    env = gateway_env(tokens, trusted_key_file, SIIR_REDIS_URL=REDIS_URL, SIIR_REDIS_PREFIX=prefix, **RATE)
    first = start_gateway(supergraph_file, env, tmp_path_factory.mktemp("replica-a"))
    try:
        second = start_gateway(supergraph_file, env, tmp_path_factory.mktemp("replica-b"))
    except Exception:
        stop(first[0])
        raise
    yield first[1], second[1]
    stop(first[0])
    stop(second[0])


def post(http: httpx.Client, url: str, token: str, body: dict[str, Any]) -> httpx.Response:
    return http.post(url, json=body, headers={"accept": GQL, "authorization": f"Bearer {token}"})


def test_the_rate_limit_is_one_for_both_replicas(replicas: tuple[str, str], tokens: Any,
                                                 anonymous_http: httpx.Client) -> None:
    token = tokens("ANALYST", subject=f"scraper-{uuid.uuid4().hex[:6]}")
    # Alternating: each replica sees 13 requests, under its own burst of 20; together they pass it.
    answers = [post(anonymous_http, replicas[i % 2], token, {"query": "{ __typename }"}) for i in range(26)]
    assert [a.status_code for a in answers] == [200] * 20 + [429] * 6
    for refused in answers[20:]:
        assert refused.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
        assert int(refused.headers["retry-after"]) >= 1
    # Both replicas refuse, and another caller is not affected.
    assert {a.url.port for a in answers[20:]} == {httpx.URL(u).port for u in replicas}
    assert post(anonymous_http, replicas[0], tokens("ANALYST", subject="someone-else"),
                {"query": "{ __typename }"}).status_code == 200


def persisted(sha: str) -> dict[str, Any]:
    return {"persistedQuery": {"version": 1, "sha256Hash": sha}}


def test_a_query_registered_through_one_replica_is_found_through_the_other(
        replicas: tuple[str, str], tokens: Any, anonymous_http: httpx.Client) -> None:
    token = tokens("ANALYST", subject="portal-apq")
    query = f"query Top {{ topProducts(first: 2) {{ upc name }} }} # {uuid.uuid4().hex}"  # new to the cache
    sha = hashlib.sha256(query.encode()).hexdigest()

    miss = post(anonymous_http, replicas[0], token, {"extensions": persisted(sha)})
    assert miss.status_code == 400 and "data" not in miss.json()
    assert miss.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"

    registered = post(anonymous_http, replicas[0], token, {"query": query, "extensions": persisted(sha)})
    expected = {"data": {"topProducts": [{"upc": "1", "name": "Table"}, {"upc": "2", "name": "Couch"}]}}
    assert registered.json() == expected

    # The other replica, by hash alone: POST, and GET as Apollo's clients send it.
    assert post(anonymous_http, replicas[1], token, {"extensions": persisted(sha)}).json() == expected
    got = anonymous_http.get(replicas[1], params={"extensions": orjson.dumps(persisted(sha)).decode()},
                             headers={"accept": GQL, "authorization": f"Bearer {token}"})
    assert got.status_code == 200 and got.json() == expected


def test_a_hash_that_is_not_the_query_s_is_refused_and_nothing_is_cached(
        replicas: tuple[str, str], tokens: Any, anonymous_http: httpx.Client) -> None:
    token = tokens("ANALYST", subject="portal-apq-bad")
    forged = hashlib.sha256(b"query { somethingElse }").hexdigest()
    answer = post(anonymous_http, replicas[0], token, {"query": QUERY, "extensions": persisted(forged)})
    assert answer.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_HASH_MISMATCH"
    assert "data" not in answer.json()
    later = post(anonymous_http, replicas[1], token, {"extensions": persisted(forged)})
    assert later.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"


@pytest.mark.parametrize("extensions, field", [
    ({"persistedQuery": {"version": 2, "sha256Hash": "0" * 64}}, "extensions.persistedQuery.version"),
    ({"persistedQuery": {"version": 1, "sha256Hash": "xyz"}}, "extensions.persistedQuery.sha256Hash"),
    ({"persistedQuery": "abc"}, "extensions.persistedQuery"),
    ("not an object", "extensions"),
])
def test_a_malformed_persisted_query_answers_a_coded_error_naming_the_field(
        replicas: tuple[str, str], tokens: Any, anonymous_http: httpx.Client, extensions: Any, field: str) -> None:
    answer = post(anonymous_http, replicas[0], tokens("ANALYST", subject="portal-malformed"),
                  {"extensions": extensions})
    assert answer.status_code == 400
    error = answer.json()["errors"][0]
    assert error["extensions"] == {"code": "BAD_REQUEST", "field": field}


def test_only_a_query_that_passes_validation_is_cached(replicas: tuple[str, str], tokens: Any,
                                                       anonymous_http: httpx.Client) -> None:
    token = tokens("ANALYST", subject="portal-apq-invalid")
    invalid = f"query {{ topProducts {{ nope }} }} # {uuid.uuid4().hex}"
    sha = hashlib.sha256(invalid.encode()).hexdigest()
    answer = post(anonymous_http, replicas[0], token, {"query": invalid, "extensions": persisted(sha)})
    assert answer.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    for replica in replicas:
        again = post(anonymous_http, replica, token, {"extensions": persisted(sha)})
        assert again.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"


def test_with_redis_down_a_replica_still_serves_limits_and_caches_on_its_own(
        supergraph_file: Path, tokens: Any, trusted_key_file: Path, tmp_path: Path,
        anonymous_http: httpx.Client) -> None:
    """Fail-open by design (gateway/rate_limit.py): the limit and APQ hold per replica, with a warning."""
    env = gateway_env(tokens, trusted_key_file, SIIR_REDIS_URL="redis://127.0.0.1:1/0", **RATE)
    proc, url = start_gateway(supergraph_file, env, tmp_path)
    try:
        token = tokens("ANALYST", subject="redis-down")
        sha = hashlib.sha256(QUERY.encode()).hexdigest()
        first = post(anonymous_http, url, token, {"query": QUERY, "extensions": persisted(sha)})
        assert first.json()["data"]["topProducts"][0]["upc"] == "1"
        assert post(anonymous_http, url, token, {"extensions": persisted(sha)}).json() == first.json()
        statuses = [post(anonymous_http, url, token, {"query": "{ __typename }"}).status_code for _ in range(20)]
        assert statuses == [200] * 18 + [429] * 2  # 20 in the window, two of them the APQ requests
    finally:
        stop(proc)
    assert "Redis unreachable" in (tmp_path / "gateway.log").read_text()
