"""The classification rule (DOMAIN.md, rule set PERMEN_PPPA_2_2016), band edge by band edge.

The rule set is read from the migrated database: the stored data is what is tested.
"""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from sqlalchemy.ext.asyncio import create_async_engine

from services.registry.data.rule_sets import load_graduation_thresholds, load_rule_set
from services.registry.domain.classification import (
    CapitalSource as Source,
    ClassificationError,
    Criteria,
    IrClass,
    ProductionPattern as Pattern,
    ProductionTechnology as Tech,
    RuleSet,
    business_age_months,
    classify,
)
from services.registry.domain.graduation import GraduationThresholds, is_small_enterprise_candidate
from siir.database import async_url

ASSESSED = dt.date(2026, 6, 15)


@pytest.fixture(scope="module")
def stored(database_url: str) -> tuple[RuleSet, GraduationThresholds, GraduationThresholds]:
    async def load() -> tuple[RuleSet, GraduationThresholds, GraduationThresholds]:
        engine = create_async_engine(async_url(database_url))
        async with engine.connect() as connection:
            rules = await load_rule_set(connection, "PERMEN_PPPA_2_2016")
            uu = await load_graduation_thresholds(connection, "UU_20_2008")
            pp = await load_graduation_thresholds(connection, "PP_7_2021")
        await engine.dispose()
        return rules, uu, pp

    return asyncio.run(load())


@pytest.fixture(scope="module")
def rules(stored: tuple[RuleSet, GraduationThresholds, GraduationThresholds]) -> RuleSet:
    return stored[0]


def criteria(
    workers: int = 1,
    tech: Tech = Tech.MANUAL,
    source: Source = Source.OWN,
    capital: int = 0,
    started: dt.date = ASSESSED,
    pattern: Pattern = Pattern.NOT_CONTINUOUS,
) -> Criteria:
    return Criteria(workers, tech, source, capital, started, pattern)


@pytest.mark.parametrize(
    ("workers", "level"), [(1, 1), (2, 1), (3, 2), (5, 2), (6, 3), (10, 3), (11, 3), (500, 3)]
)
def test_worker_bands_count_the_owner_and_values_above_the_table_are_level_3(rules: RuleSet, workers: int, level: int) -> None:
    assert classify(criteria(workers=workers), ASSESSED, rules).levels.worker_count == level


@pytest.mark.parametrize(
    ("capital", "level"),
    [(0, 1), (4_999_999, 1), (5_000_000, 2), (24_999_999, 2), (25_000_000, 3), (49_999_999, 3), (50_000_000, 3), (10**12, 3)],
)
def test_capital_amount_bands(rules: RuleSet, capital: int, level: int) -> None:
    assert classify(criteria(capital=capital), ASSESSED, rules).levels.capital_amount == level


@pytest.mark.parametrize(
    ("started", "months", "level"),
    [
        (dt.date(2026, 6, 15), 0, 1),
        (dt.date(2025, 6, 16), 11, 1),  # one day short of 12 months
        (dt.date(2025, 6, 15), 12, 2),
        (dt.date(2024, 6, 15), 24, 2),
        (dt.date(2024, 6, 16), 23, 2),
        (dt.date(2024, 5, 15), 25, 3),
        (dt.date(2024, 6, 14), 24, 2),  # 24 months and a day is still 24 whole months
        (dt.date(2010, 1, 1), 197, 3),
    ],
)
def test_business_age_in_whole_months(rules: RuleSet, started: dt.date, months: int, level: int) -> None:
    result = classify(criteria(started=started), ASSESSED, rules)
    assert result.business_age_months == months
    assert result.levels.business_age == level


def test_month_ends_do_not_count_a_month_early() -> None:
    assert business_age_months(dt.date(2026, 1, 31), dt.date(2026, 2, 28)) == 0
    assert business_age_months(dt.date(2026, 1, 31), dt.date(2026, 3, 1)) == 1
    assert business_age_months(dt.date(2024, 2, 29), dt.date(2025, 2, 28)) == 11


@pytest.mark.parametrize(
    ("tech", "source", "pattern", "level"),
    [
        (Tech.MANUAL, Source.OWN, Pattern.NOT_CONTINUOUS, 1),
        (Tech.SEMI_MANUAL, Source.OWN_AND_INFORMAL_LOAN, Pattern.SEMI_CONTINUOUS, 2),
        (Tech.HIGH_TECHNOLOGY, Source.OWN_AND_FORMAL_LOAN, Pattern.CONTINUOUS, 3),
    ],
)
def test_categorical_criteria(rules: RuleSet, tech: Tech, source: Source, pattern: Pattern, level: int) -> None:
    levels = classify(criteria(tech=tech, source=source, pattern=pattern), ASSESSED, rules).levels
    assert (levels.production_technology, levels.capital_source, levels.production_pattern) == (level, level, level)


def _with_score(score: int) -> Criteria:
    """Criteria whose levels add up to ``score`` (6–18), raising one criterion at a time."""
    extra = score - 6
    levels = [1] * 6
    for i in range(6):
        step = min(2, extra)
        levels[i] += step
        extra -= step
    workers = {1: 1, 2: 3, 3: 6}[levels[0]]
    tech = [Tech.MANUAL, Tech.SEMI_MANUAL, Tech.HIGH_TECHNOLOGY][levels[1] - 1]
    source = [Source.OWN, Source.OWN_AND_INFORMAL_LOAN, Source.OWN_AND_FORMAL_LOAN][levels[2] - 1]
    capital = {1: 1_000_000, 2: 5_000_000, 3: 25_000_000}[levels[3]]
    started = {1: ASSESSED, 2: dt.date(2025, 6, 15), 3: dt.date(2024, 5, 15)}[levels[4]]
    pattern = [Pattern.NOT_CONTINUOUS, Pattern.SEMI_CONTINUOUS, Pattern.CONTINUOUS][levels[5] - 1]
    return criteria(workers, tech, source, capital, started, pattern)


@pytest.mark.parametrize(
    ("score", "ir_class"),
    [(6, IrClass.PEMULA), (9, IrClass.PEMULA), (10, IrClass.BERKEMBANG), (15, IrClass.BERKEMBANG), (16, IrClass.MAJU), (18, IrClass.MAJU)],
)
def test_class_bands_of_the_score(rules: RuleSet, score: int, ir_class: IrClass) -> None:
    result = classify(_with_score(score), ASSESSED, rules)
    assert result.score == score
    assert result.ir_class is ir_class
    assert (result.rule_set_code, result.rule_set_version) == ("PERMEN_PPPA_2_2016", 1)


def test_every_score_from_6_to_18_has_exactly_one_class(rules: RuleSet) -> None:
    classes = [classify(_with_score(s), ASSESSED, rules).ir_class for s in range(6, 19)]
    assert classes == [IrClass.PEMULA] * 4 + [IrClass.BERKEMBANG] * 6 + [IrClass.MAJU] * 3


def test_criteria_outside_every_band_are_refused(rules: RuleSet) -> None:
    with pytest.raises(ClassificationError) as zero_workers:
        classify(criteria(workers=0), ASSESSED, rules)
    assert zero_workers.value.field == "workerCount"
    with pytest.raises(ClassificationError) as future_start:
        classify(criteria(started=ASSESSED + dt.timedelta(days=1)), ASSESSED, rules)
    assert future_start.value.field == "businessStartedOn"


def test_small_enterprise_thresholds_are_strictly_above_and_configurable(
    stored: tuple[RuleSet, GraduationThresholds, GraduationThresholds],
) -> None:
    _, uu, pp = stored
    assert not is_small_enterprise_candidate(IrClass.MAJU, 50_000_000, 300_000_000, uu)
    assert is_small_enterprise_candidate(IrClass.MAJU, 50_000_001, None, uu)
    assert is_small_enterprise_candidate(IrClass.MAJU, None, 300_000_001, uu)
    assert not is_small_enterprise_candidate(IrClass.BERKEMBANG, 10**10, 10**10, uu)
    assert not is_small_enterprise_candidate(IrClass.MAJU, None, None, uu)
    # PP 7/2021 raised the bar: the same IR is no candidate under it.
    assert not is_small_enterprise_candidate(IrClass.MAJU, 60_000_000, 400_000_000, pp)
    assert is_small_enterprise_candidate(IrClass.MAJU, None, 2_000_000_001, pp)
