"""Small-count suppression for partner-facing aggregates: a count of 1–4 IR is withheld, not shown.

Cells: a region's IR on a date by (standing, owner's sex, KRTP); its moves by (from, to, owner's
sex); its needs items by (class, item). A cell of 1–4 IR is withheld (primary suppression). Every
number shown is then either the exact sum of cells none of which is withheld, or null: a class
count is null when any of its cells is, ``active`` when any active class's is, ``total`` when any
is. So no difference of shown numbers within one figure block can contain a withheld cell.

Workers absorbed are shown only when no active cell of the region is withheld; hand-over candidates
when they are 0 or at least 5. A parent's cell is withheld too whenever the same cell of any child
is: in a drill-down report (groupByChildren) and in ``Region.irStatistics`` (which a gateway query
can join for a region and its ``children``). So "parent minus the children shown" never yields a
withheld cell: between two levels in one answer, a difference is at most a child held back because
of its own children, whose count is then at least 5.

Not protected (documented, for the data protection officer): three or more levels joined in one
answer (region → children → grandchildren through the gateway), and differences between separate
reports — two dates, a stock table against a moves table, several reports under aliases — can
narrow a withheld cell. Partners see no IR ids or record-level fields at all, and not the annual
report (access.py).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

#: The smallest count shown to partners.
MINIMUM_COUNT = 5

StockCell = tuple[str, str, bool]  # (standing, owner's sex FEMALE|MALE, KRTP)
MoveCell = tuple[str, str, str]  # (from standing or NEW, to standing, owner's sex FEMALE|MALE)


def is_small(n: int) -> bool:
    """A count that may not be shown to partners (1–4; zero is shown)."""
    return 0 < n < MINIMUM_COUNT


def sex_of(owner_sex: str) -> str:
    return "FEMALE" if owner_sex == "FEMALE" else "MALE"


@dataclass(frozen=True, slots=True)
class Withheld:
    """What of one region's figures is withheld."""

    cells: frozenset[tuple[str, str, object]] = frozenset()
    workers: bool = False
    candidates: bool = False

    def __or__(self, other: "Withheld") -> "Withheld":
        return Withheld(self.cells | other.cells, self.workers or other.workers, self.candidates or other.candidates)

    @property
    def anything(self) -> bool:
        return bool(self.cells) or self.workers or self.candidates


NOTHING = Withheld()


def withheld_stock(lines: Iterable[object], active: frozenset[str]) -> Withheld:
    """Primary suppression of one region's stock lines (``domain.reports.StockLine``)."""
    cells: dict[StockCell, int] = defaultdict(int)
    candidates = 0
    for line in lines:
        cells[(line.standing, sex_of(line.owner_sex), line.female_head_of_household)] += line.home_industries  # type: ignore[attr-defined]
        if line.candidate:  # type: ignore[attr-defined]
            candidates += line.home_industries  # type: ignore[attr-defined]
    small = frozenset(cell for cell, n in cells.items() if is_small(n))
    return Withheld(small, workers=any(cell[0] in active for cell in small), candidates=is_small(candidates))


def withheld_moves(lines: Iterable[object]) -> Withheld:
    """Primary suppression of one region's move lines (``domain.reports.MoveLine``)."""
    cells: dict[MoveCell, int] = defaultdict(int)
    for line in lines:
        cells[(line.from_standing, line.to_standing, sex_of(line.owner_sex))] += line.home_industries  # type: ignore[attr-defined]
    return Withheld(frozenset(cell for cell, n in cells.items() if is_small(n)))


def with_children(own: Withheld, children: Iterable[Withheld]) -> Withheld:
    """A parent's withheld cells in a drill-down: its own and every child's."""
    out = own
    for child in children:
        out = out | child
    return out
