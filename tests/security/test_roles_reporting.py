"""What each role sees in reporting: one test per role, to read as the policy.

The same figures for everyone (tests/security/reporting_world.py): registry changes in Kota Semarang
(33.74, Jawa Tengah), Kabupaten Malang (35.07, Jawa Timur) and Kota Banda Aceh (11.71). Nothing in
reporting is personal (no names, NIK, phone, address or coordinates); what differs by role is the
region, whether one IR's class history is visible, and whether small counts are withheld.
"""

from __future__ import annotations

from typing import Any

from tests.reporting.export_reading import by_variable_code
from tests.security.reporting_world import (  # noqa: F401 (fixtures)
    MALANG,
    SEMARANG,
    FacilitatorWorld,
    ReportingWorld,
    facilitator_world,
    reporting_subgraph,
    reporting_world,
)

DISTRIBUTION = "query($r: String) { classDistribution(regionCode: $r) { counts { total suppressed } } }"
PROGRESS = "query($r: [_Any!]!) { _entities(representations: $r) { ... on HomeIndustry { progress { currentStanding } } } }"
CANDIDATES = 'query($r: String) { smallBusinessCandidates(regionCode: $r) { nodes { homeIndustry { id } } } }'
ANNUAL = 'query($r: String) { annualReport(regionCode: $r, year: 2025) { endOfYear { counts { total } } } }'


def code(body: dict[str, Any]) -> str | None:
    return body["errors"][0]["extensions"]["code"] if body.get("errors") else None


async def reads_region(caller: Any, region: str | None) -> bool:
    body = await caller(DISTRIBUTION, {"r": region})
    assert code(body) in (None, "FORBIDDEN"), body
    return code(body) is None


async def progress_of(caller: Any, ir: str) -> Any:
    body = await caller(PROGRESS, {"r": [{"__typename": "HomeIndustry", "id": ir}]})
    return code(body) or body["data"]["_entities"][0]["progress"]


async def test_ministry_reads_the_nation_records_included(reporting_world: ReportingWorld) -> None:
    ministry = reporting_world.as_role("MINISTRY")
    assert await reads_region(ministry, None) and await reads_region(ministry, MALANG)
    assert (await ministry(DISTRIBUTION, {"r": None}))["data"]["classDistribution"]["counts"]["suppressed"] is False
    assert (await progress_of(ministry, reporting_world.malang_ir))["currentStanding"]
    assert code(await ministry(CANDIDATES, {"r": None})) is None
    assert code(await ministry(ANNUAL, {"r": None})) is None


async def test_province_officer_reads_its_province_and_below(reporting_world: ReportingWorld) -> None:
    province = reporting_world.as_role("PROVINCE_OFFICER", "33")
    assert await reads_region(province, "33") and await reads_region(province, SEMARANG)
    assert not await reads_region(province, "35") and not await reads_region(province, None)
    assert (await progress_of(province, reporting_world.semarang_ir))["currentStanding"]
    assert await progress_of(province, reporting_world.malang_ir) is None  # as if it did not exist
    assert code(await province(ANNUAL, {"r": "33"})) is None


async def test_district_officer_reads_its_regency_and_below(reporting_world: ReportingWorld) -> None:
    district = reporting_world.as_role("DISTRICT_OFFICER", SEMARANG)
    assert await reads_region(district, SEMARANG) and await reads_region(district, "33.74.01")
    assert not await reads_region(district, "33") and not await reads_region(district, MALANG)
    assert (await progress_of(district, reporting_world.semarang_ir))["currentStanding"]
    assert await progress_of(district, reporting_world.malang_ir) is None
    assert code(await district(CANDIDATES, {"r": SEMARANG})) is None
    assert code(await district(ANNUAL, {"r": SEMARANG})) is None


async def test_facilitator_reads_what_is_assigned_to_her_never_her_regency(
    reporting_world: ReportingWorld, facilitator_world: FacilitatorWorld
) -> None:
    # Reporting knows her assignments from the registry's outbox: a village assigned whole, and single IR.
    facilitator = facilitator_world.caller(reporting_world, "wulan")
    assert await reads_region(facilitator, facilitator_world.own_village)
    assert not await reads_region(facilitator, SEMARANG) and not await reads_region(facilitator, facilitator_world.other_village)
    assert not await reads_region(facilitator, MALANG) and not await reads_region(facilitator, None)
    assert (await progress_of(facilitator, facilitator_world.own_ir))["currentStanding"]
    assert (await progress_of(facilitator, facilitator_world.single_ir))["currentStanding"]
    assert await progress_of(facilitator, facilitator_world.other_ir) is None
    assert await progress_of(facilitator, reporting_world.malang_ir) is None
    # A login reporting knows no facilitator for: nothing at all.
    assert await progress_of(facilitator_world.caller(reporting_world, "unknown"), facilitator_world.own_ir) == "FORBIDDEN"


async def test_analyst_reads_aggregates_nationally_or_in_its_region_only(reporting_world: ReportingWorld) -> None:
    national = reporting_world.as_role("ANALYST")
    assert await reads_region(national, None) and await reads_region(national, MALANG)
    assert (await national(DISTRIBUTION, {"r": None}))["data"]["classDistribution"]["counts"]["suppressed"] is False
    assert code(await national(ANNUAL, {"r": "35"})) is None  # internal reporting: the annual report too
    assert await progress_of(national, reporting_world.semarang_ir) == "FORBIDDEN"
    assert code(await national(CANDIDATES, {"r": None})) == "FORBIDDEN"
    regional = reporting_world.as_role("ANALYST", "35")
    assert await reads_region(regional, "35") and await reads_region(regional, MALANG)
    assert not await reads_region(regional, "33") and not await reads_region(regional, None)


async def test_partner_reads_aggregates_down_to_sub_districts_perturbed(reporting_world: ReportingWorld) -> None:
    partner = reporting_world.as_role("PARTNER", partner="900001")
    assert await reads_region(partner, None) and await reads_region(partner, MALANG)
    # A village with 1–3 IR (as the ministry sees it): villages are below what partners read.
    ministry = reporting_world.as_role("MINISTRY")
    totals = {v: (await ministry(DISTRIBUTION, {"r": v}))["data"]["classDistribution"]["counts"]["total"]
              for v in reporting_world.few_villages}
    few = next(v for v, total in totals.items() if 0 < total < 5)
    assert code(await partner(DISTRIBUTION, {"r": few})) == "FORBIDDEN"
    export = await reporting_world.export(f"/exports/class-distribution.csv?regionCode={few}", "PARTNER", partner="900001")
    assert export.status_code == 403, export.text
    # Its sub-district: a total that is 0 or at least 5, marked as protected, the same in the export.
    sub_district = few.rsplit(".", 1)[0]
    seen = (await partner(DISTRIBUTION, {"r": sub_district}))["data"]["classDistribution"]["counts"]
    assert seen["suppressed"] is True and (seen["total"] == 0 or seen["total"] >= 5)
    export = await reporting_world.export(f"/exports/class-distribution.csv?regionCode={sub_district}", "PARTNER", partner="900001")
    header, row = by_variable_code(export.content)
    assert row[0] == sub_district and int(row[header.index("total")]) == seen["total"]
    assert await progress_of(partner, reporting_world.semarang_ir) == "FORBIDDEN"
    assert code(await partner(CANDIDATES, {"r": None})) == "FORBIDDEN"
    assert code(await partner(ANNUAL, {"r": None})) == "FORBIDDEN"
