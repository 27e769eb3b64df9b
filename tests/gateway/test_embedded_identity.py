"""The embedded default end to end: a gateway process with no identity provider configured
trusts its own key under the data folder, so a token printed by ``siir token`` works, and a
token from any other key does not. ``SIIR_GATEWAY_INTROSPECTION`` (what ``siir up`` sets)
turns introspection on."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Iterator

import httpx
import pytest

from tests.gateway.conftest import ROOT, start_gateway, stop


@pytest.fixture(scope="module")
def embedded(supergraph_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    data_dir = tmp_path_factory.mktemp("embedded-data")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SIIR_GATEWAY_", "SIIR_AUTH_"))}
    env.update(SIIR_DATA_DIR=str(data_dir), SIIR_GATEWAY_INTROSPECTION="1")
    proc, url = start_gateway(supergraph_file, env, tmp_path_factory.mktemp("embedded-gw"))
    yield url, data_dir
    stop(proc)


def siir_token(data_dir: Path, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIIR_AUTH_")}
    done = subprocess.run([sys.executable, "-m", "siirctl", "token", *args], capture_output=True, text=True,
                          cwd=ROOT, env={**env, "SIIR_DATA_DIR": str(data_dir)}, timeout=60, check=True)
    return done.stdout.strip()


@pytest.mark.parametrize("args", [
    ["--role", "MINISTRY", "--sub", "menteri"],
    ["--role", "DISTRICT_OFFICER", "--region", "33.74", "--sub", "dinas-salatiga"],
    ["--role", "PARTNER", "--partner", "900003", "--sub", "pnm"],
], ids=["ministry", "district-officer", "partner"])
def test_a_siir_token_is_accepted_by_the_embedded_gateway(embedded: tuple[str, Path], args: list[str]) -> None:
    url, data_dir = embedded
    token = siir_token(data_dir, *args)
    response = httpx.post(url, json={"query": "{ me { name } }"}, headers={"authorization": f"Bearer {token}"})
    assert response.json() == {"data": {"me": {"name": "Ada Lovelace"}}}


def test_a_token_of_another_key_is_refused_by_the_embedded_gateway(embedded: tuple[str, Path], tokens: Any) -> None:
    url, _ = embedded
    response = httpx.post(url, json={"query": "{ me { name } }"}, headers=tokens.headers("MINISTRY"))
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_introspection_is_on_when_configured(embedded: tuple[str, Path]) -> None:
    from graphql import get_introspection_query

    url, data_dir = embedded
    token = siir_token(data_dir, "--role", "ANALYST", "--sub", "graphiql")
    query = get_introspection_query(descriptions=True, specified_by_url=True, directive_is_repeatable=True)
    response = httpx.post(url, json={"query": query}, headers={"authorization": f"Bearer {token}"})
    assert response.status_code == 200 and "errors" not in response.json()
    assert response.json()["data"]["__schema"]["queryType"]["name"] == "Query"
