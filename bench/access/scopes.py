"""What a facilitator's and a partner's scope cost per request, against an office's, in one run.

    .venv/bin/python bench/access/scopes.py --count 20000 --duration 20 --rounds 4 --concurrency 4 [--drop]

Seeds a throwaway database (``siir_access_scopes``) with demo data and serves the registry once.
The same page of up to 50 IR (no personal field, so no audit row) is asked, in interleaved rounds,
as the DISTRICT_OFFICER of the regency whose facilitator looks after the most IR (scope: a region
prefix, nothing to look up), as that facilitator (her record and today's assignments looked up per
request, then a village/IR list in SQL), and as the partner with the most running programmes
(partner and programme rules looked up per request, then consent and an OR of rules in SQL).
Prints a Markdown table and the ratios to the office.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import ROOT, Target, load, percentile, start  # noqa: E402

from bench.databases import admin, fresh_demo_database  # noqa: E402

from siir.auth.keys import load_or_create_signing_key  # noqa: E402
from siir.auth.tokens import issue_token  # noqa: E402
from siir.database import asyncpg_dsn  # noqa: E402
from siir.settings import Settings  # noqa: E402

PAGE = (
    "query Page { homeIndustries(first: 50) { edges { node { id businessName currentClass registrationNumber "
    "subDistrict { name } } } } }"
)


async def pick(url: str) -> tuple[str, str, int, str, int]:
    """(facilitator subject, her regency, her IR today, partner id, its running programmes)."""
    connection = await asyncpg.connect(**asyncpg_dsn(url))
    try:
        facilitator = await connection.fetchrow(
            """
            SELECT f.subject, f.regency_code, count(DISTINCT h.id) AS ir
            FROM registry.facilitators f
            JOIN registry.facilitator_assignments a ON a.facilitator_id = f.id
             AND a.active_from <= current_date AND (a.active_until IS NULL OR a.active_until >= current_date)
            JOIN registry.home_industries h ON h.id = a.home_industry_id OR h.village_code = a.village_code
            WHERE f.subject IS NOT NULL
            GROUP BY 1, 2 ORDER BY 3 DESC LIMIT 1
            """
        )
        partner = await connection.fetchrow(
            """
            SELECT partner_id, count(*) AS programmes FROM registry.partner_programmes
            WHERE active_from <= current_date AND (active_until IS NULL OR active_until >= current_date)
            GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1
            """
        )
    finally:
        await connection.close()
    return facilitator["subject"], facilitator["regency_code"], facilitator["ir"], str(partner["partner_id"]), partner["programmes"]


async def main(args: argparse.Namespace) -> None:
    url = await fresh_demo_database(args.server, args.database, args.count)
    # The seed analyses only big loads; fresh statistics for every target alike (stale ones made
    # the partner's OR of rules plan as a bitmap scan of every match instead of an id-order scan).
    connection = await asyncpg.connect(**asyncpg_dsn(url))
    await connection.execute("ANALYZE")
    await connection.close()
    subject, regency, assigned, partner, programmes = await pick(url)
    with tempfile.TemporaryDirectory() as temporary:
        data_dir = Path(temporary) / "data"
        key = load_or_create_signing_key(data_dir)
        settings = Settings()

        def bearer(role: str, region: str | None = None, *, sub: str | None = None, partner: str | None = None) -> dict[str, str]:
            token = issue_token(key, subject=sub or f"bench-{role.lower()}", role=role, region=region, partner=partner,
                                issuer=settings.auth_issuer, audience=settings.auth_audience)
            return {"Authorization": f"Bearer {token}"}

        server = start(ROOT, url, args.port, data_dir)
        try:
            targets = [
                Target(f"DISTRICT_OFFICER {regency} (region prefix)", args.port, PAGE, bearer("DISTRICT_OFFICER", regency)),
                Target(f"FACILITATOR {subject} ({assigned} IR assigned)", args.port, PAGE,
                       bearer("FACILITATOR", regency, sub=subject)),
                Target(f"PARTNER {partner} ({programmes} running programmes)", args.port, PAGE,
                       bearer("PARTNER", partner=partner)),
            ]
            for target in targets:  # warm-up
                await load(Target(target.name, target.port, target.query, target.headers), 2, args.concurrency)
            for _ in range(args.rounds):
                for target in targets:
                    await load(target, args.duration / args.rounds, args.concurrency)
        finally:
            server.terminate()
            server.wait(timeout=10)
    print(f"{args.count} IR, page of up to 50 (no personal field), {args.concurrency} concurrent clients, "
          f"{args.duration:.0f} s per target in {args.rounds} interleaved rounds\n")
    print("| caller | requests/s | p50 (ms) | p95 (ms) | errors |")
    print("| --- | ---: | ---: | ---: | ---: |")
    rates = []
    for target in targets:
        rates.append(len(target.latencies) / target.seconds)
        print(f"| {target.name} | {rates[-1]:.0f} | {percentile(target.latencies, 50):.1f} | "
              f"{percentile(target.latencies, 95):.1f} | {target.errors} |")
    print(f"\n- throughput / office's: facilitator {rates[1] / rates[0]:.2f}, partner {rates[2] / rates[0]:.2f}")
    if args.drop:
        await admin(args.server, f'DROP DATABASE "{args.database}" WITH (FORCE)')


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=20_000)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per target, over all rounds")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--port", type=int, default=4151)
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="siir_access_scopes")
    parser.add_argument("--drop", action="store_true")
    asyncio.run(main(parser.parse_args()))
