"""Differencing attacks on partner aggregates (issue 10, leak class 3), against the cell-key method.

A world of its own in Kota Yogyakarta (34.71), which no other test writes to: sub-district A holds
nine Pemula IR of women registered in January 2024 and one more (the target) registered on
2025-03-15; sub-district B holds eight Pemula IR registered in February 2024 and two Berkembang IR
registered on 2025-06-10 (a cell of 2); sub-district C holds three Pemula IR. The ministry's exact figures show each attack has a small
count to find; the partner's answers must never reveal it: published counts are never 1–4, the
same set of IR always gets the same number, and the true counts consistent with two published
numbers (``disclosure.possible_counts``) always leave more than one possible difference.
Whatever the database's secret (the perturbation differs per database), these assertions hold.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import text

from services.registry import registrar
from services.registry.data.rule_sets import load_graduation_thresholds, load_rule_set
from services.registry.domain.classification import CapitalSource, Criteria, ProductionPattern, ProductionTechnology
from services.reporting.consumer import catch_up_once
from services.reporting.domain.disclosure import possible_counts
from siir.database import create_engine
from tests.reporting.export_reading import by_variable_code
from tests.reporting.registry_changes import ACTOR
from tests.security.reporting_world import ReportingWorld, reporting_subgraph, reporting_world  # noqa: F401 (fixtures)

YOGYAKARTA = "34.71"
COUNTS = "{ unassessed pemula berkembang maju active closed graduated total suppressed }"
STATISTICS = f"{{ asOf counts {COUNTS} femaleOwned {COUNTS} maleOwned {COUNTS} workers {{ women men }} smallEnterpriseCandidates suppressed }}"


def _assessment(on: dt.date, level: int) -> tuple[Criteria, dict[str, Any]]:
    criteria = Criteria(
        worker_count=(1, 4)[level], production_technology=list(ProductionTechnology)[level],
        capital_source=list(CapitalSource)[level], capital_amount=(1_000_000, 10_000_000)[level],
        business_started_on=dt.date(2020, 1, 1), production_pattern=list(ProductionPattern)[level],
    )
    return criteria, {"assessed_on": on, "assets_excluding_land_and_buildings": None, "annual_turnover": None,
                      "assessor": "Pendamping Uji", "notes": None}


@pytest.fixture(scope="module")
async def yogyakarta(database_url: str, reporting_world: ReportingWorld) -> AsyncIterator[dict[str, str]]:
    """The world above, applied by reporting's consumer; the sub-district and village codes."""
    engine = create_engine(database_url, pool_size=2)
    try:
        async with engine.connect() as connection:
            rule_set = await load_rule_set(connection, "PERMEN_PPPA_2_2016")
            thresholds = await load_graduation_thresholds(connection, "UU_20_2008")
            villages = [c for (c,) in await connection.execute(text(
                "SELECT code FROM registry.regions WHERE level = 4 AND code LIKE :p ORDER BY code"), {"p": YOGYAKARTA + ".%"})]
        village_a = villages[0]
        village_b = next(v for v in villages if v.rsplit(".", 1)[0] != village_a.rsplit(".", 1)[0])
        village_c = next(v for v in villages if v.rsplit(".", 1)[0] not in {village_a.rsplit(".", 1)[0], village_b.rsplit(".", 1)[0]})
        plan = ([(village_a, dt.date(2024, 1, 10), 0, "FEMALE")] * 9 + [(village_a, dt.date(2025, 3, 15), 0, "FEMALE")]
                + [(village_b, dt.date(2024, 2, 1), 0, "MALE")] * 8 + [(village_b, dt.date(2025, 6, 10), 1, "MALE")] * 2 + [(village_c, dt.date(2024, 5, 5), 0, "FEMALE")] * 3)
        for n, (village, on, level, sex) in enumerate(plan):
            values = {
                "village_code": village, "business_name": f"Usaha Yogya {n}", "business_category": "CRAFT",
                "owner_name": "Pemilik Uji", "owner_nik": f"{3471010101900000 + n}", "owner_sex": sex,
                "owner_is_female_head_of_household": False, "business_started_on": dt.date(2020, 1, 1),
                "registered_on": on, "workers_female": 2, "workers_male": 1, "constraints": [], "hopes": [],
                "products": [{"name": "Bakpia"}], "assistance_received": [],
            }
            await registrar.register(engine, values, _assessment(on, level), rule_set, thresholds, dt.date(2026, 11, 20), ACTOR)
    finally:
        await engine.dispose()
    await catch_up_once(database_url, database_url)
    yield {"a": village_a.rsplit(".", 1)[0], "b": village_b.rsplit(".", 1)[0], "c": village_c.rsplit(".", 1)[0],
           "village": village_a}


def never_small(value: Any) -> None:
    """Every number anywhere in a partner's answer is 0 or at least 5 (or null)."""
    if isinstance(value, dict):
        for v in value.values():
            never_small(v)
    elif isinstance(value, list):
        for v in value:
            never_small(v)
    elif isinstance(value, int) and not isinstance(value, bool):
        assert not 0 < value < 5, value


def differences(before: int, after: int) -> set[int]:
    """True differences (after ⊇ before) consistent with two published counts, as an attacker knowing
    the p-table can work them out."""
    return {y - x for x in possible_counts(before) for y in possible_counts(after) if y >= x}


def errors_of(body: dict[str, Any]) -> list[tuple[str, str | None]]:
    return [(e["extensions"]["code"], e["extensions"].get("field")) for e in body.get("errors") or []]


DISTRIBUTION = f"""query($r: String, $d: Date) {{ classDistribution(regionCode: $r, asOf: $d) {{ asOf statistics {STATISTICS} }} }}"""


async def test_two_dates_around_one_registration_give_the_partner_the_same_answer(
    reporting_world: ReportingWorld, yogyakarta: dict[str, str]
) -> None:
    ministry, partner = reporting_world.as_role("MINISTRY"), reporting_world.as_role("PARTNER", partner="900001")
    truth = [(await ministry(DISTRIBUTION, {"r": yogyakarta["a"], "d": d}))["data"]["classDistribution"]
             for d in ("2025-03-14", "2025-03-16")]
    assert truth[1]["statistics"]["counts"]["total"] - truth[0]["statistics"]["counts"]["total"] == 1  # the target
    seen = [(await partner(DISTRIBUTION, {"r": yogyakarta["a"], "d": d}))["data"]["classDistribution"]
            for d in ("2025-03-14", "2025-03-16")]
    # Both are taken at the last completed month's end before them: the same stock, the same answer.
    assert seen[0]["asOf"] == seen[1]["asOf"] == "2025-02-28"
    assert seen[0] == seen[1]
    never_small(seen)


async def test_two_month_ends_around_one_registration_leave_the_difference_open(
    reporting_world: ReportingWorld, yogyakarta: dict[str, str]
) -> None:
    ministry, partner = reporting_world.as_role("MINISTRY"), reporting_world.as_role("PARTNER", partner="900001")
    for part in ("counts", "femaleOwned"):
        for name in ("pemula", "active", "total"):
            real = [(await ministry(DISTRIBUTION, {"r": yogyakarta["a"], "d": d}))["data"]["classDistribution"]
                    ["statistics"][part][name] for d in ("2025-02-28", "2025-03-31")]
            assert real[1] - real[0] == 1
            shown = [(await partner(DISTRIBUTION, {"r": yogyakarta["a"], "d": d}))["data"]["classDistribution"]
                     ["statistics"][part][name] for d in ("2025-02-28", "2025-03-31")]
            never_small(shown)
            possible = differences(*shown)
            assert 1 in possible and len(possible) >= 2, (part, name, shown, possible)


async def test_the_same_set_of_ir_gets_the_same_number_whichever_query_asks(
    reporting_world: ReportingWorld, yogyakarta: dict[str, str]
) -> None:
    """Sub-district A holds only Pemula IR of women: its Pemula, active, total and women's counts are
    one set of IR and so one published number, in every query, alias and date of the same month."""
    partner = reporting_world.as_role("PARTNER", partner="900001")
    aliases = " ".join(f'd{day}: classDistribution(regionCode: "{yogyakarta["a"]}", asOf: "2025-04-{day:02d}") '
                       f"{{ asOf counts {{ total }} }}" for day in range(1, 11))
    seen = (await partner(f"{{ {aliases} }}"))["data"]
    assert {v["asOf"] for v in seen.values()} == {"2025-03-31"}
    assert len({v["counts"]["total"] for v in seen.values()}) == 1
    statistics = (await partner(DISTRIBUTION, {"r": yogyakarta["a"], "d": "2025-03-31"}))["data"]["classDistribution"]["statistics"]
    same = {statistics["counts"]["pemula"], statistics["counts"]["active"], statistics["counts"]["total"],
            statistics["femaleOwned"]["pemula"], statistics["femaleOwned"]["total"]}
    assert same == {seen["d1"]["counts"]["total"]}
    assert statistics["maleOwned"]["total"] == 0 and statistics["suppressed"] is True


async def test_two_periods_are_whole_completed_months_and_their_difference_stays_open(
    reporting_world: ReportingWorld, yogyakarta: dict[str, str]
) -> None:
    query = """query($r: String, $f: Date!, $t: Date!) { classTransitions(regionCode: $r, from: $f, to: $t) {
        moves { from to homeIndustries femaleOwned maleOwned } summary { newRegistrations movedUp suppressed } } }"""
    ministry, partner = reporting_world.as_role("MINISTRY"), reporting_world.as_role("PARTNER", partner="900001")
    # A period of a few days, or one reaching into the current month, would isolate single moves.
    assert errors_of(await partner(query, {"r": yogyakarta["a"], "f": "2025-03-14", "t": "2025-03-31"})) == [("BAD_USER_INPUT", "from")]
    assert errors_of(await partner(query, {"r": yogyakarta["a"], "f": "2025-03-01", "t": "2025-03-16"})) == [("BAD_USER_INPUT", "to")]
    assert errors_of(await partner(query, {"r": yogyakarta["a"], "f": "2026-01-01", "t": "2026-12-31"})) == [("BAD_USER_INPUT", "to")]
    periods = [("2025-01-01", "2025-02-28"), ("2025-01-01", "2025-03-31")]
    real = [(await ministry(query, {"r": yogyakarta["a"], "f": f, "t": t}))["data"]["classTransitions"]["summary"]["newRegistrations"]
            for f, t in periods]
    assert real == [0, 1]
    seen = [(await partner(query, {"r": yogyakarta["a"], "f": f, "t": t}))["data"]["classTransitions"] for f, t in periods]
    never_small(seen)
    shown = [s["summary"]["newRegistrations"] for s in seen]
    assert shown[0] == 0 and shown[1] in (0, 5)  # one registration: published as none or as five
    assert {0, 1} <= differences(*shown)


async def test_a_total_minus_its_parts_in_separate_queries_leaves_the_small_cell_open(
    reporting_world: ReportingWorld, yogyakarta: dict[str, str]
) -> None:
    """Sub-district B: 8 Pemula and 2 Berkembang. Total, then Pemula, asked separately: total − Pemula
    is Berkembang, a cell of 2, which the partner never sees as 2."""
    ministry, partner = reporting_world.as_role("MINISTRY"), reporting_world.as_role("PARTNER", partner="900001")
    one = 'query($r: String) { classDistribution(regionCode: $r, asOf: "2025-06-30") { counts { %s } } }'
    truth = {name: (await ministry(one % name, {"r": yogyakarta["b"]}))["data"]["classDistribution"]["counts"][name]
             for name in ("total", "pemula", "berkembang")}
    assert truth == {"total": 10, "pemula": 8, "berkembang": 2}
    shown = {name: (await partner(one % name, {"r": yogyakarta["b"]}))["data"]["classDistribution"]["counts"][name]
             for name in ("total", "pemula", "berkembang")}
    never_small(shown)
    assert shown["berkembang"] in (0, 5)
    possible = differences(shown["pemula"], shown["total"])
    assert 2 in possible and len(possible) >= 2, (shown, possible)
    # Asked again, in one query this time: the same numbers (nothing to average).
    again = (await partner(one % "total pemula berkembang", {"r": yogyakarta["b"]}))["data"]["classDistribution"]["counts"]
    assert again == shown


async def test_region_levels_stop_at_the_sub_district_and_a_regency_minus_its_sub_districts_stays_open(
    reporting_world: ReportingWorld, yogyakarta: dict[str, str]
) -> None:
    ministry, partner = reporting_world.as_role("MINISTRY"), reporting_world.as_role("PARTNER", partner="900001")
    drill = """query($r: String) { classDistribution(regionCode: $r, asOf: "2025-06-30", groupByChildren: true) {
        counts { berkembang } children { nodes { regionCode statistics { counts { berkembang } } } } } }"""
    # Villages are below what partners read: asked directly, through a drill-down, through Region.
    assert errors_of(await partner(DISTRIBUTION, {"r": yogyakarta["village"], "d": None})) == [("FORBIDDEN", "regionCode")]
    assert errors_of(await partner(drill, {"r": yogyakarta["a"]})) == [("FORBIDDEN", "groupByChildren")]
    entities = 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Region { irStatistics { asOf } } } }'
    refused = await partner(entities, {"r": [{"__typename": "Region", "code": yogyakarta["village"]}]})
    assert errors_of(refused) == [("FORBIDDEN", None)]  # no argument named the village: its path does
    # The regency and its sub-districts in one answer: regency − the other sub-districts is B's
    # Berkembang cell of 2 for the ministry; for the partner it is open.
    truth = (await ministry(drill, {"r": YOGYAKARTA}))["data"]["classDistribution"]
    assert truth["counts"]["berkembang"] == 2
    seen = (await partner(drill, {"r": YOGYAKARTA}))["data"]["classDistribution"]
    never_small(seen)
    others = [c["statistics"]["counts"]["berkembang"] for c in seen["children"]["nodes"] if c["regionCode"] != yogyakarta["b"]]
    assert all(o == 0 for o in others)  # empty cells stay 0
    b = next(c for c in seen["children"]["nodes"] if c["regionCode"] == yogyakarta["b"])["statistics"]["counts"]["berkembang"]
    # The regency's cell and B's are the same two IR: the same number, which is 0 or 5, never 2.
    assert seen["counts"]["berkembang"] == b and b in (0, 5)
    # The province (DI Yogyakarta) against the regency: its own draw, again never the 2.
    province = (await partner(drill, {"r": "34"}))["data"]["classDistribution"]
    never_small(province)


async def test_the_export_shows_a_partner_exactly_what_graphql_shows(
    reporting_world: ReportingWorld, yogyakarta: dict[str, str]
) -> None:
    partner = reporting_world.as_role("PARTNER", partner="900001")
    seen = (await partner(DISTRIBUTION, {"r": yogyakarta["b"], "d": "2025-06-30"}))["data"]["classDistribution"]
    export = await reporting_world.export(f"/exports/class-distribution.csv?regionCode={yogyakarta['b']}&asOf=2025-06-30",
                                          "PARTNER", partner="900001")
    assert export.status_code == 200, export.text
    export = await reporting_world.export(f"/exports/class-distribution.csv?regionCode={yogyakarta['b']}&asOf=2025-06-30&lang=en",
                                          "PARTNER", partner="900001")
    values = dict(zip(*by_variable_code(export.content)))
    assert values["as_of"] == seen["asOf"] == "2025-06-30"
    counts = seen["statistics"]["counts"]
    for name in ("unassessed", "pemula", "berkembang", "maju", "active", "closed", "graduated", "total"):
        assert int(values[name]) == counts[name], name
    assert int(values["female_owned_active"]) == seen["statistics"]["femaleOwned"]["active"]
    assert values["small_enterprise_candidates"] == str(seen["statistics"]["smallEnterpriseCandidates"])
    never_small([int(v) for k, v in values.items() if k not in ("region_code", "region_name", "as_of") and v])
    # A village export is refused like the GraphQL question.
    refused = await reporting_world.export(f"/exports/class-distribution.csv?regionCode={yogyakarta['village']}",
                                           "PARTNER", partner="900001")
    assert refused.status_code == 403 and refused.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_workers_of_a_few_ir_are_not_shown_and_the_needs_table_is_protected(
    reporting_world: ReportingWorld, yogyakarta: dict[str, str]
) -> None:
    partner = reporting_world.as_role("PARTNER", partner="900001")
    # In March 2024 sub-district B had 8 active IR: workers shown, perturbed.
    seen = (await partner(DISTRIBUTION, {"r": yogyakarta["b"], "d": "2024-03-31"}))["data"]["classDistribution"]["statistics"]
    assert seen["workers"]["women"] is not None
    never_small(seen)
    ministry = reporting_world.as_role("MINISTRY")
    needs = '{ needsAnalysis(regionCode: "%s") { classes { class homeIndustries products { item homeIndustries } } } }'
    truth = (await ministry(needs % yogyakarta["b"]))["data"]["needsAnalysis"]["classes"]
    assert {c["class"]: c["homeIndustries"] for c in truth}["BERKEMBANG"] == 2
    shown = (await partner(needs % yogyakarta["b"]))["data"]["needsAnalysis"]["classes"]
    never_small(shown)
    berkembang = next(c for c in shown if c["class"] == "BERKEMBANG")
    assert berkembang["homeIndustries"] in (0, 5)
    assert berkembang["products"] == []  # "Bakpia" is named by 2 Berkembang IR: not listed
    # A region with 1–4 active IR: the workforce of a few is withheld, not perturbed.
    few = (await partner(DISTRIBUTION, {"r": yogyakarta["c"], "d": "2025-06-30"}))["data"]["classDistribution"]["statistics"]
    assert few["workers"] == {"women": None, "men": None} and few["counts"]["active"] in (0, 5)
    empty = (await partner(DISTRIBUTION, {"r": yogyakarta["c"], "d": "2023-12-31"}))["data"]["classDistribution"]["statistics"]
    assert empty["counts"]["active"] == 0 and empty["workers"] == {"women": 0, "men": 0}
