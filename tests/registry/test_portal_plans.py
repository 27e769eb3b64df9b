"""Every statement the portal's pages send is answerable by an index, never a scan of the IR table.

The pages run over HTTP against a seeded database (4,000 IR, analysed); every statement reading
``registry.home_industries`` is recorded with its parameters and EXPLAINed on the same database
with ``enable_seqscan`` and ``enable_sort`` off. Those settings make the planner avoid a sequential
scan or a sort whenever any index can serve the statement, so a ``Seq Scan`` on home_industries
left in the plan means no index matches the statement's filter, and a ``Sort`` above a scan of it
means no index gives a page's keyset order (the page would sort the whole region at 1,000,000 IR).
That alone is weak: walking the primary key in id order and filtering every row also avoids both
(and passed without migration 0005's indexes). So the regency office's page must also walk the
index whose condition is its regency: a keyset walk that reads the page's rows and stops. What this does
not prove: which plan PostgreSQL picks at national scale on real statistics (measured by
``bench/scale/run.py``, BENCHMARKS.md), nor that an index walk stops early when few rows match (a
name search in id order, a partner's rules).
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import AsyncIterator, Iterator
from typing import Any

import asyncpg
import httpx
import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

from siir.database import asyncpg_dsn
from tests.conftest import ServerThread, Tokens, create_database, drop_database

NODE = (
    "id registrationNumber businessName currentClass village { name parent { name } } "
    "owner { name nik phone } latestAssessment { assessedOn score class }"
)


def page(filter_: str, count: bool = True, node: str = NODE) -> str:
    return (
        f"{{ homeIndustries(filter: {{{filter_}}}, first: 50) {{ {'totalCount' if count else ''} "
        f"pageInfo {{ endCursor }} edges {{ node {{ {node} }} }} }} }}"
    )


class RecordedStatements:
    def __init__(self) -> None:
        self.items: list[tuple[str, Any]] = []
        self.lock = threading.Lock()

    def __call__(self, conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        if "registry.home_industries" in statement and statement.lstrip().upper().startswith("SELECT"):
            with self.lock:
                self.items.append((statement, parameters))


@pytest.fixture(scope="module")
def seeded_url(admin_url: str) -> Iterator[str]:
    from services.registry_demo.seeding import seed_demo_data
    from siirctl.preparation import prepare_database

    url = create_database(admin_url)
    prepare_database(url)
    asyncio.run(seed_demo_data(url, count=4000, seed=16))
    yield url
    drop_database(admin_url, url)


@pytest.fixture(scope="module")
def server(seeded_url: str, tokens: Tokens) -> Iterator[ServerThread]:
    from services.registry.app import build_app

    with ServerThread(build_app(seeded_url, verifier=tokens.verifier)) as running:
        yield running


@pytest.fixture
def recorded() -> Iterator[RecordedStatements]:
    recorder = RecordedStatements()
    event.listen(Engine, "before_cursor_execute", recorder)
    yield recorder
    event.remove(Engine, "before_cursor_execute", recorder)


@pytest.fixture
async def facts(seeded_url: str) -> AsyncIterator[dict[str, Any]]:
    connection = await asyncpg.connect(**asyncpg_dsn(seeded_url))
    try:
        yield {
            "regency": await connection.fetchval(
                "SELECT regency_code FROM registry.home_industries GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
            ),
            "province": await connection.fetchval(
                "SELECT left(regency_code, 2) FROM registry.home_industries GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
            ),
            "sub_district": await connection.fetchval(
                "SELECT left(village_code, 8) FROM registry.home_industries GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
            ),
            "village": await connection.fetchval("SELECT village_code FROM registry.home_industries LIMIT 1"),
            "detail": await connection.fetchval("SELECT home_industry_id FROM registry.interventions LIMIT 1"),
            "word": await connection.fetchval(
                "SELECT lower(substr(business_name, 1, 5)) FROM registry.home_industries GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
            ),
            "partner": await connection.fetchval(
                "SELECT partner_id FROM registry.partner_programmes GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
            ),
            "facilitator": await connection.fetchrow(
                "SELECT f.subject, f.regency_code FROM registry.facilitators f "
                "JOIN registry.facilitator_assignments a ON a.facilitator_id = f.id LIMIT 1"
            ),
        }
    finally:
        await connection.close()


async def _plans(url: str, statements: list[tuple[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    connection = await asyncpg.connect(**asyncpg_dsn(url))
    try:
        await connection.execute("SET enable_seqscan = off")
        await connection.execute("SET enable_sort = off")
        plans = []
        for statement, parameters in statements:
            rows = await connection.fetchval(f"EXPLAIN (FORMAT JSON) {statement}", *(parameters or ()))
            plans.append((statement, json.loads(rows)[0]["Plan"]))
        return plans
    finally:
        await connection.close()


def _nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", ()):
        yield from _nodes(child)


def _problems(plan: dict[str, Any]) -> list[str]:
    found = []
    for node in _nodes(plan):
        if node["Node Type"] == "Seq Scan" and node.get("Relation Name") == "home_industries":
            found.append("Seq Scan on home_industries")
        if node["Node Type"] in ("Sort", "Incremental Sort"):
            below = [n.get("Relation Name") for n in _nodes(node)]
            if "home_industries" in below:
                found.append(f"{node['Node Type']} of home_industries rows by {node.get('Sort Key')}")
    return found


async def test_no_portal_page_scans_or_sorts_the_ir_table(
    server: ServerThread, seeded_url: str, tokens: Tokens, recorded: RecordedStatements, facts: dict[str, Any]
) -> None:
    regency, province, word = facts["regency"], facts["province"], facts["word"]
    subject, facilitator_regency = facts["facilitator"]
    pages = [
        (("DISTRICT_OFFICER", regency), {}, page(f'regionCode: "{regency}"')),
        (("DISTRICT_OFFICER", regency), {}, page(f'regionCode: "{facts["sub_district"]}"')),
        (("DISTRICT_OFFICER", regency), {}, page(f'regionCode: "{regency}", class: PEMULA, status: ACTIVE')),
        (("PROVINCE_OFFICER", province), {}, page("")),
        (("MINISTRY", None), {}, page(f'regionCode: "{province}", class: BERKEMBANG')),
        (("MINISTRY", None), {}, page(f'regionCode: "{province}"')),
        (("MINISTRY", None), {}, page("class: MAJU")),
        (("MINISTRY", None), {}, page(f'regionCode: "{facts["village"]}"')),
        (("MINISTRY", None), {}, page(f'search: "{word}"', count=False)),
        (("MINISTRY", None), {}, page(f'search: "{word}", regionCode: "{province}"', count=False)),
        (("PARTNER", None), {"partner": str(facts["partner"])}, page("", count=False, node="id businessName currentClass")),
        (("FACILITATOR", facilitator_regency), {"subject": subject}, page("")),
        (
            ("DISTRICT_OFFICER", regency), {},
            f'{{ homeIndustry(id: "{facts["detail"]}") {{ id assessments {{ id }} interventions {{ nodes {{ id }} }} }} }}',
        ),
    ]
    per_page: list[list[tuple[str, Any]]] = []
    async with httpx.AsyncClient(timeout=60) as client:
        for (role, region), claims, query in pages:
            recorded.items.clear()
            response = await client.post(
                server.url + "/graphql", json={"query": query}, headers=tokens.headers(role, region, **claims)
            )
            body = response.json()
            assert response.status_code == 200 and "errors" not in body, (role, query, body)
            assert recorded.items, f"the page read the IR table: {query}"
            per_page.append(list(recorded.items))
    failures = [
        f"{problems}: {statement}"
        for statement, plan in await _plans(seeded_url, [s for statements in per_page for s in statements])
        if (problems := _problems(plan))
    ]
    assert not failures, "\n".join(failures)

    # The regency office's page: a keyset walk of the index whose condition is its regency, in id
    # order. (The ministry's province × class page is not asserted: at 4,000 IR, one match in 15
    # rows, walking the primary key is as cheap and the planner rightly takes it.)
    statement = next(s for s in per_page[0] if "ORDER BY registry.home_industries.id" in s[0])
    plan = (await _plans(seeded_url, [statement]))[0][1]
    scans = [n for n in _nodes(plan) if n.get("Relation Name") == "home_industries"]
    assert [(n["Node Type"], n["Index Name"]) for n in scans] == [("Index Scan", "home_industries_regency")], scans


async def test_the_check_catches_a_statement_no_index_serves(seeded_url: str) -> None:
    """The assertion is not vacuous: a filter on an unindexed column is reported."""
    plans = await _plans(
        seeded_url,
        [("SELECT id FROM registry.home_industries WHERE monthly_gross_income > $1 ORDER BY registered_on LIMIT 50", (5,))],
    )
    assert set(_problems(plans[0][1])) == {
        "Seq Scan on home_industries", "Sort of home_industries rows by ['registered_on']"
    }


async def test_a_name_search_counts_its_matches_in_the_names_table_by_its_trigram_index(
    server: ServerThread, seeded_url: str, tokens: Tokens, facts: dict[str, Any]
) -> None:
    """A name search's ``totalCount`` reads the narrow names table (migration 0016) through its trigram
    index, never the wide IR rows: nationally and within the caller's regency."""
    counts: list[tuple[str, Any]] = []

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        if "registry.home_industry_search" in statement:
            counts.append((statement, parameters))

    event.listen(Engine, "before_cursor_execute", record)
    try:
        async with httpx.AsyncClient(timeout=60) as client:
            for role, region in (("MINISTRY", None), ("DISTRICT_OFFICER", facts["regency"])):
                response = await client.post(server.url + "/graphql", json={"query": page(f'search: "{facts["word"]}"')},
                                             headers=tokens.headers(role, region))
                body = response.json()
                assert "errors" not in body and body["data"]["homeIndustries"]["totalCount"] > 0, body
    finally:
        event.remove(Engine, "before_cursor_execute", record)
    assert len(counts) == 2 and all("home_industries" not in statement for statement, _ in counts), counts
    (national, national_plan), (regency, regency_plan) = await _plans(seeded_url, counts)
    for statement, plan in ((national, national_plan), (regency, regency_plan)):
        assert {n.get("Relation Name") for n in _nodes(plan)} - {None} == {"home_industry_search"}, statement
        assert not [n for n in _nodes(plan) if n["Node Type"] == "Seq Scan"], (statement, plan)
    # The nation's: the trigram index. (A regency's may walk its villages' prefix instead: at 4,000 IR
    # the planner rightly finds a regency's few rows cheaper to filter.)
    assert "home_industry_search_text" in {n.get("Index Name") for n in _nodes(national_plan)}, national_plan
