"""The import worker's Prometheus metrics: stages run, how long they took, rows by outcome.

Served with the shared metrics on the registry's metrics port (siir/observability/metrics.py).
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram

STAGE_SECONDS = Histogram("siir_registry_import_stage_duration_seconds",
                          "Time to run one import stage (validate: the dry run; commit), by stage and result.",
                          ["stage", "result"], buckets=(0.1, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0))
ROWS = Counter("siir_registry_import_rows", "Survey rows whose outcome a stage decided, by stage and outcome.",
               ["stage", "outcome"])


def stage_ran(stage: str, result: str, seconds: float) -> None:
    """One stage of one job ended: ``result`` is done, failed or interrupted (left to its lease)."""
    STAGE_SECONDS.labels(stage, result).observe(seconds)


def rows_decided(stage: str, outcomes: dict[str, int]) -> None:
    for outcome, count in outcomes.items():
        ROWS.labels(stage, outcome).inc(count)
