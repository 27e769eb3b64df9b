"""Periods of office and of assignment: ``[start, end]``, both days inclusive, ``end`` None = open."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Period:
    start: dt.date
    end: dt.date | None = None

    def __post_init__(self) -> None:
        if self.end is not None and self.end < self.start:
            raise ValueError("a period cannot end before it starts")

    def includes(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)

    def contains(self, other: "Period") -> bool:
        """Whether ``other`` lies wholly inside this period (an open end only inside an open end)."""
        if other.start < self.start:
            return False
        if self.end is None:
            return True
        return other.end is not None and other.end <= self.end

    def overlaps(self, other: "Period") -> bool:
        return (self.end is None or other.start <= self.end) and (other.end is None or self.start <= other.end)
