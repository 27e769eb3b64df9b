"""Prometheus metrics shared by the services, and the internal listener that serves them.

Metrics are served on a port of their own (``SIIR_<SERVICE>_METRICS_PORT``, bound to
``SIIR_METRICS_HOST``, 127.0.0.1 by default), never on the service's public port: the gateway's
port faces portals, and a listener that only the monitoring network reaches needs no bearer token
and cannot be exposed by a proxy rule that forwards every path. Every series carries the
``service`` label, so processes running several services stay apart.

Label values are bounded: operation names are chosen by clients, so only the first
``MAX_OPERATION_NAMES`` distinct well-formed names get a series of their own; the rest count as
``(other)``.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from typing import Any

from prometheus_client import REGISTRY, Counter, Histogram, start_http_server
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

#: Distinct operation names per process with a series of their own.
MAX_OPERATION_NAMES = 200
#: A GraphQL name, short enough to read on a dashboard.
OPERATION_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,63}")
#: Paths that are not GraphQL, by their first segment; anything else is ``(other)``.
KNOWN_PATHS = {"healthcheck": "(healthcheck)", "readiness": "(readiness)", "exports": "(exports)"}
#: Seconds: from a cached gateway answer (well under a millisecond) to a slow report.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

REQUESTS = Counter("siir_requests", "HTTP requests served, by operation and outcome "
                   "(ok, error: GraphQL errors in the answer, refused: 4xx, failed: 5xx).",
                   ["service", "operation", "outcome"])
REQUEST_SECONDS = Histogram("siir_request_duration_seconds", "Time to answer a request, by operation.",
                            ["service", "operation"], buckets=LATENCY_BUCKETS)

class OperationLabels:
    """The ``operation`` label of a request: its GraphQL operation's name while fewer than ``limit``
    distinct names were seen (well-formed ones only), else ``(other)``; for a request that is not a
    GraphQL operation, what its path is."""

    def __init__(self, limit: int = MAX_OPERATION_NAMES) -> None:
        self.limit = limit
        self._names: set[str] = set()
        self._lock = threading.Lock()

    def __call__(self, operation: str | None, path: str) -> str:
        if operation is None:
            segment = path.strip("/").split("/", 1)[0]
            return KNOWN_PATHS.get(segment, "(graphql)" if segment == "graphql" else "(other)")
        if operation in self._names:
            return operation
        if not OPERATION_NAME.fullmatch(operation):
            return "(other)"
        with self._lock:
            if len(self._names) >= self.limit:
                return "(other)"
            self._names.add(operation)
        return operation


operation_label = OperationLabels()


def outcome(status: int, graphql_errors: bool) -> str:
    """ok, error (GraphQL errors in a 2xx answer), refused (4xx) or failed (5xx)."""
    if status >= 500:
        return "failed"
    if status >= 400:
        return "refused"
    return "error" if graphql_errors else "ok"


#: The labelled series by (service, operation, outcome): a dict lookup instead of ``labels()`` (its
#: lock and checks) on every request; bounded as the labels are.
_series: dict[tuple[str, str, str], tuple[Any, Any]] = {}


def observe_request(service: str, operation: str, result: str, seconds: float) -> None:
    """Count one answered request and its duration."""
    key = (service, operation, result)
    series = _series.get(key)
    if series is None:
        series = _series[key] = (REQUESTS.labels(service, operation, result),
                                 REQUEST_SECONDS.labels(service, operation))
    series[0].inc()
    series[1].observe(seconds)


class PoolCollector(Collector):
    """The database connection pools of this process, read when scraped (SQLAlchemy's QueuePool)."""

    def __init__(self) -> None:
        self.pools: dict[int, tuple[str, Callable[[], Any]]] = {}

    def collect(self) -> Iterator[GaugeMetricFamily]:
        families = {
            "size": GaugeMetricFamily("siir_db_pool_size", "Connections the pool keeps.", labels=["service"]),
            "checked_out": GaugeMetricFamily("siir_db_pool_checked_out", "Connections in use by requests.",
                                             labels=["service"]),
            "idle": GaugeMetricFamily("siir_db_pool_idle", "Open connections waiting in the pool.", labels=["service"]),
            "overflow": GaugeMetricFamily("siir_db_pool_overflow", "Connections opened beyond the pool size.",
                                          labels=["service"]),
        }
        totals: dict[str, dict[str, float]] = {}
        for service, engine_of in list(self.pools.values()):
            engine = engine_of()
            if engine is None:
                continue
            pool = engine.sync_engine.pool
            figures = totals.setdefault(service, dict.fromkeys(families, 0.0))
            figures["size"] += pool.size()
            figures["checked_out"] += pool.checkedout()
            figures["idle"] += pool.checkedin()
            figures["overflow"] += max(pool.overflow(), 0)
        for service, figures in totals.items():
            for name, family in families.items():
                family.add_metric([service], figures[name])
        yield from families.values()


POOLS = PoolCollector()
REGISTRY.register(POOLS)


def watch_pool(service: str, engine_of: Callable[[], Any]) -> Callable[[], None]:
    """Report the pool of the engine ``engine_of()`` returns (None: none yet); returns the way to stop."""
    key = id(engine_of)
    POOLS.pools[key] = (service, engine_of)

    def stop() -> None:
        POOLS.pools.pop(key, None)
    return stop


class Listeners:
    """The metrics listeners of this process, one per port, shared by the apps configured with it."""

    def __init__(self) -> None:
        self._servers: dict[tuple[str, int], tuple[Any, int]] = {}
        self._lock = threading.Lock()

    def open(self, host: str, port: int) -> Callable[[], None]:
        """Serve ``/metrics`` on host:port (port 0: nothing); returns the way to close it."""
        if not port:
            return lambda: None
        with self._lock:
            server, users = self._servers.get((host, port), (None, 0))
            if server is None:
                server, _ = start_http_server(port, addr=host)
            self._servers[(host, port)] = (server, users + 1)
        return lambda: self._close(host, port)

    def _close(self, host: str, port: int) -> None:
        with self._lock:
            server, users = self._servers.pop((host, port), (None, 0))
            if server is None:
                return
            if users > 1:
                self._servers[(host, port)] = (server, users - 1)
                return
        server.shutdown()
        server.server_close()


LISTENERS = Listeners()
