"""One request, one trace: the gateway's server span, its fetch from the registry, the registry's
server span and the registry's SQL, linked by the W3C ``traceparent`` the gateway sends.

Both services run in this process (so one in-memory exporter sees every span) but talk real HTTP
to each other, each under its own uvicorn server; the database is the real PostgreSQL.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from siir.observability import tracing
from siir.settings import Settings
from tests.conftest import ServerThread, free_port

SUPERGRAPH = Path(__file__).resolve().parents[2] / "schema" / "supergraph.graphql"


@pytest.fixture(scope="module")
def exporter() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracing.install(provider)
    yield exporter
    tracing.uninstall()


@pytest.fixture(scope="module")
def gateway_url(exporter: InMemorySpanExporter, database_url: str, tokens: Any) -> Iterator[str]:
    from gateway.app import build_app as gateway_app
    from services.registry.app import build_app as registry_app

    settings = Settings()
    with ServerThread(registry_app(database_url, settings, verifier=tokens.verifier)) as registry:
        closed = f"http://127.0.0.1:{free_port()}/graphql"  # reporting is not needed by this query
        app = gateway_app(SUPERGRAPH.read_text(), subgraph_urls={"registry": registry.url + "/graphql",
                                                                 "reporting": closed},
                          verifier=tokens.verifier, settings=settings)
        with ServerThread(app) as gateway:
            yield gateway.url + "/graphql"


def _finished(exporter: InMemorySpanExporter) -> tuple[ReadableSpan, ...]:
    """The spans, once both server spans have ended (each ends just after its answer is sent)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        spans = exporter.get_finished_spans()
        if sum(s.kind == SpanKind.SERVER for s in spans) >= 2:
            time.sleep(0.1)  # nothing else should come: let a stray span show up for the assertions
            return exporter.get_finished_spans()
        time.sleep(0.02)
    return exporter.get_finished_spans()


def _trace_of(spans: tuple[ReadableSpan, ...], kind: SpanKind, name_part: str) -> list[ReadableSpan]:
    return [s for s in spans if s.kind == kind and name_part in s.name]


def test_one_request_is_one_trace_across_gateway_registry_and_sql(gateway_url: str, exporter: InMemorySpanExporter,
                                                                  tokens: Any) -> None:
    exporter.clear()
    response = httpx.post(gateway_url, json={"query": "query ProvinceNames { regions(level: PROVINCE) { nodes { code name } } }"},
                          headers=tokens.headers("MINISTRY"), timeout=30)
    assert response.status_code == 200 and "errors" not in response.json(), response.text
    spans = _finished(exporter)
    by_id = {s.context.span_id: s for s in spans}

    servers = _trace_of(spans, SpanKind.SERVER, "")
    fetches = _trace_of(spans, SpanKind.CLIENT, "subgraph registry")
    statements = [s for s in spans if s.kind == SpanKind.CLIENT and s.attributes.get("db.system") == "postgresql"]
    assert len(servers) == 2, [s.name for s in spans]  # the gateway's and the registry's
    assert len(fetches) == 1 and statements, [s.name for s in spans]
    assert len({s.context.trace_id for s in spans}) == 1, "every span belongs to the one trace"

    gateway_span = next(s for s in servers if s.parent is None)
    registry_span = next(s for s in servers if s.parent is not None)
    # gateway server span → its fetch → the registry's server span (continued from traceparent) → SQL
    assert fetches[0].parent.span_id == gateway_span.context.span_id
    assert registry_span.parent.span_id == fetches[0].context.span_id
    for statement in statements:
        ancestor = statement
        while ancestor.parent is not None and ancestor.context.span_id != registry_span.context.span_id:
            ancestor = by_id[ancestor.parent.span_id]
        assert ancestor is registry_span, f"{statement.name} is not under the registry's request"
    # Span attributes name the path, never the query string nor SQL parameter values.
    assert registry_span.attributes.get("http.target") == "/graphql"


def test_a_get_query_string_stays_out_of_the_spans(gateway_url: str, exporter: InMemorySpanExporter,
                                                   tokens: Any) -> None:
    exporter.clear()
    response = httpx.get(gateway_url, params={"query": "query($c: String!) { region(code: $c) { name } }",
                                              "variables": '{"c": "33.74"}'},
                         headers=tokens.headers("MINISTRY"), timeout=30)
    assert response.status_code == 200 and response.json()["data"]["region"], response.text
    spans = _finished(exporter)
    assert spans
    for span in spans:
        for key, value in span.attributes.items():
            assert "33.74" not in str(value) and "query=" not in str(value), (span.name, key, value)


def test_the_access_line_carries_the_trace_id(gateway_url: str, exporter: InMemorySpanExporter, tokens: Any,
                                              caplog: pytest.LogCaptureFixture) -> None:
    exporter.clear()
    caplog.set_level("INFO", logger="siir.access")
    httpx.post(gateway_url, json={"query": "{ regions(level: PROVINCE) { nodes { code } } }"},
               headers=tokens.headers("MINISTRY"), timeout=30)
    trace_ids = {format(s.context.trace_id, "032x") for s in _finished(exporter)}
    deadline = time.monotonic() + 10
    while True:  # each server logs just after its answer is sent
        lines = [r.access for r in caplog.records if getattr(r, "access", None)]
        if len(lines) >= 2 or time.monotonic() > deadline:
            break
        time.sleep(0.02)
    assert sorted(line["service"] for line in lines) == ["gateway", "registry"]
    assert len(trace_ids) == 1
    assert {line["trace_id"] for line in lines} == trace_ids


@pytest.mark.parametrize("variables,traced", [
    ({}, False),
    ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, True),
    ({"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://collector:4318/v1/traces"}, True),
    ({"OTEL_TRACES_EXPORTER": "otlp"}, True),
    ({"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, False),
    ({"OTEL_SDK_DISABLED": "true", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, False),
])
def test_tracing_is_off_unless_the_standard_variables_ask(monkeypatch: pytest.MonkeyPatch,
                                                          variables: dict[str, str], traced: bool) -> None:
    for name in ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_TRACES_EXPORTER",
                 "OTEL_SDK_DISABLED"):
        monkeypatch.delenv(name, raising=False)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    assert Settings.from_environment().tracing is traced
