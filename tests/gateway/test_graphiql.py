"""GraphiQL at the gateway: served from local pinned files, and working in a real headless
Chromium that can reach nothing but the gateway (tests/gateway/graphiql_browser.mjs drives it)."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any, Iterator

import httpx
import pytest

from gateway.app import build_app
from gateway.graphiql_assets import GraphiQLAssets, GraphiQLAssetsMissing, install
from gateway.limits import Limits
from gateway.node_tools import node_binary, node_environment
from tests.conftest import ServerThread

HERE = Path(__file__).resolve().parent
SUPERGRAPH = HERE.parents[1] / "schema" / "supergraph.graphql"
QUERY = "{ regions(level: PROVINCE) { nodes { code name } } }"
#: What the federation machinery adds to a supergraph; none of it is the API.
INTERNALS = re.compile(r"^(_entities|_service|_Any|_Entity|_Service)$|__")


@pytest.fixture(scope="module")
def gateway_url(registry_server: Any, tokens: Any) -> Iterator[str]:
    """The project's supergraph at our gateway, in front of the real registry, with
    introspection on as ``siir up`` has it (GraphiQL's explorer needs it)."""
    install()
    app = build_app(SUPERGRAPH.read_text(), subgraph_urls={"registry": registry_server.url + "/graphql"},
                    verifier=tokens.verifier, limits=Limits(introspection=True))
    with ServerThread(app) as server:
        yield server.url + "/graphql"


def test_the_page_loads_only_local_files_pinned_by_integrity(gateway_url: str) -> None:
    page = httpx.get(gateway_url, headers={"accept": "text/html"})
    assert page.status_code == 200
    assert 'local.getItem("graphiql:shouldPersistHeaders") === "true"' in page.text
    sources = re.findall(r'<(?:script|link)[^>]*(?:src|href)="([^"]+)"[^>]*integrity="([^"]+)"', page.text)
    assert len(sources) == 4  # react, react-dom, graphiql and its stylesheet
    assert len(re.findall(r"<script[^>]* src=|<link[^>]* href=", page.text)) == len(sources)  # none unpinned
    base = gateway_url.rsplit("/", 1)[0]
    for path, integrity in sources:
        assert path.startswith("/graphiql-assets/")
        asset = httpx.get(base + path)
        assert asset.status_code == 200
        assert "immutable" in asset.headers["cache-control"] and "max-age=31536000" in asset.headers["cache-control"]
        assert integrity == "sha384-" + base64.b64encode(hashlib.sha384(asset.content).digest()).decode()
    policy = page.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "connect-src 'self'" in policy
    assert httpx.get(base + "/graphiql-assets/graphiql@4.1.2/../../../pyproject.toml").status_code == 404


def test_missing_assets_are_named(tmp_path: Path) -> None:
    with pytest.raises(GraphiQLAssetsMissing, match="react/umd/react.production.min.js"):
        GraphiQLAssets.load(tmp_path)


def _chromium() -> str:
    found = shutil.which("chromium")
    if found is None:
        message = "Debian's chromium is not installed (apt-get install -y chromium; .ci/run installs it)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return found


def test_graphiql_in_headless_chromium_without_internet(gateway_url: str, tokens: Any, node_modules: Path) -> None:
    token = tokens("MINISTRY", subject="graphiql-user")
    config = {"url": gateway_url, "token": token, "query": QUERY, "chromium": _chromium(),
              "playwright": (node_modules / "playwright-core" / "index.mjs").as_uri()}
    proc = subprocess.run([node_binary(), str(HERE / "graphiql_browser.mjs"), json.dumps(config)],
                          capture_output=True, text=True, timeout=180, env=node_environment())
    assert proc.returncode == 0, proc.stderr[-4000:]
    report = json.loads(proc.stdout)

    # Nothing was fetched from anywhere but the gateway, and nothing failed to load or run.
    assert report["blocked"] == []
    assert any("/graphiql-assets/graphiql@" in url for url in report["sameOrigin"])
    assert report["pageErrors"] == [] and report["cspViolations"] == [], report
    # Only the introspection at page load was refused: sent with the placeholder in the headers,
    # and, after the reload, before GraphiQL put the saved headers back (it does so afterwards).
    at_load = ("before the token", "after the reload")
    assert {e["text"] for e in report["consoleErrors"] if e["step"] in at_load} \
        <= {"Failed to load resource: the server responded with a status of 401 (Unauthorized)"}
    assert [e for e in report["consoleErrors"] if e["step"] not in at_load] == []

    # The query ran with the token typed into the Headers pane, and answered data.
    provinces = json.loads(report["response"])["data"]["regions"]["nodes"]
    assert "33" in {p["code"] for p in provinces}  # Jawa Tengah

    # Nothing token-like was kept in the browser.
    for storage in (report["localStorage"], report["sessionStorage"]):
        assert token not in storage
        assert not re.search(r"eyJ[\w-]+\.[\w-]+", storage), storage
        assert "Bearer" not in storage
    # Unless the user turns on "Persist headers" in GraphiQL's settings.
    assert json.loads(json.loads(report["localStorageAfterOptIn"])["graphiql:headers"]) == {
        "Authorization": f"Bearer {token}"}
    # ...and keeps them through a reload: the choice is remembered, the headers stay saved.
    assert json.loads(report["headersAfterReload"]) == {"Authorization": f"Bearer {token}"}
    kept = json.loads(report["localStorageAfterReload"])
    assert kept["graphiql:shouldPersistHeaders"] == "true" and token in report["localStorageAfterReload"]

    # The explorer shows the API, not the federation machinery.
    schema = json.loads(report["introspection"])["data"]["__schema"]
    names = {t["name"] for t in schema["types"]}
    names |= {f["name"] for t in schema["types"] for f in (t.get("fields") or [])}
    names |= {d["name"] for d in schema["directives"]}
    assert "HomeIndustry" in names
    assert sorted(n for n in names if INTERNALS.search(n) and not n.startswith("__")) == []
