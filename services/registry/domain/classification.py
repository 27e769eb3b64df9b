"""The classification of an IR (Permen PPPA 2/2016, Tabel 2) as plain Python.

A rule set is data (a row of ``registry.rule_sets``): per criterion either numeric bands
``[from, below)`` or a level per category, and the score range of each class. ``classify``
turns six criteria into six levels, a score and a class, and says which rule set did it, so
that every class can be explained and recomputed. No database, no HTTP.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import Enum
from typing import Any, Mapping


class IrClass(str, Enum):
    """The three classes of the regulation."""

    PEMULA = "PEMULA"
    BERKEMBANG = "BERKEMBANG"
    MAJU = "MAJU"


class ProductionTechnology(str, Enum):
    MANUAL = "MANUAL"
    SEMI_MANUAL = "SEMI_MANUAL"
    HIGH_TECHNOLOGY = "HIGH_TECHNOLOGY"


class CapitalSource(str, Enum):
    OWN = "OWN"
    OWN_AND_INFORMAL_LOAN = "OWN_AND_INFORMAL_LOAN"
    OWN_AND_FORMAL_LOAN = "OWN_AND_FORMAL_LOAN"


class ProductionPattern(str, Enum):
    NOT_CONTINUOUS = "NOT_CONTINUOUS"
    SEMI_CONTINUOUS = "SEMI_CONTINUOUS"
    CONTINUOUS = "CONTINUOUS"


@dataclass(frozen=True, slots=True)
class Criteria:
    """The six criteria as a surveyor enters them."""

    worker_count: int
    production_technology: ProductionTechnology
    capital_source: CapitalSource
    capital_amount: int
    business_started_on: dt.date
    production_pattern: ProductionPattern


@dataclass(frozen=True, slots=True)
class Levels:
    """The level (1–3) of each criterion."""

    worker_count: int
    production_technology: int
    capital_source: int
    capital_amount: int
    business_age: int
    production_pattern: int

    @property
    def score(self) -> int:
        return (
            self.worker_count
            + self.production_technology
            + self.capital_source
            + self.capital_amount
            + self.business_age
            + self.production_pattern
        )


@dataclass(frozen=True, slots=True)
class Classification:
    """What ``classify`` concludes, with everything needed to explain it."""

    business_age_months: int
    levels: Levels
    score: int
    ir_class: IrClass
    rule_set_code: str
    rule_set_version: int


@dataclass(frozen=True, slots=True)
class NumericBand:
    level: int
    start: int
    below: int | None  # None: open-ended top band


@dataclass(frozen=True, slots=True)
class ClassRange:
    ir_class: IrClass
    min_score: int
    max_score: int


@dataclass(frozen=True, slots=True)
class RuleSet:
    """A versioned classification rule, built from its stored definition."""

    code: str
    version: int
    worker_count: tuple[NumericBand, ...]
    capital_amount: tuple[NumericBand, ...]
    business_age_months: tuple[NumericBand, ...]
    production_technology: Mapping[str, int]
    capital_source: Mapping[str, int]
    production_pattern: Mapping[str, int]
    classes: tuple[ClassRange, ...]

    @classmethod
    def from_definition(cls, code: str, version: int, definition: Mapping[str, Any]) -> "RuleSet":
        criteria = definition["criteria"]

        def bands(name: str) -> tuple[NumericBand, ...]:
            return tuple(
                NumericBand(level=b["level"], start=b["from"], below=b.get("below"))
                for b in criteria[name]["bands"]
            )

        return cls(
            code=code,
            version=version,
            worker_count=bands("workerCount"),
            capital_amount=bands("capitalAmount"),
            business_age_months=bands("businessAgeMonths"),
            production_technology=dict(criteria["productionTechnology"]["levels"]),
            capital_source=dict(criteria["capitalSource"]["levels"]),
            production_pattern=dict(criteria["productionPattern"]["levels"]),
            classes=tuple(
                ClassRange(IrClass(c["class"]), c["minScore"], c["maxScore"])
                for c in definition["classes"]
            ),
        )


class ClassificationError(ValueError):
    """Criteria that no band of the rule set covers (e.g. zero workers, a future start date)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def business_age_months(started_on: dt.date, assessed_on: dt.date) -> int:
    """Whole months from the business start date to the assessment date.

    A month counts once its day is reached: 15 Jan → 14 Feb is 0 months, → 15 Feb is 1.
    """
    if started_on > assessed_on:
        raise ClassificationError("businessStartedOn", "the business start date is after the assessment date")
    months = (assessed_on.year - started_on.year) * 12 + (assessed_on.month - started_on.month)
    if assessed_on.day < started_on.day:
        months -= 1
    return months


def _band_level(bands: tuple[NumericBand, ...], value: int, field: str) -> int:
    for band in bands:
        if value >= band.start and (band.below is None or value < band.below):
            return band.level
    raise ClassificationError(field, f"{value} is outside every band of the rule set")


def _category_level(levels: Mapping[str, int], value: Enum, field: str) -> int:
    try:
        return levels[value.value]
    except KeyError:
        raise ClassificationError(field, f"{value.value} has no level in the rule set") from None


def classify(criteria: Criteria, assessed_on: dt.date, rule_set: RuleSet) -> Classification:
    """Classify one IR on one date under one rule set."""
    age = business_age_months(criteria.business_started_on, assessed_on)
    levels = Levels(
        worker_count=_band_level(rule_set.worker_count, criteria.worker_count, "workerCount"),
        production_technology=_category_level(
            rule_set.production_technology, criteria.production_technology, "productionTechnology"
        ),
        capital_source=_category_level(rule_set.capital_source, criteria.capital_source, "capitalSource"),
        capital_amount=_band_level(rule_set.capital_amount, criteria.capital_amount, "capitalAmount"),
        business_age=_band_level(rule_set.business_age_months, age, "businessStartedOn"),
        production_pattern=_category_level(
            rule_set.production_pattern, criteria.production_pattern, "productionPattern"
        ),
    )
    score = levels.score
    for class_range in rule_set.classes:
        if class_range.min_score <= score <= class_range.max_score:
            return Classification(age, levels, score, class_range.ir_class, rule_set.code, rule_set.version)
    raise ClassificationError("score", f"score {score} falls in no class of rule set {rule_set.code}")
