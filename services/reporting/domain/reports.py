"""Report figures from rollup lines: class counts, statistics and the moves matrix (plain Python).

Rollups (national, province, regency/city) and the per-IR projection (sub-districts, villages)
both produce the same lines, so every report is assembled here the same way.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from services.reporting.domain.projection import NEW, IrRecord
from services.reporting.domain.standing import ACTIVE, Standing, is_move_down, is_move_up


@dataclass(frozen=True, slots=True)
class StockLine:
    """How many IR stood somewhere on a date, for one combination of owner's sex, KRTP, candidacy."""

    standing: str
    owner_sex: str
    female_head_of_household: bool
    candidate: bool
    home_industries: int
    workers_female: int
    workers_male: int


@dataclass(frozen=True, slots=True)
class MoveLine:
    from_standing: str
    to_standing: str
    owner_sex: str
    home_industries: int


@dataclass(slots=True)
class Counts:
    """IR per standing."""

    by_standing: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def of(self, standing: Standing) -> int:
        return self.by_standing.get(standing.value, 0)

    @property
    def active(self) -> int:
        return sum(self.of(s) for s in ACTIVE)

    @property
    def total(self) -> int:
        return sum(self.by_standing.values())


@dataclass(slots=True)
class Statistics:
    """A region's figures on a date."""

    counts: Counts = field(default_factory=Counts)
    female_owned: Counts = field(default_factory=Counts)
    male_owned: Counts = field(default_factory=Counts)
    female_head_of_household: Counts = field(default_factory=Counts)
    workers_female: int = 0
    workers_male: int = 0
    small_enterprise_candidates: int = 0


def statistics(lines: Iterable[StockLine]) -> Statistics:
    out = Statistics()
    for line in lines:
        n = line.home_industries
        if not n:
            continue
        out.counts.by_standing[line.standing] += n
        (out.female_owned if line.owner_sex == "FEMALE" else out.male_owned).by_standing[line.standing] += n
        if line.female_head_of_household:
            out.female_head_of_household.by_standing[line.standing] += n
        if line.standing in {s.value for s in ACTIVE}:
            out.workers_female += line.workers_female
            out.workers_male += line.workers_male
        if line.candidate:
            out.small_enterprise_candidates += n
    return out


@dataclass(slots=True)
class Moves:
    """The moves between standings in a period, disaggregated by the owner's sex."""

    matrix: dict[tuple[str, str], list[int]] = field(default_factory=dict)  # (from, to) → [all, women, men]

    def count(self, before: str, after: str) -> int:
        return self.matrix.get((before, after), [0, 0, 0])[0]

    def where(self, test: Callable[[str, str], bool]) -> int:
        return sum(v[0] for (a, b), v in self.matrix.items() if test(a, b))

    @property
    def new_registrations(self) -> int:
        return self.where(lambda a, b: a == NEW)

    @property
    def moved_up(self) -> int:
        return self.where(lambda a, b: a != NEW and is_move_up(Standing(a), Standing(b)))

    @property
    def moved_down(self) -> int:
        return self.where(lambda a, b: a != NEW and is_move_down(Standing(a), Standing(b)))

    @property
    def closed(self) -> int:
        return self.where(lambda a, b: b == Standing.CLOSED.value)

    @property
    def graduated(self) -> int:
        return self.where(lambda a, b: b == Standing.GRADUATED.value)


def moves(lines: Iterable[MoveLine]) -> Moves:
    out = Moves()
    for line in lines:
        if not line.home_industries:
            continue
        entry = out.matrix.setdefault((line.from_standing, line.to_standing), [0, 0, 0])
        entry[0] += line.home_industries
        entry[1 if line.owner_sex == "FEMALE" else 2] += line.home_industries
    return out


# -- the same lines from per-IR records (sub-districts and villages) ----------------------------


def stock_lines(records: Iterable[IrRecord], as_of: dt.date) -> list[StockLine]:
    """The stock on ``as_of`` (end of day) from IR records, as rollup lines."""
    out: dict[tuple[str, str, bool, bool], list[int]] = defaultdict(lambda: [0, 0, 0])
    for record in records:
        position = None
        for change in record.changes():
            if change.on > as_of:
                break
            position = change.after
        if position is None:
            continue
        entry = out[(position.standing.value, record.owner_sex, record.female_head_of_household, position.candidate)]
        entry[0] += 1
        entry[1] += record.workers_female
        entry[2] += record.workers_male
    return [StockLine(*key, *values) for key, values in out.items()]


def move_lines(records: Iterable[IrRecord], first: dt.date, last: dt.date) -> list[MoveLine]:
    """Moves dated ``first``..``last`` (both included) from IR records, as rollup lines."""
    out: dict[tuple[str, str, str], int] = defaultdict(int)
    for record in records:
        for change in record.changes():
            if first <= change.on <= last and (change.before is None or change.before.standing is not change.after.standing):
                origin = NEW if change.before is None else change.before.standing.value
                out[(origin, change.after.standing.value, record.owner_sex)] += 1
    return [MoveLine(*key, n) for key, n in out.items()]
