"""Applying registry events to reporting's picture of an IR, and what each IR adds to the rollups.

Each event carries the IR's non-personal snapshot after the change, so the newest snapshot is the
record; assessments accumulate into the class history (keyed by assessment id, so a replayed
event adds nothing). ``contributions`` turns one IR into rollup entries; the consumer subtracts an
IR's old contributions and adds its new ones, so a back-dated assessment or a closure corrects
every period it touches.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Mapping

from services.reporting.domain.indicators import indicator_years, record_milestones
from services.reporting.domain.periods import ALL_TIME, buckets_of
from services.reporting.domain.standing import AssessedClass, Change, changes

#: Event types reporting understands; any other is stepped over (the feed grows new kinds).
HOME_INDUSTRY_EVENTS = frozenset(
    {"HomeIndustryRegistered", "HomeIndustryUpdated", "AssessmentRecorded", "HomeIndustryClosed", "HomeIndustryGraduated"}
)
#: Payload shapes this code reads.
KNOWN_PAYLOAD_SCHEMAS = frozenset({1})

NEW = "NEW"  # the "from" of a registration in the transitions rollup

#: Rollup region levels: national (code ""), province, regency/city, sub-district. Villages are
#: answered from the per-IR projection, which is small there.
ROLLUP_LEVELS = (0, 1, 2, 3)


@dataclass(slots=True)
class IrRecord:
    """What reporting knows of one IR: region, owner's sex and KRTP, workforce, status, history."""

    id: int
    registration_number: str
    village_code: str
    business_category: str
    owner_sex: str
    female_head_of_household: bool
    workers_female: int
    workers_male: int
    registered_on: dt.date
    status: str
    status_changed_on: dt.date | None
    products: list[str]
    constraints: list[str]
    hopes: list[str]
    assistance_received: list[dict[str, Any]]
    marketing_channels: list[str]
    history: dict[int, AssessedClass] = field(default_factory=dict)
    #: Fixed per IR (disclosure.record_key); the consumer sets it when the IR first appears.
    record_key: int | None = None
    #: First day each milestone fact held (domain/indicators.py): {"NIB": "2025-03-01", ...}.
    milestones: dict[str, str] = field(default_factory=dict)

    @property
    def regency_code(self) -> str:
        return ".".join(self.village_code.split(".")[:2])

    def region_codes(self) -> tuple[str, str, str, str]:
        """The rollup regions it counts in: the nation, its province, regency/city and sub-district."""
        return ("", self.village_code[:2], self.regency_code, self.village_code.rsplit(".", 1)[0])

    def changes(self) -> list[Change]:
        return changes(self.registered_on, self.history.values(), self.status, self.status_changed_on)

    def needs_items(self) -> set[tuple[str, str, str]]:
        """What the needs analysis counts this IR under, as (kind, item, detail); none unless active and assessed."""
        latest = self.latest()
        if self.status != "ACTIVE" or latest is None:
            return set()
        items = {("IR", "", "")}
        items.update(("PRODUCT", p, "") for p in self.products)
        items.update(("CONSTRAINT", c, "") for c in self.constraints)
        items.update(("NEED", h, "") for h in self.hopes)
        for a in self.assistance_received:
            kind = a.get("providerKind") or ""
            items.add(("ASSISTANCE", a.get("type") or "", kind))
            items.add(("PROVIDER", a.get("provider") or "", kind))
        return items

    def first_class(self) -> str | None:
        if not self.history:
            return None
        return min(self.history.values(), key=lambda a: (a.assessed_on, a.id)).ir_class

    def latest(self) -> AssessedClass | None:
        if not self.history:
            return None
        return max(self.history.values(), key=lambda a: (a.assessed_on, a.id))


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def apply_event(
    record: IrRecord | None, event_type: str, payload: Mapping[str, Any], occurred_on: dt.date | None = None
) -> IrRecord | None:
    """The record after one event (None stays None for an event reporting does not use); ``occurred_on``
    (the event's Asia/Jakarta day) dates the milestones it reaches first."""
    if event_type not in HOME_INDUSTRY_EVENTS or payload.get("schema") not in KNOWN_PAYLOAD_SCHEMAS:
        return record
    snapshot = payload["homeIndustry"]
    history = record.history if record is not None else {}
    assessment = payload.get("assessment")
    if event_type == "AssessmentRecorded" and assessment is not None:
        history[int(assessment["id"])] = AssessedClass(
            id=int(assessment["id"]),
            assessed_on=dt.date.fromisoformat(assessment["assessedOn"]),
            ir_class=assessment["irClass"],
            score=int(assessment["score"]),
            small_enterprise_candidate=bool(assessment["smallEnterpriseCandidate"]),
        )
    # A registry merge moved these assessments to the kept IR (published there as recorded): the
    # dropped IR's history no longer has them.
    for moved in payload.get("assessmentsMovedAway") or ():
        history.pop(int(moved), None)
    return IrRecord(
        id=int(snapshot["id"]),
        registration_number=snapshot["registrationNumber"],
        village_code=snapshot["villageCode"],
        business_category=snapshot["businessCategory"],
        owner_sex=snapshot["ownerSex"],
        female_head_of_household=bool(snapshot["ownerIsFemaleHeadOfHousehold"]),
        workers_female=int(snapshot["workersFemale"] or 0),
        workers_male=int(snapshot["workersMale"] or 0),
        registered_on=dt.date.fromisoformat(snapshot["registeredOn"]),
        status=snapshot["status"],
        status_changed_on=_date(snapshot.get("statusChangedOn")),
        products=[p for p in snapshot.get("products") or [] if p],
        constraints=list(snapshot.get("constraints") or []),
        hopes=list(snapshot.get("hopes") or []),
        assistance_received=list(snapshot.get("assistanceReceived") or []),
        marketing_channels=list(snapshot.get("marketingChannels") or []),
        history=history,
        record_key=record.record_key if record is not None else None,
        milestones=record_milestones(
            record.milestones if record is not None else {}, snapshot, event_type,
            occurred_on or dt.date.fromisoformat(snapshot["registeredOn"]),
        ),
    )


#: (level, region, period, period_start, standing, owner_sex, krtp, candidate) → [IR, women, men, key sum]
StockKey = tuple[int, str, str, dt.date, str, str, bool, bool]
#: (level, region, period, period_start, from, to, owner_sex) → [IR, key sum]
MoveKey = tuple[int, str, str, dt.date, str, str, str]
#: (level, region, current class, kind, item, detail) → [IR, key sum]
NeedKey = tuple[int, str, str, str, str, str]
#: (level, region, year, indicator, owner_sex, krtp) → [IR, key sum]
IndicatorKey = tuple[int, str, int, str, str, bool]
#: Indicator rollup levels: the nation, provinces, regencies/cities (Tabel 3's levels of reporting).
INDICATOR_LEVELS = (0, 1, 2)


@dataclass(slots=True)
class RollupDelta:
    """Net changes to the rollups from a batch of events; each count comes with the sum of its IR's
    record keys (disclosure.py), added and taken away with it."""

    stock: dict[StockKey, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0, 0, 0]))
    moves: dict[MoveKey, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    needs: dict[NeedKey, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    indicators: dict[IndicatorKey, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))

    def add(self, record: IrRecord, sign: int) -> None:
        """Add (sign 1) or take away (sign -1) everything ``record`` contributes."""
        regions = record.region_codes()
        sex, krtp = record.owner_sex, record.female_head_of_household
        women, men = record.workers_female * sign, record.workers_male * sign
        key = (record.record_key or 0) * sign
        stock, moves, needs = self.stock, self.moves, self.needs
        items = record.needs_items()
        if items:
            ir_class = record.latest().ir_class  # type: ignore[union-attr]
            for level in ROLLUP_LEVELS:
                for kind, item, detail in items:
                    entry = needs[(level, regions[level], ir_class, kind, item, detail)]
                    entry[0] += sign
                    entry[1] += key
        record_changes = record.changes()
        for indicator, year in indicator_years(record_changes, record.first_class(), record.registered_on, record.milestones,
                                           record.village_code):
            for level in INDICATOR_LEVELS:
                entry = self.indicators[(level, regions[level], year, indicator.value, sex, krtp)]
                entry[0] += sign
                entry[1] += key
        for change in record_changes:
            buckets = buckets_of(change.on)
            after, before = change.after, change.before
            for level in ROLLUP_LEVELS:
                region = regions[level]
                for period, start in buckets:
                    entry = stock[(level, region, period, start, after.standing.value, sex, krtp, after.candidate)]
                    entry[0] += sign
                    entry[1] += women
                    entry[2] += men
                    entry[3] += key
                    if before is not None:
                        entry = stock[(level, region, period, start, before.standing.value, sex, krtp, before.candidate)]
                        entry[0] -= sign
                        entry[1] -= women
                        entry[2] -= men
                        entry[3] -= key
                    if period != ALL_TIME and (before is None or before.standing is not after.standing):
                        origin = NEW if before is None else before.standing.value
                        entry = moves[(level, region, period, start, origin, after.standing.value, sex)]
                        entry[0] += sign
                        entry[1] += key

    def nonzero(self) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]]:
        """Rows to add to the rollup tables (entries that cancelled out are left out)."""
        stock = [(*key, *values) for key, values in self.stock.items() if any(values)]
        moves = [(*key, *values) for key, values in self.moves.items() if any(values)]
        needs = [(*key, *values) for key, values in self.needs.items() if any(values)]
        return stock, moves, needs

    def indicator_rows(self) -> list[tuple[Any, ...]]:
        """Rows to add to reporting.indicator_counts (entries that cancelled out are left out)."""
        return [(*key, *values) for key, values in self.indicators.items() if any(values)]
