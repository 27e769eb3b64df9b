"""``totalCount`` comes from counters kept in the writing transaction: exact, under concurrent writers too;
a name search counts over the names kept beside them (migration 0016), exact the same way."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Iterator

import asyncpg
import pytest

from siir.database import asyncpg_dsn
from tests.conftest import ServerThread, Tokens, prepared_database

RECOUNT = """
SELECT r.code AS region_code, coalesce(h.current_class, '') AS ir_class, h.status, count(*) AS n
FROM registry.home_industries h
CROSS JOIN LATERAL (VALUES (''), (left(h.regency_code, 2)), (h.regency_code), (left(h.village_code, 8))) AS r(code)
GROUP BY 1, 2, 3
"""


@pytest.fixture(scope="module")
def own_database(admin_url: str) -> Iterator[str]:
    with prepared_database(admin_url) as url:
        yield url


async def _counters(connection: asyncpg.Connection) -> dict[tuple[str, str, str], int]:
    rows = await connection.fetch("SELECT region_code, ir_class, status, n FROM registry.home_industry_counts WHERE n <> 0")
    return {(r["region_code"], r["ir_class"], r["status"]): r["n"] for r in rows}


async def _recount(connection: asyncpg.Connection) -> dict[tuple[str, str, str], int]:
    return {(r["region_code"], r["ir_class"], r["status"]): r["n"] for r in await connection.fetch(RECOUNT)}


async def _names(connection: asyncpg.Connection) -> tuple[set[tuple[int, str, str]], set[tuple[int, str, str]]]:
    """The search table's rows, and what they should be from the IR rows."""
    kept = {tuple(r) for r in await connection.fetch("SELECT id, village_code, search_text FROM registry.home_industry_search")}
    expected = {tuple(r) for r in await connection.fetch(
        "SELECT id, village_code, lower(business_name || ' ' || owner_name) FROM registry.home_industries")}
    return kept, expected


async def test_counters_stay_exact_under_concurrent_inserts_updates_deletes_and_rollbacks(own_database: str) -> None:
    setup = await asyncpg.connect(**asyncpg_dsn(own_database))
    villages = [
        r["code"] for r in await setup.fetch(
            "SELECT code FROM registry.regions WHERE level = 4 AND (code LIKE '33.74.%' OR code LIKE '35.78.%' "
            "OR code LIKE '33.01.%') ORDER BY code LIMIT 400"
        )
    ][::40]
    assert len(villages) >= 6
    rng = random.Random(16)
    committed = 0

    async def writer(number: int) -> None:
        nonlocal committed
        connection = await asyncpg.connect(**asyncpg_dsn(own_database))
        try:
            for step in range(15):
                transaction = connection.transaction()
                await transaction.start()
                try:
                    village = rng.choice(villages)
                    await connection.execute(
                        "INSERT INTO registry.home_industries (registration_number, regency_code, village_code, "
                        "business_name, business_category, owner_name, owner_nik, owner_sex, "
                        "owner_is_female_head_of_household, business_started_on, registered_on, current_class) "
                        "SELECT 'IR-' || $1 || '-' || g, left($2, 5), $2, $5, 'PANGAN', 'Pemilik', '3374000000000001', "
                        "'FEMALE', false, DATE '2020-01-01', DATE '2020-01-01', $3 FROM generate_series(1, $4) AS g",
                        f"{number}.{step}", village, rng.choice([None, "PEMULA", "BERKEMBANG", "MAJU"]), rng.randint(1, 5),
                        rng.choice(["Usaha", "Keripik Tempe", "BATIK Ibu"]),
                    )
                    # Rename one (the search's names follow), with a class change in the same statement.
                    await connection.execute(
                        "UPDATE registry.home_industries SET business_name = $1, current_class = 'MAJU' WHERE id IN "
                        "(SELECT id FROM registry.home_industries ORDER BY random() LIMIT 1)",
                        rng.choice(["Kerajinan Bambu", "keripik Singkong", "Usaha"]),
                    )
                    # Reassess, close, move and delete some IR (including other writers' rows).
                    await connection.execute(
                        "UPDATE registry.home_industries SET current_class = $1 WHERE id IN "
                        "(SELECT id FROM registry.home_industries ORDER BY random() LIMIT 3)",
                        rng.choice(["PEMULA", "BERKEMBANG", "MAJU"]),
                    )
                    await connection.execute(
                        "UPDATE registry.home_industries SET status = 'CLOSED', village_code = $1, regency_code = left($1, 5) "
                        "WHERE id IN (SELECT id FROM registry.home_industries ORDER BY random() LIMIT 1)",
                        rng.choice(villages),
                    )
                    await connection.execute(
                        "DELETE FROM registry.home_industries WHERE id IN "
                        "(SELECT id FROM registry.home_industries ORDER BY random() LIMIT 1)"
                    )
                except asyncpg.exceptions.DeadlockDetectedError:
                    await transaction.rollback()
                    continue
                if rng.random() < 0.25:
                    await transaction.rollback()
                else:
                    await transaction.commit()
                    committed += 1
        finally:
            await connection.close()

    try:
        await asyncio.gather(*(writer(n) for n in range(6)))
        # Real concurrent work committed (a quarter is rolled back on purpose and deadlocks roll back many
        # more: 22 of the 90 committed in one run here), and rows left to count.
        assert committed >= 10 and await setup.fetchval("SELECT count(*) FROM registry.home_industries") > 0
        assert await _counters(setup) == await _recount(setup)
        kept, expected = await _names(setup)
        assert kept == expected and any("keripik" in name for _, _, name in kept)
        await setup.execute("TRUNCATE registry.home_industries CASCADE")
        assert await _counters(setup) == {}
        assert await _names(setup) == (set(), set())
    finally:
        await setup.close()


@pytest.fixture(scope="module")
def seeded_server(admin_url: str, tokens: Tokens) -> Iterator[tuple[str, ServerThread]]:
    from services.registry.app import build_app
    from services.registry_demo.seeding import seed_demo_data

    with prepared_database(admin_url) as url:
        asyncio.run(seed_demo_data(url, count=3000, seed=5))
        with ServerThread(build_app(url, verifier=tokens.verifier)) as server:
            yield url, server


async def test_total_count_agrees_with_the_rows_for_each_scope_and_filter(
    seeded_server: tuple[str, ServerThread], tokens: Tokens
) -> None:
    """Counter-answered counts (regions, class, status), name searches and row-counted ones (village, sex)."""
    import httpx

    url, server = seeded_server
    connection = await asyncpg.connect(**asyncpg_dsn(url))
    try:
        regency = await connection.fetchval(
            "SELECT regency_code FROM registry.home_industries GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
        )
        sub_district = await connection.fetchval(
            f"SELECT left(village_code, 8) FROM registry.home_industries WHERE regency_code = '{regency}' LIMIT 1"
        )
        village = await connection.fetchval(
            f"SELECT village_code FROM registry.home_industries WHERE regency_code = '{regency}' LIMIT 1"
        )
        province = regency[:2]
        cases = [
            ("DISTRICT_OFFICER", regency, "{}", f"regency_code = '{regency}'"),
            ("DISTRICT_OFFICER", regency, "{class: PEMULA, status: ACTIVE}",
             f"regency_code = '{regency}' AND current_class = 'PEMULA' AND status = 'ACTIVE'"),
            ("DISTRICT_OFFICER", regency, f'{{regionCode: "{sub_district}"}}', f"village_code LIKE '{sub_district}.%'"),
            ("MINISTRY", None, "{}", "true"),
            ("MINISTRY", None, "{class: MAJU}", "current_class = 'MAJU'"),
            ("MINISTRY", None, f'{{regionCode: "{province}", class: BERKEMBANG}}',
             f"village_code LIKE '{province}.%' AND current_class = 'BERKEMBANG'"),
            ("PROVINCE_OFFICER", province, "{status: ACTIVE}", f"village_code LIKE '{province}.%' AND status = 'ACTIVE'"),
            ("MINISTRY", None, f'{{regionCode: "{village}"}}', f"village_code = '{village}'"),
            ("MINISTRY", None, "{ownerSex: FEMALE}", "owner_sex = 'FEMALE'"),
        ]
        # Name searches count over the names table (migration 0016), alone or within a region and the
        # caller's scope; with any other filter over the IR rows. Both must agree with ILIKE on the rows.
        word = await connection.fetchval(
            f"SELECT substr(business_name, 1, 5) FROM registry.home_industries WHERE village_code = '{village}' LIMIT 1")
        like = f"(business_name || ' ' || owner_name) ILIKE '%{word}%'"
        cases += [
            ("MINISTRY", None, f'{{search: "{word.upper()}"}}', like),
            ("MINISTRY", None, f'{{search: "{word.lower()}", regionCode: "{province}"}}', f"{like} AND village_code LIKE '{province}.%'"),
            ("DISTRICT_OFFICER", regency, f'{{search: "{word}"}}', f"{like} AND regency_code = '{regency}'"),
            ("DISTRICT_OFFICER", regency, f'{{search: "{word}", regionCode: "{sub_district}"}}',
             f"{like} AND village_code LIKE '{sub_district}.%'"),
            ("MINISTRY", None, f'{{search: "{word}", regionCode: "{village}"}}', f"{like} AND village_code = '{village}'"),
            ("MINISTRY", None, f'{{search: "{word}", class: BERKEMBANG}}', f"{like} AND current_class = 'BERKEMBANG'"),
        ]
        async with httpx.AsyncClient(timeout=60) as client:
            for role, region, filter_, where in cases:
                response = await client.post(
                    server.url + "/graphql", headers=tokens.headers(role, region),
                    json={"query": f"{{ homeIndustries(filter: {filter_}, first: 1) {{ totalCount }} }}"},
                )
                body = response.json()
                assert "errors" not in body, body
                expected = await connection.fetchval(f"SELECT count(*) FROM registry.home_industries WHERE {where}")
                assert expected > 0, where
                assert body["data"]["homeIndustries"]["totalCount"] == expected, (role, region, filter_)
    finally:
        await connection.close()


async def test_a_page_reads_the_survey_lists_only_when_its_selection_asks_for_them(
    seeded_server: tuple[str, ServerThread], tokens: Tokens
) -> None:
    import httpx
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    url, server = seeded_server
    statements: list[str] = []

    def record(conn: object, cursor: object, statement: str, *args: object) -> None:
        if "ORDER BY registry.home_industries.id" in statement:
            statements.append(statement)

    connection = await asyncpg.connect(**asyncpg_dsn(url))
    regency = await connection.fetchval(
        "SELECT regency_code FROM registry.home_industries WHERE products <> '[]' GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
    )
    stored = await connection.fetch(
        "SELECT id, products, hopes FROM registry.home_industries WHERE regency_code = $1 ORDER BY id LIMIT 20", regency
    )
    await connection.close()
    plain = "{ homeIndustries(first: 20) { edges { node { id businessName owner { sex } } } } }"
    survey = (
        "{ homeIndustries(first: 20) { edges { node { id ... on HomeIndustry { products { name } } "
        "...Hopes } } } } fragment Hopes on HomeIndustry { hopes }"
    )
    event.listen(Engine, "before_cursor_execute", record)
    try:
        async with httpx.AsyncClient(timeout=60) as client:
            answers = []
            for query in (plain, survey):
                response = await client.post(
                    server.url + "/graphql", json={"query": query}, headers=tokens.headers("DISTRICT_OFFICER", regency)
                )
                body = response.json()
                assert "errors" not in body, body
                answers.append(body["data"]["homeIndustries"]["edges"])
    finally:
        event.remove(Engine, "before_cursor_execute", record)
    assert len(statements) == 2
    assert "products" not in statements[0] and "hopes" not in statements[0] and "workforce" not in statements[0]
    assert "products" in statements[1] and "hopes" in statements[1] and "workforce" not in statements[1]
    assert answers[0][0]["node"]["owner"]["sex"] in ("FEMALE", "MALE")
    import json as json_module

    expected = {
        str(row["id"]): ([p["name"] for p in json_module.loads(row["products"])], list(row["hopes"])) for row in stored
    }
    got = {e["node"]["id"]: ([p["name"] for p in e["node"]["products"]], e["node"]["hopes"]) for e in answers[1]}
    assert got == expected
    assert any(products for products, _ in got.values())
