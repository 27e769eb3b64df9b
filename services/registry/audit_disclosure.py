"""The audit trail's before/after values, disclosed by the same policy as the records they came from.

Every stored column of an audited table maps to the schema coordinate whose value it holds; the
viewer's disclosure for that coordinate decides what the trail shows: the value, its mask, or a
``withheld`` flag without it. A column with no coordinate is withheld (default deny). A disclosure
that depends on the row (``When``: the owner's consent, the team's region) is taken at its least,
since the trail shows values detached from the record they belonged to.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from services.registry.policy import POLICY
from siir.auth.identity import Role
from siir.policy import Disclosure, When

#: (entity type, column) → coordinate, where the column's name is not the field's in snake case.
#: Columns not named here map to ``<Type>.<camelCase column>`` when the policy has that coordinate.
COLUMNS: dict[tuple[str, str], str | None] = {
    ("HomeIndustry", "regency_code"): "HomeIndustry.subDistrict",
    ("HomeIndustry", "village_code"): "HomeIndustry.village",
    ("HomeIndustry", "owner_name"): "Owner.name",
    ("HomeIndustry", "owner_nik"): "Owner.nik",
    ("HomeIndustry", "owner_sex"): "Owner.sex",
    ("HomeIndustry", "owner_birth_year"): "Owner.birthYear",
    ("HomeIndustry", "owner_education"): "Owner.education",
    ("HomeIndustry", "owner_is_female_head_of_household"): "Owner.isFemaleHeadOfHousehold",
    ("HomeIndustry", "owner_phone"): "Owner.phone",
    ("HomeIndustry", "latitude"): "HomeIndustry.location",
    ("HomeIndustry", "longitude"): "HomeIndustry.location",
    ("HomeIndustry", "nib"): "Legality.nib",
    ("HomeIndustry", "kbli"): "Legality.kbli",
    ("HomeIndustry", "pirt_number"): "Legality.pirtNumber",
    ("HomeIndustry", "halal_certificate_number"): "Legality.halalCertificateNumber",
    ("HomeIndustry", "legal_form"): "Legality.legalForm",
    ("HomeIndustry", "workers_female"): "Workforce.femaleWorkers",
    ("HomeIndustry", "workers_male"): "Workforce.maleWorkers",
    ("HomeIndustry", "consent_to_share"): "SharingConsent.granted",
    ("HomeIndustry", "consent_recorded_on"): "SharingConsent.recordedOn",
    ("Assessment", "ir_class"): "Assessment.class",
    ("Assessment", "home_industry_id"): "Assessment.id",
    ("Assessment", "facilitator_id"): "Assessment.facilitator",
    ("Assessment", "rule_set_code"): "Assessment.ruleSet",
    ("Assessment", "rule_set_version"): "Assessment.ruleSet",
    ("Assessment", "graduation_thresholds_code"): "Assessment.graduationThresholds",
    **{("Assessment", f"{c}_level"): "Assessment.levels"
       for c in ("worker", "technology", "capital_source", "capital_amount", "business_age", "production_pattern")},
    ("Team", "region_code"): "Team.region",
    ("Team", "decree_number"): "Decree.number",
    ("Team", "decree_date"): "Decree.date",
    ("Team", "decree_signed_by"): "Decree.signedBy",
    ("TeamMember", "team_id"): "TeamMember.team",
    ("Facilitator", "regency_code"): "Facilitator.regency",
    ("FacilitatorAssignment", "facilitator_id"): "FacilitatorAssignment.facilitator",
    ("FacilitatorAssignment", "village_code"): "FacilitatorAssignment.village",
    ("FacilitatorAssignment", "home_industry_id"): "FacilitatorAssignment.homeIndustry",
    ("MentoringNote", "home_industry_id"): "MentoringNote.homeIndustry",
    ("MentoringNote", "facilitator_id"): "MentoringNote.facilitator",
    ("Intervention", "home_industry_id"): "Intervention.homeIndustry",
    ("Intervention", "partner_id"): "InterventionProvider.partner",
    ("Intervention", "programme_id"): "InterventionProvider.programme",
    ("Intervention", "provider_kind"): "InterventionProvider.kind",
    ("Intervention", "provider_name"): "InterventionProvider.name",
    ("Intervention", "ended_on"): "Intervention.endedOn",
    ("PartnerProgramme", "partner_id"): "PartnerProgramme.partner",
    ("Partner", "region_code"): "Partner.region",
    ("HomeIndustryTransfer", "from_village_code"): "HomeIndustryTransfer.fromVillage",
    ("HomeIndustryTransfer", "to_village_code"): "HomeIndustryTransfer.toVillage",
    ("HomeIndustryTransfer", "to_registration_number"): "HomeIndustryTransfer.newRegistrationNumber",
    ("HomeIndustryTransfer", "home_industry_id"): "HomeIndustryTransfer.homeIndustry",
}

#: A stored column holding one coordinate of a location is generalised on its own.
_COLUMN_MASKS = {("HomeIndustry", "latitude"): "coordinate", ("HomeIndustry", "longitude"): "coordinate"}

#: Rows a write created or ended beside its record (``record_write(added=…)``), by the key's form.
_ADDED = (
    (re.compile(r"^(firstAssessment|assessment)$"), "Assessment"),
    (re.compile(r"^assignments\[\d+\]$|^assignment \d+ activeUntil$"), "FacilitatorAssignment"),
    (re.compile(r"^programmes\[\d+\]$"), "PartnerProgramme"),
    (re.compile(r"^members\[\d+\]$|^member \d+ activeUntil$"), "TeamMember"),
    (re.compile(r"^transfer$"), "HomeIndustryTransfer"),
)


def _camel(column: str) -> str:
    head, *rest = column.split("_")
    return head + "".join(part.title() for part in rest)


def coordinate_of(entity_type: str | None, column: str) -> str | None:
    """The schema coordinate a stored column's value belongs to; None: no field (withheld)."""
    if entity_type is None:
        return None
    if (entity_type, column) in COLUMNS:
        return COLUMNS[(entity_type, column)]
    coordinate = f"{entity_type}.{_camel(column)}"
    return coordinate if POLICY.rule(coordinate) is not None else None


def disclosure_of(role: Role, entity_type: str | None, column: str) -> Disclosure:
    coordinate = coordinate_of(entity_type, column)
    if coordinate is None:
        return Disclosure.WITHHELD
    decision = POLICY.decision(coordinate, role)
    return decision.least() if isinstance(decision, When) else decision


def _value(role: Role, entity_type: str | None, column: str, value: Any) -> tuple[Any, bool]:
    """(the value as shown, whether it is withheld)."""
    disclosure = disclosure_of(role, entity_type, column)
    if disclosure in (Disclosure.WITHHELD, Disclosure.FORBIDDEN):
        return None, True
    if value is None or disclosure is Disclosure.FULL:
        return value, False
    rule = POLICY.rule(coordinate_of(entity_type, column) or "")
    assert rule is not None
    mask = _COLUMN_MASKS.get((entity_type or "", column), rule.mask)
    return POLICY.maskers[mask or ""](value), False


def added_type(key: str) -> str | None:
    for pattern, entity_type in _ADDED:
        if pattern.match(key):
            return entity_type
    return None


@dataclass(frozen=True, slots=True)
class ShownChange:
    column: str
    before: str | None
    after: str | None
    withheld: bool


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False)


def disclosed_changes(
    role: Role, entity_type: str | None, before: Mapping[str, Any] | None, after: Mapping[str, Any] | None
) -> list[ShownChange]:
    """An event's changes as ``role`` may see them: each column of the record, then each row created
    beside it (a dict in ``after``), its own columns disclosed by its own type."""
    before, after = before or {}, after or {}
    shown: list[ShownChange] = []
    for column in sorted(set(before) | set(after)):
        if isinstance(after.get(column), dict):
            continue
        old, old_withheld = _value(role, entity_type, column, before.get(column))
        new, new_withheld = _value(role, entity_type, column, after.get(column))
        shown.append(ShownChange(column, _json(old), _json(new), old_withheld or new_withheld))
    for key, row in sorted(after.items()):
        if not isinstance(row, dict):
            continue
        kind = added_type(key)
        visible: dict[str, Any] = {}
        withheld = False
        for column, value in row.items():
            given, hidden = _value(role, kind, column, value)
            withheld |= hidden
            if not hidden:
                visible[column] = given
        shown.append(ShownChange(key, None, _json(visible), withheld))
    return shown


def personal_reads(
    role: Role, entity_type: str | None, before: Mapping[str, Any] | None, after: Mapping[str, Any] | None
) -> dict[str, str]:
    """The personal fields whose values an event shows ``role`` (name → disclosure), for the read log."""
    reads: dict[str, str] = {}
    rows = [(entity_type, {**(before or {}), **(after or {})})]
    rows += [(added_type(k), v) for k, v in (after or {}).items() if isinstance(v, dict)]
    for kind, columns in rows:
        for column, value in columns.items():
            if isinstance(value, dict) or value is None:
                continue
            rule = POLICY.rule(coordinate_of(kind, column) or "")
            if rule is None or not rule.personal:
                continue
            disclosure = disclosure_of(role, kind, column)
            if disclosure not in (Disclosure.WITHHELD, Disclosure.FORBIDDEN):
                reads[rule.field_name] = disclosure.value
    return reads
