"""The programme's indicators (Tabel 3) through the gateway, compared with SQL over the registry's tables.

A scenario of registrations, assessments (moves up, a jump, a fall), legality and marketing updates,
closures and graduations is made through our gateway as a regency office would make it, on top of
random registry changes in three regencies; reporting's own consumer applies the outbox. Every
indicator, for the nation, a province and a regency, in each year, equals what SQL over
``registry.home_industries``, ``registry.assessments`` and ``registry.outbox`` (the registry's record
of when a licence or channel first appeared) gives. Then targets: who may set them, the trail, the
coded refusals.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from gateway.app import build_app
from gateway.limits import Limits
from siir.settings import Settings
from tests.conftest import ServerThread

SUPERGRAPH = Path(__file__).resolve().parents[2] / "schema" / "supergraph.graphql"
REGENCY = "33.74"
VILLAGE = "33.74.01.1001"
YEARS = (2024, 2025, 2026)

PEMULA = {"workerCount": 1, "productionTechnology": "MANUAL", "capitalSource": "OWN", "capitalAmount": 1_000_000,
          "productionPattern": "NOT_CONTINUOUS"}
BERKEMBANG = {"workerCount": 3, "productionTechnology": "SEMI_MANUAL", "capitalSource": "OWN", "capitalAmount": 7_500_000,
              "productionPattern": "SEMI_CONTINUOUS"}
MAJU = {"workerCount": 6, "productionTechnology": "HIGH_TECHNOLOGY", "capitalSource": "OWN_AND_FORMAL_LOAN",
        "capitalAmount": 30_000_000, "productionPattern": "CONTINUOUS", "assetsExcludingLandAndBuildings": 60_000_000}

FIGURES = "{ indicator value femaleOwned maleOwned femaleHeadOfHousehold target targetSetBy achievement }"
TABLE = ("query($y: Int!, $r: String, $c: Boolean!) { programmeIndicators(year: $y, regionCode: $r, groupByChildren: $c) {"
         f" year region {{ regionCode regionName figures {FIGURES} }} children {{ nodes {{ regionCode figures {FIGURES} }} }} }} }}")
SET_TARGET = ("mutation($i: IndicatorTargetInput!) { setIndicatorTarget(input: $i) { indicator value target targetSetBy "
              "achievement } }")


@pytest.fixture(scope="module")
def reporting_url(database_url: str, tokens: Any) -> Iterator[str]:
    from services.reporting.app import build_app as build_reporting

    settings = Settings(reporting_poll_interval=0.1)
    with ServerThread(build_reporting(database_url, settings, run_consumer=True, verifier=tokens.verifier)) as server:
        yield server.url + "/graphql"


class Gateway:
    """Our gateway in-process (ASGI), on the real registry and reporting subgraphs."""

    def __init__(self, app: Any, tokens: Any) -> None:
        self.app, self.tokens = app, tokens

    async def __call__(self, query: str, variables: dict[str, Any] | None = None, *, role: str = "MINISTRY",
                       region: str | None = None, **claims: Any) -> dict[str, Any]:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app), base_url="http://gateway",
                                     headers=self.tokens.headers(role, region, **claims), timeout=60) as client:
            return (await client.post("/graphql", json={"query": query, "variables": variables or {}})).json()


def _nik(n: int, female: bool) -> str:
    # Born in July 1988: clear of the owners other modules register in the shared database (1990: Sri
    # Wahyuni of the README and the import's sample file, and `fresh_nik`'s serials).
    return f"337401{(55 if female else 15):02d}0788{n:04d}"


async def _register(gw: Gateway, n: int, *, registered_on: str, first: dict[str, Any], female: bool = True,
                    krtp: bool = False, nib: bool = False, online: bool = False,
                    legal_form: str | None = None) -> tuple[str, int]:
    body = await gw(
        "mutation($input: RegisterHomeIndustryInput!) { registerHomeIndustry(input: $input) { id version currentClass } }",
        {"input": {
            "villageCode": VILLAGE, "businessName": f"Usaha Uji {n}", "businessCategory": "FOOD_AND_BEVERAGE",
            "owner": {"name": f"Pemilik Uji {n}", "nik": _nik(n, female), "isFemaleHeadOfHousehold": krtp},
            "businessStartedOn": "2020-03-01", "registeredOn": registered_on, "consent": {"granted": True},
            **({"legality": {"nib": f"91200{n:08d}" if nib else None,
                             **({"legalForm": legal_form} if legal_form else {})}} if nib or legal_form else {}),
            **({"marketingChannels": ["DIRECT", "ONLINE"]} if online else {}),
            "firstAssessment": {"assessedOn": registered_on, **first},
        }},
        role="DISTRICT_OFFICER", region=REGENCY,
    )
    assert "errors" not in body, body
    ir = body["data"]["registerHomeIndustry"]
    return ir["id"], ir["version"]


async def _assess(gw: Gateway, ir: str, on: str, criteria: dict[str, Any]) -> None:
    body = await gw("mutation($id: ID!, $a: AssessmentInput!) { recordAssessment(homeIndustryId: $id, input: $a)"
                    " { assessment { id } } }", {"id": ir, "a": {"assessedOn": on, **criteria}},
                    role="DISTRICT_OFFICER", region=REGENCY)
    assert "errors" not in body, body


async def _scenario(gw: Gateway) -> None:
    """A regency office's year and a half, through the gateway."""
    # New Pemula (one KRTP, one man), a Berkembang and a Maju registered in 2025.
    a, _ = await _register(gw, 1, registered_on="2025-02-03", first=PEMULA, krtp=True)
    b, _ = await _register(gw, 2, registered_on="2025-03-10", first=PEMULA, female=False)
    c, _ = await _register(gw, 3, registered_on="2025-04-01", first=BERKEMBANG, nib=True)
    d, _ = await _register(gw, 4, registered_on="2025-01-15", first=MAJU, online=True)
    e, e_version = await _register(gw, 5, registered_on="2026-01-20", first=PEMULA)
    f, _ = await _register(gw, 6, registered_on="2026-02-02", first=PEMULA, krtp=True)
    # Legal forms: a PT from its registration in 2025 (counted then); a partnership (CV) is no formal entity.
    await _register(gw, 7, registered_on="2025-06-02", first=MAJU, nib=True, legal_form="LIMITED_COMPANY")
    g, g_version = await _register(gw, 8, registered_on="2025-07-01", first=BERKEMBANG, legal_form="PARTNERSHIP")
    # Moves: a up one step in 2025 and another in 2026; b jumps Pemula → Maju; c falls and climbs back.
    await _assess(gw, a, "2025-09-01", BERKEMBANG)
    await _assess(gw, a, "2026-03-01", MAJU)
    await _assess(gw, b, "2026-04-05", MAJU)
    await _assess(gw, c, "2025-10-01", PEMULA)
    await _assess(gw, c, "2025-12-01", BERKEMBANG)
    # Legality and marketing gained later (dated by the change: today).
    body = await gw("mutation($id: ID!, $v: Int!) { updateHomeIndustry(id: $id, expectedVersion: $v, input: {"
                    " legality: { nib: \"9120000000555\", pirtNumber: \"2063374010555-26\" }, marketingChannels: [ONLINE] })"
                    " { version } }", {"id": e, "v": e_version}, role="DISTRICT_OFFICER", region=REGENCY)
    assert "errors" not in body, body
    # The partnership becomes a cooperative (today), then a PT: one formal entity formed, counted once.
    for form in ("COOPERATIVE", "LIMITED_COMPANY"):
        body = await gw("mutation($id: ID!, $v: Int!, $f: LegalForm!) { updateHomeIndustry(id: $id, expectedVersion: $v,"
                        " input: { legality: { legalForm: $f } }) { version legality { legalForm } } }",
                        {"id": g, "v": g_version, "f": form}, role="DISTRICT_OFFICER", region=REGENCY)
        assert "errors" not in body, body
        assert body["data"]["updateHomeIndustry"]["legality"]["legalForm"] == form
        g_version = body["data"]["updateHomeIndustry"]["version"]
    # Closures (gulung tikar) as Pemula and as Berkembang; graduations of two Maju.
    for ir, on in ((f, "2026-06-30"), (c, "2026-02-01")):
        body = await gw('mutation($id: ID!, $on: Date) { closeHomeIndustry(id: $id, reason: "gulung tikar", closedOn: $on)'
                        " { status } }", {"id": ir, "on": on}, role="DISTRICT_OFFICER", region=REGENCY)
        assert "errors" not in body, body
    for ir, on in ((d, "2025-11-11"), (b, "2026-05-01")):
        body = await gw("mutation($id: ID!, $on: Date) { graduateHomeIndustry(id: $id, graduatedOn: $on) { status } }",
                        {"id": ir, "on": on}, role="DISTRICT_OFFICER", region=REGENCY)
        assert "errors" not in body, body


async def _caught_up(reporting_url: str, tokens: Any) -> None:
    deadline = time.monotonic() + 300
    async with httpx.AsyncClient(timeout=30) as client:
        while time.monotonic() < deadline:
            status = (await client.post(reporting_url, json={"query": "{ reportingStatus { lagEvents eventsApplied } }"},
                                        headers=tokens.headers("MINISTRY"))).json()["data"]["reportingStatus"]
            if status["lagEvents"] == 0 and status["eventsApplied"]:
                return
            await asyncio.sleep(0.2)
    raise AssertionError("the reporting consumer did not catch up")


def _gateway_app(registry_server: Any, reporting_url: str, tokens: Any) -> Any:
    return build_app(SUPERGRAPH.read_text(), subgraph_urls={"registry": registry_server.url + "/graphql",
                                                           "reporting": reporting_url},
                     verifier=tokens.verifier, limits=Limits())


@pytest.fixture
async def gateway(scenario: None, registry_server: Any, reporting_url: str, tokens: Any) -> AsyncIterator[Gateway]:
    """Our gateway, per test (its connection pool belongs to the test's event loop), after the scenario."""
    app = _gateway_app(registry_server, reporting_url, tokens)
    yield Gateway(app, tokens)
    await app.state.gateway.client.aclose()


@pytest.fixture(scope="module")
def scenario(registry_server: Any, reporting_url: str, database_url: str, tokens: Any) -> None:
    from siir.database import create_engine
    from tests.reporting.registry_changes import RegistryChanges

    async def run() -> None:
        app = _gateway_app(registry_server, reporting_url, tokens)
        gw = Gateway(app, tokens)
        engine = create_engine(database_url, pool_size=2)
        try:
            await RegistryChanges(engine, seed=15, facilitators=True).run(400)
        finally:
            await engine.dispose()
        await _scenario(gw)
        await app.state.gateway.client.aclose()
        await _caught_up(reporting_url, tokens)

    asyncio.run(run())


# Expected values, from the registry's own tables. Class on a day: the newest assessment on or before
# it (the newest of a day winning); a closure or graduation ends the class history on its day.
_EXPECTED = """
WITH ir AS (
    SELECT id, regency_code, village_code, owner_sex, owner_is_female_head_of_household AS krtp, registered_on, status,
           greatest(status_changed_on, registered_on) AS ended_on
    FROM registry.home_industries
),
class_days AS (
    SELECT ir.id, d.day,
           (SELECT a.ir_class FROM registry.assessments a WHERE a.home_industry_id = ir.id AND a.assessed_on <= d.day
            ORDER BY a.assessed_on DESC, a.id DESC LIMIT 1) AS cls
    FROM ir CROSS JOIN LATERAL (
        SELECT ir.registered_on AS day
        UNION SELECT a.assessed_on FROM registry.assessments a WHERE a.home_industry_id = ir.id AND a.assessed_on > ir.registered_on
    ) d
    WHERE ir.status = 'ACTIVE' OR d.day < ir.ended_on
),
steps AS (SELECT id, day, cls, lag(cls) OVER (PARTITION BY id ORDER BY day) AS prev FROM class_days),
last_class AS (  -- the class just before a closure or graduation
    SELECT ir.id, coalesce((SELECT a.ir_class FROM registry.assessments a WHERE a.home_industry_id = ir.id
                            AND a.assessed_on < ir.ended_on ORDER BY a.assessed_on DESC, a.id DESC LIMIT 1), 'UNASSESSED') AS cls,
           ir.status, extract(year FROM ir.ended_on)::int AS year
    FROM ir WHERE ir.status <> 'ACTIVE' AND ir.ended_on > ir.registered_on
),
firsts AS (  -- the first event in which a fact held, and its day
    SELECT o.aggregate_id::bigint AS id, f.fact,
           min(o.id) AS event_id
    FROM registry.outbox o
    CROSS JOIN LATERAL (VALUES
        ('SPP_IRT_OBTAINED', (o.payload -> 'homeIndustry' ->> 'hasPirt')::boolean),
        ('NIB_OBTAINED', (o.payload -> 'homeIndustry' ->> 'hasNib')::boolean),
        ('ONLINE_SELLING_STARTED', (o.payload -> 'homeIndustry' -> 'marketingChannels') ? 'ONLINE'),
        ('FORMAL_ENTITY_FORMED', (o.payload -> 'homeIndustry' ->> 'legalForm') IN ('COOPERATIVE', 'LIMITED_COMPANY'))
    ) f (fact, holds)
    WHERE o.aggregate_type = 'HomeIndustry' AND f.holds
    GROUP BY 1, 2
),
counted (id, indicator, year) AS (
    SELECT ir.id, w.indicator, extract(year FROM ir.registered_on)::int
    FROM ir JOIN registry.regions v ON v.code = ir.village_code
    CROSS JOIN LATERAL (VALUES ('NEW_PEMULA'),
                               (CASE WHEN v.kind = 'kelurahan' THEN 'NEW_PEMULA_IN_TOWNS' ELSE 'NEW_PEMULA_IN_VILLAGES' END)) w (indicator)
    WHERE (SELECT a.ir_class FROM registry.assessments a WHERE a.home_industry_id = ir.id
           ORDER BY a.assessed_on, a.id LIMIT 1) = 'PEMULA'
    UNION SELECT id, 'CLOSED_' || cls, year FROM last_class WHERE status = 'CLOSED'
    UNION SELECT id, 'GRADUATED', year FROM last_class WHERE status = 'GRADUATED'
    UNION SELECT id, 'MAJU_TO_SMALL_ENTERPRISE', year FROM last_class WHERE status = 'GRADUATED' AND cls = 'MAJU'
    UNION SELECT id, 'PEMULA_TO_BERKEMBANG', extract(year FROM day)::int FROM steps
        WHERE prev = 'PEMULA' AND cls IN ('BERKEMBANG', 'MAJU')
    UNION SELECT id, 'BERKEMBANG_TO_MAJU', extract(year FROM day)::int FROM steps
        WHERE prev IN ('PEMULA', 'BERKEMBANG') AND cls = 'MAJU'
    UNION SELECT f.id, f.fact, extract(year FROM CASE WHEN o.event_type = 'HomeIndustryRegistered' THEN ir.registered_on
                 ELSE greatest((o.occurred_at AT TIME ZONE 'Asia/Jakarta')::date, ir.registered_on) END)::int
        FROM firsts f JOIN registry.outbox o ON o.id = f.event_id JOIN ir ON ir.id = f.id
)
SELECT c.indicator, c.year,
       -- Where the IR was at the end of the year: before its first transfer after that day, else where it is.
       coalesce((SELECT t.from_regency_code FROM registry.home_industry_transfers t
                 WHERE t.home_industry_id = c.id AND t.status = 'ACCEPTED' AND t.transferred_on > make_date(c.year, 12, 31)
                 ORDER BY t.transferred_on, t.id LIMIT 1), ir.regency_code) AS regency_code,
       ir.owner_sex, ir.krtp, count(*)::int AS n
FROM counted c JOIN ir ON ir.id = c.id
GROUP BY 1, 2, 3, 4, 5
"""


async def _expected(pg: asyncpg.Connection) -> list[asyncpg.Record]:
    return await pg.fetch(_EXPECTED)


def _expected_figures(rows: list[asyncpg.Record], year: int, region: str) -> dict[str, dict[str, int]]:
    out: dict[str, Counter[str]] = {}
    for row in rows:
        if row["year"] != year or not (region == "" or row["regency_code"] == region
                                         or row["regency_code"].startswith(region + ".")):
            continue
        figure = out.setdefault(row["indicator"], Counter())
        figure["value"] += row["n"]
        figure["femaleOwned" if row["owner_sex"] == "FEMALE" else "maleOwned"] += row["n"]
        figure["femaleHeadOfHousehold"] += row["n"] if row["krtp"] else 0
    return {k: {m: n for m, n in v.items() if n} for k, v in out.items()}


def _served(figures: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    out = {}
    for f in figures:
        if f["value"]:
            out[f["indicator"]] = {k: f[k] for k in ("value", "femaleOwned", "maleOwned", "femaleHeadOfHousehold") if f[k]}
    return out


async def test_indicators_equal_sql_over_the_registry(gateway: Gateway, pg: asyncpg.Connection) -> None:
    rows = await _expected(pg)
    # The scenario's own figures are in the expectation (a check on the check).
    ours = _expected_figures(rows, 2025, REGENCY)
    assert ours["NEW_PEMULA"]["femaleHeadOfHousehold"] >= 1 and ours["MAJU_TO_SMALL_ENTERPRISE"]["value"] >= 1
    assert _expected_figures(rows, 2026, REGENCY)["CLOSED_PEMULA"]["value"] >= 1
    assert _expected_figures(rows, 2026, REGENCY)["SPP_IRT_OBTAINED"]["value"] >= 1
    assert ours["FORMAL_ENTITY_FORMED"]["value"] == 1  # the PT; the partnership is not one
    this_year = int((await pg.fetchval("SELECT (now() AT TIME ZONE 'Asia/Jakarta')::date")).year)
    assert _expected_figures(rows, this_year, REGENCY)["FORMAL_ENTITY_FORMED"]["value"] >= 1  # the cooperative
    for year in YEARS:
        national = await gateway(TABLE, {"y": year, "r": None, "c": True})
        assert "errors" not in national, national
        table = national["data"]["programmeIndicators"]
        assert table["region"]["regionName"] == "Indonesia" and len(table["children"]["nodes"]) == 38
        assert _served(table["region"]["figures"]) == _expected_figures(rows, year, "")
        for child in table["children"]["nodes"]:
            assert _served(child["figures"]) == _expected_figures(rows, year, child["regionCode"])
        province = await gateway(TABLE, {"y": year, "r": "33", "c": True}, role="PROVINCE_OFFICER", region="33")
        assert "errors" not in province, province
        assert _served(province["data"]["programmeIndicators"]["region"]["figures"]) == _expected_figures(rows, year, "33")
        for child in province["data"]["programmeIndicators"]["children"]["nodes"]:
            assert _served(child["figures"]) == _expected_figures(rows, year, child["regionCode"])
        regency = await gateway(TABLE, {"y": year, "r": REGENCY, "c": False}, role="DISTRICT_OFFICER", region=REGENCY)
        assert _served(regency["data"]["programmeIndicators"]["region"]["figures"]) == _expected_figures(rows, year, REGENCY)
    analyst = await gateway(TABLE, {"y": 2025, "r": None, "c": False}, role="ANALYST")
    assert "errors" not in analyst, analyst


def _codes(body: dict[str, Any]) -> list[tuple[str, str | None]]:
    return [(e["extensions"]["code"], e["extensions"].get("field")) for e in body.get("errors", [])]


async def test_targets_who_sets_them_and_the_trail(gateway: Gateway, pg: asyncpg.Connection) -> None:
    nib = {"year": 2026, "regionCode": REGENCY, "indicator": "NIB_OBTAINED", "target": 1000}
    body = await gateway(SET_TARGET, {"i": nib}, role="PROVINCE_OFFICER", region="33")
    assert "errors" not in body, body
    figure = body["data"]["setIndicatorTarget"]
    assert (figure["target"], figure["targetSetBy"]) == (1000, "PROVINCE_OFFICER")
    assert figure["achievement"] == figure["value"] / 1000
    # The ministry changes it; the table shows the new target at once, the trail keeps both.
    body = await gateway(SET_TARGET, {"i": {**nib, "target": 800}}, role="MINISTRY")
    assert body["data"]["setIndicatorTarget"]["target"] == 800
    national = await gateway(SET_TARGET, {"i": {"year": 2026, "indicator": "GRADUATED", "target": 1000}}, role="MINISTRY")
    assert national["data"]["setIndicatorTarget"]["targetSetBy"] == "MINISTRY"
    table = await gateway(TABLE, {"y": 2026, "r": REGENCY, "c": False}, role="DISTRICT_OFFICER", region=REGENCY)
    row = next(f for f in table["data"]["programmeIndicators"]["region"]["figures"] if f["indicator"] == "NIB_OBTAINED")
    assert (row["target"], row["targetSetBy"]) == (800, "MINISTRY")
    trail = await pg.fetch("SELECT old_target, new_target, changed_by_role FROM reporting.indicator_target_changes"
                           " WHERE region_code = $1 AND indicator = 'NIB_OBTAINED' ORDER BY id", REGENCY)
    assert [tuple(r) for r in trail] == [(None, 1000, "PROVINCE_OFFICER"), (1000, 800, "MINISTRY")]
    # Refusals, coded, nothing written (other tests of the session set targets too: count from here).
    written = await pg.fetchval("SELECT count(*) FROM reporting.indicator_target_changes")
    refused = [
        (await gateway(SET_TARGET, {"i": {**nib, "regionCode": "35.07"}}, role="PROVINCE_OFFICER", region="33"), "FORBIDDEN"),
        (await gateway(SET_TARGET, {"i": {**nib, "regionCode": None}}, role="PROVINCE_OFFICER", region="33"), "FORBIDDEN"),
        (await gateway(SET_TARGET, {"i": nib}, role="DISTRICT_OFFICER", region=REGENCY), "FORBIDDEN"),
        (await gateway(SET_TARGET, {"i": nib}, role="ANALYST"), "FORBIDDEN"),
    ]
    for body, code in refused:
        assert [c for c, _ in _codes(body)] == [code], body
    assert _codes(await gateway(SET_TARGET, {"i": {**nib, "year": 1800}})) == [("BAD_USER_INPUT", "input.year")]
    assert _codes(await gateway(SET_TARGET, {"i": {**nib, "target": -1}})) == [("BAD_USER_INPUT", "input.target")]
    assert _codes(await gateway(SET_TARGET, {"i": {**nib, "regionCode": "33.74.01"}})) == [("BAD_USER_INPUT", "input.regionCode")]
    assert _codes(await gateway(SET_TARGET, {"i": {**nib, "regionCode": "99.99"}})) == [("BAD_USER_INPUT", "input.regionCode")]
    assert await pg.fetchval("SELECT count(*) FROM reporting.indicator_target_changes") == written


async def test_who_reads_the_indicators(gateway: Gateway) -> None:
    query = {"y": 2025, "r": "35", "c": False}
    assert [c for c, _ in _codes(await gateway(TABLE, query, role="PARTNER", partner="6"))] == ["FORBIDDEN"]
    assert [c for c, _ in _codes(await gateway(TABLE, query, role="PROVINCE_OFFICER", region="33"))] == ["FORBIDDEN"]
    assert [c for c, _ in _codes(await gateway(TABLE, {**query, "r": "33.74.01"}))] == ["BAD_USER_INPUT"]
    assert _codes(await gateway(TABLE, {**query, "y": 3000})) == [("BAD_USER_INPUT", "year")]


WORKLIST = ("query($r: String, $d: Int, $n: Int, $a: String, $f: ID) { reassessmentWorklist(regionCode: $r,"
            " dueWithinDays: $d, first: $n, after: $a, facilitatorId: $f) { nodes { homeIndustry { id registrationNumber businessName facilitators { id } }"
            " lastAssessedOn dueOn overdue daysOverdue } pageInfo { endCursor hasNextPage } } }")


async def _whole_worklist(gw: Gateway, variables: dict[str, Any], **caller: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    after = None
    for _ in range(100):
        body = await gw(WORKLIST, {**variables, "a": after}, **caller)
        assert "errors" not in body, body
        page = body["data"]["reassessmentWorklist"]
        items += page["nodes"]
        if not page["pageInfo"]["hasNextPage"]:
            return items
        after = page["pageInfo"]["endCursor"]
    raise AssertionError("the worklist did not end")


async def test_reassessment_worklist_of_a_regency(gateway: Gateway, pg: asyncpg.Connection) -> None:
    for days in (0, 30, 200):
        items = await _whole_worklist(gateway, {"r": REGENCY, "d": days, "n": 40}, role="DISTRICT_OFFICER", region=REGENCY)
        expected = await pg.fetch(
            """
            SELECT id, registration_number, last_assessed_on FROM registry.home_industries
            WHERE regency_code = $1 AND status = 'ACTIVE'
              AND (last_assessed_on IS NULL OR last_assessed_on
                   <= ((now() AT TIME ZONE 'Asia/Jakarta')::date + $2::int - interval '1 year')::date)
            ORDER BY coalesce(last_assessed_on, DATE '0001-01-01'), id
            """,
            REGENCY, days,
        )
        assert [(i["homeIndustry"]["id"], i["homeIndustry"]["registrationNumber"]) for i in items] == \
            [(str(r["id"]), r["registration_number"]) for r in expected]
        assert items, "the scenario leaves IR due in the regency"
        for item in items:
            overdue = item["daysOverdue"] > 0 or item["lastAssessedOn"] is None
            assert item["overdue"] in (overdue, True) and item["homeIndustry"]["businessName"]
    # The province sees the regency's worklist; others are refused, coded.
    province = await _whole_worklist(gateway, {"r": REGENCY, "d": 30, "n": 100}, role="PROVINCE_OFFICER", region="33")
    assert len(province) == len(await _whole_worklist(gateway, {"r": REGENCY, "d": 30, "n": 100},
                                                      role="DISTRICT_OFFICER", region=REGENCY))
    assert _codes(await gateway(WORKLIST, {"r": REGENCY}, role="PROVINCE_OFFICER", region="35")) == [("FORBIDDEN", "regionCode")]
    # The gateway names every refused field (the list and the HomeIndustry fields in it): all FORBIDDEN.
    assert {c for c, _ in _codes(await gateway(WORKLIST, {"r": REGENCY}, role="ANALYST"))} == {"FORBIDDEN"}
    assert {c for c, _ in _codes(await gateway(WORKLIST, {"r": REGENCY}, role="PARTNER", partner="6"))} == {"FORBIDDEN"}
    assert _codes(await gateway(WORKLIST, {"r": REGENCY, "d": 400})) == [("BAD_USER_INPUT", "dueWithinDays")]
    assert _codes(await gateway(WORKLIST, {"r": REGENCY, "a": "bm90LWEtY3Vyc29y"})) == [("BAD_USER_INPUT", "after")]


async def test_a_facilitators_own_worklist(gateway: Gateway, pg: asyncpg.Connection) -> None:
    today = "(now() AT TIME ZONE 'Asia/Jakarta')::date"
    facilitator = await pg.fetchrow(
        f"""
        SELECT f.id, f.subject, f.regency_code FROM registry.facilitators f
        WHERE f.subject IS NOT NULL AND f.active_from <= {today} AND (f.active_until IS NULL OR f.active_until >= {today})
          AND EXISTS (SELECT 1 FROM registry.facilitator_assignments a WHERE a.facilitator_id = f.id
                      AND a.active_from <= {today} AND (a.active_until IS NULL OR a.active_until >= {today}))
        ORDER BY f.id LIMIT 1
        """
    )
    assert facilitator is not None, "the random changes engage and assign facilitators"
    expected = [str(r["id"]) for r in await pg.fetch(
        f"""
        SELECT h.id FROM registry.home_industries h
        WHERE h.status = 'ACTIVE' AND h.regency_code = $2
          AND coalesce(h.last_assessed_on, DATE '0001-01-01') <= ({today} + 200 - interval '1 year')::date
          AND EXISTS (SELECT 1 FROM registry.facilitator_assignments a WHERE a.facilitator_id = $1
                      AND a.active_from <= {today} AND (a.active_until IS NULL OR a.active_until >= {today})
                      AND (a.village_code = h.village_code OR a.home_industry_id = h.id))
        ORDER BY coalesce(h.last_assessed_on, DATE '0001-01-01'), h.id
        """, facilitator["id"], facilitator["regency_code"])]
    assert expected, "the facilitator has IR due"
    own = await _whole_worklist(gateway, {"d": 200, "n": 5}, role="FACILITATOR", region=facilitator["regency_code"],
                                subject=facilitator["subject"])
    assert [i["homeIndustry"]["id"] for i in own] == expected
    office = await _whole_worklist(gateway, {"r": facilitator["regency_code"], "d": 200, "n": 5, "f": str(facilitator["id"])},
                                   role="DISTRICT_OFFICER", region=facilitator["regency_code"])
    assert [i["homeIndustry"]["id"] for i in office] == expected
    other = await gateway(WORKLIST, {"f": str(facilitator["id"] + 100000)}, role="FACILITATOR",
                          region=facilitator["regency_code"], subject=facilitator["subject"])
    assert _codes(other) == [("FORBIDDEN", "facilitatorId")]


ROUND = ("query($y: Int!, $r: String) { reassessmentRound(year: $y, regionCode: $r) { year periodEnd"
         " total { regionCode activeHomeIndustries assessed shareAssessed }"
         " children { nodes { regionCode activeHomeIndustries assessed shareAssessed } } } }")


async def test_reassessment_round_equals_the_registry(gateway: Gateway, pg: asyncpg.Connection) -> None:
    for year in (2025, 2026):
        body = await gateway(ROUND, {"y": year, "r": "33"}, role="PROVINCE_OFFICER", region="33")
        assert "errors" not in body, body
        result = body["data"]["reassessmentRound"]
        last = result["periodEnd"]
        expected = {
            r["regency_code"]: (r["active"], r["assessed"])
            for r in await pg.fetch(
                """
                SELECT h.regency_code, count(*)::int AS active,
                       count(*) FILTER (WHERE EXISTS (SELECT 1 FROM registry.assessments a WHERE a.home_industry_id = h.id
                                        AND a.assessed_on BETWEEN make_date($1, 1, 1) AND $2::date))::int AS assessed
                FROM registry.home_industries h
                WHERE h.regency_code LIKE '33.%' AND h.registered_on <= $2::date
                  AND (h.status = 'ACTIVE' OR h.status_changed_on > $2::date)
                GROUP BY 1
                """, year, __import__("datetime").date.fromisoformat(last))
        }
        served = {c["regionCode"]: (c["activeHomeIndustries"], c["assessed"]) for c in result["children"]["nodes"]
                  if c["activeHomeIndustries"]}
        assert served == expected and expected
        total = result["total"]
        assert (total["activeHomeIndustries"], total["assessed"]) == tuple(map(sum, zip(*expected.values())))
        assert total["shareAssessed"] == total["assessed"] / total["activeHomeIndustries"]
    assert [c for c, _ in _codes(await gateway(ROUND, {"y": 2026, "r": "33"}, role="PARTNER", partner="6"))] == ["FORBIDDEN"]
    assert "errors" not in await gateway(ROUND, {"y": 2026, "r": None}, role="ANALYST")
    assert _codes(await gateway(ROUND, {"y": 2030})) == [("BAD_USER_INPUT", "year")]
