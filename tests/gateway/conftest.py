"""Session fixtures for the gateway suite: fixture subgraphs, composed supergraph, and both
gateways (ours and Hive Gateway) as real processes on free 127.0.0.1 ports."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Iterator

import httpx
import pytest

from gateway.compose import compose_services
from gateway.node_tools import TOOLS_DIR, ensure_installed, node_binary

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
# gw_differential (here) and the fixture subgraph modules (subgraphs/) are imported by name.
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE / "subgraphs"))

from gw_catalog import SUBGRAPHS  # noqa: E402

# Gateways give up on a subgraph after this many seconds (the "slow" subgraph takes 3 s).
SUBGRAPH_TIMEOUT_S = 1.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, proc: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"process for {url} exited with {proc.returncode}")
        try:
            if httpx.get(url, timeout=1.0).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up in {timeout}s")


def start(cmd: list[str], url: str, log: Path, **kw: Any) -> subprocess.Popen:
    proc = subprocess.Popen(cmd, stdout=log.open("wb"), stderr=subprocess.STDOUT, **kw)
    try:
        wait_http(url, proc)
    except Exception:
        proc.kill()
        raise RuntimeError(f"{' '.join(cmd)} failed to start:\n{log.read_text()[-3000:]}") from None
    return proc


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="session")
def node_modules() -> Path:
    return ensure_installed()


@pytest.fixture(scope="session")
def subgraphs_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    log = tmp_path_factory.mktemp("subgraphs") / "subgraphs.log"
    proc = start([sys.executable, str(HERE / "subgraphs" / "gw_subgraph_server.py"), "--port", str(port)],
                 f"http://127.0.0.1:{port}/__stats", log)
    yield f"http://127.0.0.1:{port}"
    stop(proc)


@pytest.fixture(scope="session")
def supergraph_file(node_modules: Path, subgraphs_url: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    sdl = compose_services([{"name": name, "url": f"{subgraphs_url}/{name}/graphql", "sdl": spec[0]}
                            for name, spec in SUBGRAPHS.items()])
    path = tmp_path_factory.mktemp("supergraph") / "supergraph.graphql"
    path.write_text(sdl)
    return path


@pytest.fixture(scope="session")
def our_gateway(supergraph_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    log = tmp_path_factory.mktemp("ours") / "gateway.log"
    proc = start([sys.executable, "-m", "gateway", "--supergraph", str(supergraph_file), "--port", str(port),
                  "--subgraph-timeout", str(SUBGRAPH_TIMEOUT_S)],
                 f"http://127.0.0.1:{port}/healthcheck", log, cwd=ROOT)
    yield f"http://127.0.0.1:{port}/graphql"
    stop(proc)


@pytest.fixture(scope="session")
def hive_gateway(supergraph_file: Path, node_modules: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    tmp = tmp_path_factory.mktemp("hive")
    config = tmp / "gateway.config.mjs"
    config.write_text(f"export const gatewayConfig = {{ upstreamTimeout: {int(SUBGRAPH_TIMEOUT_S * 1000)}, "
                      "logging: 'error' };\n")
    cmd = [node_binary(), str(node_modules / "@graphql-hive" / "gateway" / "dist" / "bin.js"),
           "supergraph", str(supergraph_file), "--port", str(port), "--host", "127.0.0.1",
           "-c", str(config), "--disable-websockets"]
    proc = start(cmd, f"http://127.0.0.1:{port}/healthcheck", tmp / "hive.log", cwd=TOOLS_DIR,
                 env={**os.environ, "NODE_ENV": "production"})
    yield f"http://127.0.0.1:{port}/graphql"
    stop(proc)


@pytest.fixture(scope="session")
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=30.0) as client:
        yield client


class SubgraphLog:
    """Reads what the fixture subgraphs received (see subgraphs/gw_subgraph_server.py)."""

    def __init__(self, http: httpx.Client, base: str) -> None:
        self.http = http
        self.base = base

    def reset(self) -> None:
        self.http.post(f"{self.base}/__reset")

    def requests(self) -> list[dict[str, Any]]:
        return self.http.get(f"{self.base}/__stats").json()["requests"]

    def mutations(self) -> list[str]:
        return self.http.get(f"{self.base}/__stats").json()["mutations"]


@pytest.fixture()
def subgraph_log(http: httpx.Client, subgraphs_url: str) -> SubgraphLog:
    log = SubgraphLog(http, subgraphs_url)
    log.reset()
    return log
