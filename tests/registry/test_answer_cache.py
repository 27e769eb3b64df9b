"""The registry's answer cache: a repeated page is served again only while nothing that could change it has
committed, each serving is audit-logged, and callers with different rights never share an answer."""

from __future__ import annotations

import importlib.util
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest

from siir.database import asyncpg_dsn
from tests.conftest import GraphQLClient, ServerThread, StatementLog, Tokens, prepared_database

PAGE = """
query Page($region: String!) {
  homeIndustries(filter: {regionCode: $region}, first: 10) {
    totalCount
    nodes { id businessName currentClass owner { name nik } village { name } latestAssessment { class } }
  }
}
"""

_INSERT = (
    "INSERT INTO registry.home_industries (registration_number, regency_code, village_code, business_name, "
    "business_category, owner_name, owner_nik, owner_sex, owner_is_female_head_of_household, business_started_on, "
    "registered_on) VALUES ($1, left($2, 5), $2, $3, 'FOOD_AND_BEVERAGE', 'Siti Aminah', $4, 'FEMALE', false, "
    "DATE '2020-01-01', DATE '2020-01-01') RETURNING id"
)


def _migration():  # type: ignore[no-untyped-def]
    path = Path(__file__).resolve().parents[2] / "services/registry/migrations/versions/0015_data_changes.py"
    spec = importlib.util.spec_from_file_location("data_changes_migration", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def own_database(admin_url: str) -> Iterator[str]:
    with prepared_database(admin_url) as url:
        yield url


@pytest.fixture(scope="module")
def server(own_database: str, tokens: Tokens, statement_log: StatementLog) -> Iterator[ServerThread]:
    from services.registry.app import build_app

    with ServerThread(build_app(own_database, verifier=tokens.verifier)) as running:
        yield running


@pytest.fixture
async def sql(own_database: str) -> AsyncIterator[asyncpg.Connection]:
    connection = await asyncpg.connect(**asyncpg_dsn(own_database))
    yield connection
    await connection.close()


@pytest.fixture
async def client(server: ServerThread, tokens: Tokens) -> AsyncIterator[GraphQLClient]:
    async with httpx.AsyncClient(timeout=30) as http:
        yield GraphQLClient(http, server.url + "/graphql", tokens.headers("DISTRICT_OFFICER", "33.74"), tokens)


async def _villages(sql: asyncpg.Connection, regency: str) -> list[str]:
    return [r["code"] for r in await sql.fetch(
        "SELECT code FROM registry.regions WHERE level = 4 AND code LIKE $1 ORDER BY code LIMIT 3", regency + ".%")]


async def _ir(sql: asyncpg.Connection, village: str, name: str, nik: str) -> int:
    return await sql.fetchval(_INSERT, f"IR-{name}", village, name, nik)


async def _timed(statements: StatementLog, client: GraphQLClient, query: str, variables: dict) -> tuple[dict, int]:
    statements.clear()
    answer = await client(query, variables)
    assert "errors" not in answer, answer
    return answer["data"], statements.count()


async def _reads(sql: asyncpg.Connection, subject: str) -> int:
    return await sql.fetchval("SELECT count(*) FROM registry.audit_events WHERE action = 'READ' AND subject = $1", subject)


def test_every_table_of_the_registry_is_noted_in_the_change_log_or_exempt(own_database: str) -> None:
    migration = _migration()
    noted = {**{t: "regency" for t in migration.BY_REGENCY}, **{t: "ir" for t in migration.BY_HOME_INDUSTRY},
             **{t: "all" for t in migration.EVERYWHERE}}

    async def catalogue() -> tuple[set[str], dict[str, set[str]]]:
        connection = await asyncpg.connect(**asyncpg_dsn(own_database))
        try:
            tables = {r["relname"] for r in await connection.fetch(
                "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = 'registry' AND c.relkind IN ('r', 'p')")}
            triggers: dict[str, set[str]] = {}
            for r in await connection.fetch(
                    "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'registry' AND NOT t.tgisinternal"):
                triggers.setdefault(r["relname"], set()).add(r["tgname"])
            return tables, triggers
        finally:
            await connection.close()

    import asyncio

    tables, triggers = asyncio.run(catalogue())
    undeclared = tables - set(noted) - set(migration.EXEMPT)
    assert not undeclared, f"tables neither noted in registry.data_changes nor exempt (migration 0015): {undeclared}"
    for table in noted:
        expected = {f"{table}_data_change_{event}" for event in ("insert", "update", "delete", "truncate")}
        assert expected <= triggers.get(table, set()), table


async def test_a_repeated_page_is_served_again_until_its_regency_changes(
        client: GraphQLClient, sql: asyncpg.Connection, statement_log: StatementLog) -> None:
    semarang, surabaya = await _villages(sql, "33.74"), await _villages(sql, "35.78")
    await _ir(sql, semarang[0], "Keripik Bu Siti", "3374015507900101")
    await _ir(sql, semarang[1], "Batik Sekar", "3374015507900102")
    variables = {"region": "33.74"}

    first, computed = await _timed(statement_log, client, PAGE, variables)
    again, served = await _timed(statement_log, client, PAGE, variables)
    assert again == first and first["homeIndustries"]["totalCount"] == 2
    assert first["homeIndustries"]["nodes"][0]["owner"]["nik"].startswith("337401")  # the office sees it whole
    # Served: the change check and the audit row, none of the page's own statements.
    assert served <= 3 < computed, (served, computed)

    # A write elsewhere in the country does not touch this regency's answer ...
    await _ir(sql, surabaya[0], "Tempe Pak Hadi", "3578015507900103")
    _, served = await _timed(statement_log, client, PAGE, variables)
    assert served <= 3

    # ... a write in it does: the very next request sees it.
    await sql.execute("UPDATE registry.home_industries SET business_name = 'Keripik Bu Siti Jaya' "
                      "WHERE business_name = 'Keripik Bu Siti'")
    changed, recomputed = await _timed(statement_log, client, PAGE, variables)
    assert "Keripik Bu Siti Jaya" in {n["businessName"] for n in changed["homeIndustries"]["nodes"]}
    assert recomputed > 3

    # So does a change of the IR's own rows (an assessment), found through its IR.
    ir = changed["homeIndustries"]["nodes"][0]["id"]
    await sql.execute(
        "INSERT INTO registry.assessments (home_industry_id, assessed_on, worker_count, production_technology, "
        "capital_source, capital_amount, business_started_on, business_age_months, production_pattern, worker_level, "
        "technology_level, capital_source_level, capital_amount_level, business_age_level, production_pattern_level, "
        "score, ir_class, rule_set_code, rule_set_version, graduation_thresholds_code, small_enterprise_candidate) "
        "VALUES ($1, DATE '2024-05-01', 2, 'MANUAL', 'OWN', 1000000, DATE '2020-01-01', 52, 'NOT_CONTINUOUS', "
        "1, 1, 1, 1, 2, 1, 7, 'PEMULA', 'PERMEN_PPPA_2_2016', 1, 'UU_20_2008', false)", int(ir))
    assessed, _ = await _timed(statement_log, client, PAGE, variables)
    node = next(n for n in assessed["homeIndustries"]["nodes"] if n["id"] == ir)
    assert node["latestAssessment"] == {"class": "PEMULA"}

    # And a change of a table that reaches across regencies (the regions' names).
    village = semarang[0]
    await sql.execute("UPDATE registry.regions SET name = name || ' Baru' WHERE code = $1", village)
    try:
        renamed, _ = await _timed(statement_log, client, PAGE, variables)
        assert any(n["village"]["name"].endswith(" Baru") for n in renamed["homeIndustries"]["nodes"])
    finally:
        await sql.execute("UPDATE registry.regions SET name = left(name, -5) WHERE code = $1", village)


async def test_a_national_answer_is_recomputed_after_a_change_in_any_regency(
        client: GraphQLClient, sql: asyncpg.Connection, statement_log: StatementLog) -> None:
    ministry = client.as_role("MINISTRY")
    kudus = await _villages(sql, "33.19")
    national = {"region": "33"}
    before, _ = await _timed(statement_log, ministry, PAGE, national)
    _, served = await _timed(statement_log, ministry, PAGE, national)
    assert served <= 3
    await _ir(sql, kudus[0], "Jenang Kudus", "3319015507900104")
    after, _ = await _timed(statement_log, ministry, PAGE, national)
    assert after["homeIndustries"]["totalCount"] == before["homeIndustries"]["totalCount"] + 1


async def test_a_write_in_flight_when_the_answer_was_kept_is_seen_once_it_commits(
        client: GraphQLClient, sql: asyncpg.Connection, own_database: str, statement_log: StatementLog) -> None:
    village = (await _villages(sql, "33.74"))[2]
    ir = await _ir(sql, village, "Bandeng Presto", "3374015507900105")
    variables = {"region": village}
    writer = await asyncpg.connect(**asyncpg_dsn(own_database))
    try:
        transaction = writer.transaction()
        await transaction.start()
        await writer.execute("UPDATE registry.home_industries SET business_name = 'Bandeng Presto Juwana' WHERE id = $1", ir)
        # Kept while the write is running: its snapshot does not see it ...
        kept, _ = await _timed(statement_log, client, PAGE, variables)
        assert kept["homeIndustries"]["nodes"][0]["businessName"] == "Bandeng Presto"
        _, served = await _timed(statement_log, client, PAGE, variables)
        assert served <= 3
        await transaction.commit()
    finally:
        await writer.close()
    # ... and once it commits, the kept answer is no longer the answer.
    fresh, _ = await _timed(statement_log, client, PAGE, variables)
    assert fresh["homeIndustries"]["nodes"][0]["businessName"] == "Bandeng Presto Juwana"


async def test_callers_with_other_rights_get_their_own_answer_and_every_serving_is_audited(
        client: GraphQLClient, sql: asyncpg.Connection, statement_log: StatementLog, tokens: Tokens) -> None:
    village = (await _villages(sql, "33.74"))[0]
    await _ir(sql, village, "Wingko Babat", "3374015507900106")
    variables = {"region": village}
    office, _ = await _timed(statement_log, client, PAGE, variables)
    niks = {n["owner"]["nik"] for n in office["homeIndustries"]["nodes"]}
    assert "3374015507900106" in niks

    # The ministry asks the same document for the same village after the office: NIK masked for it.
    ministry = client.as_role("MINISTRY")
    national, _ = await _timed(statement_log, ministry, PAGE, variables)
    assert national["homeIndustries"]["totalCount"] == office["homeIndustries"]["totalCount"]
    assert all("*" in n["owner"]["nik"] for n in national["homeIndustries"]["nodes"])

    # Each serving of the office's kept page is one more READ row per IR whose NIK it shows.
    subject = "test-district_officer-33.74"
    before = await _reads(sql, subject)
    _, served = await _timed(statement_log, client, PAGE, variables)
    assert served <= 3
    assert await _reads(sql, subject) == before + len(niks)


async def test_operations_outside_the_cached_roots_are_answered_afresh(
        client: GraphQLClient, sql: asyncpg.Connection, statement_log: StatementLog) -> None:
    """The audit trail is not in the change log (every answer writes to it): it must never be kept."""
    village = (await _villages(sql, "33.74"))[1]
    await _ir(sql, village, "Lumpia Gang Lombok", "3374015507900107")
    trail = "query Trail { auditTrail(first: 1) { totalCount } }"
    first, _ = await _timed(statement_log, client, trail, {})
    await _timed(statement_log, client, PAGE, {"region": village})  # READ rows for this office's region
    second, _ = await _timed(statement_log, client, trail, {})
    assert second["auditTrail"]["totalCount"] > first["auditTrail"]["totalCount"]


async def test_a_burst_of_equal_requests_computes_the_answer_once(
        client: GraphQLClient, sql: asyncpg.Connection, statement_log: StatementLog) -> None:
    import asyncio

    village = (await _villages(sql, "33.74"))[2]
    await _ir(sql, village, "Moaci Gemuk", "3374015507900108")
    statement_log.clear()
    answers = await asyncio.gather(*(client(PAGE, {"region": village}) for _ in range(8)))
    assert all(a == answers[0] and "errors" not in a for a in answers)
    pages = [s for s in statement_log.statements if s.lstrip().startswith("SELECT") and "FROM registry.home_industries" in s
             and "LIMIT" in s]
    assert len(pages) == 1, pages
