"""Where an IR stands in the programme on a given day, and how that changes over time.

An IR's history is a few change points: its registration, each assessment (its class, by date,
newest assessment of a day winning as in the registry) and its closure or graduation. Every
report (distribution as of a date, moves between two dates, progress) is read from these change
points, so the projection, the rollups and the tests all share one definition.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import Enum
from typing import Iterable


class Standing(str, Enum):
    """An IR's standing on a day: not yet assessed, its class, or out of the programme."""

    UNASSESSED = "UNASSESSED"
    PEMULA = "PEMULA"
    BERKEMBANG = "BERKEMBANG"
    MAJU = "MAJU"
    CLOSED = "CLOSED"
    GRADUATED = "GRADUATED"


#: Order of the classes, for "moved up" and "moved down".
CLASS_RANK = {Standing.PEMULA: 1, Standing.BERKEMBANG: 2, Standing.MAJU: 3, Standing.GRADUATED: 4}
ACTIVE = (Standing.UNASSESSED, Standing.PEMULA, Standing.BERKEMBANG, Standing.MAJU)


@dataclass(frozen=True, slots=True)
class AssessedClass:
    """One assessment as reporting keeps it: no criteria values, only what reports count."""

    id: int
    assessed_on: dt.date
    ir_class: str
    score: int
    small_enterprise_candidate: bool


@dataclass(frozen=True, slots=True)
class Position:
    """An IR's standing on a day and whether it is then a small-enterprise candidate."""

    standing: Standing
    candidate: bool


@dataclass(frozen=True, slots=True)
class Change:
    """From ``on``, the IR is ``after``; it was ``before`` (None: not yet registered)."""

    on: dt.date
    before: Position | None
    after: Position


def position_on(
    day: dt.date,
    registered_on: dt.date,
    history: Iterable[AssessedClass],
    status: str,
    status_changed_on: dt.date | None,
) -> Position | None:
    """The IR's position at the end of ``day``; None before it was registered."""
    if day < registered_on:
        return None
    if status != "ACTIVE" and status_changed_on is not None and status_changed_on <= day:
        return Position(Standing(status), False)
    latest: AssessedClass | None = None
    for assessment in history:
        if assessment.assessed_on <= day and (
            latest is None or (assessment.assessed_on, assessment.id) > (latest.assessed_on, latest.id)
        ):
            latest = assessment
    if latest is None:
        return Position(Standing.UNASSESSED, False)
    standing = Standing(latest.ir_class)
    return Position(standing, latest.small_enterprise_candidate and standing is Standing.MAJU)


def changes(
    registered_on: dt.date,
    history: Iterable[AssessedClass],
    status: str,
    status_changed_on: dt.date | None,
) -> list[Change]:
    """The days on which the IR's position changed, oldest first, starting with its registration."""
    history = list(history)
    days = {registered_on}
    days.update(a.assessed_on for a in history if a.assessed_on > registered_on)
    if status != "ACTIVE" and status_changed_on is not None:
        days.add(max(status_changed_on, registered_on))
    out: list[Change] = []
    previous: Position | None = None
    for day in sorted(days):
        position = position_on(day, registered_on, history, status, status_changed_on)
        assert position is not None
        if position != previous:
            out.append(Change(day, previous, position))
            previous = position
    return out


def is_move_up(before: Standing, after: Standing) -> bool:
    return before in CLASS_RANK and after in CLASS_RANK and CLASS_RANK[after] > CLASS_RANK[before]


def is_move_down(before: Standing, after: Standing) -> bool:
    return before in CLASS_RANK and after in CLASS_RANK and CLASS_RANK[after] < CLASS_RANK[before]
