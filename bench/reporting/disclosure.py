"""What the cell-key perturbation costs a partner's answer: a nation-wide regency drill-down (514
regencies, every stock line a combination of standing, owner's sex, KRTP and candidacy) assembled
into figures exactly (other roles) and perturbed (partners), alternating, in one run.

    .venv/bin/python bench/reporting/disclosure.py [--rounds 7]

Pure Python (domain/reports.py and domain/disclosure.py); the database reads are the same for both
(the key sums come in the same rows), so this is the whole difference.
"""

from __future__ import annotations

import argparse
import random
import statistics as stats
import time

from services.reporting.domain.reports import StockLine, statistics
from services.reporting.domain.standing import Standing

REGENCIES = 514


def lines_of_nation(rng: random.Random) -> list[list[StockLine]]:
    out = []
    for _ in range(REGENCIES):
        lines = [StockLine(standing.value, sex, krtp, candidate, rng.randint(1, 400), rng.randint(0, 900),
                           rng.randint(0, 600), rng.getrandbits(40))
                 for standing in Standing for sex in ("FEMALE", "MALE") for krtp in (False, True)
                 for candidate in (False, True) if not (candidate and standing is not Standing.MAJU)]
        out.append(lines)
    return out


def figures(regions: list[list[StockLine]], protected: bool) -> int:
    """Every number a drill-down shows (as IrStatistics.of reads them)."""
    total = 0
    for lines in regions:
        s = statistics(lines, protected)
        for counts in (s.counts, s.female_owned, s.male_owned, s.female_head_of_household):
            total += sum(counts.of(standing) for standing in Standing) + counts.active + counts.total
        total += (s.workers_female or 0) + (s.workers_male or 0) + (s.small_enterprise_candidates or 0)
    return total


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    regions = lines_of_nation(random.Random(1))
    timings: dict[bool, list[float]] = {False: [], True: []}
    for _ in range(args.rounds):
        for protected in (False, True):
            started = time.perf_counter()
            figures(regions, protected)
            timings[protected].append(time.perf_counter() - started)
    exact, perturbed = stats.median(timings[False]), stats.median(timings[True])
    print(f"exact (other roles): {exact * 1000:.1f} ms; perturbed (partners): {perturbed * 1000:.1f} ms; "
          f"ratio {perturbed / exact:.2f}; per region {(perturbed - exact) / REGENCIES * 1e6:.0f} µs more")


if __name__ == "__main__":
    main()
