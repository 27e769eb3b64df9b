"""Prometheus metrics on each service's own listener: requests by operation and outcome with
their latency, the gateway's subgraph fetches, plan cache and limit refusals, the registry's
connection pool, reporting's consumer; none of it on the public ports."""

from __future__ import annotations

import re
from typing import Any

import httpx

from siir.observability.metrics import OperationLabels
from tests.operations.conftest import Stack, wait_for
from tests.registry.test_registry_api import REGISTER, register_input


def _value(metrics: str, name: str, **labels: str) -> float | None:
    """The sum of the samples ``name`` whose labels include ``labels`` (None: no such sample)."""
    values = []
    for line in metrics.splitlines():
        match = re.fullmatch(r"([a-z_]+)(?:\{(.*)\})? (\S+)", line)
        if match and match[1] == name:
            found = dict(re.findall(r'([a-z_]+)="([^"]*)"', match[2] or ""))
            if all(found.get(k) == v for k, v in labels.items()):
                values.append(float(match[3]))
    return sum(values) if values else None


def test_requests_are_counted_by_operation_and_outcome_with_their_latency(stack: Stack) -> None:
    before = _value(stack.gateway.metrics(), "siir_requests_total", service="gateway", operation="CountedRegions",
                    outcome="ok") or 0.0
    for _ in range(3):
        assert stack.post("query CountedRegions { regions(level: PROVINCE) { nodes { code } } }").status_code == 200
    metrics = wait_for(lambda: (m := stack.gateway.metrics()) and _value(
        m, "siir_requests_total", service="gateway", operation="CountedRegions", outcome="ok") == before + 3 and m)
    assert metrics, stack.gateway.metrics()
    assert _value(metrics, "siir_request_duration_seconds_count", service="gateway",
                  operation="CountedRegions") == before + 3
    assert _value(metrics, "siir_request_duration_seconds_bucket", service="gateway", operation="CountedRegions",
                  le="+Inf") == before + 3
    # The gateway's fetches from the registry, and its plan cache: one miss, then hits.
    assert _value(metrics, "siir_gateway_subgraph_fetch_duration_seconds_count", subgraph="registry") >= 3
    assert _value(metrics, "siir_gateway_plan_cache_total", result="hit") >= 2
    assert _value(metrics, "siir_gateway_plan_cache_total", result="miss") >= 1
    # The registry counts the gateway's fetches too, and reports its pool (SIIR_DB_POOL_SIZE=3: it keeps up
    # to twice that many connections, siir/database.py).
    registry = stack.registry.metrics()
    assert _value(registry, "siir_requests_total", service="registry", outcome="ok") >= 3
    assert _value(registry, "siir_db_pool_size", service="registry") == 6
    assert _value(registry, "siir_db_pool_checked_out", service="registry") == 0


def test_limit_refusals_and_refused_requests_are_counted(stack: Stack) -> None:
    deep = "{ regions(level: PROVINCE) { nodes { children { nodes { children { nodes { children { nodes { children " \
           "{ nodes { code } } } } } } } } } } }"
    before = _value(stack.gateway.metrics(), "siir_gateway_limit_refusals_total", code="MAX_DEPTH_EXCEEDED") or 0.0
    response = stack.post(deep)
    assert response.json()["errors"][0]["extensions"]["code"] == "MAX_DEPTH_EXCEEDED"
    metrics = stack.gateway.metrics()
    assert _value(metrics, "siir_gateway_limit_refusals_total", code="MAX_DEPTH_EXCEEDED") == before + 1
    unauthenticated = httpx.post(stack.gateway.url + "/graphql", json={"query": "{ regions { nodes { code } } }"})
    assert unauthenticated.status_code == 401
    assert wait_for(lambda: _value(stack.gateway.metrics(), "siir_requests_total", service="gateway",
                                   operation="(graphql)", outcome="refused"))


def test_the_consumer_reports_its_batches_and_lag(stack: Stack) -> None:
    response = stack.post(REGISTER, {"input": register_input(owner={"name": "Siti Aminah", "nik": "3374014101880003"})},
                          role="DISTRICT_OFFICER", region="33.74")
    assert "errors" not in response.json(), response.json()
    metrics = wait_for(lambda: (m := stack.reporting.metrics()) and
                       (_value(m, "siir_reporting_consumer_events_total", result="applied") or 0) >= 1 and
                       _value(m, "siir_reporting_consumer_lag_events") == 0 and m)
    assert metrics, stack.reporting.metrics()
    assert _value(metrics, "siir_reporting_consumer_batch_duration_seconds_count") >= 1
    assert _value(metrics, "siir_reporting_consumer_active") == 1


def test_metrics_are_not_served_on_the_public_ports(stack: Stack) -> None:
    for service in (stack.gateway, stack.registry, stack.reporting):
        response = httpx.get(service.url + "/metrics", timeout=10)
        assert response.status_code in (401, 404), (service.name, response.status_code)
        assert "siir_requests_total" not in response.text


def test_client_chosen_operation_names_are_bounded() -> None:
    labels = OperationLabels(limit=2)
    assert [labels(name, "/graphql") for name in ("First", "Second", "Third", "First")] == \
        ["First", "Second", "(other)", "First"]
    assert labels("not a name", "/graphql") == "(other)"
    assert labels("x" * 65, "/graphql") == "(other)"
    assert labels(None, "/healthcheck") == "(healthcheck)"
    assert labels(None, "/graphql") == "(graphql)"
    assert labels(None, "/wp-admin/x") == "(other)"


def test_failed_subgraph_fetches_are_counted_by_subgraph_and_kind(tokens: Any) -> None:
    from prometheus_client import REGISTRY

    from gateway.app import build_app
    from siir.settings import Settings
    from tests.conftest import ServerThread, free_port
    from tests.operations.conftest import SUPERGRAPH

    closed = {name: f"http://127.0.0.1:{free_port()}/graphql" for name in ("registry", "reporting")}
    app = build_app(SUPERGRAPH.read_text(), subgraph_urls=closed, verifier=tokens.verifier, settings=Settings())
    labels = {"subgraph": "registry", "kind": "connection"}
    before = REGISTRY.get_sample_value("siir_gateway_subgraph_fetch_errors_total", labels) or 0.0
    with ServerThread(app) as gateway:
        response = httpx.post(gateway.url + "/graphql", json={"query": "{ regions(level: PROVINCE) { nodes { code } } }"},
                              headers=tokens.headers("MINISTRY"), timeout=30)
    assert response.json()["errors"], response.text
    assert REGISTRY.get_sample_value("siir_gateway_subgraph_fetch_errors_total", labels) == before + 1
    assert REGISTRY.get_sample_value("siir_requests_total",
                                     {"service": "gateway", "operation": "anonymous", "outcome": "error"}) >= 1
