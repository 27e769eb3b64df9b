"""What the argument rules (siir/argument_rules.py) cost per call, in process, no database.

    .venv/bin/python bench/argument_rules/run.py --rounds 7

Times ``_clean`` (the walk every wrapped resolver does before it runs) on the registry's schema for:
the gateway's ``_entities`` fetch of 2,000 IR (the largest representation list a page asks for), a full
``registerHomeIndustry`` input (the demo registration with products, workforce, assistance and
consent), and a ``homeIndustries`` filter. Prints a Markdown table of the median per call over rounds.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from graphql import coerce_input_value  # noqa: E402

from services.registry.graphql.schema import schema  # noqa: E402
from siir.argument_rules import _clean  # noqa: E402
from tests.registry.test_registry_api import register_input  # noqa: E402


def per_call(work, calls: int, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(calls):
            work()
        times.append((time.perf_counter() - start) / calls)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    graph = schema._schema
    entities = graph.query_type.fields["_entities"].args["representations"].type
    representations = [{"__typename": "HomeIndustry", "id": str(i)} for i in range(1, 2001)]
    register = graph.mutation_type.fields["registerHomeIndustry"].args["input"].type
    full = register_input(
        address="Jl. Pemuda 1\nRT 02", hopes=["mesin pengemas", "modal"], constraints=["bahan baku mahal"],
        workforce={"femaleWorkers": 2, "maleWorkers": 1, "protection": ["BPJS"], "trainingsWanted": ["pemasaran daring"]},
        assistanceReceived=[{"type": "TRAINING", "provider": "Dinas Koperasi", "year": 2022, "description": "pelatihan"}],
        location={"latitude": -6.98, "longitude": 110.41},
    )
    registration = coerce_input_value(full, register)
    filter_type = graph.query_type.fields["homeIndustries"].args["filter"].type
    filter_value = coerce_input_value({"regionCode": "33.74", "search": "Kue Apé"}, filter_type)
    cases = [
        ("`_entities`, 2,000 IR representations", lambda: _clean(entities, representations, "representations", "", schema.long_text), 50),
        ("`registerHomeIndustry` input (full survey)", lambda: _clean(register, registration, "input", "", schema.long_text), 5000),
        ("`homeIndustries` filter (region, search)", lambda: _clean(filter_type, filter_value, "filter", "", schema.long_text), 20000),
    ]
    print("| arguments | per call (median of %d rounds) |" % args.rounds)
    print("| --- | ---: |")
    for name, work, calls in cases:
        seconds = per_call(work, calls, args.rounds)
        shown = f"{seconds * 1000:.2f} ms" if seconds >= 1e-3 else f"{seconds * 1e6:.1f} µs"
        print(f"| {name} | {shown} |")


if __name__ == "__main__":
    main()
