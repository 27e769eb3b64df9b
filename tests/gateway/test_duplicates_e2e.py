"""Duplicate registrations refused, through our gateway in front of the real registry subgraph.

One NIK holds one active IR. The office that registered it is told which IR (its registration
number); an office elsewhere learns only that the owner is registered in another regency/city. A
second business of the same owner needs an explicit, audited reason, and never a near-identical
business name.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from gateway.app import build_app
from gateway.limits import Limits
from siir.database import asyncpg_dsn
from tests.registry.test_registry_api import REGISTER, fresh_nik, register_input

SUPERGRAPH = Path(__file__).resolve().parents[2] / "schema" / "supergraph.graphql"
SEMARANG_VILLAGE = "33.74.01.1001"
OTHER_REGENCY_VILLAGE = "35.07.01.2001"  # Kabupaten Malang
CLOSE = 'mutation($id: ID!) { closeHomeIndustry(id: $id, reason: "gulung tikar") { status } }'


class Gateway:
    def __init__(self, client: httpx.AsyncClient, tokens: Any) -> None:
        self.client, self.tokens = client, tokens

    async def __call__(self, query: str, variables: dict[str, Any], role: str = "DISTRICT_OFFICER",
                       region: str | None = "33.74") -> dict[str, Any]:
        response = await self.client.post("/graphql", json={"query": query, "variables": variables},
                                          headers=self.tokens.headers(role, region))
        assert response.status_code == 200, response.text
        return response.json()

    async def register(self, region: str = "33.74", **changes: Any) -> dict[str, Any]:
        return await self(REGISTER, {"input": register_input(**changes)}, region=region)


@pytest.fixture
async def gateway(registry_server: Any, tokens: Any) -> AsyncIterator[Gateway]:
    app = build_app(SUPERGRAPH.read_text(), subgraph_urls={"registry": registry_server.url + "/graphql"},
                    verifier=tokens.verifier, limits=Limits())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway", timeout=60) as client:
        yield Gateway(client, tokens)
    await app.state.gateway.client.aclose()


def owner(nik: str, name: str = "Sri Wahyuni") -> dict[str, Any]:
    return {"name": name, "nik": nik, "isFemaleHeadOfHousehold": True, "phone": "0812-3456-7890"}


def refusal(body: dict[str, Any]) -> dict[str, Any]:
    assert body.get("data") in (None, {"registerHomeIndustry": None}, {"mergeHomeIndustries": None}), body
    (error,) = body["errors"]
    assert error["extensions"].pop("serviceName") == "registry"
    return error


async def test_the_same_owner_registered_twice_is_refused_with_the_first_registration_number(gateway: Gateway) -> None:
    nik = fresh_nik()
    first = await gateway.register(owner=owner(nik))
    assert "errors" not in first, first
    number = first["data"]["registerHomeIndustry"]["registrationNumber"]

    again = refusal(await gateway.register(owner=owner(nik)))
    assert again["extensions"] == {"code": "CONFLICT", "field": "input.owner.nik"}
    assert number in again["message"]


async def test_another_regency_learns_only_that_the_owner_is_registered_elsewhere(gateway: Gateway) -> None:
    nik = fresh_nik()
    first = await gateway.register(owner=owner(nik), businessName="Batik Tulis Laweyan Asri")
    assert "errors" not in first, first
    ir = first["data"]["registerHomeIndustry"]

    elsewhere = refusal(await gateway.register(region="35.07", villageCode=OTHER_REGENCY_VILLAGE, owner=owner(nik)))
    assert elsewhere["extensions"] == {"code": "CONFLICT", "field": "input.owner.nik"}
    assert "another regency" in elsewhere["message"]
    for secret in (ir["registrationNumber"], "33.74", "Semarang", "Miroto", "Batik Tulis", "Sri Wahyuni", ir["id"]):
        assert secret not in json.dumps(elsewhere)


async def test_a_second_business_needs_a_reason_and_a_different_name(gateway: Gateway, database_url: str) -> None:
    nik = fresh_nik()
    first = await gateway.register(owner=owner(nik), businessName="Keripik Tempe Bu Sri")
    assert "errors" not in first, first

    blank = refusal(await gateway.register(owner=owner(nik), businessName="Jahe Instan Bu Sri",
                                           additionalBusinessReason="   "))
    assert blank["extensions"] == {"code": "BAD_USER_INPUT", "field": "input.additionalBusinessReason"}

    same = refusal(await gateway.register(owner=owner(nik), businessName="Keripik Tempe Bu Sri 2",
                                          additionalBusinessReason="usaha kedua"))
    assert same["extensions"] == {"code": "CONFLICT", "field": "input.businessName"}
    assert first["data"]["registerHomeIndustry"]["registrationNumber"] in same["message"]

    reason = "usaha kedua: jahe instan, dapur dan pekerja terpisah"
    second = await gateway.register(owner=owner(nik), businessName="Jahe Instan Bu Sri", additionalBusinessReason=reason)
    assert "errors" not in second, second
    connection = await asyncpg.connect(**asyncpg_dsn(database_url))
    try:
        after = await connection.fetchval(
            "SELECT after FROM registry.audit_events WHERE action = 'WRITE' AND home_industry_id = $1",
            int(second["data"]["registerHomeIndustry"]["id"]),
        )
        refused = await connection.fetchval(
            "SELECT count(*) FROM registry.home_industries WHERE owner_nik = $1", nik
        )
    finally:
        await connection.close()
    assert json.loads(after)["additionalBusiness"] == {"reason": reason}
    assert refused == 2  # nothing half-written by the refusals


async def test_a_closed_ir_does_not_hold_the_nik(gateway: Gateway) -> None:
    nik = fresh_nik()
    first = await gateway.register(owner=owner(nik))
    assert "errors" not in first, first
    closed = await gateway(CLOSE, {"id": first["data"]["registerHomeIndustry"]["id"]})
    assert closed["data"]["closeHomeIndustry"] == {"status": "CLOSED"}, closed
    again = await gateway.register(owner=owner(nik))
    assert "errors" not in again, again


MERGE = """
mutation Merge($keep: ID!, $drop: ID!, $reason: String!) {
  mergeHomeIndustries(keep: $keep, drop: $drop, reason: $reason) { id status registeredOn assessments { id assessedOn } }
}"""
RECORD = "query($id: ID!) { homeIndustry(id: $id) { status statusReason assessments { id } } }"
ASSESS = """
mutation($id: ID!, $input: AssessmentInput!) { recordAssessment(homeIndustryId: $id, input: $input) { assessment { id } } }
"""


async def _registered(gateway: Gateway, region: str = "33.74", **changes: Any) -> dict[str, Any]:
    body = await gateway.register(region=region, **changes)
    assert "errors" not in body, body
    return body["data"]["registerHomeIndustry"]


async def test_a_merge_moves_the_history_to_the_kept_ir_and_closes_the_other_as_a_duplicate(gateway: Gateway) -> None:
    # The same business registered twice under two spellings of the owner (two NIK typed differently).
    keep = await _registered(gateway, businessName="Tahu Bakso Bu Tini", registeredOn="2022-05-02",
                             firstAssessment={**register_input()["firstAssessment"], "assessedOn": "2022-05-02"})
    drop = await _registered(gateway, businessName="Tahu Baxo Ibu Tini", registeredOn="2021-01-10")
    more = await gateway(ASSESS, {"id": drop["id"], "input": {**register_input()["firstAssessment"], "assessedOn": "2023-03-01"}})
    assert "errors" not in more, more
    dropped_assessments = {a["id"] for a in (await gateway(RECORD, {"id": drop["id"]}))["data"]["homeIndustry"]["assessments"]}
    assert len(dropped_assessments) == 2

    body = await gateway(MERGE, {"keep": keep["id"], "drop": drop["id"], "reason": "satu usaha, terdaftar dua kali"})
    assert "errors" not in body, body
    merged = body["data"]["mergeHomeIndustries"]
    assert merged["id"] == keep["id"] and merged["status"] == "ACTIVE"
    assert merged["registeredOn"] == "2021-01-10"  # the earlier registration of the two
    assert dropped_assessments < {a["id"] for a in merged["assessments"]} and len(merged["assessments"]) == 3

    closed = (await gateway(RECORD, {"id": drop["id"]}))["data"]["homeIndustry"]
    assert closed["status"] == "CLOSED" and closed["assessments"] == []
    assert closed["statusReason"] == f"DUPLICATE of {keep['registrationNumber']}: satu usaha, terdaftar dua kali"


async def test_merge_refusals_are_coded_and_write_nothing(gateway: Gateway, database_url: str) -> None:
    one = await _registered(gateway, businessName="Peyek Kacang Mbak Rina")
    two = await _registered(gateway, businessName="Peyek Kacang Rina")
    malang = await _registered(gateway, region="35.07", villageCode=OTHER_REGENCY_VILLAGE, businessName="Keripik Apel Rina")
    gone = await _registered(gateway, businessName="Peyek Rina Lama")
    assert (await gateway(CLOSE, {"id": gone["id"]}))["data"]["closeHomeIndustry"] == {"status": "CLOSED"}

    async def merge(keep: str, drop: str, reason: str = "ganda", **caller: Any) -> dict[str, Any]:
        return refusal(await gateway(MERGE, {"keep": keep, "drop": drop, "reason": reason}, **caller))

    connection = await asyncpg.connect(**asyncpg_dsn(database_url))
    try:
        outbox_before = await connection.fetchval("SELECT count(*) FROM registry.outbox")
        assert (await merge(one["id"], one["id"]))["extensions"] == {"code": "BAD_USER_INPUT", "field": "drop"}
        assert (await merge(one["id"], two["id"], reason="  "))["extensions"] == {"code": "BAD_USER_INPUT", "field": "reason"}
        outside = await merge(one["id"], malang["id"])
        assert outside["extensions"]["code"] == "NOT_FOUND"
        assert "Keripik" not in json.dumps(outside) and "35.07" not in json.dumps(outside)
        assert (await merge(one["id"], gone["id"]))["extensions"] == {"code": "CONFLICT", "field": "drop"}
        assert (await merge(gone["id"], one["id"]))["extensions"] == {"code": "CONFLICT", "field": "keep"}
        facilitator = await gateway(MERGE, {"keep": one["id"], "drop": two["id"], "reason": "ganda"}, role="FACILITATOR")
        assert facilitator["errors"][0]["extensions"]["code"] in ("FORBIDDEN", "UNAUTHENTICATED")
        assert await connection.fetchval("SELECT count(*) FROM registry.outbox") == outbox_before
        statuses = await connection.fetch(
            "SELECT status FROM registry.home_industries WHERE id = ANY($1::bigint[])",
            [int(one["id"]), int(two["id"]), int(malang["id"])],
        )
    finally:
        await connection.close()
    assert [r["status"] for r in statuses] == ["ACTIVE"] * 3


POSSIBLE = """
query Possible($after: String) {
  possibleDuplicates(first: 200, after: $after) {
    edges { cursor node { reasons similarity first { id } second { id } } }
    pageInfo { hasNextPage endCursor }
  }
}"""


async def _all_pairs(gateway: Gateway, **caller: Any) -> dict[tuple[str, str], dict[str, Any]]:
    pairs: dict[tuple[str, str], dict[str, Any]] = {}
    after = None
    while True:
        body = await gateway(POSSIBLE, {"after": after}, **caller)
        assert "errors" not in body, body
        page = body["data"]["possibleDuplicates"]
        for edge in page["edges"]:
            node = edge["node"]
            key = (node["first"]["id"], node["second"]["id"])
            assert key not in pairs  # keyset pages neither repeat nor skip
            pairs[key] = node
        if not page["pageInfo"]["hasNextPage"]:
            return pairs
        after = page["pageInfo"]["endCursor"]


async def test_possible_duplicates_lists_same_phone_and_similar_names_of_the_office_regency(gateway: Gateway) -> None:
    tag = secrets.token_hex(3)

    def person(name: str, phone: str) -> dict[str, Any]:
        return {"name": name, "nik": fresh_nik(), "isFemaleHeadOfHousehold": False, "phone": phone}

    digits = f"{secrets.randbelow(10**7):07d}"
    phone, other_phone = f"0813-{digits[:4]}-{digits[4:]}1", f"0815-{digits[:4]}-{digits[4:]}2"
    a = await _registered(gateway, businessName=f"Sambal Roa Mak Ijah {tag}", owner=person(f"Ijah Kartini {tag}", phone))
    b = await _registered(gateway, businessName=f"Sambal Roa Mak Ijah {tag}", villageCode="33.74.01.1002",
                          owner=person(f"Ijah Kartini {tag}", other_phone))  # same sub-district, similar names
    c = await _registered(gateway, businessName=f"Warung Jamu {tag} Lain", owner=person(f"Bambang {tag} Lain", phone))
    far = await _registered(gateway, businessName=f"Sambal Roa Mak Ijah {tag}", villageCode="33.74.03.1001",
                            owner=person(f"Ijah Kartini {tag}", "0816-9999-0000"))  # another sub-district
    malang = await _registered(gateway, region="35.07", villageCode=OTHER_REGENCY_VILLAGE,
                               businessName=f"Sambal Roa Mak Ijah {tag}", owner=person(f"Ijah Kartini {tag}", phone))

    pairs = _all_pairs
    found = await pairs(gateway)
    ours = {key: node for key, node in found.items() if {a["id"], b["id"], c["id"], far["id"]} >= set(key)}
    assert set(ours) == {(a["id"], b["id"]), (a["id"], c["id"])}
    assert ours[(a["id"], b["id"])]["reasons"] == ["SIMILAR_NAMES"] and ours[(a["id"], b["id"])]["similarity"] == 1.0
    assert ours[(a["id"], c["id"])]["reasons"] == ["SAME_PHONE"]
    assert all(malang["id"] not in key for key in found)  # another regency's IR never appear

    # Once merged, the pair is gone.
    merged = await gateway(MERGE, {"keep": a["id"], "drop": b["id"], "reason": "satu usaha"})
    assert "errors" not in merged, merged
    assert (a["id"], b["id"]) not in await pairs(gateway)

    # The regency office's list: not the ministry's, not a facilitator's.
    ministry = await gateway(POSSIBLE, {"after": None}, role="MINISTRY", region=None)
    assert ministry["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    bad = await gateway(POSSIBLE, {"after": "bm90LWEtY3Vyc29y"})
    assert bad["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
