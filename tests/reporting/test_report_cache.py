"""Report answers are cached until the consumer's cursor moves, and never shared between callers who may
see different things (scope, partner disclosure), over real HTTP against the reporting subgraph."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from services.reporting.consumer import catch_up_once
from services.reporting.report_cache import audience
from siir.auth.identity import Identity, Role
from tests.conftest import GraphQLClient
from tests.reporting.registry_changes import RegistryChanges

COUNTS = "{ pemula berkembang maju active total suppressed }"
DISTRIBUTION = (
    "query($r: String) { classDistribution(regionCode: $r, groupByChildren: true) {"
    f" counts {COUNTS} children {{ nodes {{ regionCode statistics {{ counts {COUNTS} }} }} }} }} }}"
)
ANNUAL = "query($r: String) { annualReport(year: 2024, regionCode: $r) { endOfYear { counts { total } } } }"


@pytest.fixture(scope="module")
async def data(registry_engine: AsyncEngine, database_url: str) -> None:
    await RegistryChanges(registry_engine, seed=53).run(500)
    await catch_up_once(database_url, database_url)


def _codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors", [])]


def _withheld(result: dict[str, Any]) -> int:
    return sum(1 for c in result["children"]["nodes"] if c["statistics"]["counts"]["suppressed"])


async def test_a_partner_and_the_ministry_never_share_a_national_answer(data: None, reporting: GraphQLClient) -> None:
    partner = reporting.as_role("PARTNER", partner="6")
    ministry = reporting  # MINISTRY
    first_partner = (await partner(DISTRIBUTION))["data"]["classDistribution"]
    # A partner's counts are perturbed (cell-key method): every cell is marked protected, none is 1–4…
    assert _withheld(first_partner) == len(first_partner["children"]["nodes"]) > 0
    assert all(c["statistics"]["counts"]["total"] == 0 or c["statistics"]["counts"]["total"] >= 5
               for c in first_partner["children"]["nodes"])
    # …the ministry's, asked right after with the same arguments, is exact and unprotected…
    answer = (await ministry(DISTRIBUTION))["data"]["classDistribution"]
    assert _withheld(answer) == 0 and not answer["counts"]["suppressed"]
    assert all(c["statistics"]["counts"]["total"] is not None for c in answer["children"]["nodes"])
    assert sum(c["statistics"]["counts"]["total"] for c in answer["children"]["nodes"]) == answer["counts"]["total"]
    # …and the partner's next answer is still its own, in either order.
    assert (await partner(DISTRIBUTION))["data"]["classDistribution"] == first_partner
    assert (await ministry(DISTRIBUTION))["data"]["classDistribution"] == answer


async def test_a_cached_answer_is_not_served_outside_its_callers_scope(data: None, reporting: GraphQLClient) -> None:
    semarang = reporting.as_role("DISTRICT_OFFICER", "33.74")
    surakarta = reporting.as_role("DISTRICT_OFFICER", "33.72")
    own = await semarang(DISTRIBUTION, {"r": "33.74"})
    assert "errors" not in own and own["data"]["classDistribution"]["counts"]["total"] > 0
    assert _codes(await surakarta(DISTRIBUTION, {"r": "33.74"})) == ["FORBIDDEN"]
    annual = await semarang(ANNUAL, {"r": "33.74"})
    assert "errors" not in annual, annual
    assert _codes(await surakarta(ANNUAL, {"r": "33.74"})) == ["FORBIDDEN"]
    assert _codes(await reporting.as_role("PARTNER", partner="6")(ANNUAL, {"r": "33.74"})) == ["FORBIDDEN"]
    # The province above Semarang reaches it, and reads the same figures.
    province = await reporting.as_role("PROVINCE_OFFICER", "33")(ANNUAL, {"r": "33.74"})
    assert province == annual


async def test_an_answer_lasts_until_the_cursor_moves(
    data: None, reporting: GraphQLClient, registry_engine: AsyncEngine, database_url: str, pg: asyncpg.Connection
) -> None:
    query = "{ classDistribution { counts { total } } }"
    total = (await reporting(query))["data"]["classDistribution"]["counts"]["total"]
    # A change to the rollup that does not move the cursor (no consumer wrote it) is not seen: the
    # answer comes from the cache…
    bump = ("UPDATE reporting.stock_changes SET home_industries = home_industries + $1 WHERE level = 0 AND period = 'A'"
            " AND (standing, owner_sex, female_head_of_household, candidate) = (SELECT standing, owner_sex,"
            " female_head_of_household, candidate FROM reporting.stock_changes WHERE level = 0 AND period = 'A'"
            " AND home_industries > 0 ORDER BY 1, 2, 3, 4 LIMIT 1)")
    await pg.execute(bump, 1000)
    try:
        assert (await reporting(query))["data"]["classDistribution"]["counts"]["total"] == total
    finally:
        await pg.execute(bump, -1000)
    # …and one registration applied by the consumer moves the cursor: the next answer is new.
    changes = RegistryChanges(registry_engine, seed=59)
    await changes.prepare()
    await changes.register()
    await catch_up_once(database_url, database_url)
    assert (await reporting(query))["data"]["classDistribution"]["counts"]["total"] == total + 1


def test_callers_share_answers_only_when_alike_in_everything_answers_depend_on() -> None:
    def caller(role: Role, region: str | None = None, partner: str | None = None, subject: str = "a") -> Identity:
        return Identity(subject=subject, role=role, region=region, partner=partner, expires_at=0, token="")

    assert audience(caller(Role.MINISTRY, subject="a")) == audience(caller(Role.MINISTRY, subject="b"))
    assert audience(caller(Role.DISTRICT_OFFICER, "33.74")) != audience(caller(Role.DISTRICT_OFFICER, "33.72"))
    assert audience(caller(Role.PARTNER, partner="6")) != audience(caller(Role.PARTNER, partner="7"))
    assert audience(caller(Role.PARTNER, partner="6")) != audience(caller(Role.MINISTRY))
    assert audience(caller(Role.ANALYST)) != audience(caller(Role.MINISTRY))
    # A facilitator's reach is her own (her assignments), so two facilitators of one regency do not share.
    assert audience(caller(Role.FACILITATOR, "33.74", subject="a")) != audience(caller(Role.FACILITATOR, "33.74", subject="b"))
