"""The access rules as plain Python (services/registry/domain/access.py): scope, writes, fields."""

from __future__ import annotations

from typing import Any

import pytest

from services.registry.domain import access
from services.registry.domain.classification import IrClass
from services.registry.domain.eligibility import EligibilityRule
from services.registry.policy import POLICY
from siir.auth.identity import Identity, Role
from siir.errors import Forbidden
from siir.policy import Disclosure, When


def who(role: Role, region: str | None = None, partner: str | None = None) -> Identity:
    return Identity(subject="someone", role=role, region=region, partner=partner, expires_at=0, token="")


ROW = {"village_code": "33.74.01.1001", "consent_to_share": True, "status": "ACTIVE"}


def test_a_scope_reaches_whole_code_segments_only() -> None:
    scope = access.RecordScope(region="33.74")
    assert scope.reaches_region("33.74") and scope.reaches_region("33.74.01.1001")
    assert not scope.reaches_region("33.7") and not scope.reaches_region("33.741") and not scope.reaches_region("33")
    assert access.RecordScope(region=None).reaches_region("35")


LEGAL = {**ROW, "id": 1, "current_class": "BERKEMBANG", "nib": "9120001234567", "pirt_number": None,
         "halal_certificate_number": None}


def test_partner_scope_needs_consent_and_one_running_programme_that_admits_the_record() -> None:
    credit = EligibilityRule(classes=frozenset({IrClass.BERKEMBANG, IrClass.MAJU}), requires_nib=True)
    scope = access.record_scope(who(Role.PARTNER, partner="7"), eligibility=(credit,))
    assert scope.admits(LEGAL)
    assert not scope.admits({**LEGAL, "consent_to_share": False})  # eligible, but no consent
    assert not scope.admits({**LEGAL, "nib": None})  # consent, but not eligible
    assert not scope.admits({**LEGAL, "status": "CLOSED"})
    assert scope.statuses == frozenset({"ACTIVE"})  # a status filter outside the programmes is refused
    # No programme running: nothing. A claim naming no registered partner: FORBIDDEN.
    assert not access.record_scope(who(Role.PARTNER, partner="7"), eligibility=()).admits(LEGAL)
    with pytest.raises(Forbidden):
        access.record_scope(who(Role.PARTNER, partner="pnm-mekaar"), eligibility=None)


def test_facilitator_scope_is_her_assignment_and_needs_her_record() -> None:
    mine = access.Assignment(3, "33.74", frozenset({"33.74.01.1001"}), frozenset({9}))
    scope = access.record_scope(who(Role.FACILITATOR, "33.74"), assignment=mine)
    assert scope.admits({**LEGAL, "id": 1}) and scope.admits({**LEGAL, "id": 9, "village_code": "33.74.02.1002"})
    assert not scope.admits({**LEGAL, "id": 2, "village_code": "33.74.02.1002"})
    with pytest.raises(Forbidden):
        access.record_scope(who(Role.FACILITATOR, "33.74"), assignment=None)


def test_analyst_has_no_record_scope() -> None:
    with pytest.raises(Forbidden):
        access.record_scope(who(Role.ANALYST))


@pytest.mark.parametrize(("role", "operation", "allowed"), [
    (Role.DISTRICT_OFFICER, "registerHomeIndustry", True),
    (Role.FACILITATOR, "recordAssessment", True),
    (Role.FACILITATOR, "updateHomeIndustry", False),
    (Role.PROVINCE_OFFICER, "closeHomeIndustry", False),
    (Role.MINISTRY, "graduateHomeIndustry", False),
])
def test_who_may_change_what(role: Role, operation: str, allowed: bool) -> None:
    if allowed:
        POLICY.require(role, f"Mutation.{operation}")
    else:
        with pytest.raises(Forbidden):
            POLICY.require(role, f"Mutation.{operation}")


def _given(role: Role, coordinate: str, *, consented: bool) -> Disclosure:
    """What the policy gives ``role`` of one IR's field (its owner did or did not consent)."""
    decision = POLICY.decision(coordinate, role)
    if isinstance(decision, When):
        assert decision.condition == "consented", decision
        decision = decision.then if consented else decision.otherwise
    return decision


def test_field_disclosure_by_role() -> None:
    assert _given(Role.MINISTRY, "Owner.nik", consented=True) is Disclosure.MASKED
    assert _given(Role.DISTRICT_OFFICER, "Owner.nik", consented=False) is Disclosure.FULL
    assert _given(Role.PARTNER, "Owner.nik", consented=True) is Disclosure.WITHHELD
    assert _given(Role.PARTNER, "Owner.phone", consented=True) is Disclosure.FULL
    assert _given(Role.PARTNER, "Owner.phone", consented=False) is Disclosure.WITHHELD
    # ANALYST is not named at all: refused outright (the old view read that as WITHHELD).
    assert _given(Role.ANALYST, "Owner.name", consented=True) is Disclosure.FORBIDDEN


def test_masks_are_lokal_ids() -> None:
    assert access.mask_nik("3374015507900001") == "3374********0001"
    assert access.mask_phone("+6281234567890") == "0812****7890"
    assert access.generalise_coordinate(-6.98312) == -6.9 and access.generalise_coordinate(110.41234) == 110.4


def test_a_facilitator_assignment_admits_its_villages_and_its_ir() -> None:
    scope = access.RecordScope(region="33.74", villages=frozenset({"33.74.01.1001"}), home_industry_ids=frozenset({7}))
    assert scope.admits({**ROW, "id": 1})  # in an assigned village
    assert scope.admits({**ROW, "id": 7, "village_code": "33.74.02.1001"})  # an assigned IR
    assert not scope.admits({**ROW, "id": 8, "village_code": "33.74.02.1001"})


async def test_the_sql_scope_agrees_with_admits_for_an_assignment(registry: Any, database_url: str) -> None:
    from services.registry.data.home_industries import HomeIndustryQuery, home_industry_page
    from siir.database import create_engine
    from tests.registry.test_registry_api import register

    a = await register(registry, villageCode="33.74.01.1001", businessName="Tugas Pendamping A")
    b = await register(registry, villageCode="33.74.02.1001", businessName="Tugas Pendamping B")
    c = await register(registry, villageCode="33.74.03.1001", businessName="Tugas Pendamping C")
    scope = access.RecordScope(
        region="33.74", villages=frozenset({"33.74.01.1001"}), home_industry_ids=frozenset({int(c["id"])})
    )
    everyone = access.RecordScope(region="33.74")
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            assigned = await home_industry_page(
                connection, HomeIndustryQuery(search="Tugas Pendamping"), scope, first=50, after_id=None
            )
            unassigned = await home_industry_page(
                connection, HomeIndustryQuery(search="Tugas Pendamping"), everyone, first=50, after_id=None
            )
    finally:
        await engine.dispose()
    assert {str(r["id"]) for r in assigned} == {a["id"], c["id"]}
    assert [r for r in unassigned if scope.admits(r)] == assigned
    assert b["id"] in {str(r["id"]) for r in unassigned}


async def test_partner_programme_rules_filter_in_sql(registry: Any, database_url: str) -> None:
    """Issue 6's EligibilityRule (same attributes) turned into SQL: an IR must meet one programme."""
    from dataclasses import dataclass, field

    from services.registry.data.home_industries import HomeIndustryQuery, home_industry_page
    from siir.database import create_engine
    from tests.registry.test_registry_api import register

    @dataclass(frozen=True)
    class Rule:  # the attributes of services/registry/domain/eligibility.py's EligibilityRule
        classes: frozenset[str] = frozenset()
        requires_nib: bool = False
        requires_pirt: bool = False
        requires_halal_certificate: bool = False
        statuses: frozenset[str] = field(default_factory=lambda: frozenset({"ACTIVE"}))
        region_codes: tuple[str, ...] = ()

    with_nib = await register(registry, businessName="Program Bank Satu", legality={"nib": "1234567890123"})
    without = await register(registry, villageCode="33.74.02.1001", businessName="Program Bank Dua")
    search = HomeIndustryQuery(search="Program Bank")
    cases = [
        ((Rule(requires_nib=True),), {with_nib["id"]}),
        ((Rule(region_codes=("33.74.02",)),), {without["id"]}),
        ((Rule(requires_nib=True), Rule(region_codes=("33.74.02",))), {with_nib["id"], without["id"]}),
        ((Rule(classes=frozenset({"MAJU"})),), set()),  # both are Berkembang
        ((), set()),  # no running programme: nothing
    ]
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            for rules, expected in cases:
                scope = access.RecordScope(region=None, consented_only=True, eligibility=rules)
                rows = await home_industry_page(connection, search, scope, first=50, after_id=None)
                assert {str(r["id"]) for r in rows} == expected, rules
    finally:
        await engine.dispose()
