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
from gw_guarded import GUARDED_SUBGRAPHS  # noqa: E402

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
def guarded_supergraph_file(node_modules: Path, subgraphs_url: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The subgraphs carrying @authenticated/@requiresScopes/@policy (subgraphs/gw_guarded.py)."""
    sdl = compose_services([{"name": name, "url": f"{subgraphs_url}/{name}/graphql", "sdl": spec[0]}
                            for name, spec in GUARDED_SUBGRAPHS.items()])
    path = tmp_path_factory.mktemp("guarded") / "supergraph.graphql"
    path.write_text(sdl)
    return path


#: The differential suite compares federation behaviour, not abuse limits: it runs deep
#: queries and introspection, so its gateway is configured looser on purpose. The defaults
#: (strict) are what ``strict_gateway`` and tests/security run against.
LOOSE_LIMITS = {
    "SIIR_GATEWAY_MAX_DEPTH": "20", "SIIR_GATEWAY_MAX_ALIASES": "100", "SIIR_GATEWAY_MAX_TOKENS": "20000",
    "SIIR_GATEWAY_MAX_DIRECTIVES": "200", "SIIR_GATEWAY_MAX_COST": "1000000", "SIIR_GATEWAY_RATE_LIMIT": "0",
    "SIIR_GATEWAY_INTROSPECTION": "1", "SIIR_GATEWAY_FIELD_SUGGESTIONS": "1",
}


@pytest.fixture(scope="session")
def trusted_key_file(tokens: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tokens fixture's public key as a PEM file, for gateway processes to trust."""
    from cryptography.hazmat.primitives import serialization

    path = tmp_path_factory.mktemp("trust") / "public.pem"
    path.write_bytes(tokens.key.public_key.public_bytes(serialization.Encoding.PEM,
                                                        serialization.PublicFormat.SubjectPublicKeyInfo))
    return path


def gateway_env(tokens: Any, key_file: Path, **settings: str) -> dict[str, str]:
    """The environment of a gateway process: trusts the test key; SIIR_GATEWAY_* only as given."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SIIR_GATEWAY_", "SIIR_AUTH_"))}
    return {**env, "SIIR_AUTH_PUBLIC_KEYS": str(key_file), "SIIR_AUTH_ISSUER": tokens.ISSUER,
            "SIIR_AUTH_AUDIENCE": tokens.AUDIENCE, **settings}


def start_gateway(supergraph: Path, env: dict[str, str], log_dir: Path) -> tuple[subprocess.Popen, str]:
    """``python -m gateway`` on a free port; returns the process and its GraphQL URL."""
    port = free_port()
    proc = start([sys.executable, "-m", "gateway", "--supergraph", str(supergraph), "--port", str(port),
                  "--subgraph-timeout", str(SUBGRAPH_TIMEOUT_S)],
                 f"http://127.0.0.1:{port}/healthcheck", log_dir / "gateway.log", cwd=ROOT, env=env)
    return proc, f"http://127.0.0.1:{port}/graphql"


@pytest.fixture(scope="session")
def our_gateway(supergraph_file: Path, tokens: Any, trusted_key_file: Path,
                tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    proc, url = start_gateway(supergraph_file, gateway_env(tokens, trusted_key_file, **LOOSE_LIMITS),
                              tmp_path_factory.mktemp("ours"))
    yield url
    stop(proc)


@pytest.fixture(scope="session")
def strict_gateway(supergraph_file: Path, tokens: Any, trusted_key_file: Path,
                   tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Our gateway with every default limit (nothing SIIR_GATEWAY_* set) but a rate limit
    high enough that only the rate-limit tests meet it."""
    env = gateway_env(tokens, trusted_key_file, SIIR_GATEWAY_RATE_LIMIT="1000", SIIR_GATEWAY_RATE_BURST="1000")
    proc, url = start_gateway(supergraph_file, env, tmp_path_factory.mktemp("strict"))
    yield url
    stop(proc)


@pytest.fixture(scope="session")
def guarded_gateway(guarded_supergraph_file: Path, tokens: Any, trusted_key_file: Path,
                    tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Our gateway over the subgraphs carrying the authorization directives, default limits."""
    env = gateway_env(tokens, trusted_key_file, SIIR_GATEWAY_RATE_LIMIT="1000", SIIR_GATEWAY_RATE_BURST="1000")
    proc, url = start_gateway(guarded_supergraph_file, env, tmp_path_factory.mktemp("guarded-gw"))
    yield url
    stop(proc)


def start_hive(supergraph: Path, node_modules: Path, tmp: Path) -> tuple[Any, str]:
    """Hive Gateway on a free port, serving ``supergraph``; its process and its /graphql URL."""
    port = free_port()
    config = tmp / "gateway.config.mjs"
    config.write_text(f"export const gatewayConfig = {{ upstreamTimeout: {int(SUBGRAPH_TIMEOUT_S * 1000)}, "
                      "logging: 'error' };\n")
    cmd = [node_binary(), str(node_modules / "@graphql-hive" / "gateway" / "dist" / "bin.js"),
           "supergraph", str(supergraph), "--port", str(port), "--host", "127.0.0.1",
           "-c", str(config), "--disable-websockets"]
    proc = start(cmd, f"http://127.0.0.1:{port}/healthcheck", tmp / "hive.log", cwd=TOOLS_DIR,
                 env={**os.environ, "NODE_ENV": "production"})
    return proc, f"http://127.0.0.1:{port}/graphql"


@pytest.fixture(scope="session")
def hive_gateway(supergraph_file: Path, node_modules: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    proc, url = start_hive(supergraph_file, node_modules, tmp_path_factory.mktemp("hive"))
    yield url
    stop(proc)


@pytest.fixture(scope="session")
def http(tokens: Any) -> Iterator[httpx.Client]:
    """A client whose requests carry a valid MINISTRY token (Hive Gateway ignores it)."""
    with httpx.Client(timeout=30.0, headers=tokens.headers("MINISTRY")) as client:
        yield client


@pytest.fixture(scope="session")
def anonymous_http() -> Iterator[httpx.Client]:
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
def subgraph_log(anonymous_http: httpx.Client, subgraphs_url: str) -> SubgraphLog:
    log = SubgraphLog(anonymous_http, subgraphs_url)
    log.reset()
    return log
