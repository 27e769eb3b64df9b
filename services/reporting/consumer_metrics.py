"""The outbox consumer's Prometheus metrics: batch times, events applied, and how far behind it is.

Served with the shared metrics on reporting's metrics port (siir/observability/metrics.py).
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

BATCH_SECONDS = Histogram("siir_reporting_consumer_batch_duration_seconds",
                          "Time to apply one batch of outbox events (empty polls excluded).",
                          buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0))
EVENTS = Counter("siir_reporting_consumer_events", "Outbox events read, by result (applied, skipped).", ["result"])
LAG_EVENTS = Gauge("siir_reporting_consumer_lag_events",
                   "Outbox events not yet applied (exact up to 1000, estimated beyond), after the last poll.")
ACTIVE = Gauge("siir_reporting_consumer_active", "1 while this process holds the consumer lock, else 0 (a standby).")


def batch_applied(seconds: float, applied: int, skipped: int) -> None:
    """One non-empty batch."""
    BATCH_SECONDS.observe(seconds)
    EVENTS.labels("applied").inc(applied)
    EVENTS.labels("skipped").inc(skipped)
