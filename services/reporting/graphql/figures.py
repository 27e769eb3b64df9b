"""Figures every report shares: counts per class, a region's statistics, the moves matrix."""

from __future__ import annotations

import datetime as dt
from enum import Enum

import strawberry

from services.reporting.domain import reports as domain
from services.reporting.domain.projection import NEW
from services.reporting.domain.standing import Standing


@strawberry.enum(description="Where an IR stands in the programme on a date: not yet assessed, its class "
                 "(Pemula IR 1, Berkembang IR 2, Maju IR 3), closed (gulung tikar) or graduated to small enterprise.")
class IrStanding(Enum):
    UNASSESSED = "UNASSESSED"
    PEMULA = "PEMULA"
    BERKEMBANG = "BERKEMBANG"
    MAJU = "MAJU"
    CLOSED = "CLOSED"
    GRADUATED = "GRADUATED"


@strawberry.type(description="Numbers of IR by standing on a date.")
class ClassCounts:
    unassessed: int = strawberry.field(description="Registered, no assessment yet.")
    pemula: int = strawberry.field(description="Pemula (IR 1): starting IR.")
    berkembang: int = strawberry.field(description="Berkembang (IR 2): developing IR.")
    maju: int = strawberry.field(description="Maju (IR 3): advanced IR.")
    active: int = strawberry.field(description="Still in the programme: unassessed + pemula + berkembang + maju.")
    closed: int = strawberry.field(description="Closed (gulung tikar, moved away) by then, cumulative.")
    graduated: int = strawberry.field(description="Graduated to small enterprise (Usaha Kecil) by then, cumulative.")
    total: int = strawberry.field(description="Every IR registered by then.")

    @classmethod
    def of(cls, counts: domain.Counts) -> "ClassCounts":
        return cls(
            unassessed=counts.of(Standing.UNASSESSED), pemula=counts.of(Standing.PEMULA),
            berkembang=counts.of(Standing.BERKEMBANG), maju=counts.of(Standing.MAJU), active=counts.active,
            closed=counts.of(Standing.CLOSED), graduated=counts.of(Standing.GRADUATED), total=counts.total,
        )


@strawberry.type(description="Workers absorbed by active IR, disaggregated by sex (as the IR records state them).")
class WorkersAbsorbed:
    women: int
    men: int
    total: int


@strawberry.type(description="A region's home-industry figures on a date (end of day, Asia/Jakarta).")
class IrStatistics:
    as_of: dt.date
    counts: ClassCounts = strawberry.field(description="All IR by standing.")
    female_owned: ClassCounts = strawberry.field(description="IR whose owner is a woman.")
    male_owned: ClassCounts = strawberry.field(description="IR whose owner is a man.")
    female_head_of_household: ClassCounts = strawberry.field(
        description="IR led by a female head of household (Kepala Rumah Tangga Perempuan, KRTP)."
    )
    workers: WorkersAbsorbed
    small_enterprise_candidates: int = strawberry.field(
        description="Active Maju IR whose latest assessment passes the small-enterprise thresholds (hand-over candidates)."
    )

    @classmethod
    def of(cls, as_of: dt.date, s: domain.Statistics) -> "IrStatistics":
        return cls(
            as_of=as_of, counts=ClassCounts.of(s.counts), female_owned=ClassCounts.of(s.female_owned),
            male_owned=ClassCounts.of(s.male_owned), female_head_of_household=ClassCounts.of(s.female_head_of_household),
            workers=WorkersAbsorbed(women=s.workers_female, men=s.workers_male, total=s.workers_female + s.workers_male),
            small_enterprise_candidates=s.small_enterprise_candidates,
        )


@strawberry.type(description="How many IR moved from one standing to another in the period.")
class ClassMove:
    from_: IrStanding | None = strawberry.field(name="from", description="Null: newly registered in the period.")
    to: IrStanding
    home_industries: int
    female_owned: int
    male_owned: int


@strawberry.type(description="The moves of a period (naik kelas and the rest), summed.")
class MovesSummary:
    new_registrations: int
    moved_up: int = strawberry.field(description="Moves to a higher class, graduation included (naik kelas).")
    moved_down: int = strawberry.field(description="Moves to a lower class (turun kelas).")
    pemula_to_berkembang: int
    berkembang_to_maju: int
    maju_to_graduated: int
    closed: int = strawberry.field(description="Closures (gulung tikar) in the period.")
    graduated: int = strawberry.field(description="Graduations to small enterprise in the period.")

    @classmethod
    def of(cls, m: domain.Moves) -> "MovesSummary":
        return cls(
            new_registrations=m.new_registrations, moved_up=m.moved_up, moved_down=m.moved_down,
            pemula_to_berkembang=m.count("PEMULA", "BERKEMBANG"), berkembang_to_maju=m.count("BERKEMBANG", "MAJU"),
            maju_to_graduated=m.count("MAJU", "GRADUATED"), closed=m.closed, graduated=m.graduated,
        )


def move_list(m: domain.Moves) -> list[ClassMove]:
    order = [s.value for s in Standing]
    rank = {name: i for i, name in enumerate([NEW, *order])}
    return [
        ClassMove(from_=None if a == NEW else IrStanding(a), to=IrStanding(b), home_industries=v[0],
                  female_owned=v[1], male_owned=v[2])
        for (a, b), v in sorted(m.matrix.items(), key=lambda item: (rank[item[0][0]], rank[item[0][1]]))
        if v[0]
    ]
