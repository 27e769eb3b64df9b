"""Figures every report shares: counts per class, a region's statistics, the moves matrix."""

from __future__ import annotations

import datetime as dt
from enum import Enum

import strawberry

from services.reporting.domain import reports as domain
from services.reporting.domain.projection import NEW
from services.reporting.domain.standing import Standing
from siir.enum_values import IR_CLASSES, describe_values


@strawberry.enum(description="Where an IR stands in the programme on a date: not yet assessed, its class "
                 "(Pemula IR 1, Berkembang IR 2, Maju IR 3), closed (gulung tikar) or graduated to small enterprise.")
class IrStanding(Enum):
    UNASSESSED = "UNASSESSED"
    PEMULA = "PEMULA"
    BERKEMBANG = "BERKEMBANG"
    MAJU = "MAJU"
    CLOSED = "CLOSED"
    GRADUATED = "GRADUATED"


describe_values(IrStanding, {
    "UNASSESSED": "Registered, not assessed yet.",
    **IR_CLASSES,
    "CLOSED": "Closed or moved away (gulung tikar).",
    "GRADUATED": "Graduated to small enterprise (usaha kecil).",
})


WITHHELD = (" For a partner, perturbed by the cell-key method: never 1–4, the same for the same IR whatever "
            "the query (docs/disclosure-control.md).")
PROTECTED = ("True when these figures are disclosure-protected for a partner: perturbed by the cell-key method "
             "(never 1–4, not exact, not additive); false for exact figures.")


@strawberry.type(description="Numbers of IR by standing on a date. Partner-facing counts are perturbed by the "
                 "cell-key method (never 1–4), with `suppressed` true.")
class ClassCounts:
    unassessed: int | None = strawberry.field(description="Registered, no assessment yet." + WITHHELD)
    pemula: int | None = strawberry.field(description="Pemula (IR 1): starting IR." + WITHHELD)
    berkembang: int | None = strawberry.field(description="Berkembang (IR 2): developing IR." + WITHHELD)
    maju: int | None = strawberry.field(description="Maju (IR 3): advanced IR." + WITHHELD)
    active: int | None = strawberry.field(description="Still in the programme: unassessed + pemula + berkembang + maju." + WITHHELD)
    closed: int | None = strawberry.field(description="Closed (gulung tikar, moved away) by then, cumulative." + WITHHELD)
    graduated: int | None = strawberry.field(description="Graduated to small enterprise (Usaha Kecil) by then, cumulative." + WITHHELD)
    total: int | None = strawberry.field(description="Every IR registered by then." + WITHHELD)
    suppressed: bool = strawberry.field(description=PROTECTED)

    @classmethod
    def of(cls, counts: domain.Counts) -> "ClassCounts":
        return cls(
            unassessed=counts.of(Standing.UNASSESSED), pemula=counts.of(Standing.PEMULA),
            berkembang=counts.of(Standing.BERKEMBANG), maju=counts.of(Standing.MAJU), active=counts.active,
            closed=counts.of(Standing.CLOSED), graduated=counts.of(Standing.GRADUATED), total=counts.total,
            suppressed=counts.suppressed,
        )


@strawberry.type(description="Workers absorbed by active IR, disaggregated by sex (as the IR records state them).")
class WorkersAbsorbed:
    women: int | None = strawberry.field(
        description="Women working in the IR (tenaga kerja perempuan), owners included."
    )
    men: int | None = strawberry.field(description="Men working in the IR, owners included.")
    total: int | None = strawberry.field(description="All workers, owners included.")


@strawberry.type(description="A region's home-industry figures on a date (end of day, Asia/Jakarta).")
class IrStatistics:
    as_of: dt.date = strawberry.field(description="The date the figures are for.")
    counts: ClassCounts = strawberry.field(description="All IR by standing.")
    female_owned: ClassCounts = strawberry.field(description="IR whose owner is a woman.")
    male_owned: ClassCounts = strawberry.field(description="IR whose owner is a man.")
    female_head_of_household: ClassCounts = strawberry.field(
        description="IR led by a female head of household (Kepala Rumah Tangga Perempuan, KRTP)."
    )
    workers: WorkersAbsorbed = strawberry.field(description="For a partner: perturbed like the counts, and null "
                                                "where the region has 1–4 active IR.")
    small_enterprise_candidates: int | None = strawberry.field(
        description="Active Maju IR whose latest assessment passes the small-enterprise thresholds (hand-over candidates)."
        + WITHHELD
    )
    suppressed: bool = strawberry.field(description=PROTECTED)

    @classmethod
    def of(cls, as_of: dt.date, s: domain.Statistics) -> "IrStatistics":
        return cls(
            as_of=as_of, counts=ClassCounts.of(s.counts), female_owned=ClassCounts.of(s.female_owned),
            male_owned=ClassCounts.of(s.male_owned), female_head_of_household=ClassCounts.of(s.female_head_of_household),
            workers=WorkersAbsorbed(
                women=s.workers_female, men=s.workers_male,
                total=None if s.workers_female is None or s.workers_male is None else s.workers_female + s.workers_male,
            ),
            small_enterprise_candidates=s.small_enterprise_candidates, suppressed=s.suppressed,
        )


@strawberry.type(description="How many IR moved from one standing to another in the period.")
class ClassMove:
    from_: IrStanding | None = strawberry.field(name="from", description="Null: newly registered in the period.")
    to: IrStanding = strawberry.field(description="The standing moved to.")
    home_industries: int | None = strawberry.field(description="How many IR made this move." + WITHHELD)
    female_owned: int | None = strawberry.field(description="Of them, IR owned by a woman (perturbed for a partner).")
    male_owned: int | None = strawberry.field(description="Of them, IR owned by a man (perturbed for a partner).")


@strawberry.type(description="The moves of a period (naik kelas and the rest), summed. For a partner each sum is "
                 "a cell of its own, perturbed (never 1–4).")
class MovesSummary:
    new_registrations: int | None = strawberry.field(description="IR registered in the period.")
    moved_up: int | None = strawberry.field(description="Moves to a higher class, graduation included (naik kelas).")
    moved_down: int | None = strawberry.field(description="Moves to a lower class (turun kelas).")
    pemula_to_berkembang: int | None = strawberry.field(
        description="IR that moved from Pemula (IR 1) to Berkembang (IR 2)."
    )
    berkembang_to_maju: int | None = strawberry.field(
        description="IR that moved from Berkembang (IR 2) to Maju (IR 3)."
    )
    maju_to_graduated: int | None = strawberry.field(
        description="Maju IR that graduated to small enterprise (usaha kecil)."
    )
    closed: int | None = strawberry.field(description="Closures (gulung tikar) in the period.")
    graduated: int | None = strawberry.field(description="Graduations to small enterprise in the period.")
    suppressed: bool = strawberry.field(description=PROTECTED)

    @classmethod
    def of(cls, m: domain.Moves) -> "MovesSummary":
        return cls(
            new_registrations=m.new_registrations, moved_up=m.moved_up, moved_down=m.moved_down,
            pemula_to_berkembang=m.count("PEMULA", "BERKEMBANG"), berkembang_to_maju=m.count("BERKEMBANG", "MAJU"),
            maju_to_graduated=m.count("MAJU", "GRADUATED"), closed=m.closed, graduated=m.graduated,
            suppressed=m.suppressed,
        )


def move_list(m: domain.Moves) -> list[ClassMove]:
    order = [s.value for s in Standing]
    rank = {name: i for i, name in enumerate([NEW, *order])}
    return [
        ClassMove(from_=None if a == NEW else IrStanding(a), to=IrStanding(b), home_industries=m.entry(a, b)[0],
                  female_owned=m.entry(a, b)[1], male_owned=m.entry(a, b)[2])
        for (a, b), v in sorted(m.matrix.items(), key=lambda item: (rank[item[0][0]], rank[item[0][1]]))
        if m.entry(a, b)[0]  # a move shown as 0 is left out, as one that did not happen
    ]
