"""Report figures from rollup lines: class counts, statistics and the moves matrix (plain Python).

Rollups (national, province, regency/city) and the per-IR projection (sub-districts, villages)
both produce the same lines, so every report is assembled here the same way.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from services.reporting.domain.disclosure import is_small, published, sex_of
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
    #: The sum of these IR's record keys (disclosure.py): what a partner's perturbation is keyed on.
    key_sum: int = 0


@dataclass(frozen=True, slots=True)
class MoveLine:
    from_standing: str
    to_standing: str
    owner_sex: str
    home_industries: int
    key_sum: int = 0


@dataclass(slots=True)
class Counts:
    """IR per standing, each with its cell's key sum; ``protected`` (a partner) shows every count
    perturbed by the cell-key method (disclosure.py), each sum as a cell of its own."""

    by_standing: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))  # [IR, key sum]
    protected: bool = False

    def _shown(self, standings: Iterable[str]) -> int:
        n = key = 0
        for standing in standings:
            cell = self.by_standing.get(standing)
            if cell:
                n, key = n + cell[0], key + cell[1]
        return published(n, key) if self.protected else n

    def of(self, standing: Standing) -> int:
        return self._shown([standing.value])

    @property
    def active(self) -> int:
        return self._shown(ACTIVE_NAMES)

    @property
    def total(self) -> int:
        return self._shown(list(self.by_standing))

    @property
    def suppressed(self) -> bool:
        return self.protected


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
    protected: bool = False

    @property
    def suppressed(self) -> bool:
        return self.protected


ACTIVE_NAMES = frozenset(s.value for s in ACTIVE)


def statistics(lines: Iterable[StockLine], protected: bool = False) -> Statistics:
    """A region's figures from its stock lines; ``protected``: as a partner sees them (disclosure.py)."""
    out = Statistics(*(Counts(protected=protected) for _ in range(4)), protected=protected)
    active = [0, 0]  # active IR, their key sum: the cell the workers belong to
    workers = [0, 0]
    candidates = [0, 0]
    for line in lines:
        n, key = line.home_industries, line.key_sum
        if not n:
            continue
        for counts in (out.counts, out.female_owned if line.owner_sex == "FEMALE" else out.male_owned,
                       out.female_head_of_household if line.female_head_of_household else None):
            if counts is not None:
                cell = counts.by_standing[line.standing]
                cell[0] += n
                cell[1] += key
        if line.standing in ACTIVE_NAMES:
            active[0] += n
            active[1] += key
            workers[0] += line.workers_female
            workers[1] += line.workers_male
        if line.candidate:
            candidates[0] += n
            candidates[1] += key
    if not protected:
        out.workers_female, out.workers_male, out.small_enterprise_candidates = workers[0], workers[1], candidates[0]
    elif is_small(active[0]):  # the workforce of 1–4 IR is not shown (a magnitude of a few)
        out.workers_female = out.workers_male = None
        out.small_enterprise_candidates = published(*candidates)
    else:
        out.workers_female = published(workers[0], active[1], "WORKERS_FEMALE")
        out.workers_male = published(workers[1], active[1], "WORKERS_MALE")
        out.small_enterprise_candidates = published(*candidates)
    return out


@dataclass(slots=True)
class Moves:
    """The moves between standings in a period, disaggregated by the owner's sex."""

    #: (from, to) → [all, women, men, key sum of all, of women, of men]
    matrix: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    #: Shown perturbed by the cell-key method (a partner, disclosure.py).
    protected: bool = False

    def _shown(self, n: int, key: int) -> int:
        return published(n, key) if self.protected else n

    def count(self, before: str, after: str) -> int:
        return self.where(lambda a, b: (a, b) == (before, after))

    def where(self, test: Callable[[str, str], bool]) -> int:
        n = key = 0
        for (a, b), v in self.matrix.items():
            if test(a, b):
                n, key = n + v[0], key + v[3]
        return self._shown(n, key)

    def entry(self, before: str, after: str) -> tuple[int, int, int]:
        """(all, women, men) moving from ``before`` to ``after``."""
        v = self.matrix.get((before, after), [0] * 6)
        return self._shown(v[0], v[3]), self._shown(v[1], v[4]), self._shown(v[2], v[5])

    @property
    def suppressed(self) -> bool:
        return self.protected

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


def moves(lines: Iterable[MoveLine], protected: bool = False) -> Moves:
    out = Moves(protected=protected)
    for line in lines:
        if not line.home_industries:
            continue
        entry = out.matrix.setdefault((line.from_standing, line.to_standing), [0] * 6)
        part = 1 if sex_of(line.owner_sex) == "FEMALE" else 2
        entry[0] += line.home_industries
        entry[part] += line.home_industries
        entry[3] += line.key_sum
        entry[3 + part] += line.key_sum
    return out


# -- the same lines from per-IR records (sub-districts and villages) ----------------------------


def stock_lines(
    records: Iterable[IrRecord], as_of: dt.date, inside: Callable[[str], bool] | None = None
) -> list[StockLine]:
    """The stock on ``as_of`` (end of day) from IR records, as rollup lines; with ``inside``, only the IR
    whose village on ``as_of`` it admits (a transferred IR counts where it was that day)."""
    out: dict[tuple[str, str, bool, bool], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for record in records:
        if inside is not None and not inside(record.village_on(as_of)):
            continue
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
        entry[3] += record.record_key or 0
    return [StockLine(*key, *values) for key, values in out.items()]


def move_lines(
    records: Iterable[IrRecord], first: dt.date, last: dt.date, inside: Callable[[str], bool] | None = None
) -> list[MoveLine]:
    """Moves dated ``first``..``last`` (both included) from IR records, as rollup lines; with ``inside``,
    only the moves made in a village it admits (where the IR was on the move's day)."""
    out: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0])
    for record in records:
        for change in record.changes():
            if inside is not None and not inside(record.village_on(change.on)):
                continue
            if first <= change.on <= last and (change.before is None or change.before.standing is not change.after.standing):
                origin = NEW if change.before is None else change.before.standing.value
                entry = out[(origin, change.after.standing.value, record.owner_sex)]
                entry[0] += 1
                entry[1] += record.record_key or 0
    return [MoveLine(*key, *values) for key, values in out.items()]
