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

AGGREGATE_HOME_INDUSTRY = "HomeIndustry"


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
