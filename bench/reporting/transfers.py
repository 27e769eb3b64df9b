"""What a transfer between regencies adds to the consumer's work on one IR (pure Python, no database).

    PYTHONPATH=. .venv/bin/python bench/reporting/transfers.py [--records 20000] [--rounds 7] [--against REV]

``RollupDelta.add`` is the consumer's per-IR cost (taking an IR's old contributions away and adding
its new ones, for every event batch that touches it). Synthetic IR with 1–6 assessments over
2016–2026 are added three ways in alternating order, each round: never transferred, transferred
once, transferred twice (another province each time). Prints the median microseconds per IR of each
and the ratios to "never transferred". With ``--against REV`` (a git revision before transfers existed,
e.g. c57202b), also the never-transferred IR through that revision's ``projection.py`` and this one's,
alternating: what knowing about transfers costs the IR that never move. The machine is shared:
compare figures of one run.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import importlib.util
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from services.reporting.domain.projection import IrRecord, RollupDelta
from services.reporting.domain.standing import AssessedClass

VILLAGES = ("33.74.01.1001", "35.07.01.2001", "32.73.01.1001")


def _records(count: int, moves: int, seed: int) -> list[IrRecord]:
    rng = random.Random(seed)
    out = []
    for pk in range(1, count + 1):
        registered = dt.date(2016, 1, 1) + dt.timedelta(days=rng.randrange(3000))
        record = IrRecord(pk, f"IR-33.74-{pk:06d}", VILLAGES[moves], "MAKANAN", "FEMALE", True, 2, 1, registered,
                          "ACTIVE", None, ["keripik"], [], [], [], [], record_key=rng.randrange(1, 10**6))
        day = registered
        for index in range(rng.randint(1, 6)):
            day += dt.timedelta(days=rng.randrange(30, 400))
            record.history[pk * 10 + index] = AssessedClass(pk * 10 + index, day, rng.choice(("PEMULA", "BERKEMBANG", "MAJU")),
                                                            12, False)
        span = max(2, (dt.date(2026, 12, 1) - registered).days)
        days = sorted(registered + dt.timedelta(days=rng.randrange(1, span)) for _ in range(moves))
        record.transfers = [{"id": str(pk * 10 + i), "on": d.isoformat(), "fromVillageCode": VILLAGES[i]}
                            for i, d in enumerate(days)]
        out.append(record)
    return out


def _time(records: list[Any], delta_type: type = RollupDelta) -> float:
    delta = delta_type()
    started = time.perf_counter()
    for record in records:
        delta.add(record, 1)
    return (time.perf_counter() - started) / len(records) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--against", help="a git revision whose projection.py to compare never-transferred IR with")
    args = parser.parse_args()
    kinds = {moves: _records(args.records, moves, seed=moves) for moves in (0, 1, 2)}
    times: dict[int, list[float]] = {moves: [] for moves in kinds}
    for round_number in range(args.rounds):
        order = list(kinds) if round_number % 2 == 0 else list(reversed(kinds))
        for moves in order:
            times[moves].append(_time(kinds[moves]))
    base = statistics.median(times[0])
    for moves, label in ((0, "never transferred"), (1, "transferred once"), (2, "transferred twice")):
        median = statistics.median(times[moves])
        print(f"{label:20} {median:8.1f} µs per IR   ratio {median / base:.2f}")
    if args.against:
        _against(args.against, kinds[0], args.rounds)


def _against(revision: str, records: list[IrRecord], rounds: int) -> None:
    source = subprocess.run(["git", "show", f"{revision}:services/reporting/domain/projection.py"], check=True,
                            capture_output=True, text=True).stdout
    path = Path(tempfile.mkdtemp()) / "projection_before.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("projection_before", path)
    assert spec is not None and spec.loader is not None
    before = importlib.util.module_from_spec(spec)
    sys.modules["projection_before"] = before
    spec.loader.exec_module(before)
    names = [f.name for f in dataclasses.fields(before.IrRecord)]
    old_records = [before.IrRecord(**{name: getattr(r, name) for name in names}) for r in records]
    old, new = [], []
    for round_number in range(rounds):
        if round_number % 2:
            new.append(_time(records))
            old.append(_time(old_records, before.RollupDelta))
        else:
            old.append(_time(old_records, before.RollupDelta))
            new.append(_time(records))
    print(f"never transferred, {revision}: {statistics.median(old):.1f} µs per IR; now {statistics.median(new):.1f} µs "
          f"per IR; ratio {statistics.median(new) / statistics.median(old):.2f}")


if __name__ == "__main__":
    main()
