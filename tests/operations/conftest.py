"""The three services as real processes (``python -m siirctl …``) on a database of their own, with
JSON logs to files and each service's metrics listener on a free port: what an operator runs."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from tests.conftest import Tokens, create_database, drop_database, free_port

ROOT = Path(__file__).resolve().parents[2]
SUPERGRAPH = ROOT / "schema" / "supergraph.graphql"


@dataclass
class Service:
    name: str
    process: subprocess.Popen[bytes]
    url: str
    metrics_url: str
    log: Path

    def access_lines(self) -> list[dict[str, Any]]:
        """The JSON access lines logged so far."""
        lines = [orjson.loads(line) for line in self.log.read_text().splitlines() if line.startswith("{")]
        return [line for line in lines if line["logger"] == "siir.access"]

    def metrics(self) -> str:
        return httpx.get(self.metrics_url, timeout=10).text


@dataclass
class Stack:
    gateway: Service
    registry: Service
    reporting: Service
    tokens: Tokens

    def post(self, query: str, variables: dict[str, Any] | None = None, *, role: str = "MINISTRY",
             region: str | None = None, operation_name: str | None = None,
             headers: dict[str, str] | None = None) -> httpx.Response:
        body: dict[str, Any] = {"query": query, "variables": variables or {}}
        if operation_name:
            body["operationName"] = operation_name
        return httpx.post(self.gateway.url + "/graphql", json=body, timeout=30,
                          headers={**self.tokens.headers(role, region), **(headers or {})})


def wait_for(predicate: Any, timeout: float = 15.0) -> Any:
    """Poll until ``predicate()`` is truthy (a service logs just after its answer is sent)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.05)


def _start(name: str, argv: list[str], port: int, env: dict[str, str], directory: Path) -> Service:
    log = directory / f"{name}.log"
    metrics_port = int(env[f"SIIR_{name.upper()}_METRICS_PORT"])
    process = subprocess.Popen([sys.executable, "-m", "siirctl", *argv, "--port", str(port)], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=log.open("wb"))
    service = Service(name, process, f"http://127.0.0.1:{port}", f"http://127.0.0.1:{metrics_port}/metrics", log)
    deadline = time.monotonic() + 60
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(service.url + "/healthcheck", timeout=1).status_code == 200:
                return service
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"{name} did not start:\n{log.read_text()[-3000:]}")
        time.sleep(0.1)


def _stop(service: Service) -> None:
    service.process.terminate()
    try:
        service.process.wait(10)
    except subprocess.TimeoutExpired:
        service.process.kill()
        service.process.wait()


@pytest.fixture(scope="package")
def stack(admin_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    from siir.auth.keys import load_or_create_signing_key
    from siirctl.preparation import prepare_database

    if not SUPERGRAPH.exists():
        pytest.skip("schema/supergraph.graphql is not composed yet")
    directory = tmp_path_factory.mktemp("operations")
    tokens = Tokens(load_or_create_signing_key(directory))
    url = create_database(admin_url, "siir_ops")
    prepare_database(url)
    ports = {name: free_port() for name in ("registry", "reporting", "gateway")}
    env = {
        **os.environ, "DATABASE_URL": url, "SIIR_DATA_DIR": str(directory), "SIIR_AUTH_ISSUER": Tokens.ISSUER,
        "SIIR_AUTH_AUDIENCE": Tokens.AUDIENCE, "SIIR_LOG_FORMAT": "json", "SIIR_LOG_LEVEL": "warning",
        "SIIR_DB_POOL_SIZE": "3", "SIIR_REPORTING_POLL_INTERVAL": "0.2",
        **{f"SIIR_{name.upper()}_METRICS_PORT": str(free_port()) for name in ports},
        **{f"SIIR_SUBGRAPH_{name.upper()}_URL": f"http://127.0.0.1:{port}/graphql" for name, port in ports.items()},
    }
    for variable in ("OTEL_TRACES_EXPORTER", "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"):
        env.pop(variable, None)
    started: list[Service] = []
    try:
        started.append(_start("registry", ["registry"], ports["registry"], env, directory))
        started.append(_start("reporting", ["reporting"], ports["reporting"], env, directory))
        started.append(_start("gateway", ["gateway", "--supergraph", str(SUPERGRAPH)], ports["gateway"], env,
                              directory))
        registry, reporting, gateway = started
        yield Stack(gateway, registry, reporting, tokens)
    finally:
        for service in reversed(started):
            _stop(service)
        drop_database(admin_url, url)
