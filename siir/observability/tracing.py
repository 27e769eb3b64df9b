"""OpenTelemetry traces: off unless configured, W3C ``traceparent`` across gateway → subgraph → SQL.

``configure`` installs a tracer provider exporting over OTLP (http/protobuf; the exporter reads
``OTEL_EXPORTER_OTLP_*`` itself) when the settings say tracing is on; a test installs its own with
``install``. The provider is this module's, not the process-global one, so nothing else in the
process starts tracing by accident. While none is installed every hook here is a cheap no-op.

Spans: the ASGI server span of each service (``server_span``), the gateway's client span per
subgraph fetch (``fetch_span``, whose context goes out as ``traceparent``), and a span per SQL
statement (``instrument_engine``). Span attributes carry paths and SQL with placeholders, never
query strings, variables or parameter values.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

from opentelemetry import trace
from opentelemetry.propagate import inject
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider

_provider: TracerProvider | None = None


def install(provider: TracerProvider) -> None:
    """Trace with ``provider`` from now on (replacing any)."""
    global _provider
    _provider = provider


def uninstall() -> None:
    """Stop tracing; spans in flight are flushed."""
    global _provider
    provider, _provider = _provider, None
    if provider is not None:
        provider.shutdown()


def active() -> bool:
    """Whether traces are being recorded."""
    return _provider is not None


def configure(service: str, enabled: bool) -> None:
    """Export over OTLP when ``enabled`` and nothing is installed yet (one provider per process)."""
    if not enabled or _provider is not None:
        return
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    # OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES (read by Resource.create) win over the default name.
    resource = Resource.create()
    if resource.attributes.get("service.name", "unknown_service") == "unknown_service":
        resource = resource.merge(Resource({"service.name": f"siir-{service}"}))
    provider = TracerProvider(resource=resource)
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    install(provider)


def tracer() -> trace.Tracer:
    """This package's tracer (a no-op one while tracing is off)."""
    if _provider is None:
        return trace.NoOpTracer()
    return _provider.get_tracer("siir")


def server_span(app: Any, on_span: Callable[[str], None]) -> Any:
    """``app`` inside OpenTelemetry's ASGI middleware: a server span per request, continuing the
    caller's ``traceparent``; ``on_span`` gets its trace id (for the access line)."""
    from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware

    def request_hook(span: trace.Span, scope: dict[str, Any]) -> None:
        if span.is_recording():
            # The target and URL would carry the query string (a GET's variables): the path only.
            recorded = getattr(span, "attributes", None) or {}
            for key in ("http.target", "http.url", "url.full", "url.query"):
                if key in recorded:
                    span.set_attribute(key, "" if key == "url.query" else scope.get("path", ""))
            on_span(format(span.get_span_context().trace_id, "032x"))

    return OpenTelemetryMiddleware(app, tracer_provider=_provider, server_request_hook=request_hook,
                                   exclude_spans=["receive", "send"], excluded_urls="healthcheck,readiness")


@contextlib.contextmanager
def fetch_span(subgraph: str) -> Iterator[bytes]:
    """A client span around one subgraph request; yields the header lines carrying its context."""
    if _provider is None:
        yield b""
        return
    with tracer().start_as_current_span(f"subgraph {subgraph}", kind=trace.SpanKind.CLIENT) as span:
        span.set_attribute("siir.subgraph", subgraph)
        carrier: dict[str, str] = {}
        inject(carrier)
        yield "".join(f"{name}: {value}\r\n" for name, value in carrier.items()).encode("latin-1")


def context_headers() -> dict[str, str]:
    """The current trace context as headers (for an httpx request); empty while tracing is off."""
    carrier: dict[str, str] = {}
    if _provider is not None:
        inject(carrier)
    return carrier


def instrument_engine(engine: Any) -> None:
    """A span per SQL statement of an async SQLAlchemy engine, when tracing is on."""
    if _provider is None:
        return
    from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer
    from opentelemetry.metrics import get_meter

    usage = get_meter("siir").create_up_down_counter("db.client.connections.usage")
    EngineTracer(tracer(), engine.sync_engine, usage)
