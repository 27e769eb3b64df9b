"""Partner institutions and their programmes' eligibility rules: the rule as pure Python (what the
access layer applies for a PARTNER), and the API a ministry clerk uses to register partners."""

from __future__ import annotations

from typing import Any

import pytest

from services.registry.domain.classification import IrClass
from services.registry.domain.eligibility import EligibilityRule, visible_to_partner
from tests.conftest import GraphQLClient

IR: dict[str, Any] = {
    "current_class": "BERKEMBANG", "nib": "1234567890123", "pirt_number": None, "halal_certificate_number": None,
    "status": "ACTIVE", "village_code": "33.74.01.1001", "consent_to_share": True,
}


@pytest.mark.parametrize(
    ("rule", "changes", "admitted"),
    [
        (EligibilityRule(), {}, True),
        (EligibilityRule(classes=frozenset({IrClass.BERKEMBANG, IrClass.MAJU})), {}, True),
        (EligibilityRule(classes=frozenset({IrClass.MAJU})), {}, False),
        (EligibilityRule(classes=frozenset({IrClass.PEMULA})), {"current_class": None}, False),
        (EligibilityRule(requires_nib=True), {}, True),
        (EligibilityRule(requires_nib=True), {"nib": None}, False),
        (EligibilityRule(requires_pirt=True), {}, False),
        (EligibilityRule(requires_halal_certificate=True), {"halal_certificate_number": "ID3374"}, True),
        (EligibilityRule(), {"status": "CLOSED"}, False),
        (EligibilityRule(statuses=frozenset({"ACTIVE", "GRADUATED"})), {"status": "GRADUATED"}, True),
        (EligibilityRule(region_codes=("33.74",)), {}, True),
        (EligibilityRule(region_codes=("33.7",)), {}, False),  # whole segments only
        (EligibilityRule(region_codes=("35", "33.74.01.1001")), {}, True),
        (EligibilityRule(region_codes=("35",)), {}, False),
    ],
)
def test_eligibility_rule_admits(rule: EligibilityRule, changes: dict[str, Any], admitted: bool) -> None:
    assert rule.admits({**IR, **changes}) is admitted
    assert EligibilityRule.from_json(rule.to_json()) == rule


def test_a_partner_sees_only_consented_ir_one_of_its_programmes_admits() -> None:
    credit = EligibilityRule(classes=frozenset({IrClass.MAJU}), requires_nib=True)
    training = EligibilityRule(region_codes=("33",))
    assert visible_to_partner(IR, [credit, training])
    assert not visible_to_partner({**IR, "consent_to_share": False}, [credit, training])
    assert not visible_to_partner(IR, [credit])
    assert not visible_to_partner(IR, [])


REGISTER = """
mutation($input: RegisterPartnerInput!) {
  registerPartner(input: $input) {
    id kind name version region { code }
    programmes { nodes { id name activeFrom eligibility { classes requiresNib requiresPirt requiresHalalCertificate statuses regionCodes } } }
  }
}
"""


def error_of(body: dict[str, Any]) -> dict[str, Any]:
    assert body.get("errors"), body
    assert not any((body.get("data") or {}).values()), body
    return body["errors"][0]


async def test_register_a_bank_with_a_credit_programme(registry: GraphQLClient) -> None:
    registry = registry.as_role("MINISTRY")  # partners are national agreements, recorded by the ministry
    body = await registry(REGISTER, {"input": {
        "kind": "BANK", "name": "Bank Jateng Cabang Semarang", "regionCode": "33.74",
        "programmes": [{"name": "KUR Mikro Perempuan", "activeFrom": "2022-01-01",
                        "eligibility": {"classes": ["MAJU", "BERKEMBANG"], "requiresNib": True, "regionCodes": ["33"]}}],
    }})
    partner = body["data"]["registerPartner"]
    assert partner["kind"] == "BANK" and partner["region"] == {"code": "33.74"}
    assert partner["programmes"]["nodes"][0]["eligibility"] == {
        "classes": ["BERKEMBANG", "MAJU"], "requiresNib": True, "requiresPirt": False,
        "requiresHalalCertificate": False, "statuses": ["ACTIVE"], "regionCodes": ["33"],
    }
    same_name = await registry(REGISTER, {"input": {"kind": "BANK", "name": "bank jateng cabang semarang"}})
    assert error_of(same_name)["extensions"] == {"code": "CONFLICT", "field": "input.name"}
    bad_region = await registry(REGISTER, {"input": {"kind": "NGO", "name": "LSM X", "programmes": [
        {"name": "P", "activeFrom": "2022-01-01", "eligibility": {"regionCodes": ["99.99"]}}]}})
    assert error_of(bad_region)["extensions"] == {
        "code": "BAD_USER_INPUT", "field": "input.programmes[0].eligibility.regionCodes[0]"
    }
    # The refused NGO was not half-written.
    ngos = (await registry("{ partners(kind: NGO) { nodes { name } } }"))["data"]["partners"]["nodes"]
    assert "LSM X" not in [p["name"] for p in ngos]
    added = await registry(
        'mutation($id: ID!) { addPartnerProgramme(partnerId: $id, input: {name: "Pelatihan Literasi Keuangan", activeFrom: "2023-01-01", '
        'eligibility: {classes: [PEMULA]}}) { name partner { id } } }',
        {"id": partner["id"]},
    )
    assert added["data"]["addPartnerProgramme"] == {"name": "Pelatihan Literasi Keuangan", "partner": {"id": partner["id"]}}
    updated = await registry(
        'mutation($id: ID!) { updatePartner(id: $id, expectedVersion: 1, input: {website: "https://bankjateng.co.id"}) { version website } }',
        {"id": partner["id"]},
    )
    assert updated["data"]["updatePartner"] == {"version": 2, "website": "https://bankjateng.co.id"}
    listed = await registry('{ partners(kind: BANK) { nodes { name programmes { nodes { name } } } } }')
    mine = [p for p in listed["data"]["partners"]["nodes"] if p["name"] == "Bank Jateng Cabang Semarang"][0]
    assert [p["name"] for p in mine["programmes"]["nodes"]] == ["KUR Mikro Perempuan", "Pelatihan Literasi Keuangan"]


async def test_the_access_layer_gets_a_partners_running_programme_rules(registry: GraphQLClient, database_url: str) -> None:
    registry = registry.as_role("MINISTRY")  # partners are national agreements, recorded by the ministry
    """The contract with the access issue: a partner's token carries ``partner`` = the Partner's id."""
    import datetime as dt

    from services.registry.data import partners as partner_data
    from siir.database import create_engine

    body = await registry(REGISTER, {"input": {"kind": "UNIVERSITY", "name": "LPPM Universitas Negeri Semarang", "programmes": [
        {"name": "KKN Tematik", "activeFrom": "2022-01-01", "activeUntil": "2022-12-31", "eligibility": {"classes": ["PEMULA"]}},
        {"name": "Riset Pangan", "activeFrom": "2022-06-01", "eligibility": {"requiresPirt": True, "regionCodes": ["33.74"]}},
    ]}})
    partner_id = int(body["data"]["registerPartner"]["id"])
    engine = create_engine(database_url, pool_size=1)
    try:
        async with engine.connect() as connection:
            mid_2022 = await partner_data.eligibility_rules(connection, partner_id, dt.date(2022, 7, 1))
            in_2023 = await partner_data.eligibility_rules(connection, partner_id, dt.date(2023, 1, 1))
    finally:
        await engine.dispose()
    assert sorted(len(r.classes) for r in mid_2022) == [0, 1]
    assert in_2023 == [EligibilityRule(requires_pirt=True, region_codes=("33.74",))]
    assert visible_to_partner({**IR, "pirt_number": "P-IRT 1"}, in_2023)
    assert not visible_to_partner({**IR, "pirt_number": "P-IRT 1", "village_code": "35.07.01.2001"}, in_2023)
