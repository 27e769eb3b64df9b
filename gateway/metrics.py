"""The gateway's own Prometheus metrics: subgraph fetches, the plan cache and limit refusals.

Served with the shared request metrics (siir/observability/metrics.py) on the gateway's metrics
port. Every label value comes from configuration or from this code, never from a client.
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram

from siir.observability.metrics import LATENCY_BUCKETS

SUBGRAPH_SECONDS = Histogram("siir_gateway_subgraph_fetch_duration_seconds",
                             "Time of one subgraph request, by subgraph.", ["subgraph"], buckets=LATENCY_BUCKETS)
SUBGRAPH_ERRORS = Counter("siir_gateway_subgraph_fetch_errors",
                          "Subgraph requests that failed, by subgraph and kind (timeout, connection, response).",
                          ["subgraph", "kind"])
PLAN_CACHE = Counter("siir_gateway_plan_cache", "Prepared-operation cache lookups, by result (hit, miss).",
                     ["result"])
PLAN_CACHE_HIT = PLAN_CACHE.labels("hit")
PLAN_CACHE_MISS = PLAN_CACHE.labels("miss")
REFUSALS = Counter("siir_gateway_limit_refusals",
                   "Requests refused by a limit (gateway/limits.py, gateway/rate_limit.py), by error code.", ["code"])

#: The codes of the gateway's limits; other refusals (bad tokens, invalid queries) are not limits.
LIMIT_CODES = frozenset({
    "MAX_DEPTH_EXCEEDED", "MAX_ALIASES_EXCEEDED", "MAX_DIRECTIVES_EXCEEDED", "MAX_TOKENS_EXCEEDED",
    "COST_LIMIT_EXCEEDED", "REQUEST_TOO_LARGE", "RATE_LIMITED", "INTROSPECTION_DISABLED",
})


def refused(codes: list[str]) -> None:
    """Count a refused request by the first limit it broke (if any)."""
    for code in codes:
        if code in LIMIT_CODES:
            REFUSALS.labels(code).inc()
            return


def fetched(subgraph: str, seconds: float, error: str | None = None) -> None:
    """One subgraph request's duration, and its failure kind if it failed."""
    SUBGRAPH_SECONDS.labels(subgraph).observe(seconds)
    if error is not None:
        SUBGRAPH_ERRORS.labels(subgraph, error).inc()
