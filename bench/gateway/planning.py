"""Planning time for a large operation: 200 fields over 5 subgraphs, this planner against the
planner of another git revision (default ``main``), in one run.

    .venv/bin/python bench/gateway/planning.py [--baseline main] [--count 200] [--rounds 5]

The supergraph is composed from five generated subgraphs: ``Item`` is an entity of each,
``s0`` has the root field ``items``, and each subgraph resolves 30 scalar fields of Item plus
an object field with 9 fields of its own (40 selected fields per subgraph, 200 in all, so the
plan has a root fetch and four entity fetches). Each round plans the operation ``--count``
times, uncached, in a fresh process per planner, alternating the two; the table gives the
median of the rounds' per-plan times.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SUBGRAPHS = 5
SCALARS = 30
PART_FIELDS = 9
LINK = ('extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@shareable"])\n')


def subgraph_sdls() -> list[dict[str, str]]:
    out = []
    for k in range(SUBGRAPHS):
        scalars = " ".join(f"f{k}_{i}: Int" for i in range(SCALARS))
        part = " ".join(f"p{i}: String" for i in range(PART_FIELDS))
        sdl = LINK + (f"type Query {{ items: [Item!]! }}\n" if k == 0 else "")
        sdl += f'type Item @key(fields: "id") {{ id: ID! {scalars} part{k}: Part{k} }}\ntype Part{k} {{ {part} }}\n'
        out.append({"name": f"s{k}", "url": f"http://127.0.0.1:1/s{k}", "sdl": sdl})
    return out


def operation() -> str:
    fields = []
    for k in range(SUBGRAPHS):
        fields += [f"f{k}_{i}" for i in range(SCALARS)]
        fields.append(f"part{k} {{ {' '.join(f'p{i}' for i in range(PART_FIELDS))} }}")
    return "query Large { items { " + " ".join(fields) + " } }"


def measure(supergraph: Path, count: int) -> float:
    """Seconds per plan with the ``gateway`` package first on sys.path (run in a subprocess)."""
    from graphql import FragmentDefinitionNode, OperationDefinitionNode, parse

    from gateway.planner import Planner
    from gateway.supergraph import Supergraph

    planner = Planner(Supergraph.parse(supergraph.read_text()))
    document = parse(operation())
    op = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    plan = planner.plan(op, fragments)
    assert len(plan.fetches) == SUBGRAPHS, plan
    for _ in range(20):
        planner.plan(op, fragments)
    start = time.perf_counter()
    for _ in range(count):
        planner.plan(op, fragments)
    return (time.perf_counter() - start) / count


def run_in(source: Path, supergraph: Path, count: int) -> float:
    code = ("import sys; sys.path.insert(0, sys.argv[1]); sys.path.insert(1, sys.argv[2]); "
            "from planning import measure; from pathlib import Path; "
            "print(measure(Path(sys.argv[3]), int(sys.argv[4])))")
    out = subprocess.run([sys.executable, "-c", code, str(source), str(Path(__file__).parent), str(supergraph),
                          str(count)], check=True, capture_output=True, text=True, cwd=source)
    return float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--baseline", default="main", help="git revision whose planner to compare with")
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from gateway.compose import compose_services

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        supergraph = tmp / "supergraph.graphql"
        supergraph.write_text(compose_services(subgraph_sdls()))
        baseline = tmp / "baseline"
        baseline.mkdir()
        archive = subprocess.run(["git", "archive", args.baseline, "gateway"], cwd=ROOT, check=True,
                                 capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(baseline)], input=archive, check=True)
        now, before = [], []
        for _ in range(args.rounds):
            now.append(run_in(ROOT, supergraph, args.count))
            before.append(run_in(baseline, supergraph, args.count))
    n, b = statistics.median(now), statistics.median(before)
    print(json.dumps({"operation_fields": SUBGRAPHS * (SCALARS + 1 + PART_FIELDS), "subgraphs": SUBGRAPHS,
                      "now_ms": round(n * 1000, 3), "before_ms": round(b * 1000, 3), "now_over_before": round(n / b, 2),
                      "rounds_now_ms": [round(x * 1000, 3) for x in now],
                      "rounds_before_ms": [round(x * 1000, 3) for x in before]}, indent=2))


if __name__ == "__main__":
    main()
