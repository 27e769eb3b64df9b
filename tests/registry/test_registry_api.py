"""The registry subgraph over real HTTP on a real PostgreSQL: what a portal developer sees."""

from __future__ import annotations

import asyncio
import copy
import itertools
from typing import Any

import asyncpg
import pytest

from services.registry.sdl import registry_sdl
from siir.database import asyncpg_dsn
from siir.settings import PROJECT_ROOT
from tests.conftest import GraphQLClient, StatementLog

VILLAGE = "33.74.01.1001"  # Miroto, Semarang Tengah, Kota Semarang
NIK_WOMAN_1990 = "3374015507900001"  # day 55 = 15 + 40: a woman born 15 July 1990
NIK_MAN_1985 = "3374011203850002"

REGISTER = """
mutation Register($input: RegisterHomeIndustryInput!) {
  registerHomeIndustry(input: $input) {
    id registrationNumber status version currentClass currentScore
    owner { name nik sex birthYear isFemaleHeadOfHousehold phone }
    village { code name parent { code parent { code parent { code name } } } }
    latestAssessment { score class levels { workerCount capitalAmount businessAge } ruleSet smallEnterpriseCandidate }
  }
}
"""

BASE_INPUT: dict[str, Any] = {
    "villageCode": VILLAGE,
    "businessName": "Keripik Tempe Bu Sri",
    "businessCategory": "FOOD_AND_BEVERAGE",
    "owner": {"name": "Sri Wahyuni", "nik": NIK_WOMAN_1990, "isFemaleHeadOfHousehold": True, "phone": "0812-3456-7890"},
    "businessStartedOn": "2020-03-01",
    "registeredOn": "2021-01-10",
    "products": [{"name": "keripik tempe", "monthlyVolume": 300, "unit": "bungkus", "rawMaterials": ["tempe", "tepung"]}],
    "workforce": {"femaleWorkers": 2, "maleWorkers": 0},
    "marketingChannels": ["DIRECT", "ONLINE"],
    "consent": {"granted": True, "recordedOn": "2021-01-10"},
    "firstAssessment": {
        "assessedOn": "2021-01-10",
        "workerCount": 3,
        "productionTechnology": "SEMI_MANUAL",
        "capitalSource": "OWN",
        "capitalAmount": 7500000,
        "productionPattern": "SEMI_CONTINUOUS",
    },
}


_NIK_SERIAL = itertools.count(1000)  # above the fixed NIKs the tests name (…0001, …0099)


def fresh_nik(nik: str = NIK_WOMAN_1990) -> str:
    """Another owner born the same day in the same sub-district (the last four digits are a running
    number): one NIK holds one active IR, so every registration of a test gets its own owner."""
    return nik[:12] + f"{next(_NIK_SERIAL) % 10000:04d}"


def register_input(**changes: Any) -> dict[str, Any]:
    """``BASE_INPUT`` with ``changes``, for an owner of its own unless ``owner`` is given."""
    data = copy.deepcopy(BASE_INPUT)
    data["owner"]["nik"] = fresh_nik()
    for key, value in changes.items():
        data[key] = value
    return data


def office_of(registry: GraphQLClient, region: str) -> GraphQLClient:
    """The district office of ``region``'s regency/city (the default caller is Kota Semarang's)."""
    regency = ".".join(region.split(".")[:2])
    return registry if regency == "33.74" else registry.as_role("DISTRICT_OFFICER", regency)


async def register(registry: GraphQLClient, **changes: Any) -> dict[str, Any]:
    """Register an IR, as the office of its village's regency/city when that is not Kota Semarang."""
    if changes.get("villageCode"):
        registry = office_of(registry, changes["villageCode"])
    body = await registry(REGISTER, {"input": register_input(**changes)})
    assert "errors" not in body, body
    return body["data"]["registerHomeIndustry"]


def error_of(body: dict[str, Any]) -> dict[str, Any]:
    assert body.get("errors"), body
    return body["errors"][0]


async def test_register_classifies_and_numbers_within_the_regency(registry: GraphQLClient) -> None:
    first = await register(registry)
    second = await register(registry, businessName="Batik Tulis Bu Sri")
    # 3 workers (2), semi-manual (2), own (1), Rp 7.5 jt (2), 10 months old (1), semi-continuous (2) = 10
    assert first["currentScore"] == 10 and first["currentClass"] == "BERKEMBANG"
    assert first["latestAssessment"]["levels"] == {"workerCount": 2, "capitalAmount": 2, "businessAge": 1}
    assert first["latestAssessment"]["ruleSet"] == "PERMEN_PPPA_2_2016@1"
    assert first["registrationNumber"].startswith("IR-33.74-")
    assert int(second["registrationNumber"][-6:]) == int(first["registrationNumber"][-6:]) + 1
    assert first["owner"]["sex"] == "FEMALE" and first["owner"]["birthYear"] == 1990
    assert first["owner"]["phone"] == "+6281234567890"
    assert first["village"]["parent"]["parent"]["parent"] == {"code": "33", "name": "Jawa Tengah"}
    assert first["status"] == "ACTIVE" and first["version"] == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"owner": {"name": "Sri", "nik": "3374015507900000"}}, "input.owner.nik"),  # serial 0000
        ({"owner": {"name": "Sri", "nik": "12345"}}, "input.owner.nik"),
        ({"owner": {"name": "Sri", "nik": NIK_WOMAN_1990, "sex": "MALE"}}, "input.owner.sex"),
        ({"owner": {"name": "Budi", "nik": NIK_MAN_1985, "isFemaleHeadOfHousehold": True}}, "input.owner.isFemaleHeadOfHousehold"),
        ({"owner": {"name": "Sri", "nik": NIK_WOMAN_1990, "phone": "12345"}}, "input.owner.phone"),
        ({"villageCode": "33.74.99.9999"}, "input.villageCode"),  # in scope, but no such village
        ({"villageCode": "33.74.01"}, "input.villageCode"),  # a sub-district, not a village
        ({"businessName": "x" * 201}, "input.businessName"),
        ({"businessName": "   "}, "input.businessName"),
        ({"businessStartedOn": "2999-01-01"}, "input.businessStartedOn"),
        ({"location": {"latitude": 48.85, "longitude": 2.35}}, "input.location.latitude"),
        ({"workforce": {"femaleWorkers": -1}}, "input.workforce.femaleWorkers"),
        ({"workforce": {"weeklyHours": 200}}, "input.workforce.weeklyHours"),
        ({"monthlyGrossIncome": -5}, "input.monthlyGrossIncome"),
        ({"firstAssessment": {**BASE_INPUT["firstAssessment"], "workerCount": 0}}, "input.firstAssessment.workerCount"),
        ({"firstAssessment": {**BASE_INPUT["firstAssessment"], "capitalAmount": "10000000000000000000"}}, "input.firstAssessment.capitalAmount"),
        ({"firstAssessment": {**BASE_INPUT["firstAssessment"], "assessedOn": "2019-01-01"}}, "input.firstAssessment.assessedOn"),
        ({"registeredOn": "2019-01-01"}, "input.registeredOn"),
    ],
)
async def test_bad_input_is_refused_with_the_field_and_nothing_written(
    registry: GraphQLClient, database_url: str, changes: dict[str, Any], field: str
) -> None:
    connection = await asyncpg.connect(**asyncpg_dsn(database_url))
    try:
        before = await connection.fetchval(
            "SELECT (SELECT count(*) FROM registry.home_industries) + (SELECT count(*) FROM registry.assessments)"
            " + (SELECT count(*) FROM registry.outbox)"
        )
        body = await registry(REGISTER, {"input": register_input(**changes)})
        after = await connection.fetchval(
            "SELECT (SELECT count(*) FROM registry.home_industries) + (SELECT count(*) FROM registry.assessments)"
            " + (SELECT count(*) FROM registry.outbox)"
        )
    finally:
        await connection.close()
    error = error_of(body)
    assert error["extensions"]["code"] == "BAD_USER_INPUT", body
    assert error["extensions"].get("field") == field, body
    assert not any((body.get("data") or {}).values())
    assert after == before


async def test_wrong_types_are_request_errors_not_500(registry: GraphQLClient) -> None:
    body = await registry(REGISTER, {"input": register_input(businessCategory="SPACESHIPS")})
    assert error_of(body)["extensions"]["code"] == "BAD_USER_INPUT"
    body = await registry("{ homeIndustry(id: 1) { nope } }")
    assert error_of(body)["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    body = await registry("{ homeIndustry(id: ")
    assert error_of(body)["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"


UPDATE = """
mutation Update($id: ID!, $v: Int!, $input: UpdateHomeIndustryInput!) {
  updateHomeIndustry(id: $id, expectedVersion: $v, input: $input) { id version businessName address }
}
"""


async def test_update_uses_optimistic_concurrency(registry: GraphQLClient) -> None:
    ir = await register(registry)
    body = await registry(UPDATE, {"id": ir["id"], "v": 1, "input": {"businessName": "Keripik Tempe Sri Rejeki"}})
    assert body["data"]["updateHomeIndustry"] == {
        "id": ir["id"], "version": 2, "businessName": "Keripik Tempe Sri Rejeki", "address": None
    }
    stale = await registry(UPDATE, {"id": ir["id"], "v": 1, "input": {"address": "Jl. Pemuda 1"}})
    assert error_of(stale)["extensions"] == {"code": "CONFLICT", "currentVersion": 2}
    missing = await registry(UPDATE, {"id": "999999999", "v": 1, "input": {"address": "x"}})
    assert error_of(missing)["extensions"]["code"] == "NOT_FOUND"
    bad = await registry(UPDATE, {"id": ir["id"], "v": 2, "input": {"businessName": None}})
    assert error_of(bad)["extensions"] == {"code": "BAD_USER_INPUT", "field": "input.businessName"}
    moved = await registry(UPDATE, {"id": ir["id"], "v": 2, "input": {"villageCode": "35.07.01.2001"}})
    assert error_of(moved)["extensions"]["field"] == "input.villageCode"
    check = await registry("query($id: ID!) { homeIndustry(id: $id) { version address } }", {"id": ir["id"]})
    assert check["data"]["homeIndustry"] == {"version": 2, "address": None}


async def test_concurrent_updates_with_the_same_version_one_wins_one_conflicts(registry: GraphQLClient) -> None:
    ir = await register(registry)
    results = await asyncio.gather(
        *(
            registry(UPDATE, {"id": ir["id"], "v": 1, "input": {"address": f"Jl. Pandanaran {n}"}})
            for n in range(2)
        )
    )
    winners = [r for r in results if "errors" not in r]
    losers = [r for r in results if "errors" in r]
    assert len(winners) == 1 and len(losers) == 1
    assert error_of(losers[0])["extensions"]["code"] == "CONFLICT"
    final = await registry("query($id: ID!) { homeIndustry(id: $id) { version address } }", {"id": ir["id"]})
    assert final["data"]["homeIndustry"] == {
        "version": 2, "address": winners[0]["data"]["updateHomeIndustry"]["address"]
    }


ASSESS = """
mutation Assess($id: ID!, $input: AssessmentInput!) {
  recordAssessment(homeIndustryId: $id, input: $input) {
    assessment { class score businessAgeMonths smallEnterpriseCandidate }
    homeIndustry { currentClass assessments { assessedOn class } }
  }
}
"""

MAJU = {
    "workerCount": 7, "productionTechnology": "HIGH_TECHNOLOGY", "capitalSource": "OWN_AND_FORMAL_LOAN",
    "capitalAmount": 30000000, "productionPattern": "CONTINUOUS",
}


async def test_assessments_move_the_class_and_keep_history_newest_first(registry: GraphQLClient) -> None:
    ir = await register(registry)
    up = await registry(ASSESS, {"id": ir["id"], "input": {**MAJU, "assessedOn": "2024-02-01", "annualTurnover": "350000000"}})
    payload = up["data"]["recordAssessment"]
    assert payload["assessment"] == {"class": "MAJU", "score": 18, "businessAgeMonths": 47, "smallEnterpriseCandidate": True}
    assert payload["homeIndustry"]["currentClass"] == "MAJU"
    # A back-dated assessment joins the history but does not replace the newest class.
    back = await registry(ASSESS, {"id": ir["id"], "input": {
        **MAJU, "workerCount": 1, "productionTechnology": "MANUAL", "capitalSource": "OWN", "capitalAmount": 100,
        "productionPattern": "NOT_CONTINUOUS", "assessedOn": "2022-06-01"}})
    history = back["data"]["recordAssessment"]["homeIndustry"]
    assert history["currentClass"] == "MAJU"
    assert [a["assessedOn"] for a in history["assessments"]] == ["2024-02-01", "2022-06-01", "2021-01-10"]
    assert [a["class"] for a in history["assessments"]] == ["MAJU", "PEMULA", "BERKEMBANG"]


async def test_close_and_graduate(registry: GraphQLClient) -> None:
    ir = await register(registry)
    refused = await registry("mutation($id: ID!) { graduateHomeIndustry(id: $id) { status } }", {"id": ir["id"]})
    assert error_of(refused)["extensions"]["code"] == "BAD_USER_INPUT"
    await registry(ASSESS, {"id": ir["id"], "input": {**MAJU, "assessedOn": "2024-02-01", "assetsExcludingLandAndBuildings": 60000000}})
    graduated = await registry(
        "mutation($id: ID!) { graduateHomeIndustry(id: $id, graduatedOn: \"2025-01-02\") { status statusChangedOn version } }",
        {"id": ir["id"]},
    )
    assert graduated["data"]["graduateHomeIndustry"]["status"] == "GRADUATED"
    again = await registry("mutation($id: ID!) { closeHomeIndustry(id: $id, reason: \"gulung tikar\") { status } }", {"id": ir["id"]})
    assert error_of(again)["extensions"]["code"] == "CONFLICT"
    other = await register(registry)
    closed = await registry("mutation($id: ID!) { closeHomeIndustry(id: $id, reason: \"gulung tikar\") { status statusReason } }", {"id": other["id"]})
    assert closed["data"]["closeHomeIndustry"] == {"status": "CLOSED", "statusReason": "gulung tikar"}
    assess_closed = await registry(ASSESS, {"id": other["id"], "input": {**MAJU, "assessedOn": "2024-02-01"}})
    assert error_of(assess_closed)["extensions"]["code"] == "BAD_USER_INPUT"
    unknown = await registry("mutation { closeHomeIndustry(id: \"424242424242\", reason: \"x\") { status } }")
    assert error_of(unknown)["extensions"]["code"] == "NOT_FOUND"
    malformed = await registry("mutation { closeHomeIndustry(id: \"abc\", reason: \"x\") { status } }")
    assert error_of(malformed)["extensions"] == {"code": "BAD_USER_INPUT", "field": "id"}


async def test_every_change_publishes_one_outbox_event_in_its_transaction(registry: GraphQLClient, database_url: str) -> None:
    ir = await register(registry)
    await registry(ASSESS, {"id": ir["id"], "input": {**MAJU, "assessedOn": "2024-02-01"}})
    # An assessment refreshes the class without bumping the editable record's version.
    await registry(UPDATE, {"id": ir["id"], "v": 1, "input": {"address": "Jl. Gajahmada 3"}})
    connection = await asyncpg.connect(**asyncpg_dsn(database_url))
    try:
        rows = await connection.fetch(
            # Teams and interventions have ids of their own: only this IR's events.
            "SELECT event_type, payload FROM registry.outbox WHERE aggregate_type = 'HomeIndustry' AND aggregate_id = $1"
            " ORDER BY id", ir["id"]
        )
    finally:
        await connection.close()
    assert [r["event_type"] for r in rows] == [
        "HomeIndustryRegistered", "AssessmentRecorded", "AssessmentRecorded", "HomeIndustryUpdated"
    ]
    import json

    last = json.loads(rows[-1]["payload"])
    assert last["homeIndustry"]["currentClass"] == "MAJU" and last["homeIndustry"]["version"] == 2
    # No personal data leaves the registry through events.
    text = " ".join(r["payload"] for r in rows)
    assert ir["owner"]["nik"] not in text and "Sri Wahyuni" not in text and "+62812" not in text


LIST = """
query List($filter: HomeIndustryFilter, $first: Int, $after: String) {
  homeIndustries(filter: $filter, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { id businessName currentClass owner { sex } village { code } } }
  }
}
"""


async def test_filters_search_and_pagination(registry: GraphQLClient) -> None:
    marker = "Anyaman Pandan Zulaikha"
    made = [await register(registry, villageCode="33.74.02.1001", businessName=f"{marker} {n}") for n in range(5)]
    made.append(await register(registry, villageCode="33.74.02.1001", businessName=f"{marker} pria",
                               owner={"name": "Budi Santoso", "nik": NIK_MAN_1985}))
    by_search = await registry(LIST, {"filter": {"search": "pandan zulaikha"}, "first": 4})
    page = by_search["data"]["homeIndustries"]
    assert page["totalCount"] == 6 and page["pageInfo"]["hasNextPage"] is True and len(page["edges"]) == 4
    rest = await registry(LIST, {"filter": {"search": "pandan zulaikha"}, "first": 4, "after": page["pageInfo"]["endCursor"]})
    ids = [e["node"]["id"] for e in page["edges"] + rest["data"]["homeIndustries"]["edges"]]
    assert ids == [m["id"] for m in made]
    men = await registry(LIST, {"filter": {"search": "zulaikha", "ownerSex": "MALE"}})
    assert [e["node"]["businessName"] for e in men["data"]["homeIndustries"]["edges"]] == [f"{marker} pria"]
    in_subdistrict = await registry(LIST, {"filter": {"regionCode": "33.74.02", "search": "zulaikha", "class": "BERKEMBANG"}})
    assert in_subdistrict["data"]["homeIndustries"]["totalCount"] == 6
    elsewhere = await registry(LIST, {"filter": {"regionCode": "33.74.01", "search": "zulaikha"}})
    assert elsewhere["data"]["homeIndustries"]["totalCount"] == 0
    # "33.7" is not a prefix of "33.74": region codes match whole segments (asked nationally).
    ministry = registry.as_role("MINISTRY")
    assert (await ministry(LIST, {"filter": {"regionCode": "33.7", "search": "zulaikha"}}))["data"]["homeIndustries"]["totalCount"] == 0
    short = await registry(LIST, {"filter": {"search": "ab"}})
    assert error_of(short)["extensions"] == {"code": "BAD_USER_INPUT", "field": "filter.search"}
    too_many = await registry(LIST, {"first": 100000})
    assert error_of(too_many)["extensions"]["field"] == "first"
    bad_cursor = await registry(LIST, {"after": "bm9wZQ=="})
    assert error_of(bad_cursor)["extensions"]["field"] == "after"


async def test_listing_100_with_village_ancestry_and_latest_assessment_is_a_fixed_number_of_statements(
    registry: GraphQLClient, statement_log: StatementLog
) -> None:
    villages = ["33.74.03.1001", "33.74.04.1001", "35.07.01.2001", "32.01.01.1001"]
    niks = {"33.74": NIK_WOMAN_1990, "35.07": "3507015507900003", "32.01": "3201015507900004"}
    for n in range(100):
        village = villages[n % 4]
        office = registry.as_role("DISTRICT_OFFICER", village[:5])
        await register(office, villageCode=village, businessName=f"Kue Basah Nomor {n}",
                       owner={"name": f"Ibu {n}", "nik": fresh_nik(niks[village[:5]])})
    query = """
    query { homeIndustries(filter: {search: "Kue Basah Nomor"}, first: 100) {
      edges { node { id currentClass owner { nik }
        village { name parent { name parent { name parent { name } } } }
        latestAssessment { score class } assessments { score } } } } }
    """
    statement_log.clear()
    body = await registry.as_role("MINISTRY")(query)
    count = statement_log.count()
    edges = body["data"]["homeIndustries"]["edges"]
    assert len(edges) == 100
    assert {e["node"]["village"]["parent"]["parent"]["parent"]["name"] for e in edges} == {
        "Jawa Tengah", "Jawa Timur", "Jawa Barat"
    }
    assert {e["node"]["owner"]["nik"][4:12] for e in edges} == {"********"}  # masked nationally
    # list + regions with their ancestors + latest assessments + histories + one audit insert for all 100,
    # + the snapshot the answer cache keeps with the answer
    assert count <= 6, statement_log.statements
    assert sum("INSERT INTO registry.audit_events" in s for s in statement_log.statements) == 1


ENTITIES = """
query($representations: [_Any!]!) {
  _entities(representations: $representations) {
    __typename
    ... on Region { code name level parent { code } }
    ... on HomeIndustry { id businessName currentClass }
  }
}
"""


async def test_entities_resolve_regions_and_home_industries(registry: GraphQLClient) -> None:
    ir = await register(registry)
    body = await registry(
        ENTITIES,
        {"representations": [
            {"__typename": "Region", "code": "33.74"},
            {"__typename": "HomeIndustry", "id": ir["id"]},
            {"__typename": "Region", "code": "00.00"},
            {"__typename": "HomeIndustry", "id": "987654321"},
        ]},
    )
    assert body["data"]["_entities"] == [
        {"__typename": "Region", "code": "33.74", "name": "Kota Semarang", "level": "REGENCY", "parent": {"code": "33"}},
        {"__typename": "HomeIndustry", "id": ir["id"], "businessName": "Keripik Tempe Bu Sri", "currentClass": "BERKEMBANG"},
        None,
        None,
    ]


async def test_regions_browse_the_kemendagri_tree(registry: GraphQLClient) -> None:
    provinces = await registry("{ regions { nodes { code name } } }")
    assert len(provinces["data"]["regions"]["nodes"]) == 38
    villages = await registry('{ regions(parentCode: "33.74.01", level: VILLAGE) { nodes { code postalCode } } }')
    assert villages["data"]["regions"]["nodes"][0] == {"code": "33.74.01.1001", "postalCode": "50134"}
    region = await registry('{ region(code: "33.74") { name children { nodes { code } } } }')
    assert region["data"]["region"]["name"] == "Kota Semarang" and len(region["data"]["region"]["children"]["nodes"]) == 16
    refused = await registry("{ regions(level: VILLAGE) { nodes { code } } }")
    assert error_of(refused)["extensions"] == {"code": "BAD_USER_INPUT", "field": "parentCode"}


async def test_served_sdl_matches_the_checked_in_contract(registry: GraphQLClient) -> None:
    served = (await registry("{ _service { sdl } }"))["data"]["_service"]["sdl"]
    checked_in = (PROJECT_ROOT / "schema" / "registry.graphql").read_text()
    assert served.strip() == checked_in.strip() == registry_sdl().strip(), (
        "schema/registry.graphql is stale: run `siir compose` (or `siir export-schema`) and commit"
    )
