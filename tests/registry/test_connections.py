"""Bounded lists and partial results over real HTTP: a portal pages through teams, regions and members
with cursors, a bad page size or cursor is a coded BAD_USER_INPUT naming its argument, nested pages
load in a constant number of statements, and one refused nested field nulls only itself."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from tests.conftest import GraphQLClient, StatementLog
from tests.registry.test_facilitators import register_facilitator
from tests.registry.test_teams import form

TEAMS_PAGE = """
query($first: Int!, $after: String) {
  teams(level: REGENCY, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id region { code } } }
    nodes { id }
  }
}
"""


async def _all_pages(client: GraphQLClient, query: str, field: str, first: int, **variables: Any) -> list[dict[str, Any]]:
    """Every page of a root connection, following ``endCursor`` until ``hasNextPage`` is false."""
    seen: list[dict[str, Any]] = []
    after = None
    for _ in range(100):
        body = await client(query, {**variables, "first": first, "after": after})
        assert "errors" not in body, body
        page = body["data"][field]
        assert len(page["edges"]) <= first
        assert [e["node"]["id"] for e in page["edges"]] == [n["id"] for n in page["nodes"]]
        assert page["pageInfo"]["hasPreviousPage"] is (after is not None)
        seen += [e["node"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            return seen
        assert page["pageInfo"]["endCursor"] == page["edges"][-1]["cursor"]
        after = page["pageInfo"]["endCursor"]
    raise AssertionError("the pages never ended")


async def test_paging_through_teams_answers_each_team_once_in_the_lists_order(registry: GraphQLClient) -> None:
    for region in ("62.01", "62.02", "62.03", "62.04", "62.71"):  # five regencies/cities of Kalimantan Tengah
        await form(registry, region, activeUntil=None)
    whole = await registry(TEAMS_PAGE, {"first": 500, "after": None})
    everything = [n["id"] for n in whole["data"]["teams"]["nodes"]]
    assert whole["data"]["teams"]["totalCount"] == len(everything) >= 5
    assert whole["data"]["teams"]["pageInfo"]["hasNextPage"] is False
    paged = await _all_pages(registry, TEAMS_PAGE, "teams", 2)
    assert [t["id"] for t in paged] == everything  # none skipped, none twice, same order


async def test_page_sizes_and_cursors_are_checked(registry: GraphQLClient) -> None:
    body = await registry('{ teams(first: 501) { nodes { id } } }')
    assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "first"}
    body = await registry('{ teams(first: -1) { nodes { id } } }')
    assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "first"}
    region_cursor = (await registry('{ regions(first: 1) { pageInfo { endCursor } } }'))["data"]["regions"]["pageInfo"]["endCursor"]
    foreign = base64.urlsafe_b64encode(json.dumps(["Team", "REGENCY", "", "2021-03-01", 2**70]).encode()).decode()
    for cursor in ("not a cursor", region_cursor, foreign, "x" * 5000, base64.urlsafe_b64encode(b"\x00\xff").decode()):
        body = await registry('query($a: String) { teams(after: $a) { nodes { id } } }', {"a": cursor})
        assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "after"}, (cursor, body)
        assert "Traceback" not in json.dumps(body)
    body = await registry('query($a: String) { region(code: "33") { children(after: $a) { nodes { code } } } }',
                          {"a": region_cursor})
    assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "after"}


async def test_regions_and_their_children_page_by_code(registry: GraphQLClient) -> None:
    provinces = await _all_pages(registry, "query($first: Int!, $after: String) { regions(first: $first, after: $after) "
                                 "{ pageInfo { hasNextPage hasPreviousPage endCursor } edges { cursor node { id: code } } "
                                 "nodes { id: code } } }", "regions", 10)
    assert len(provinces) == 38 and [p["id"] for p in provinces] == sorted(p["id"] for p in provinces)
    body = await registry('{ region(code: "33.74") { children(first: 10) { totalCount pageInfo { hasNextPage endCursor } '
                          'nodes { code } } } }')
    children = body["data"]["region"]["children"]
    assert children["totalCount"] == 16 and len(children["nodes"]) == 10 and children["pageInfo"]["hasNextPage"]
    rest = await registry('query($a: String) { region(code: "33.74") { children(after: $a) { pageInfo { hasNextPage } '
                          'nodes { code } } } }', {"a": children["pageInfo"]["endCursor"]})
    following = rest["data"]["region"]["children"]
    assert len(following["nodes"]) == 6 and following["pageInfo"]["hasNextPage"] is False
    assert {c["code"] for c in children["nodes"]}.isdisjoint(c["code"] for c in following["nodes"])


async def test_nested_pages_take_a_constant_number_of_statements(
    registry: GraphQLClient, statement_log: StatementLog
) -> None:
    for region in ("61.01", "61.02", "61.03"):  # three regencies of Kalimantan Barat
        await form(registry, region, activeUntil=None)
    query = ('{ teams(regionCode: "61", first: 3) { nodes { name members(first: 2) { totalCount nodes { personName } '
             'pageInfo { hasNextPage endCursor } } } } }')
    statement_log.clear()
    body = await registry.as_role("MINISTRY")(query)
    assert "errors" not in body, body
    teams = body["data"]["teams"]["nodes"]
    assert len(teams) == 3
    assert all(len(t["members"]["nodes"]) == 2 and t["members"]["totalCount"] == 6 for t in teams)
    # the page of teams, then one statement for every team's members (a DataLoader), whatever the count
    assert statement_log.count() <= 3, statement_log.statements


async def test_one_refused_nested_field_nulls_only_itself(registry: GraphQLClient) -> None:
    """The issue's example: a regency office listing teams with their facilitators used to get
    ``data: null`` because one team lies outside its region."""
    await form(registry, "34.71", activeUntil=None)  # Kota Yogyakarta
    await form(registry, "34.02", activeUntil=None)  # Kabupaten Bantul, outside Yogyakarta's region
    await register_facilitator(registry, regencyCode="34.71", personName="Pendamping Yogyakarta", subject="test-conn-1")
    yogyakarta = registry.as_role("DISTRICT_OFFICER", "34.71")
    body = await yogyakarta('{ teams(regionCode: "34", first: 500) { nodes { name region { code } '
                            'facilitators { nodes { personName } } } } }')
    teams = {t["region"]["code"]: t for t in body["data"]["teams"]["nodes"]}
    assert {"34.71", "34.02"} <= set(teams)
    assert {"personName": "Pendamping Yogyakarta"} in teams["34.71"]["facilitators"]["nodes"]
    assert teams["34.02"]["facilitators"] is None and teams["34.02"]["name"]
    refused = {tuple(e["path"]) for e in body["errors"]}
    index = body["data"]["teams"]["nodes"].index(teams["34.02"])
    assert ("teams", "nodes", index, "facilitators") in refused
    assert {e["extensions"]["code"] for e in body["errors"]} == {"FORBIDDEN"}
    assert {e["extensions"]["coordinate"] for e in body["errors"]} == {"Team.facilitators"}


@pytest.mark.parametrize("field", ["teams", "partners", "regions"])
async def test_total_count_is_only_counted_when_asked(registry: GraphQLClient, statement_log: StatementLog, field: str) -> None:
    caller = registry.as_role("MINISTRY")
    statement_log.clear()
    await caller(f"{{ {field}(first: 1) {{ nodes {{ __typename }} }} }}")
    without = statement_log.count()
    statement_log.clear()
    body = await caller(f"{{ {field}(first: 1) {{ totalCount nodes {{ __typename }} }} }}")
    assert isinstance(body["data"][field]["totalCount"], int)
    assert statement_log.count() == without + 1
