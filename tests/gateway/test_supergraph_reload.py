"""Supergraph hot reload over real HTTP: a gateway process watching its supergraph file serves a
newly composed subgraph's fields once the file changes, keeps answering while it swaps, and keeps
the previous supergraph when the new file does not build."""

from __future__ import annotations

import hashlib
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable, Iterator

import httpx
import pytest

from conftest import gateway_env, start_gateway, stop
from gateway.compose import compose_services
from gw_catalog import SUBGRAPHS

GQL = "application/graphql-response+json"
MEDIA = "{ media { id } }"
TOP = "{ topProducts(first: 2) { upc name } }"
WITHOUT_MEDIA = ("products", "inventory", "shipping", "reviews", "accounts")


def compose(subgraphs_url: str, names: tuple[str, ...]) -> str:
    return compose_services([{"name": n, "url": f"{subgraphs_url}/{n}/graphql", "sdl": SUBGRAPHS[n][0]} for n in names])


@pytest.fixture(scope="module")
def watched(node_modules: Path, subgraphs_url: str, tokens: Any, trusted_key_file: Path,
            tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path, Path]]:
    """A gateway whose supergraph file (first without the media subgraph) is checked every 0.2 s."""
    folder = tmp_path_factory.mktemp("reload")
    path = folder / "supergraph.graphql"
    path.write_text(compose(subgraphs_url, WITHOUT_MEDIA))
    env = gateway_env(tokens, trusted_key_file, SIIR_GATEWAY_SUPERGRAPH_POLL_INTERVAL="0.2",
                      SIIR_GATEWAY_RATE_LIMIT="0")
    proc, url = start_gateway(path, env, folder)
    yield url, path, folder / "gateway.log"
    stop(proc)


def until(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def ask(url: str, token: str, query: str) -> dict[str, Any]:
    return httpx.post(url, json={"query": query}, headers={"accept": GQL, "authorization": f"Bearer {token}"},
                      timeout=30).json()


def test_a_changed_supergraph_is_served_without_a_restart_or_a_dropped_request(
        watched: tuple[str, Path, Path], subgraphs_url: str, tokens: Any) -> None:
    url, path, _ = watched
    token = tokens("ANALYST", subject="reload")
    before = ask(url, token, MEDIA)
    assert "data" not in before and before["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"

    # Requests keep flowing while the file changes and the gateway swaps supergraphs.
    answers: list[dict[str, Any]] = []
    stop_asking = threading.Event()

    def keep_asking() -> None:
        with httpx.Client(timeout=30) as http:
            while not stop_asking.is_set():
                answers.append(http.post(url, json={"query": TOP},
                                         headers={"accept": GQL, "authorization": f"Bearer {token}"}).json())

    asker = threading.Thread(target=keep_asking)
    asker.start()
    try:
        full = compose(subgraphs_url, (*WITHOUT_MEDIA, "media"))
        partial = path.with_suffix(".partial")
        partial.write_text(full)
        partial.replace(path)
        until(lambda: "data" in ask(url, token, MEDIA))
    finally:
        stop_asking.set()
        asker.join()
    assert ask(url, token, MEDIA)["data"]["media"][0]["id"]
    assert answers and all(a == {"data": {"topProducts": [{"upc": "1", "name": "Table"},
                                                          {"upc": "2", "name": "Couch"}]}} for a in answers)


def test_a_broken_supergraph_is_refused_and_the_previous_one_kept(watched: tuple[str, Path, Path],
                                                                  tokens: Any) -> None:
    url, path, log = watched
    token = tokens("ANALYST", subject="reload-broken")
    served = ask(url, token, MEDIA)
    path.write_text(path.read_text().replace("type Query", "type Query {{ broken", 1))
    until(lambda: "refused the new supergraph" in log.read_text())
    assert ask(url, token, MEDIA) == served
    path.write_text("schema { query: Query } type Query { hello: String }")  # parses, but is no supergraph
    until(lambda: log.read_text().count("refused the new supergraph") == 2)
    assert ask(url, token, MEDIA) == served


class SupergraphServer(ThreadingHTTPServer):
    """Serves one supergraph file over HTTP with an ETag, answering 304 to a matching If-None-Match."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.not_modified = 0
        super().__init__(("127.0.0.1", 0), SupergraphHandler)


class SupergraphHandler(BaseHTTPRequestHandler):
    server: SupergraphServer

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        body = self.server.path.read_bytes()
        etag = f'"{hashlib.sha256(body).hexdigest()[:16]}"'
        if self.headers.get("if-none-match") == etag:
            self.server.not_modified += 1
            self.send_response(304)
            self.send_header("etag", etag)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("etag", etag)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


def test_a_supergraph_served_by_url_is_reloaded_when_its_etag_changes(
        node_modules: Path, subgraphs_url: str, tokens: Any, trusted_key_file: Path, tmp_path: Path) -> None:
    path = tmp_path / "served.graphql"
    path.write_text(compose(subgraphs_url, WITHOUT_MEDIA))
    server = SupergraphServer(path)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    env = gateway_env(tokens, trusted_key_file, SIIR_GATEWAY_SUPERGRAPH_POLL_INTERVAL="0.2",
                      SIIR_GATEWAY_RATE_LIMIT="0")
    proc, url = start_gateway(f"http://127.0.0.1:{server.server_address[1]}/supergraph.graphql", env, tmp_path)
    try:
        token = tokens("ANALYST", subject="reload-url")
        assert "data" not in ask(url, token, MEDIA)
        until(lambda: server.not_modified >= 2)  # polled, conditionally: nothing downloaded again
        path.write_text(compose(subgraphs_url, (*WITHOUT_MEDIA, "media")))
        until(lambda: "data" in ask(url, token, MEDIA))
    finally:
        stop(proc)
        server.shutdown()
        server.server_close()
