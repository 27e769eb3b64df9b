"""Reporting's answer cache: a repeated report is served whole while the projection stays where it was,
computed once for a burst, recomputed once the consumer moves on; anything else is answered afresh.
Over real HTTP against the reporting subgraph; what it did is read from its own metric."""

from __future__ import annotations

import asyncio

import pytest
from prometheus_client import REGISTRY
from sqlalchemy.ext.asyncio import AsyncEngine

from services.reporting.consumer import catch_up_once
from tests.conftest import GraphQLClient
from tests.reporting.registry_changes import RegistryChanges

DISTRIBUTION = ("query Provinces { classDistribution(groupByChildren: true) { counts { total } "
                "children { nodes { regionCode regionName statistics { counts { pemula berkembang maju total } } } } } }")
WITH_STATUS = "query Both { classDistribution { counts { total } } reportingStatus { lagEvents } }"


@pytest.fixture(scope="module")
async def data(registry_engine: AsyncEngine, database_url: str) -> None:
    await RegistryChanges(registry_engine, seed=61).run(200)
    await catch_up_once(database_url, database_url)


def _outcomes() -> dict[str, float]:
    return {outcome: REGISTRY.get_sample_value("siir_reporting_answer_cache_total", {"outcome": outcome}) or 0.0
            for outcome in ("hit", "miss", "stale", "bypass")}


def _spent(before: dict[str, float]) -> dict[str, float]:
    after = _outcomes()
    return {k: after[k] - before[k] for k in after if after[k] != before[k]}


async def test_a_repeated_report_is_served_whole_until_the_projection_moves_on(
    data: None, reporting: GraphQLClient, registry_engine: AsyncEngine, database_url: str
) -> None:
    first = await reporting(DISTRIBUTION)
    assert "errors" not in first and len(first["data"]["classDistribution"]["children"]["nodes"]) >= 30
    before = _outcomes()
    assert [await reporting(DISTRIBUTION) for _ in range(3)] == [first] * 3
    assert _spent(before) == {"hit": 3}
    # One registration applied by the consumer: the next answer is computed again, and counts it.
    changes = RegistryChanges(registry_engine, seed=67)
    await changes.prepare()
    await changes.register()
    await catch_up_once(database_url, database_url)
    before = _outcomes()
    after = await reporting(DISTRIBUTION)
    assert _spent(before) == {"stale": 1}
    total = first["data"]["classDistribution"]["counts"]["total"]
    assert after["data"]["classDistribution"]["counts"]["total"] == total + 1


async def test_a_burst_of_equal_requests_computes_once(data: None, reporting: GraphQLClient) -> None:
    query = DISTRIBUTION.replace("Provinces", "Burst")  # a document nobody asked yet
    before = _outcomes()
    answers = await asyncio.gather(*(reporting(query) for _ in range(8)))
    assert all(a == answers[0] and "errors" not in a for a in answers)
    spent = _spent(before)
    assert spent.get("miss") == 1 and spent.get("hit") == 7, spent


async def test_an_operation_with_a_root_outside_the_list_is_answered_afresh(
    data: None, reporting: GraphQLClient, registry_engine: AsyncEngine
) -> None:
    """The feed's lag is no projection figure: it moves while the cursor stands still."""
    lag = (await reporting(WITH_STATUS))["data"]["reportingStatus"]["lagEvents"]
    changes = RegistryChanges(registry_engine, seed=71)
    await changes.prepare()
    before = _outcomes()
    await changes.register()  # two events: registration and first assessment, not applied
    assert (await reporting(WITH_STATUS))["data"]["reportingStatus"]["lagEvents"] == lag + 2
    assert _spent(before) == {"bypass": 1}


async def test_callers_in_different_regions_or_roles_never_share_a_kept_answer(
    data: None, reporting: GraphQLClient
) -> None:
    query = "query Mine($r: String) { classDistribution(regionCode: $r) { regionCode counts { total suppressed } } }"
    semarang = reporting.as_role("DISTRICT_OFFICER", "33.74")
    own = await semarang(query, {"r": "33.74"})
    assert "errors" not in own
    assert (await semarang(query, {"r": "33.74"})) == own  # kept, served again
    refused = await reporting.as_role("DISTRICT_OFFICER", "33.72")(query, {"r": "33.74"})
    assert [e["extensions"]["code"] for e in refused["errors"]] == ["FORBIDDEN"]
    partner = await reporting.as_role("PARTNER", partner="6")(query, {"r": "33.74"})
    assert "errors" not in partner and partner["data"]["classDistribution"]["counts"]["suppressed"]
    assert not own["data"]["classDistribution"]["counts"]["suppressed"]
