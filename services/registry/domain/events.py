"""Events the registry publishes through its outbox, for reporting and any other consumer.

An event carries the non-personal snapshot of the IR after the change (no name, NIK, phone,
address or coordinates: consumers get what aggregates need, nothing a data protection officer
would have to chase), plus what the change itself added (an assessment). Payload keys are
camelCase JSON; ``schema`` versions the payload shape.
"""

from __future__ import annotations

from typing import Any, Mapping

PAYLOAD_SCHEMA = 1

HOME_INDUSTRY_REGISTERED = "HomeIndustryRegistered"
HOME_INDUSTRY_UPDATED = "HomeIndustryUpdated"
ASSESSMENT_RECORDED = "AssessmentRecorded"
HOME_INDUSTRY_CLOSED = "HomeIndustryClosed"
HOME_INDUSTRY_GRADUATED = "HomeIndustryGraduated"
#: An IR moved to another regency/city (its snapshot is the new one; ``transfer`` says from where and when).
HOME_INDUSTRY_TRANSFERRED = "HomeIndustryTransferred"

TEAM_FORMED = "TeamFormed"
TEAM_UPDATED = "TeamUpdated"
TEAM_MEMBER_APPOINTED = "TeamMemberAppointed"
TEAM_MEMBER_UPDATED = "TeamMemberUpdated"
FACILITATOR_REGISTERED = "FacilitatorRegistered"
FACILITATOR_UPDATED = "FacilitatorUpdated"
FACILITATOR_ASSIGNED = "FacilitatorAssigned"
FACILITATOR_ASSIGNMENT_ENDED = "FacilitatorAssignmentEnded"
#: An assignment's current state published again (registry migration 0005, when facilitator payloads
#: gained the login subject): consumers treat it like any assignment snapshot.
FACILITATOR_ASSIGNMENT_REPUBLISHED = "FacilitatorAssignmentRepublished"
MENTORING_NOTE_RECORDED = "MentoringNoteRecorded"
PARTNER_REGISTERED = "PartnerRegistered"
PARTNER_UPDATED = "PartnerUpdated"
PARTNER_PROGRAMME_SAVED = "PartnerProgrammeSaved"
INTERVENTION_RECORDED = "InterventionRecorded"
INTERVENTION_UPDATED = "InterventionUpdated"

AGGREGATE_HOME_INDUSTRY = "HomeIndustry"
AGGREGATE_TEAM = "Team"
AGGREGATE_FACILITATOR = "Facilitator"
AGGREGATE_PARTNER = "Partner"
AGGREGATE_INTERVENTION = "Intervention"
AGGREGATE_MENTORING_NOTE = "MentoringNote"


def _iso(value: Any) -> Any:
    return value.isoformat() if value is not None and hasattr(value, "isoformat") else value


def home_industry_snapshot(row: Mapping[str, Any]) -> dict[str, Any]:
    """The non-personal state of an IR, from a ``registry.home_industries`` row."""
    products = row["products"] or []
    return {
        "id": str(row["id"]),
        "registrationNumber": row["registration_number"],
        "regencyCode": row["regency_code"],
        "villageCode": row["village_code"],
        "businessCategory": row["business_category"],
        "products": [p.get("name") for p in products],
        "ownerSex": row["owner_sex"],
        "ownerIsFemaleHeadOfHousehold": row["owner_is_female_head_of_household"],
        "workersFemale": row["workers_female"],
        "workersMale": row["workers_male"],
        "registeredOn": _iso(row["registered_on"]),
        "businessStartedOn": _iso(row["business_started_on"]),
        "status": row["status"],
        "statusChangedOn": _iso(row["status_changed_on"]),
        "currentClass": row["current_class"],
        "lastAssessedOn": _iso(row["last_assessed_on"]),
        "consentToShare": row["consent_to_share"],
        "hasNib": bool(row["nib"]),
        "hasPirt": bool(row["pirt_number"]),
        "hasHalalCertificate": bool(row["halal_certificate_number"]),
        "legalForm": row["legal_form"],
        "marketingChannels": list(row["marketing_channels"] or []),
        "constraints": list(row["constraints"] or []),
        "hopes": list(row["hopes"] or []),
        "assistanceReceived": list(row["assistance_received"] or []),
        "version": row["version"],
    }


def assessment_payload(row: Mapping[str, Any]) -> dict[str, Any]:
    """An assessment as published (it has no personal data)."""
    return {
        "id": str(row["id"]),
        "assessedOn": _iso(row["assessed_on"]),
        "irClass": row["ir_class"],
        "score": row["score"],
        "workerCount": row["worker_count"],
        "capitalAmount": row["capital_amount"],
        "businessAgeMonths": row["business_age_months"],
        "assetsExcludingLandAndBuildings": row["assets_excluding_land_and_buildings"],
        "annualTurnover": row["annual_turnover"],
        "smallEnterpriseCandidate": row["small_enterprise_candidate"],
        "ruleSet": f'{row["rule_set_code"]}@{row["rule_set_version"]}',
    }


def event_payload(
    home_industry: Mapping[str, Any], *, assessment: Mapping[str, Any] | None = None, reason: str | None = None
) -> dict[str, Any]:
    payload: dict[str, Any] = {"schema": PAYLOAD_SCHEMA, "homeIndustry": home_industry_snapshot(home_industry)}
    if assessment is not None:
        payload["assessment"] = assessment_payload(assessment)
    if reason is not None:
        payload["reason"] = reason
    return payload


# Teams, facilitators, partners and interventions. Names, phone numbers, e-mail addresses and
# free-text notes stay in the registry: payloads carry ids, codes, kinds and dates. A facilitator's
# login subject is published (an account identifier, not a name or contact): it is how reporting maps
# her token to her assignments, which scope every report she reads.


def team_payload(row: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "schema": PAYLOAD_SCHEMA,
        "team": {
            "id": str(row["id"]),
            "level": row["level"],
            "regionCode": row["region_code"],
            "decreeNumber": row["decree_number"],
            "decreeDate": _iso(row["decree_date"]),
            "activeFrom": _iso(row["active_from"]),
            "activeUntil": _iso(row["active_until"]),
            "version": row["version"],
        },
    }


def team_member_payload(team: Mapping[str, Any], member: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "schema": PAYLOAD_SCHEMA,
        "team": {"id": str(team["id"]), "level": team["level"], "regionCode": team["region_code"]},
        "member": {
            "id": str(member["id"]),
            "position": member["position"],
            "agency": member["agency"],
            "activeFrom": _iso(member["active_from"]),
            "activeUntil": _iso(member["active_until"]),
        },
    }


def facilitator_payload(row: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "schema": PAYLOAD_SCHEMA,
        "facilitator": {
            "id": str(row["id"]),
            "regencyCode": row["regency_code"],
            "subject": row["subject"],
            "sex": row["sex"],
            "activeFrom": _iso(row["active_from"]),
            "activeUntil": _iso(row["active_until"]),
            "version": row["version"],
        },
    }


def facilitator_assignment_payload(row: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "schema": PAYLOAD_SCHEMA,
        "assignment": {
            "id": str(row["id"]),
            "facilitatorId": str(row["facilitator_id"]),
            "villageCode": row["village_code"],
            "homeIndustryId": str(row["home_industry_id"]) if row["home_industry_id"] is not None else None,
            "activeFrom": _iso(row["active_from"]),
            "activeUntil": _iso(row["active_until"]),
        },
    }


def mentoring_note_payload(row: Mapping[str, Any]) -> dict[str, Any]:
    """A mentoring visit happened (the note's text may name people: it stays in the registry)."""
    return {
        "schema": PAYLOAD_SCHEMA,
        "mentoringNote": {
            "id": str(row["id"]),
            "homeIndustryId": str(row["home_industry_id"]),
            "facilitatorId": str(row["facilitator_id"]),
            "notedOn": _iso(row["noted_on"]),
        },
    }


def partner_payload(row: Mapping[str, Any]) -> dict[str, Any]:
    # An institution's name is not personal data; reports group assistance by provider.
    return {
        "schema": PAYLOAD_SCHEMA,
        "partner": {
            "id": str(row["id"]),
            "kind": row["kind"],
            "name": row["name"],
            "regionCode": row["region_code"],
            "version": row["version"],
        },
    }


def programme_payload(row: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "schema": PAYLOAD_SCHEMA,
        "programme": {
            "id": str(row["id"]),
            "partnerId": str(row["partner_id"]),
            "name": row["name"],
            "eligibility": row["eligibility"],
            "activeFrom": _iso(row["active_from"]),
            "activeUntil": _iso(row["active_until"]),
        },
    }


def intervention_payload(
    row: Mapping[str, Any], home_industry: Mapping[str, Any], class_before: str | None
) -> dict[str, Any]:
    """What reporting needs to relate interventions to moves up: the IR, kind, dates, value, provider kind."""
    return {
        "schema": PAYLOAD_SCHEMA,
        "intervention": {
            "id": str(row["id"]),
            "homeIndustryId": str(row["home_industry_id"]),
            "regencyCode": home_industry["regency_code"],
            "villageCode": home_industry["village_code"],
            "type": row["type"],
            "providerKind": row["provider_kind"],
            "partnerId": str(row["partner_id"]) if row["partner_id"] is not None else None,
            "programmeId": str(row["programme_id"]) if row["programme_id"] is not None else None,
            "startedOn": _iso(row["started_on"]),
            "endedOn": _iso(row["ended_on"]),
            "value": row["value"],
            "classBefore": class_before,
            "version": row["version"],
        },
    }


def transfer_payload(home_industry: Mapping[str, Any], transfer: Mapping[str, Any]) -> dict[str, Any]:
    """An IR moved: its snapshot after the move, and the move (no reason text: it may name people)."""
    payload = event_payload(home_industry)
    payload["transfer"] = {
        "id": str(transfer["id"]),
        "fromRegencyCode": transfer["from_regency_code"],
        "fromVillageCode": transfer["from_village_code"],
        "fromRegistrationNumber": transfer["from_registration_number"],
        "toRegencyCode": transfer["to_regency_code"],
        "toVillageCode": transfer["to_village_code"],
        "transferredOn": _iso(transfer["transferred_on"]),
    }
    return payload
