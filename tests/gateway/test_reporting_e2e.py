"""End-to-end: the real registry and reporting subgraphs (reporting with its own consumer running)
behind our gateway and behind Hive Gateway: a region's irStatistics comes with registry fields.

Both gateways forward the caller's bearer token; both subgraphs verify it themselves (Hive Gateway
is configured to propagate ``Authorization``; it does not enforce the authorization directives
without its auth plugin, so there the subgraphs' own checks are what refuses)."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from gateway.app import build_app
from gateway.compose import compose_services
from gateway.limits import Limits
from gateway.node_tools import TOOLS_DIR, node_binary
from services.registry.sdl import registry_sdl
from services.reporting.sdl import reporting_sdl
from siir.settings import Settings
from tests.conftest import ServerThread
from tests.gateway.conftest import free_port, start, stop

SUPERGRAPH = Path(__file__).resolve().parents[2] / "schema" / "supergraph.graphql"

QUERY = """query($code: String!, $asOf: Date) {
  region(code: $code) {
    code name level
    irStatistics(asOf: $asOf) { asOf counts { pemula berkembang maju total } femaleHeadOfHousehold { active } }
    children { nodes { code name irStatistics(asOf: $asOf) { counts { total } } } }
  }
  classDistribution(regionCode: $code, asOf: $asOf) { regionName counts { total } region { name } }
}"""


@pytest.fixture(scope="module")
def reporting_url(database_url: str, tokens: Any) -> Iterator[str]:
    from services.reporting.app import build_app as build_reporting

    settings = Settings(reporting_poll_interval=0.1)
    with ServerThread(build_reporting(database_url, settings, run_consumer=True, verifier=tokens.verifier)) as server:
        yield server.url + "/graphql"


def our_gateway(registry_server: Any, reporting_url: str, tokens: Any) -> Any:
    """Our gateway on the real subgraphs, trusting the tokens fixture's key (default limits)."""
    return build_app(SUPERGRAPH.read_text(), subgraph_urls={"registry": registry_server.url + "/graphql", "reporting": reporting_url},
                     verifier=tokens.verifier, limits=Limits())


@pytest.fixture(scope="module")
def seeded(registry_server: Any, database_url: str, reporting_url: str, tokens: Any) -> None:
    """Registry changes through the registry's write functions; reporting's own consumer picks them up."""
    from siir.database import create_engine
    from tests.reporting.registry_changes import RegistryChanges

    async def write() -> None:
        engine = create_engine(database_url, pool_size=2)
        try:
            await RegistryChanges(engine, seed=77).run(300)
        finally:
            await engine.dispose()

    asyncio.run(write())
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        status = httpx.post(reporting_url, json={"query": "{ reportingStatus { lagEvents eventsApplied } }"},
                            headers=tokens.headers("MINISTRY")).json()
        if status["data"]["reportingStatus"]["lagEvents"] == 0 and status["data"]["reportingStatus"]["eventsApplied"]:
            return
        time.sleep(0.2)
    raise AssertionError(f"the reporting consumer did not catch up: {status}")


async def test_our_gateway_joins_region_fields_and_statistics(registry_server: Any, reporting_url: str, seeded: None,
                                                              tokens: Any) -> None:
    app = our_gateway(registry_server, reporting_url, tokens)
    body = {"query": QUERY, "variables": {"code": "33", "asOf": "2026-06-30"}}
    caller = tokens.headers("PROVINCE_OFFICER", "33")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway", headers=caller) as gateway, \
            httpx.AsyncClient(timeout=30, headers=caller) as direct:
        ours = (await gateway.post("/graphql", json=body)).json()
        region_stats = (await direct.post(reporting_url, json={"query": """{ _entities(representations: [{__typename: "Region", code: "33"}])
            { ... on Region { irStatistics(asOf: "2026-06-30") { asOf counts { pemula berkembang maju total } femaleHeadOfHousehold { active } } } } }"""})).json()
    await app.state.gateway.client.aclose()
    assert "errors" not in ours, ours
    region = ours["data"]["region"]
    assert (region["code"], region["name"], region["level"]) == ("33", "Jawa Tengah", "PROVINCE")
    assert region["irStatistics"] == region_stats["data"]["_entities"][0]["irStatistics"]
    assert region["irStatistics"]["counts"]["total"] > 0
    assert len(region["children"]["nodes"]) == 35
    assert sum(c["irStatistics"]["counts"]["total"] for c in region["children"]["nodes"]) == region["irStatistics"]["counts"]["total"]
    distribution = ours["data"]["classDistribution"]
    assert distribution["region"] == {"name": "Jawa Tengah"} and distribution["counts"]["total"] == region["irStatistics"]["counts"]["total"]


@pytest.fixture(scope="module")
def hive_gateway_on_real_subgraphs(node_modules: Path, registry_server: Any, reporting_url: str,
                                   tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    supergraph = compose_services([
        {"name": "registry", "url": registry_server.url + "/graphql", "sdl": registry_sdl()},
        {"name": "reporting", "url": reporting_url, "sdl": reporting_sdl()},
    ])
    tmp = tmp_path_factory.mktemp("hive-real")
    (tmp / "supergraph.graphql").write_text(supergraph)
    # Hive Gateway forwards no client header unless told: the subgraphs need the caller's token.
    (tmp / "gateway.config.mjs").write_text(
        "export const gatewayConfig = { logging: 'error', propagateHeaders: { fromClientToSubgraphs({ request }) {\n"
        "  const authorization = request.headers.get('authorization');\n"
        "  return authorization ? { authorization } : {};\n"
        "} } };\n")
    port = free_port()
    cmd = [node_binary(), str(node_modules / "@graphql-hive" / "gateway" / "dist" / "bin.js"),
           "supergraph", str(tmp / "supergraph.graphql"), "--port", str(port), "--host", "127.0.0.1",
           "-c", str(tmp / "gateway.config.mjs"), "--disable-websockets"]
    proc = start(cmd, f"http://127.0.0.1:{port}/healthcheck", tmp / "hive.log", cwd=TOOLS_DIR,
                 env={**os.environ, "NODE_ENV": "production"})
    yield f"http://127.0.0.1:{port}/graphql"
    stop(proc)


async def test_hive_gateway_answers_the_same(registry_server: Any, reporting_url: str, seeded: None,
                                             hive_gateway_on_real_subgraphs: str, tokens: Any) -> None:
    app = our_gateway(registry_server, reporting_url, tokens)
    body = {"query": QUERY, "variables": {"code": "33.74", "asOf": None}}
    caller = tokens.headers("DISTRICT_OFFICER", "33.74")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway", headers=caller) as gateway, \
            httpx.AsyncClient(timeout=60, headers=caller) as client:
        ours = (await gateway.post("/graphql", json=body)).json()
        hive = (await client.post(hive_gateway_on_real_subgraphs, json=body)).json()
        bad = {"query": '{ classTransitions(regionCode: "33", from: "2025-01-01", to: "2024-01-01") { from } }'}
        ours_bad = (await gateway.post("/graphql", json=bad)).json()
        hive_bad = (await client.post(hive_gateway_on_real_subgraphs, json=bad)).json()
    await app.state.gateway.client.aclose()
    assert "errors" not in ours, ours
    assert ours == hive
    assert ours["data"]["region"]["name"] == "Kota Semarang"
    for answer in (ours_bad, hive_bad):
        assert answer["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", answer
        assert answer["errors"][0]["extensions"]["field"] == "from"


async def test_both_gateways_pass_the_callers_scope_to_reporting(registry_server: Any, reporting_url: str, seeded: None,
                                                                 hive_gateway_on_real_subgraphs: str, tokens: Any) -> None:
    """Another province's distribution: our gateway and Hive both answer reporting's FORBIDDEN; no token, no data."""
    app = our_gateway(registry_server, reporting_url, tokens)
    other = {"query": '{ classDistribution(regionCode: "35") { counts { total } } }'}
    caller = tokens.headers("PROVINCE_OFFICER", "33")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway", headers=caller) as gateway, \
            httpx.AsyncClient(timeout=60, headers=caller) as client, httpx.AsyncClient(timeout=60) as anonymous:
        ours = (await gateway.post("/graphql", json=other)).json()
        hive = (await client.post(hive_gateway_on_real_subgraphs, json=other)).json()
        hive_anonymous = (await anonymous.post(hive_gateway_on_real_subgraphs, json=other)).json()
    await app.state.gateway.client.aclose()
    for answer in (ours, hive):
        assert not any((answer["data"] or {}).values()), answer
        assert [e["extensions"]["code"] for e in answer["errors"]] == ["FORBIDDEN"], answer
        assert answer["errors"][0]["path"] == ["classDistribution"]
    # Hive does not check tokens itself: the subgraph's 401 reaches the client as an error, never data.
    assert not any((hive_anonymous.get("data") or {}).values()) and hive_anonymous["errors"], hive_anonymous


def _sheets(xlsx: bytes) -> dict[str, list[tuple[Any, ...]]]:
    import io

    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(xlsx), read_only=True)
    return {sheet.title: [row for row in sheet.iter_rows(values_only=True) if row[:1] != (GENERATED_AT,)]
            for sheet in book.worksheets}


#: The title block's line that differs between two renderings (the time it was made).
GENERATED_AT = "Dibuat pada (WIB)"


def _csv_lines(content: bytes) -> list[bytes]:
    return [line for line in content.split(b"\r\n") if not line.startswith(f"# {GENERATED_AT},".encode())]


async def test_exports_are_reachable_on_the_gateway_host(registry_server: Any, reporting_url: str, seeded: None,
                                                         tokens: Any) -> None:
    app = our_gateway(registry_server, reporting_url, tokens)
    base = reporting_url.removesuffix("/graphql")
    caller = tokens.headers("PROVINCE_OFFICER", "33")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway", headers=caller) as gateway, \
            httpx.AsyncClient(timeout=60, headers=caller) as direct:
        for path in ("/exports/annual-report.csv?regionCode=33.74&year=2025",
                     "/exports/class-distribution.xlsx?regionCode=33&groupByChildren=true&asOf=2026-06-30"):
            through = await gateway.get(path)
            straight = await direct.get(base + path)
            assert through.status_code == straight.status_code == 200, through.text
            assert len(through.content) > 100
            if path.split("?")[0].endswith(".xlsx"):
                # Two renderings a second apart differ in the workbook's and the zip's timestamps only,
                # and in the title block's "generated at".
                assert _sheets(through.content) == _sheets(straight.content)
            else:
                assert _csv_lines(through.content) == _csv_lines(straight.content)
            assert through.headers["content-type"] == straight.headers["content-type"]
            assert through.headers["content-disposition"] == straight.headers["content-disposition"]
        refused = await gateway.get("/exports/annual-report.pdf?regionCode=33&year=2025")
        assert refused.status_code == 400
        assert refused.json()["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "format"}
    await app.state.gateway.client.aclose()
