"""Progressive @override: which labels are in force for a request.

Like Apollo Router: ``percent(N)`` labels are in force for N% of requests, drawn per
request; any other label only when configured (``SIIR_GATEWAY_OVERRIDE_LABELS``,
comma-separated). A supergraph without labels costs nothing per request.
"""

from __future__ import annotations

import os
import random
import re
from typing import Iterable

_PERCENT = re.compile(r"percent\(([0-9]+(?:\.[0-9]+)?)\)")  # ASCII digits, matched whole (fullmatch)


class OverrideLabels:
    """Draws the labels in force for each request."""

    def __init__(self, labels: Iterable[str], enabled: Iterable[str] | None = None,
                 rng: random.Random | None = None) -> None:
        if enabled is None:
            enabled = [x.strip() for x in os.environ.get("SIIR_GATEWAY_OVERRIDE_LABELS", "").split(",") if x.strip()]
        self.rng = rng or random.Random()
        self.percent: list[tuple[str, float]] = []
        fixed = []
        for label in sorted(labels):
            match = _PERCENT.fullmatch(label)
            if match:
                self.percent.append((label, float(match.group(1))))
            elif label in set(enabled):
                fixed.append(label)
        self.fixed = frozenset(fixed)

    def draw(self) -> frozenset[str]:
        """The labels in force for one request."""
        if not self.percent:
            return self.fixed
        return self.fixed | {label for label, pct in self.percent if self.rng.random() * 100 < pct}
