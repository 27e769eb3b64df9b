"""Demo data (`siir seed`): what a user of the demo registry would notice if it were wrong.

Two fresh databases get the same seed: their rows must be identical. The rows must then look
like the programme's data (about two in three owners women, KRTP only women, NIKs valid and
issued where the IR lives), be classified exactly by the stored rule, and publish the events the
reporting service needs. A second identical run does nothing; a seed into a registry that
already has real IR continues its ids and registration numbers.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections import Counter, defaultdict
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import asyncpg
import lokal
import pytest

from services.registry_demo.seeding import (
    HISTORY_END,
    JAKARTA,
    SeedReport,
    seed_demo_data,
)
from services.registry.domain.classification import (
    CapitalSource,
    Criteria,
    ProductionPattern,
    ProductionTechnology,
    RuleSet,
    classify,
)
from services.registry.domain.eligibility import EligibilityRule
from services.registry.domain.events import event_payload, intervention_payload
from services.registry.domain.graduation import GraduationThresholds, is_small_enterprise_candidate
from siir.database import asyncpg_dsn
from siirctl.preparation import prepare_database
from tests.conftest import create_database, drop_database

COUNT = 2000
SEED = 2016

#: Ordered dumps of everything a seed writes (the outbox without transaction_id, which is
#: PostgreSQL's own transaction number and differs between databases by design).
DIGEST_QUERIES: dict[str, str] = {
    "home_industries": "SELECT md5(string_agg(t::text, '|' ORDER BY t.id)) FROM registry.home_industries t",
    "assessments": "SELECT md5(string_agg(t::text, '|' ORDER BY t.id)) FROM registry.assessments t",
    "outbox": (
        "SELECT md5(string_agg(concat_ws(',', id, occurred_at, aggregate_type, aggregate_id, event_type,"
        " payload::text), '|' ORDER BY id)) FROM registry.outbox"
    ),
    "registration_counters": (
        "SELECT md5(string_agg(t::text, '|' ORDER BY t.regency_code)) FROM registry.registration_counters t"
    ),
    **{
        table: f"SELECT md5(string_agg((t.*)::text, '|' ORDER BY t.id)) FROM registry.{table} t"
        for table in ("facilitators", "facilitator_assignments", "interventions", "teams", "team_members",
                      "partners", "partner_programmes", "mentoring_notes")
    },
}


@dataclass
class SeededRegistry:
    url: str
    #: The twin's database, free for tests that add rows of their own after the digests.
    twin_url: str
    report: SeedReport
    digests: dict[str, str]
    twin_digests: dict[str, str]


async def _prepare(admin_url: str) -> str:
    # Both helpers run their own event loop (asyncio.run), so they run in a thread here.
    url = await asyncio.to_thread(create_database, admin_url, "siir_demo_test")
    await asyncio.to_thread(prepare_database, url)
    return url


async def _digests(url: str) -> dict[str, str]:
    connection = await asyncpg.connect(**asyncpg_dsn(url))
    try:
        return {name: await connection.fetchval(query) for name, query in DIGEST_QUERIES.items()}
    finally:
        await connection.close()


@pytest.fixture(scope="module")
async def seeded(admin_url: str) -> AsyncIterator[SeededRegistry]:
    """One registry seeded with (COUNT, SEED), and the digests of a twin seeded the same way."""
    url = await _prepare(admin_url)
    twin_url = await _prepare(admin_url)
    try:
        report = await seed_demo_data(url, count=COUNT, seed=SEED)
        await seed_demo_data(twin_url, count=COUNT, seed=SEED)
        yield SeededRegistry(url, twin_url, report, await _digests(url), await _digests(twin_url))
    finally:
        await asyncio.to_thread(drop_database, admin_url, url)
        await asyncio.to_thread(drop_database, admin_url, twin_url)


@pytest.fixture
async def connection(seeded: SeededRegistry) -> AsyncIterator[asyncpg.Connection]:
    connection = await asyncpg.connect(**asyncpg_dsn(seeded.url))
    try:
        yield connection
    finally:
        await connection.close()


async def test_same_seed_and_count_give_identical_data(seeded: SeededRegistry) -> None:
    report = seeded.report
    assert report == SeedReport(
        COUNT, report.assessments, report.seconds, skipped=False,
        interventions=report.interventions, facilitators=report.facilitators, teams=report.teams,
    )
    assert report.interventions > 0 and report.facilitators > 0 and report.teams > 39
    assert all(seeded.digests.values())
    assert seeded.digests == seeded.twin_digests


async def test_second_run_with_same_arguments_does_nothing(
    seeded: SeededRegistry, connection: asyncpg.Connection
) -> None:
    before = await connection.fetchval("SELECT count(*) FROM registry.outbox")
    again = await seed_demo_data(seeded.url, count=COUNT, seed=SEED)
    assert again.skipped and again.home_industries == 0 and again.assessments == 0
    assert await connection.fetchval("SELECT count(*) FROM registry.outbox") == before
    runs = await connection.fetch("SELECT seed, count, home_industries, assessments FROM registry.demo_seed_runs")
    assert [tuple(r) for r in runs if r["seed"] == SEED] == [(SEED, COUNT, COUNT, seeded.report.assessments)]


async def test_owners_are_mostly_women_and_krtp_are_women(seeded: SeededRegistry, connection: asyncpg.Connection) -> None:
    row = await connection.fetchrow(
        """
        SELECT count(*) FILTER (WHERE owner_sex = 'FEMALE')::float / count(*) AS women,
               count(*) FILTER (WHERE owner_is_female_head_of_household AND owner_sex = 'MALE') AS male_krtp,
               count(*) FILTER (WHERE owner_is_female_head_of_household)::float
                   / count(*) FILTER (WHERE owner_sex = 'FEMALE') AS krtp_among_women
        FROM registry.home_industries WHERE registration_number LIKE 'IR-%'
        """
    )
    assert 0.62 <= row["women"] <= 0.71  # DOMAIN.md: 60–70%
    assert row["male_krtp"] == 0
    assert 0.5 <= row["krtp_among_women"] <= 0.7  # seed 003: 8,552 of 14,327


async def test_niks_are_valid_and_issued_where_the_owner_lives(connection: asyncpg.Connection) -> None:
    rows = await connection.fetch(
        "SELECT owner_nik, owner_sex, owner_birth_year, village_code, regency_code FROM registry.home_industries"
    )
    assert len({r["owner_nik"] for r in rows}) == len(rows)
    for row in rows:
        info = lokal.parse_nik(row["owner_nik"], reference_date=dt.date(2026, 12, 31))
        assert info.valid, (row["owner_nik"], info.errors)
        assert info.district_code == row["village_code"][:8]
        assert info.regency_code == row["regency_code"]
        assert info.gender == ("P" if row["owner_sex"] == "FEMALE" else "L")
        assert int(info.birth_date[:4]) == row["owner_birth_year"]


async def test_villages_are_real_and_inside_the_regency(connection: asyncpg.Connection) -> None:
    outside = await connection.fetchval(
        """
        SELECT count(*) FROM registry.home_industries h
        LEFT JOIN registry.regions v ON v.code = h.village_code AND v.level = 4
        WHERE v.code IS NULL OR v.code NOT LIKE h.regency_code || '.%'
            OR latitude NOT BETWEEN -11 AND 6 OR longitude NOT BETWEEN 95 AND 141
        """
    )
    assert outside == 0
    regencies = await connection.fetchval("SELECT count(DISTINCT regency_code) FROM registry.home_industries")
    assert 100 <= regencies <= 320  # concentrated in a few hundred of the 514


async def test_every_assessment_is_classified_by_the_stored_rule(connection: asyncpg.Connection) -> None:
    rule = await connection.fetchrow(
        "SELECT code, version, definition FROM registry.rule_sets WHERE code = 'PERMEN_PPPA_2_2016' AND version = 1"
    )
    rule_set = RuleSet.from_definition(rule["code"], rule["version"], json.loads(rule["definition"]))
    limits = await connection.fetchrow("SELECT * FROM registry.graduation_thresholds WHERE code = 'UU_20_2008'")
    thresholds = GraduationThresholds(limits["code"], limits["assets_over"], limits["turnover_over"])
    rows = await connection.fetch("SELECT * FROM registry.assessments")
    assert rows
    for row in rows:
        result = classify(
            Criteria(
                worker_count=row["worker_count"],
                production_technology=ProductionTechnology(row["production_technology"]),
                capital_source=CapitalSource(row["capital_source"]),
                capital_amount=row["capital_amount"],
                business_started_on=row["business_started_on"],
                production_pattern=ProductionPattern(row["production_pattern"]),
            ),
            row["assessed_on"],
            rule_set,
        )
        levels = result.levels
        assert (
            row["worker_level"], row["technology_level"], row["capital_source_level"],
            row["capital_amount_level"], row["business_age_level"], row["production_pattern_level"],
        ) == (
            levels.worker_count, levels.production_technology, levels.capital_source,
            levels.capital_amount, levels.business_age, levels.production_pattern,
        )
        assert (row["business_age_months"], row["score"], row["ir_class"]) == (
            result.business_age_months, result.score, result.ir_class.value
        )
        assert (row["rule_set_code"], row["rule_set_version"], row["graduation_thresholds_code"]) == (
            "PERMEN_PPPA_2_2016", 1, "UU_20_2008"
        )
        assert row["small_enterprise_candidate"] == is_small_enterprise_candidate(
            result.ir_class, row["assets_excluding_land_and_buildings"], row["annual_turnover"], thresholds
        )
        assert dt.date(2016, 1, 1) <= row["assessed_on"] <= HISTORY_END


async def test_current_class_is_the_newest_assessment(connection: asyncpg.Connection) -> None:
    mismatches = await connection.fetchval(
        """
        SELECT count(*) FROM registry.home_industries h
        JOIN LATERAL (
            SELECT * FROM registry.assessments a WHERE a.home_industry_id = h.id
            ORDER BY a.assessed_on DESC, a.id DESC LIMIT 1
        ) newest ON true
        WHERE (h.current_class, h.current_score, h.last_assessed_on)
              IS DISTINCT FROM (newest.ir_class, newest.score, newest.assessed_on)
           OR h.workers_female + h.workers_male <> newest.worker_count
        """
    )
    unassessed = await connection.fetchval(
        "SELECT count(*) FROM registry.home_industries h"
        " WHERE NOT EXISTS (SELECT 1 FROM registry.assessments a WHERE a.home_industry_id = h.id)"
    )
    assert (mismatches, unassessed) == (0, 0)


async def test_history_moves_mostly_up_with_closures_and_graduations(connection: asyncpg.Connection) -> None:
    rows = await connection.fetch(
        "SELECT home_industry_id, ir_class FROM registry.assessments ORDER BY home_industry_id, assessed_on, id"
    )
    rank = {"PEMULA": 1, "BERKEMBANG": 2, "MAJU": 3}
    moves: Counter[str] = Counter()
    previous: dict[int, str] = {}
    for row in rows:
        before = previous.get(row["home_industry_id"])
        if before is not None and before != row["ir_class"]:
            moves["up" if rank[row["ir_class"]] > rank[before] else "down"] += 1
        previous[row["home_industry_id"]] = row["ir_class"]
    assert moves["up"] > 2 * moves["down"] > 0
    per_ir = len(rows) / len(previous)
    assert 2.5 <= per_ir <= 3.5
    statuses = dict(await connection.fetch("SELECT status, count(*) FROM registry.home_industries GROUP BY 1"))
    assert statuses["CLOSED"] > 0 and 0 < statuses["GRADUATED"] < statuses["CLOSED"] * 2
    odd = await connection.fetchval(
        """
        SELECT count(*) FROM registry.home_industries
        WHERE (status = 'ACTIVE') <> (status_changed_on IS NULL AND status_reason IS NULL)
           OR status_changed_on < last_assessed_on
           OR (status = 'GRADUATED' AND current_class <> 'MAJU')
           OR consent_to_share <> (consent_recorded_on IS NOT NULL)
        """
    )
    assert odd == 0
    categories = {r[0] for r in await connection.fetch("SELECT DISTINCT business_category FROM registry.home_industries")}
    assert categories == {"FOOD_AND_BEVERAGE", "TEXTILE_AND_FASHION", "CRAFT", "HERBAL_AND_COSMETIC",
                          "FURNITURE_AND_WOOD", "OTHER"}


async def test_registration_numbers_run_per_regency_and_match_the_counter(connection: asyncpg.Connection) -> None:
    rows = await connection.fetch(
        "SELECT regency_code, registration_number FROM registry.home_industries ORDER BY regency_code, id"
    )
    numbers: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        prefix, regency, sequence = row["registration_number"].rsplit("-", 2)
        assert (prefix, regency) == ("IR", row["regency_code"])
        numbers[regency].append(int(sequence))
    counters = dict(await connection.fetch("SELECT regency_code, last_number FROM registry.registration_counters"))
    for regency, sequence in numbers.items():
        assert sequence == list(range(1, len(sequence) + 1)), regency  # in registration order, no gaps
        assert counters[regency] == len(sequence)


async def test_outbox_tells_each_home_industry_story_in_order(connection: asyncpg.Connection) -> None:
    home_industries = {r["id"]: r for r in await connection.fetch("SELECT * FROM registry.home_industries")}
    assessments: dict[int, list[asyncpg.Record]] = defaultdict(list)
    for row in await connection.fetch("SELECT * FROM registry.assessments ORDER BY assessed_on, id"):
        assessments[row["home_industry_id"]].append(row)
    events: dict[int, list[asyncpg.Record]] = defaultdict(list)
    for row in await connection.fetch("SELECT * FROM registry.outbox WHERE aggregate_type = 'HomeIndustry' ORDER BY id"):
        events[int(row["aggregate_id"])].append(row)
    assert set(events) == set(home_industries)
    for hi_id, home_industry in home_industries.items():
        story = events[hi_id]
        expected = ["HomeIndustryRegistered"] + ["AssessmentRecorded"] * len(assessments[hi_id])
        expected += {"ACTIVE": [], "CLOSED": ["HomeIndustryClosed"], "GRADUATED": ["HomeIndustryGraduated"]}[
            home_industry["status"]
        ]
        assert [e["event_type"] for e in story] == expected
        payloads = [json.loads(e["payload"]) for e in story]
        assert [p["assessment"]["id"] for p in payloads if "assessment" in p] == [str(a["id"]) for a in assessments[hi_id]]
        days = [home_industry["registered_on"]] + [a["assessed_on"] for a in assessments[hi_id]]
        days += [home_industry["status_changed_on"]] if home_industry["status"] != "ACTIVE" else []
        assert [e["occurred_at"] for e in story] == [
            dt.datetime.combine(day, dt.time(9, 0), tzinfo=JAKARTA) for day in days
        ]
        # Each assessment event shows the IR in the class that assessment gave it.
        for payload, assessment in zip(payloads[1:], assessments[hi_id]):
            assert payload["homeIndustry"]["currentClass"] == assessment["ir_class"]
            assert payload["homeIndustry"]["lastAssessedOn"] == assessment["assessed_on"].isoformat()
        # The last event is exactly what events.py publishes for the IR as stored.
        row: dict[str, Any] = dict(home_industry)
        for column in ("products", "workforce", "assistance_received"):
            row[column] = json.loads(row[column])
        if home_industry["status"] == "ACTIVE":
            expected_last = event_payload(row, assessment=assessments[hi_id][-1])
        else:
            expected_last = event_payload(row, reason=home_industry["status_reason"])
        assert payloads[-1] == expected_last
        assert "ownerNik" not in json.dumps(payloads)


async def test_seeding_next_to_real_home_industries_does_not_collide(seeded: SeededRegistry) -> None:
    """A registry with real IR (here: one registered the way the service does) can take more demo data."""
    connection = await asyncpg.connect(**asyncpg_dsn(seeded.twin_url))
    try:
        await _seed_next_to_a_real_home_industry(seeded.twin_url, connection)
    finally:
        await connection.close()


async def _seed_next_to_a_real_home_industry(url: str, connection: asyncpg.Connection) -> None:
    regency = "35.73"  # Kota Malang, always among the demo regencies
    real_number = await connection.fetchval(
        """
        INSERT INTO registry.registration_counters AS c (regency_code, last_number) VALUES ($1, 1)
        ON CONFLICT (regency_code) DO UPDATE SET last_number = c.last_number + 1 RETURNING last_number
        """,
        regency,
    )
    real_id = await connection.fetchval(
        """
        INSERT INTO registry.home_industries (registration_number, regency_code, village_code, business_name,
            business_category, owner_name, owner_nik, owner_sex, business_started_on, registered_on)
        SELECT $1, $2, min(code), 'Keripik Buah Bu Ani', 'FOOD_AND_BEVERAGE', 'Ani', '3573014507800001',
            'FEMALE', '2020-01-01', '2026-11-01'
        FROM registry.regions WHERE level = 4 AND code LIKE '35.73.%'
        RETURNING id
        """,
        f"IR-{regency}-{real_number:06d}",
        regency,
    )
    report = await seed_demo_data(url, count=300, seed=7)
    assert not report.skipped and report.home_industries == 300
    first_new = await connection.fetchval("SELECT first_home_industry_id FROM registry.demo_seed_runs WHERE seed = 7")
    assert first_new == real_id + 1
    numbers = await connection.fetch(
        "SELECT registration_number FROM registry.home_industries WHERE regency_code = $1 ORDER BY id", regency
    )
    sequences = [int(r["registration_number"].rsplit("-", 1)[1]) for r in numbers]
    assert sequences == list(range(1, len(sequences) + 1))
    assert await connection.fetchval(
        "SELECT last_number FROM registry.registration_counters WHERE regency_code = $1", regency
    ) == len(sequences)
    # The identity sequences continue after the demo rows: the next real IR gets a fresh id.
    next_id = await connection.fetchval(
        "SELECT nextval(pg_get_serial_sequence('registry.home_industries', 'id'))"
    )
    assert next_id > await connection.fetchval("SELECT max(id) FROM registry.home_industries")


# -- teams, facilitators, partners, interventions -------------------------------------------------

LAST_DAY = dt.date(2026, 10, 30)


async def test_teams_national_every_province_and_every_regency_with_ir(connection: asyncpg.Connection) -> None:
    current = await connection.fetch(
        "SELECT level, region_code FROM registry.teams WHERE active_from <= $1 AND (active_until IS NULL OR active_until >= $1)",
        LAST_DAY,
    )
    by_level = Counter(r["level"] for r in current)
    assert by_level["NATIONAL"] == 1 and by_level["PROVINCE"] == 38
    regencies_with_ir = {r[0] for r in await connection.fetch("SELECT DISTINCT regency_code FROM registry.home_industries")}
    assert {r["region_code"] for r in current if r["level"] == "REGENCY"} == regencies_with_ir
    # Every team has its leadership on its first day, and members only within its period.
    leadership = await connection.fetch(
        """
        SELECT t.id, array_agg(DISTINCT m.position) FILTER (WHERE m.active_from = t.active_from) AS first_day
        FROM registry.teams t JOIN registry.team_members m ON m.team_id = t.id GROUP BY t.id
        """
    )
    for row in leadership:
        assert {"COORDINATOR", "SECRETARY", "MEMBER"} <= set(row["first_day"]), row
    outside = await connection.fetchval(
        """
        SELECT count(*) FROM registry.team_members m JOIN registry.teams t ON t.id = m.team_id
        WHERE m.active_from < t.active_from OR (t.active_until IS NOT NULL AND (m.active_until IS NULL OR m.active_until > t.active_until))
        """
    )
    assert outside == 0
    replaced = await connection.fetchval(
        "SELECT count(DISTINCT team_id) FROM registry.team_members WHERE position = 'COORDINATOR' GROUP BY team_id HAVING count(*) > 1 LIMIT 1"
    )
    assert replaced  # some coordinators changed mid-term


async def test_every_assessment_is_by_a_facilitator_assigned_to_the_village(connection: asyncpg.Connection) -> None:
    stray = await connection.fetchval(
        """
        SELECT count(*) FROM registry.assessments a
        JOIN registry.home_industries h ON h.id = a.home_industry_id
        LEFT JOIN registry.facilitators f ON f.id = a.facilitator_id
        LEFT JOIN registry.facilitator_assignments s
          ON s.facilitator_id = a.facilitator_id AND s.village_code = h.village_code AND s.active_from <= a.assessed_on
        WHERE f.id IS NULL OR s.id IS NULL OR f.regency_code <> h.regency_code OR f.active_from > a.assessed_on
           OR a.assessor <> f.person_name
        """
    )
    assert stray == 0
    per_facilitator = await connection.fetchval(
        "SELECT avg(n) FROM (SELECT count(*) AS n FROM registry.facilitator_assignments GROUP BY facilitator_id) t"
    )
    assert 1 <= per_facilitator <= 6


async def test_a_dozen_partners_of_each_kind_with_programmes_and_rules(connection: asyncpg.Connection) -> None:
    kinds = dict(await connection.fetch("SELECT kind, count(*) FROM registry.partners GROUP BY kind"))
    assert kinds == {"BANK": 12, "UNIVERSITY": 12, "NGO": 12, "BUSINESS": 12, "GOVERNMENT_OFFICE": 12}
    programmes = await connection.fetch("SELECT partner_id, eligibility FROM registry.partner_programmes")
    assert {r["partner_id"] for r in programmes} == {r[0] for r in await connection.fetch("SELECT id FROM registry.partners")}
    rules = [EligibilityRule.from_json(json.loads(r["eligibility"])) for r in programmes]
    assert any(rule.requires_nib for rule in rules) and any(rule.classes for rule in rules)


async def test_interventions_come_between_assessments_and_more_before_moves_up(connection: asyncpg.Connection) -> None:
    history: dict[int, list[asyncpg.Record]] = defaultdict(list)
    for row in await connection.fetch("SELECT home_industry_id, assessed_on, ir_class FROM registry.assessments ORDER BY assessed_on, id"):
        history[row["home_industry_id"]].append(row)
    irs = {r["id"]: r for r in await connection.fetch("SELECT * FROM registry.home_industries")}
    interventions = await connection.fetch("SELECT * FROM registry.interventions ORDER BY id")
    assert len(interventions) > len(irs) // 2
    partners = {r["id"]: (r["kind"], r["name"]) for r in await connection.fetch("SELECT * FROM registry.partners")}
    rank = {"PEMULA": 1, "BERKEMBANG": 2, "MAJU": 3}
    spans: Counter[tuple[bool, bool]] = Counter()
    given: dict[tuple[int, dt.date], int] = Counter()
    for row in interventions:
        ir = irs[row["home_industry_id"]]
        assert row["started_on"] >= ir["registered_on"]
        assert ir["status"] == "ACTIVE" or row["started_on"] <= ir["status_changed_on"]
        assert row["ended_on"] is None or row["ended_on"] >= row["started_on"]
        if row["partner_id"] is None:
            assert row["provider_kind"] == "GOVERNMENT_OFFICE" and row["provider_name"].startswith("Dinas ")
        else:
            assert (row["provider_kind"], row["provider_name"]) == partners[row["partner_id"]]
        before = [a for a in history[row["home_industry_id"]] if a["assessed_on"] <= row["started_on"]][-1]
        given[(row["home_industry_id"], before["assessed_on"])] += 1
    for ir_id, assessments in history.items():
        for earlier, later in zip(assessments, assessments[1:]):
            moved_up = rank[later["ir_class"]] > rank[earlier["ir_class"]]
            spans[(moved_up, given[(ir_id, earlier["assessed_on"])] > 0)] += 1
    share_up = spans[(True, True)] / (spans[(True, True)] + spans[(True, False)])
    share_other = spans[(False, True)] / (spans[(False, True)] + spans[(False, False)])
    assert share_up > 2 * share_other, spans
    # Every intervention published one event, exactly what the registrar publishes for it.
    events = {int(r["aggregate_id"]): json.loads(r["payload"]) for r in await connection.fetch(
        "SELECT aggregate_id, payload FROM registry.outbox WHERE event_type = 'InterventionRecorded'"
    )}
    assert set(events) == {r["id"] for r in interventions}
    for row in interventions[:500]:
        before = [a for a in history[row["home_industry_id"]] if a["assessed_on"] <= row["started_on"]][-1]
        assert events[row["id"]] == json.loads(json.dumps(
            intervention_payload(row, irs[row["home_industry_id"]], before["ir_class"]), default=str
        ))


async def test_mentoring_notes_by_the_village_facilitator_while_the_ir_runs(connection: asyncpg.Connection) -> None:
    notes = await connection.fetchval("SELECT count(*) FROM registry.mentoring_notes")
    irs = await connection.fetchval("SELECT count(*) FROM registry.home_industries")
    assert irs // 4 < notes < irs * 2
    stray = await connection.fetchval(
        """
        SELECT count(*) FROM registry.mentoring_notes n
        JOIN registry.home_industries h ON h.id = n.home_industry_id
        LEFT JOIN registry.facilitator_assignments s
          ON s.facilitator_id = n.facilitator_id AND s.village_code = h.village_code AND s.active_from <= n.noted_on
        WHERE s.id IS NULL OR n.noted_on < h.registered_on OR n.noted_on > coalesce(h.status_changed_on, $1)
        """,
        HISTORY_END,
    )
    assert stray == 0
    events = await connection.fetchval(
        "SELECT count(*) FROM registry.outbox WHERE aggregate_type = 'MentoringNote' AND event_type = 'MentoringNoteRecorded'"
    )
    assert events == notes
