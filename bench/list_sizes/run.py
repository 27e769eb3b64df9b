"""What the list-size bounds cost the registry: a page of 50 IR with every list field, with and without them, in one run.

    .venv/bin/python bench/list_sizes/run.py --count 5000 --rounds 6 --requests 40 --drop

Seeds a throwaway database (``siir_lists_bench``) with demo data and executes the same operation, in
process, on two schemas built from the same types: the registry's schema (each list field with its
``siir.list_sizes`` extension: the cut at ``AtMost`` or the ``first`` argument), and one built after
those extensions are taken off. Rounds alternate between the two so drift on the shared machine
falls on both alike. The operation, as DISTRICT_OFFICER of the largest regency (full values, one
audit INSERT per request for both): 50 IR with their products and raw materials, infrastructure,
marketing channels, constraints, hopes, assistance, workforce lists, assessments and interventions.
Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

import asyncpg

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.databases import admin, fresh_demo_database  # noqa: E402
from siir.database import asyncpg_dsn, create_engine  # noqa: E402

PAGE = """query Page { homeIndustries(first: 50) { edges { node {
  id products { name rawMaterials } infrastructure marketingChannels constraints hopes
  assistanceReceived { type provider } workforce { byEducation { education count } protection trainingsAttended trainingsWanted }
  assessments { assessedOn score class } interventions { nodes { type topic } }
} } } }"""


def schemas() -> tuple[object, object]:
    """(the registry's schema, the same types built without the list-size extensions)."""
    from strawberry.tools import merge_types

    from services.registry.graphql import schema as registry_schema
    from services.registry.graphql.list_sizes import LIST_SIZES
    from siir.graphql import SubgraphSchema
    from siir.list_sizes import CutAt, FirstItems

    bounded = registry_schema.schema
    for owner in LIST_SIZES:
        for field in owner.__strawberry_definition__.fields:  # type: ignore[attr-defined]
            if any(isinstance(e, FirstItems) for e in field.extensions):
                field.arguments = [a for a in field.arguments if a.python_name != "first"]
            field.extensions = [e for e in field.extensions if not isinstance(e, (CutAt, FirstItems))]
    m = registry_schema
    unbounded = SubgraphSchema(
        query=m.Query,
        mutation=merge_types("Mutation", (m.Mutation, m.TeamMutation, m.FacilitatorMutation, m.PartnerMutation,
                                          m.InterventionMutation)),
        types=[m.Region, m.HomeIndustry, m.Team, m.Facilitator, m.Partner, m.Intervention],
        federation_version="2.9",
        extensions=[m.AuditReads, m.DomainErrorMasking],
    )
    return bounded, unbounded


async def main(args: argparse.Namespace) -> None:
    from services.registry.data.rule_sets import load_graduation_thresholds, load_rule_set
    from services.registry.graphql.context import RegistryContext
    from siir.auth.identity import Identity
    from siir.settings import Settings

    url = await fresh_demo_database(args.server, args.database, args.count)
    connection = await asyncpg.connect(**asyncpg_dsn(url))
    regency = await connection.fetchval(
        "SELECT regency_code FROM registry.home_industries GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")
    await connection.close()
    settings = Settings()
    engine = create_engine(url, pool_size=4)
    async with engine.connect() as connection:
        rule_set = await load_rule_set(connection, settings.rule_set)
        thresholds = await load_graduation_thresholds(connection, settings.graduation_thresholds)
    identity = Identity.from_claims({"sub": "bench", "role": "DISTRICT_OFFICER", "region": regency, "exp": 0}, token="")
    bounded, unbounded = schemas()

    async def run(schema: object) -> float:
        context = RegistryContext(engine=engine, rule_set=rule_set, graduation_thresholds=thresholds, identity=identity)
        started = time.perf_counter()
        result = await schema.execute(PAGE, context_value=context)  # type: ignore[attr-defined]
        elapsed = time.perf_counter() - started
        assert not result.errors and len(result.data["homeIndustries"]["edges"]) == 50, result.errors
        return elapsed * 1000

    timings: dict[str, list[float]] = {"with list-size bounds": [], "without": []}
    for _ in range(5):  # warm-up
        await run(bounded)
        await run(unbounded)
    for _ in range(args.rounds):
        for name, schema in (("with list-size bounds", bounded), ("without", unbounded)):
            for _ in range(args.requests):
                timings[name].append(await run(schema))
    await engine.dispose()
    print(f"{args.count} IR, page of 50 with every list field as DISTRICT_OFFICER {regency}, in process, "
          f"{args.rounds} alternating rounds of {args.requests} requests each\n")
    print("| schema | median (ms) | p95 (ms) |")
    print("| --- | ---: | ---: |")
    for name, values in timings.items():
        values.sort()
        print(f"| {name} | {statistics.median(values):.1f} | {values[int(len(values) * 0.95) - 1]:.1f} |")
    ratio = statistics.median(timings["with list-size bounds"]) / statistics.median(timings["without"])
    print(f"\n- median with / without: **{ratio:.2f}**")
    if args.drop:
        await admin(args.server, f'DROP DATABASE "{args.database}" WITH (FORCE)')


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="siir_lists_bench")
    parser.add_argument("--drop", action="store_true")
    asyncio.run(main(parser.parse_args()))
