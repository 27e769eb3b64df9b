"""The README's roles table and docs/roles.md are true by construction: the page is generated from
the policies, and the README's summary of personal data and writes is checked against them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from services.registry.policy import POLICY as REGISTRY
from services.reporting.policy import POLICY as REPORTING
from siir.auth.identity import Role
from siir.policy import Disclosure, When
from siir.policy.docs import roles_page

ROOT = Path(__file__).resolve().parents[2]
FULL, MASKED, GENERALISED, WITHHELD, FORBIDDEN = (Disclosure.FULL, Disclosure.MASKED, Disclosure.GENERALISED,
                                                   Disclosure.WITHHELD, Disclosure.FORBIDDEN)
PERSONAL = ("Owner.nik", "Owner.phone", "HomeIndustry.address", "HomeIndustry.location")


def readme_roles() -> dict[str, list[str]]:
    rows = {}
    for line in (ROOT / "README.md").read_text().splitlines():
        match = re.match(r"^\| `([A-Z_]+)` \|(.*)\|$", line)
        if match:
            rows[match.group(1)] = [cell.strip() for cell in match.group(2).split("|")]
    return rows


def test_docs_roles_md_is_generated_from_the_policies() -> None:
    assert (ROOT / "docs" / "roles.md").read_text() == roles_page([REGISTRY, REPORTING]), "run siir export-schema"
    assert "docs/roles.md" in (ROOT / "README.md").read_text()


#: What the README's "NIK, phone, address, coordinates" words mean, as policy decisions.
WORDS = {
    "masked": {"Owner.nik": MASKED, "Owner.phone": MASKED, "HomeIndustry.address": MASKED,
               "HomeIndustry.location": GENERALISED},
    "full": {c: FULL for c in PERSONAL},
    "never NIK, address or village; phone only with consent": {
        "Owner.nik": WITHHELD, "HomeIndustry.address": WITHHELD, "HomeIndustry.location": WITHHELD,
        "HomeIndustry.village": WITHHELD, "Owner.phone": When("consented", FULL, WITHHELD)},
    "none": {c: FORBIDDEN for c in PERSONAL},
}


@pytest.mark.parametrize("role", list(Role))
def test_the_readme_personal_data_column_is_the_registry_policy(role: Role) -> None:
    cells = readme_roles()[role.value]
    words = next(w for w in WORDS if cells[1] == w or cells[1].startswith((w + " (", w + ";")))
    for coordinate, disclosure in WORDS[words].items():
        assert REGISTRY.decision(coordinate, role) == disclosure, (role, coordinate)


#: The README's "writes" column, as the mutations the policy grants each role.
WRITES = {
    Role.MINISTRY: {"formTeam", "registerPartner", "addPartnerProgramme", "updatePartner"},
    Role.PROVINCE_OFFICER: {"formTeam", "appointTeamMember"},
    Role.DISTRICT_OFFICER: {"registerHomeIndustry", "recordAssessment", "recordIntervention", "registerFacilitator",
                            "assignFacilitator", "formTeam"},
    Role.FACILITATOR: {"recordAssessment", "recordMentoringNote"},
    Role.PARTNER: set(),
    Role.ANALYST: set(),
}


@pytest.mark.parametrize("role", list(Role))
def test_the_readme_writes_column_is_the_registry_policy(role: Role) -> None:
    granted = {c.removeprefix("Mutation.") for c, rule in REGISTRY.table.items()
               if c.startswith("Mutation.") and role in rule.reach}
    assert WRITES[role] <= granted
    if readme_roles()[role.value][2] == "none":
        assert granted == set()
    # Aggregates only: an analyst reaches no record anywhere.
    if role is Role.ANALYST:
        assert all(role not in REGISTRY.table[c].reach for c in ("Query.homeIndustries", "Query.homeIndustry", "HomeIndustry"))
        assert role not in REPORTING.table["HomeIndustry.progress"].reach
