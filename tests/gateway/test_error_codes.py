"""Every error a client receives is coded from one documented list (docs/errors.md), classified by
what failed rather than by its message, and an outage is SERVICE_UNAVAILABLE with a retry hint and
without a host or port: a subgraph that is down (through the gateway) and a database that goes away
under a running subgraph (a real PostgreSQL behind a TCP relay the test cuts)."""

from __future__ import annotations

import ast
import re
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from gateway.app import build_app
from gateway.limits import Limits
from tests.conftest import ServerThread, free_port

ROOT = Path(__file__).resolve().parents[2]
SUPERGRAPH = ROOT / "schema" / "supergraph.graphql"
CODE = re.compile(r"[A-Z][A-Z_]*[A-Z]")
#: Calls whose string arguments are error codes (RequestError.of, LimitExceeded, siir.graphql's _coded).
CODE_CALLS = {"of", "LimitExceeded", "_coded"}


def documented_codes() -> set[str]:
    """The codes of docs/errors.md's table (its first column)."""
    text = (ROOT / "docs" / "errors.md").read_text()
    return set(re.findall(r"^\| `([A-Z_]+)` \|", text, re.MULTILINE))


def _constants(node: ast.AST) -> set[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and CODE.fullmatch(node.value):
        return {node.value}
    if isinstance(node, ast.IfExp):
        return _constants(node.body) | _constants(node.orelse)
    return set()


def emitted_codes() -> dict[str, set[str]]:
    """Every error code written in the services' code (gateway/, siir/, services/): what a class's
    ``code =`` says, ``code=`` arguments, ``{"code": …}`` entries and ``…["code"] = …``, and the code
    arguments of the calls that take one; by code, the files that emit it."""
    found: dict[str, set[str]] = {}
    for folder in ("gateway", "siir", "services"):
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                codes: set[str] = set()
                if isinstance(node, ast.Assign):
                    for target in node.targets:
                        if isinstance(target, ast.Name) and target.id == "code" or \
                                isinstance(target, ast.Subscript) and isinstance(target.slice, ast.Constant) \
                                and target.slice.value == "code":
                            codes |= _constants(node.value)
                elif isinstance(node, ast.keyword) and node.arg == "code":
                    codes |= _constants(node.value)
                elif isinstance(node, ast.Dict):
                    for key, value in zip(node.keys, node.values):
                        if isinstance(key, ast.Constant) and key.value == "code":
                            codes |= _constants(value)
                elif isinstance(node, ast.Call):
                    name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
                    if name in CODE_CALLS:
                        for argument in node.args:
                            codes |= _constants(argument)
                for code in codes:
                    found.setdefault(code, set()).add(str(path.relative_to(ROOT)))
    return found


def test_every_code_the_code_base_emits_is_documented_and_every_documented_code_is_emitted() -> None:
    emitted, documented = emitted_codes(), documented_codes()
    assert len(documented) >= 20
    undocumented = {code: sorted(files) for code, files in emitted.items() if code not in documented}
    assert undocumented == {}, f"emitted but not in docs/errors.md: {undocumented}"
    assert documented - set(emitted) == set(), "documented but emitted nowhere"


def test_the_scan_sees_each_way_a_code_is_written() -> None:
    # If the scan missed a form, the check above could pass with an undocumented code.
    emitted = emitted_codes()
    assert "gateway/limits.py" in emitted["MAX_DEPTH_EXCEEDED"]  # LimitExceeded("…")
    assert "gateway/app.py" in emitted["RATE_LIMITED"]  # RequestError.of(…, "…")
    assert "siir/errors.py" in emitted["CONFLICT"]  # class attribute
    assert "gateway/executor.py" in emitted["GATEWAY_TIMEOUT"]  # {"code": …}
    assert "gateway/executor.py" in emitted["DOWNSTREAM_SERVICE_ERROR"]  # extensions["code"] = …
    assert "siir/graphql.py" in emitted["GRAPHQL_VALIDATION_FAILED"]  # _coded(…, "…")


INTERNAL_TEXT = re.compile(r"127\.0\.0\.1|localhost|:\d{4,5}\b|Traceback|object at 0x|postgresql|asyncpg|SELECT ")


def _no_internal_text(body: str) -> None:
    assert not INTERNAL_TEXT.search(body), body


async def test_a_subgraph_that_is_down_is_service_unavailable_with_a_retry_hint(tokens: Any) -> None:
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    app = build_app(SUPERGRAPH.read_text(), verifier=tokens.verifier, limits=Limits(),
                    subgraph_urls={"registry": f"http://127.0.0.1:{closed}/graphql",
                                   "reporting": f"http://127.0.0.1:{closed}/graphql"})
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway",
                                 headers=tokens.headers("MINISTRY")) as gateway:
        response = await gateway.post("/graphql", json={"query": "{ regions(level: PROVINCE) { nodes { code } } }"})
    await app.state.gateway.client.aclose()
    body = response.json()
    assert response.status_code == 200, response.text
    assert [e["extensions"]["code"] for e in body["errors"]] == ["SERVICE_UNAVAILABLE"]
    assert body["errors"][0]["extensions"]["retryAfter"] >= 1
    assert response.headers["retry-after"] == str(body["errors"][0]["extensions"]["retryAfter"])
    assert str(closed) not in response.text
    _no_internal_text(response.text)


class Relay:
    """A TCP relay to PostgreSQL that the test can cut, as a database restart or outage would."""

    def __init__(self, upstream: tuple[str, int] | str) -> None:
        self.upstream = upstream  # (host, port), or a Unix socket path
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if isinstance(self.upstream, str):
                server = socket.socket(socket.AF_UNIX)
                server.connect(self.upstream)
            else:
                server = socket.create_connection(self.upstream)
            with self.lock:
                self.sockets += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, target):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def cut(self) -> None:
        """Refuse new connections and break the open ones."""
        try:
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked in accept()
        except OSError:
            pass
        self.listener.close()
        with self.lock:
            for s in self.sockets:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()


@pytest.fixture()
def relayed_registry(database_url: str, tokens: Any) -> Iterator[tuple[str, Relay]]:
    from sqlalchemy.engine import make_url

    from services.registry.app import build_app as build_registry
    from siir.database import asyncpg_dsn

    dsn = asyncpg_dsn(database_url)
    port = int(dsn.get("port") or 5432)  # type: ignore[call-overload]
    host = str(dsn["host"])
    relay = Relay(f"{host}/.s.PGSQL.{port}" if host.startswith("/") else (host, port))
    parsed = make_url(database_url).difference_update_query(["host"])
    url = parsed.set(host="127.0.0.1", port=relay.port).render_as_string(hide_password=False)
    with ServerThread(build_registry(url, verifier=tokens.verifier)) as server:
        yield server.url + "/graphql", relay
    relay.cut()


def test_a_database_that_goes_away_is_service_unavailable_not_an_internal_error(
        relayed_registry: tuple[str, Relay], tokens: Any) -> None:
    url, relay = relayed_registry
    query = {"query": '{ homeIndustries(filter: { regionCode: "33.74" }, first: 1) { totalCount } }'}
    with httpx.Client(timeout=30, headers=tokens.headers("DISTRICT_OFFICER", "33.74")) as client:
        assert "errors" not in client.post(url, json=query).json()
        relay.cut()
        for _ in range(2):  # the broken pooled connection, then a refused new one
            response = client.post(url, json=query)
            body = response.json()
            assert response.status_code == 200, response.text
            assert {e["extensions"]["code"] for e in body.get("errors", ())} == {"SERVICE_UNAVAILABLE"}, body
            assert body["errors"][0]["extensions"]["retryAfter"] >= 1
            assert int(response.headers["retry-after"]) >= 1
            assert str(relay.port) not in response.text
            _no_internal_text(response.text)


@pytest.mark.parametrize("query,variables,code", [
    ("{ regions(level: PROVINCE) { code }", None, "GRAPHQL_PARSE_FAILED"),
    ("{ regions(level: PROVINCE) { nodes { nope } } }", None, "GRAPHQL_VALIDATION_FAILED"),
    # A validation error whose message starts "Variable …": validation, not the caller's input.
    ("query($unused: Int) { regions(level: PROVINCE) { nodes { code } } }", None, "GRAPHQL_VALIDATION_FAILED"),
    ("query($level: RegionLevel!) { regions(level: $level) { nodes { code } } }", {"level": "PLANET"}, "BAD_USER_INPUT"),
], ids=["syntax", "unknown-field", "unused-variable", "bad-variable"])
def test_a_subgraph_codes_request_errors_by_what_failed(query: str, variables: Any, code: str,
                                                        registry_server: Any, tokens: Any) -> None:
    response = httpx.post(registry_server.url + "/graphql", json={"query": query, "variables": variables},
                          headers={**tokens.headers("MINISTRY"), "accept": "application/graphql-response+json"})
    body = response.json()
    assert [e["extensions"]["code"] for e in body.get("errors", ())] == [code], (response.status_code, body)
    assert response.status_code == 400 and "data" not in body


async def test_the_gateway_tells_a_document_too_long_from_one_that_does_not_parse(tokens: Any) -> None:
    app = build_app(SUPERGRAPH.read_text(), verifier=tokens.verifier, limits=Limits(max_tokens=20))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway",
                                 headers=tokens.headers("MINISTRY")) as gateway:
        long = await gateway.post("/graphql", json={"query": "{ " + "a " * 30 + "}"})
        broken = await gateway.post("/graphql", json={"query": "{ a b"})
        # Comments count towards the limit, as graphql-core counts them.
        commented = await gateway.post("/graphql", json={"query": "{ a " + "# c\n" * 30 + "}"})
    await app.state.gateway.client.aclose()
    assert long.json()["errors"][0]["extensions"]["code"] == "MAX_TOKENS_EXCEEDED"
    assert commented.json()["errors"][0]["extensions"]["code"] == "MAX_TOKENS_EXCEEDED"
    assert broken.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"


def test_a_nul_byte_in_a_refused_value_does_not_break_the_audit_of_the_refusal(registry_server: Any, tokens: Any) -> None:
    # The refusal's audit row quotes the value; a NUL in it used to fail the audit commit (and so
    # the answer) with INTERNAL_SERVER_ERROR (found by bench/fuzz.py).
    query = ("mutation($in: RegisterFacilitatorInput!) { registerFacilitator(input: $in) { id } }")
    variables = {"in": {"regencyCode": "35.\u000007", "personName": "Sari", "activeFrom": "2024-01-02"}}
    response = httpx.post(registry_server.url + "/graphql", json={"query": query, "variables": variables},
                          headers=tokens.headers("DISTRICT_OFFICER", "33.74"))
    codes = [e["extensions"]["code"] for e in response.json()["errors"]]
    assert codes and "INTERNAL_SERVER_ERROR" not in codes, response.text
