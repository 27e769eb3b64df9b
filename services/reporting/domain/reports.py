"""Report figures from rollup lines: class counts, statistics and the moves matrix (plain Python).

Rollups (national, province, regency/city) and the per-IR projection (sub-districts, villages)
both produce the same lines, so every report is assembled here the same way.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from services.reporting.domain.disclosure import NOTHING, Withheld, sex_of
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
    """IR per standing; a standing in ``withheld`` is not shown (None) to the caller (disclosure.py)."""

    by_standing: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    withheld: set[str] = field(default_factory=set)

    def of(self, standing: Standing) -> int | None:
        return None if standing.value in self.withheld else self.by_standing.get(standing.value, 0)

    @property
    def active(self) -> int | None:
        if any(s.value in self.withheld for s in ACTIVE):
            return None
        return sum(self.by_standing.get(s.value, 0) for s in ACTIVE)

    @property
    def total(self) -> int | None:
        return None if self.withheld else sum(self.by_standing.values())

    @property
    def suppressed(self) -> bool:
        return bool(self.withheld)


@dataclass(slots=True)
class Statistics:
    """A region's figures on a date."""

    counts: Counts = field(default_factory=Counts)
    female_owned: Counts = field(default_factory=Counts)
    male_owned: Counts = field(default_factory=Counts)
    female_head_of_household: Counts = field(default_factory=Counts)
    workers_female: int | None = 0
    workers_male: int | None = 0
    small_enterprise_candidates: int | None = 0

    @property
    def suppressed(self) -> bool:
        return (self.counts.suppressed or self.female_owned.suppressed or self.male_owned.suppressed
                or self.female_head_of_household.suppressed or self.workers_female is None
                or self.small_enterprise_candidates is None)


ACTIVE_NAMES = frozenset(s.value for s in ACTIVE)


def statistics(lines: Iterable[StockLine], withheld: Withheld = NOTHING) -> Statistics:
    """A region's figures from its stock lines, with ``withheld`` cells (disclosure.py) not shown."""
    out = Statistics()
    for standing, sex, krtp in withheld.cells:  # type: ignore[misc]
        out.counts.withheld.add(standing)
        (out.female_owned if sex == "FEMALE" else out.male_owned).withheld.add(standing)
        if krtp:
            out.female_head_of_household.withheld.add(standing)
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
            out.small_enterprise_candidates += n  # type: ignore[operator]
    if withheld.workers:
        out.workers_female = out.workers_male = None
    if withheld.candidates:
        out.small_enterprise_candidates = None
    return out


@dataclass(slots=True)
class Moves:
    """The moves between standings in a period, disaggregated by the owner's sex."""

    matrix: dict[tuple[str, str], list[int]] = field(default_factory=dict)  # (from, to) → [all, women, men]
    #: (from, to, sex) cells not shown to the caller (disclosure.py).
    withheld: frozenset[tuple[str, str, str]] = frozenset()

    def count(self, before: str, after: str) -> int | None:
        return self.where(lambda a, b: (a, b) == (before, after))

    def where(self, test: Callable[[str, str], bool]) -> int | None:
        if any(test(a, b) for a, b, _ in self.withheld):
            return None
        return sum(v[0] for (a, b), v in self.matrix.items() if test(a, b))

    def entry(self, before: str, after: str) -> tuple[int | None, int | None, int | None]:
        """(all, women, men) moving from ``before`` to ``after``; None where withheld."""
        values = self.matrix.get((before, after), [0, 0, 0])
        women = None if (before, after, "FEMALE") in self.withheld else values[1]
        men = None if (before, after, "MALE") in self.withheld else values[2]
        return (None if women is None or men is None else values[0]), women, men

    @property
    def suppressed(self) -> bool:
        return bool(self.withheld)

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


def moves(lines: Iterable[MoveLine], withheld: Withheld = NOTHING) -> Moves:
    out = Moves(withheld=withheld.cells)  # type: ignore[arg-type]
    for line in lines:
        if not line.home_industries:
            continue
        entry = out.matrix.setdefault((line.from_standing, line.to_standing), [0, 0, 0])
        entry[0] += line.home_industries
        entry[1 if sex_of(line.owner_sex) == "FEMALE" else 2] += line.home_industries
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
