"""The cell-key perturbation itself (services/reporting/domain/disclosure.py), as plain Python."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter

import pytest

from services.reporting.domain import disclosure
from services.reporting.domain.disclosure import p_table_row, possible_counts, published, record_key
from services.reporting.domain.reports import StockLine, statistics
from siir.errors import Forbidden, InvalidInput


@pytest.mark.parametrize("n", range(0, 40))
def test_every_p_table_row_is_a_distribution_with_expectation_n_and_no_value_of_1_to_4(n: int) -> None:
    row = p_table_row(n)
    assert sum(p for _, p in row) == 100
    assert sum(value * p for value, p in row) == 100 * n  # unbiased
    assert all(value == 0 or value >= 5 for value, _ in row)
    if n >= 7:
        assert all(abs(value - n) <= 2 for value, _ in row)


def test_no_published_count_is_1_to_4_and_none_is_far_from_the_truth() -> None:
    rng = random.Random(7)
    for _ in range(20_000):
        n = rng.randint(0, 60)
        shown = published(n, rng.getrandbits(40))
        assert shown == 0 or shown >= 5
        assert n in possible_counts(shown)
        assert abs(shown - n) <= (5 if n <= 5 else 2)


def test_two_published_counts_of_nested_cells_never_determine_a_difference_of_1_to_4() -> None:
    shown_values = [0, *range(5, 60)]
    for before in shown_values:
        for after in shown_values:
            possible = {y - x for x in possible_counts(before) for y in possible_counts(after) if y >= x}
            assert possible == {0} or len(possible) >= 2 or not possible, (before, after, possible)


def test_the_same_set_of_records_always_gets_the_same_value_whatever_the_order() -> None:
    secret = b"s" * 32
    keys = [record_key(secret, i) for i in range(1, 12)]
    shuffled = keys[::-1]
    assert disclosure.cell_key(keys) == disclosure.cell_key(shuffled)
    assert published(11, sum(keys)) == published(11, sum(shuffled)) == published(11, sum(keys) + 2**32)
    # Record keys are fixed per IR and secret, and unrelated under another secret.
    assert record_key(secret, 42) == record_key(secret, 42)
    assert record_key(secret, 42) != record_key(b"t" * 32, 42)
    assert all(0 <= k < 2**32 for k in keys)


def test_the_draws_follow_the_p_table_so_one_ir_more_gives_an_unrelated_draw() -> None:
    rng = random.Random(11)
    base = [rng.getrandbits(32) for _ in range(10)]
    seen = Counter()
    for _ in range(20_000):
        extra = rng.getrandbits(32)
        seen[published(11, sum(base) + extra)] += 1  # the same 10 IR plus one different IR each time
    expected = dict(p_table_row(11))
    assert set(seen) == set(expected)
    for value, p in expected.items():
        assert abs(seen[value] / 20_000 - p / 100) < 0.02, (value, seen)


def test_workers_are_keyed_apart_from_the_ir_counted() -> None:
    rng = random.Random(3)
    pairs = [(published(9, k), published(9, k, "WORKERS_FEMALE")) for k in (rng.getrandbits(32) for _ in range(2000))]
    assert sum(a == b for a, b in pairs) < 1500  # not the same draw (independent draws agree 40 % + 2·20 % + …)


def test_partner_statistics_are_perturbed_and_exact_ones_are_not() -> None:
    secret = b"k" * 32
    keys = [record_key(secret, i) for i in range(1, 4)]
    lines = [StockLine("PEMULA", "FEMALE", False, False, 3, 6, 3, sum(keys)),
             StockLine("MAJU", "MALE", True, True, 9, 20, 10, 12345)]
    exact = statistics(lines)
    assert (exact.counts.of(disclosure_standing("PEMULA")), exact.counts.total, exact.workers_female) == (3, 12, 26)
    assert exact.suppressed is False
    shown = statistics(lines, protected=True)
    assert shown.suppressed is True
    assert shown.counts.of(disclosure_standing("PEMULA")) in (0, 5)
    # Pemula and women's Pemula are the same three IR: the same number.
    assert shown.counts.of(disclosure_standing("PEMULA")) == shown.female_owned.of(disclosure_standing("PEMULA"))
    assert shown.counts.total == published(12, sum(keys) + 12345)
    assert shown.workers_female == published(26, sum(keys) + 12345, "WORKERS_FEMALE")
    few = statistics(lines[:1], protected=True)
    assert few.workers_female is None and few.workers_male is None  # 1–4 active IR: their workforce withheld


def disclosure_standing(name: str):  # noqa: ANN201 (a Standing)
    from services.reporting.domain.standing import Standing

    return Standing(name)


@pytest.mark.parametrize("asked,expected", [
    (None, "2026-11-30"), ("2026-12-03", "2026-11-30"), ("2026-11-30", "2026-11-30"), ("2026-11-29", "2026-10-31"),
    ("2025-03-15", "2025-02-28"), ("2024-02-29", "2024-02-29"), ("2030-01-01", "2026-11-30"),
])
def test_partners_read_stock_at_month_ends_of_completed_months(asked: str | None, expected: str) -> None:
    today = dt.date(2026, 12, 4)
    assert disclosure.partner_as_of(dt.date.fromisoformat(asked) if asked else None, today) == dt.date.fromisoformat(expected)


def test_partners_read_whole_completed_months_and_regions_down_to_sub_districts() -> None:
    today = dt.date(2026, 12, 4)
    disclosure.check_partner_period(dt.date(2025, 1, 1), dt.date(2026, 11, 30), today)
    for first, last, field in [((2025, 1, 2), (2025, 1, 31), "from"), ((2025, 1, 1), (2025, 1, 30), "to"),
                               ((2026, 12, 1), (2026, 12, 31), "to")]:
        with pytest.raises(InvalidInput) as refused:
            disclosure.check_partner_period(dt.date(*first), dt.date(*last), today)
        assert refused.value.extensions["field"] == field
    for level in (0, 1, 2, 3):
        disclosure.check_partner_region(level)
    with pytest.raises(Forbidden):
        disclosure.check_partner_region(4)
