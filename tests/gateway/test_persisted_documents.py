"""Trusted documents: a portal's manifest registered with ``siir register-documents`` (the real
command), then a gateway process in production mode that executes those operations only, from Redis
(shared by replicas) or from a directory (no Redis)."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path
from typing import Any, Iterator

import httpx
import orjson
import pytest
import redis
from graphql import build_schema

from gw_redis import REDIS_URL, prefix  # noqa: F401 (a fixture)
from conftest import ROOT, gateway_env, start_gateway, stop
from gateway.persisted_documents import ManifestError, parse_manifest

GQL = "application/graphql-response+json"
TOP = "query Top { topProducts(first: 2) { upc name } }"
ME = "query Me { me { id } }"
TOP_DATA = {"data": {"topProducts": [{"upc": "1", "name": "Table"}, {"upc": "2", "name": "Couch"}]}}


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def manifest(*operations: dict[str, Any]) -> bytes:
    return orjson.dumps({"format": "apollo-persisted-query-manifest", "version": 1, "operations": list(operations)})


def entry(body: str, name: str, ident: str | None = None, kind: str = "query") -> dict[str, Any]:
    return {"id": ident or sha(body), "name": name, "type": kind, "body": body}


PORTAL = manifest(entry(TOP, "Top"), entry(ME, "Me", ident="portal-kabupaten~1.4.0~me"))


# -- the manifest's checks ----------------------------------------------------------------------

SCHEMA = build_schema("type Query { topProducts(first: Int): [Product!]! } type Product { upc: String! }")


@pytest.mark.parametrize("raw, where", [
    (b"{", "not JSON"),
    (orjson.dumps({"format": "other", "version": 1, "operations": []}), "format"),
    (orjson.dumps({"format": "apollo-persisted-query-manifest", "version": 2, "operations": []}), "version"),
    (manifest({**entry("{ topProducts { upc } }", None), "id": "0" * 64}), "operations[0].id: 000"),
    (manifest(entry("{ topProducts { upc } }", None, ident="../../etc/passwd")), "operations[0].id"),
    (manifest(entry("query A { topProducts { upc } }", "A", kind="mutation")), "operations[0].type"),
    (manifest(entry("query A { topProducts { upc } }", "B")), "operations[0].name"),
    (manifest(entry("query A { x } query B { y }", "A")), "operations[0].body: expected exactly one operation"),
    (manifest(entry("{ topProducts { upc } }", None), entry("query { topProducts { price } }", None)),
     "operations[1].body: Cannot query field 'price'"),
    (manifest(entry("{ topProducts { upc } }", None, ident="x"), entry("{ topProducts { upc } } ", None, ident="x")),
     "operations[1].id: x is given to two different bodies"),
])
def test_a_bad_manifest_is_refused_naming_the_entry_and_field(raw: bytes, where: str) -> None:
    with pytest.raises(ManifestError) as refused:
        parse_manifest(raw, SCHEMA)
    assert where in str(refused.value)


def test_a_good_manifest_gives_its_operations() -> None:
    operations = parse_manifest(manifest(entry("query T { topProducts { upc } }", "T")), SCHEMA)
    assert [(o.name, o.type) for o in operations] == [("T", "query")]


# -- registered through the command, served by a gateway in production mode ------------------------

def register(path: Path, env: dict[str, str], supergraph: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "siirctl", "register-documents", str(path), "--supergraph", str(supergraph)],
                          env=env, cwd=ROOT, capture_output=True, text=True, timeout=60)


@pytest.fixture(scope="module")
def trusted_gateway(supergraph_file: Path, tokens: Any, trusted_key_file: Path, prefix: str,
                    tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    env = gateway_env(tokens, trusted_key_file, SIIR_REDIS_URL=REDIS_URL, SIIR_REDIS_PREFIX=prefix,
                      SIIR_GATEWAY_PERSISTED_DOCUMENTS_ONLY="on")
    folder = tmp_path_factory.mktemp("manifest")
    (folder / "portal.json").write_bytes(PORTAL)
    done = register(folder / "portal.json", env, supergraph_file)
    assert done.returncode == 0, done.stderr
    assert "registered 2 operations" in done.stdout and prefix in done.stdout
    proc, url = start_gateway(supergraph_file, env, tmp_path_factory.mktemp("trusted"))
    yield url
    stop(proc)


def post(http: httpx.Client, url: str, token: str, body: dict[str, Any]) -> httpx.Response:
    return http.post(url, json=body, headers={"accept": GQL, "authorization": f"Bearer {token}"})


def code(response: httpx.Response) -> str:
    body = response.json()
    assert "data" not in body, body
    return body["errors"][0]["extensions"]["code"]


def test_registered_documents_run_by_document_id_and_by_apq_hash(trusted_gateway: str, tokens: Any,
                                                                 anonymous_http: httpx.Client) -> None:
    token = tokens("ANALYST", subject="portal-trusted")
    assert post(anonymous_http, trusted_gateway, token, {"documentId": f"sha256:{sha(TOP)}"}).json() == TOP_DATA
    assert post(anonymous_http, trusted_gateway, token,
                {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": sha(TOP)}}}).json() == TOP_DATA
    by_name = post(anonymous_http, trusted_gateway, token, {"documentId": "portal-kabupaten~1.4.0~me"})
    assert by_name.json()["data"]["me"]["id"]
    got = anonymous_http.get(trusted_gateway, params={"documentId": f"sha256:{sha(TOP)}"},
                             headers={"accept": GQL, "authorization": f"Bearer {token}"})
    assert got.json() == TOP_DATA


def test_free_text_and_unregistered_ids_are_refused_in_production_mode(trusted_gateway: str, tokens: Any,
                                                                       anonymous_http: httpx.Client) -> None:
    token = tokens("ANALYST", subject="portal-untrusted")
    free = post(anonymous_http, trusted_gateway, token, {"query": TOP})
    assert free.status_code == 400 and code(free) == "PERSISTED_QUERY_ID_REQUIRED"
    other = "query { topProducts(first: 3) { upc } }"
    assert code(post(anonymous_http, trusted_gateway, token, {"documentId": f"sha256:{sha(other)}"})) \
        == "PERSISTED_QUERY_NOT_FOUND"
    # An APQ registration does not register anything here: the hash stays unknown.
    apq = {"persistedQuery": {"version": 1, "sha256Hash": sha(other)}}
    assert code(post(anonymous_http, trusted_gateway, token, {"query": other, "extensions": apq})) \
        == "PERSISTED_QUERY_NOT_FOUND"
    assert code(post(anonymous_http, trusted_gateway, token, {"extensions": apq})) == "PERSISTED_QUERY_NOT_FOUND"


def test_a_manifest_invalid_against_the_supergraph_registers_nothing(supergraph_file: Path, tokens: Any,
                                                                    trusted_key_file: Path, prefix: str,
                                                                    tmp_path: Path) -> None:
    good, bad = "query Fine { topProducts { upc } }", "query Bad { topProducts { nope } }"
    (tmp_path / "bad.json").write_bytes(manifest(entry(good, "Fine"), entry(bad, "Bad")))
    env = gateway_env(tokens, trusted_key_file, SIIR_REDIS_URL=REDIS_URL, SIIR_REDIS_PREFIX=prefix)
    done = register(tmp_path / "bad.json", env, supergraph_file)
    assert done.returncode == 2
    assert "operations[1].body" in done.stderr and "nope" in done.stderr and "Traceback" not in done.stderr
    assert redis.Redis.from_url(REDIS_URL).get(f"{prefix}doc:{sha(good)}") is None


def test_without_redis_the_documents_live_in_a_directory(supergraph_file: Path, tokens: Any, trusted_key_file: Path,
                                                         tmp_path: Path, anonymous_http: httpx.Client) -> None:
    env = {k: v for k, v in gateway_env(tokens, trusted_key_file, SIIR_GATEWAY_PERSISTED_DOCUMENTS_ONLY="on",
                                        SIIR_PERSISTED_DOCUMENTS_DIR=str(tmp_path / "documents")).items()
           if k != "SIIR_REDIS_URL"}
    (tmp_path / "portal.json").write_bytes(PORTAL)
    done = register(tmp_path / "portal.json", env, supergraph_file)
    assert done.returncode == 0 and str(tmp_path / "documents") in done.stdout, done.stderr
    proc, url = start_gateway(supergraph_file, env, tmp_path)
    try:
        token = tokens("ANALYST", subject="portal-directory")
        assert post(anonymous_http, url, token, {"documentId": sha(TOP)}).json() == TOP_DATA
        assert code(post(anonymous_http, url, token, {"query": TOP})) == "PERSISTED_QUERY_ID_REQUIRED"
    finally:
        stop(proc)


def test_in_production_mode_an_unreadable_store_refuses_rather_than_runs_unchecked(
        supergraph_file: Path, tokens: Any, trusted_key_file: Path, tmp_path: Path,
        anonymous_http: httpx.Client) -> None:
    env = gateway_env(tokens, trusted_key_file, SIIR_REDIS_URL="redis://127.0.0.1:1/0",
                      SIIR_GATEWAY_PERSISTED_DOCUMENTS_ONLY="on")
    proc, url = start_gateway(supergraph_file, env, tmp_path)
    try:
        answer = post(anonymous_http, url, tokens("ANALYST", subject="portal-store-down"),
                      {"documentId": f"sha256:{sha(TOP)}"})
        assert answer.status_code == 503 and answer.headers["retry-after"] == "1"
        assert code(answer) == "PERSISTED_DOCUMENTS_UNAVAILABLE"
        assert "127.0.0.1:1" not in answer.text  # the reason is logged, not told to the client
    finally:
        stop(proc)
