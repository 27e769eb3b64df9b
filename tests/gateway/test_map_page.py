"""The map page at the gateway: served from local pinned files, and working in a real headless
Chromium that can reach nothing but the gateway (tests/gateway/map_browser.mjs drives it). The same
IR as tests/gateway/test_maps_e2e.py: a regency office's token shows exact points, a ministry
token generalised cells."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import subprocess
import time
from pathlib import Path
from typing import Any, Iterator

import httpx
import pytest

from gateway.app import build_app
from gateway.limits import Limits
from gateway.map_page import install, map_page
from gateway.node_tools import node_binary, node_environment
from siir.settings import Settings
from tests.conftest import ServerThread
from tests.gateway.test_graphiql import _chromium
from tests.gateway.test_maps_e2e import CLUSTER, LONE, REGENCY, salatiga  # noqa: F401 (fixture)

HERE = Path(__file__).resolve().parent
SUPERGRAPH = HERE.parents[1] / "schema" / "supergraph.graphql"


@pytest.fixture(scope="module")
def reporting_url(database_url: str, tokens: Any) -> Iterator[str]:
    from services.reporting.app import build_app as build_reporting

    settings = Settings(reporting_poll_interval=0.1)
    with ServerThread(build_reporting(database_url, settings, run_consumer=True, verifier=tokens.verifier)) as server:
        yield server.url + "/graphql"


@pytest.fixture(scope="module")
def map_url(registry_server: Any, reporting_url: str, tokens: Any, salatiga: dict[str, Any]) -> Iterator[str]:
    install()
    deadline = time.monotonic() + 120  # reporting's consumer catches up with the registered IR
    while time.monotonic() < deadline:
        status = httpx.post(reporting_url, json={"query": "{ reportingStatus { lagEvents } }"},
                            headers=tokens.headers("MINISTRY")).json()
        if status["data"]["reportingStatus"]["lagEvents"] == 0:
            break
        time.sleep(0.2)
    app = build_app(SUPERGRAPH.read_text(), verifier=tokens.verifier, limits=Limits(),
                    subgraph_urls={"registry": registry_server.url + "/graphql", "reporting": reporting_url})
    with ServerThread(app) as server:
        yield server.url + "/map"


def test_the_page_loads_only_local_files_pinned_by_integrity(map_url: str) -> None:
    page = httpx.get(map_url)
    assert page.status_code == 200
    sources = re.findall(r'<(?:script|link)[^>]*(?:src|href)="([^"]+)"[^>]*integrity="([^"]+)"', page.text)
    assert len(sources) == 2  # leaflet.js and leaflet.css
    assert len(re.findall(r"<script[^>]* src=|<link[^>]* href=", page.text)) == len(sources)
    base = map_url.rsplit("/", 1)[0]
    for path, integrity in sources:
        assert path.startswith("/map-assets/leaflet@")
        asset = httpx.get(base + path)
        assert asset.status_code == 200 and "immutable" in asset.headers["cache-control"]
        assert integrity == "sha384-" + base64.b64encode(hashlib.sha384(asset.content).digest()).decode()
    policy = page.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "connect-src 'self'" in policy and "img-src 'self' data:;" in policy
    assert httpx.get(base + "/map-assets/leaflet@1.9.4/../../pyproject.toml").status_code == 404


def test_tiles_are_a_setting_and_the_only_other_origin_allowed() -> None:
    page = map_page("/graphql", "https://tiles.example.org/{z}/{x}/{y}.png", "© OpenStreetMap")
    assert "img-src 'self' data: https://tiles.example.org;" in page.headers["content-security-policy"]
    assert '"tilesUrl": "https://tiles.example.org/{z}/{x}/{y}.png"' in page.html


def _browse(map_url: str, token: str, node_modules: Path, tiles: str | None = None) -> dict[str, Any]:
    config = {"url": map_url, "token": token, "region": REGENCY, "chromium": _chromium(),
              "playwright": (node_modules / "playwright-core" / "index.mjs").as_uri()}
    proc = subprocess.run([node_binary(), str(HERE / "map_browser.mjs"), json.dumps(config)],
                          capture_output=True, text=True, timeout=180, env=node_environment())
    assert proc.returncode == 0, proc.stderr[-4000:]
    report = json.loads(proc.stdout)
    # Nothing was fetched from anywhere but the gateway (and the tiles, when set), and nothing failed
    # to load or run (but the unreachable tiles).
    assert [url for url in report["blocked"] if tiles is None or not url.startswith(tiles)] == [], report["blocked"]
    assert any("/map-assets/leaflet@" in url for url in report["sameOrigin"])
    errors = [e for e in report["consoleErrors"] if tiles is None or "ERR_INTERNET_DISCONNECTED" not in e]
    assert report["pageErrors"] == [] and errors == [], report
    # The token was kept in the tab's memory only.
    for storage in (report["localStorage"], report["sessionStorage"]):
        assert token not in storage and "eyJ" not in storage
    return report


def _map_answer(report: dict[str, Any]) -> dict[str, Any]:
    bodies = [json.loads(f["body"]) for f in report["fetched"] if "homeIndustryMap" in (f["request"] or "")]
    assert len(bodies) == 1
    return bodies[0]["data"]["homeIndustryMap"]


def test_a_regency_office_sees_its_ir_exactly(map_url: str, tokens: Any, node_modules: Path,
                                              salatiga: dict[str, Any]) -> None:
    report = _browse(map_url, tokens("DISTRICT_OFFICER", REGENCY, subject="map-user"), node_modules)
    assert report["summary"]["state"] == "done" and report["summary"]["precision"] == "EXACT"
    answer = _map_answer(report)
    fetched = {tuple(f["geometry"]["coordinates"]) for f in json.loads(answer["geoJson"])["features"]}
    assert {(lon, lat) for lat, lon in [*CLUSTER, LONE]} <= fetched
    assert report["drawn"] == answer["featureCount"] >= 7  # one circle per IR with coordinates
    # The choropleth table: the sub-district of the seven, from reporting's counts.
    assert report["choropleth"]["state"] == "done"
    rows = {row[0]: int(row[2]) for row in report["choropleth"]["rows"]}
    assert rows[salatiga["sub_district"]] >= 8


def test_the_ministry_sees_generalised_cells(map_url: str, tokens: Any, node_modules: Path,
                                             salatiga: dict[str, Any]) -> None:
    report = _browse(map_url, tokens("MINISTRY", subject="map-user"), node_modules)
    assert report["summary"]["precision"] == "GRID_CELL"
    answer = _map_answer(report)
    features = json.loads(answer["geoJson"])["features"]
    cells = {tuple(f["geometry"]["coordinates"]): f["properties"]["count"] for f in features}
    assert cells[(110.5, -7.3)] >= 6 and (110.6, -7.3) not in cells
    assert not {(lon, lat) for lat, lon in [*CLUSTER, LONE]} & set(cells)
    assert report["drawn"] == len(features)  # one rectangle per cell
    assert int(report["summary"]["suppressed"]) >= 1


def test_with_tiles_set_but_no_internet_the_features_still_show(registry_server: Any, reporting_url: str,
                                                                tokens: Any, node_modules: Path,
                                                                salatiga: dict[str, Any]) -> None:
    tiles = "https://tiles.example.org"
    app = build_app(SUPERGRAPH.read_text(), verifier=tokens.verifier, limits=Limits(),
                    settings=Settings(map_tiles_url=tiles + "/{z}/{x}/{y}.png"),
                    subgraph_urls={"registry": registry_server.url + "/graphql", "reporting": reporting_url})
    with ServerThread(app) as server:
        report = _browse(server.url + "/map", tokens("DISTRICT_OFFICER", REGENCY, subject="map-user"), node_modules,
                         tiles=tiles)
    assert report["blocked"] and all(url.startswith(tiles + "/") for url in report["blocked"])  # the tiles were asked for
    assert report["summary"]["precision"] == "EXACT" and report["drawn"] >= 7
