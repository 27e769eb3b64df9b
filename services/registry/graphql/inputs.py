"""GraphQL input types of the registry and their translation into validated column values.

Every error names the input path (``input.owner.nik``) in ``extensions.field``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import strawberry
from strawberry import UNSET

from services.registry.domain import validation as check
from services.registry.domain.classification import Criteria
from services.registry.graphql.enums import (
    AssistanceType,
    BusinessCategory,
    CapitalSource,
    Education,
    MarketingChannel,
    ProductionPattern,
    ProductionTechnology,
    ProviderKind,
    Sex,
)
from services.registry.graphql.scalars import Rupiah


@strawberry.input(description="The owner's identity. Sex and birth year default to what the NIK encodes.")
class OwnerInput:
    name: str
    nik: str
    sex: Sex | None = None
    birth_year: int | None = None
    education: Education | None = None
    is_female_head_of_household: bool = False
    phone: str | None = None


@strawberry.input
class LocationInput:
    latitude: float
    longitude: float


@strawberry.input
class LegalityInput:
    nib: str | None = None
    pirt_number: str | None = None
    halal_certificate_number: str | None = None


@strawberry.input
class ProductInput:
    name: str
    monthly_volume: int | None = None
    unit: str | None = None
    raw_materials: list[str] = strawberry.field(default_factory=list)


@strawberry.input
class WorkersByEducationInput:
    education: Education
    count: int


@strawberry.input(description="Workers by sex, the owner included (as Tabel 2 counts them), and their conditions.")
class WorkforceInput:
    female_workers: int = 0
    male_workers: int = 0
    by_education: list[WorkersByEducationInput] = strawberry.field(default_factory=list)
    average_monthly_wage: Rupiah | None = None
    weekly_hours: int | None = None
    protection: list[str] = strawberry.field(default_factory=list)
    special_treatment: str | None = None
    trainings_attended: list[str] = strawberry.field(default_factory=list)
    trainings_wanted: list[str] = strawberry.field(default_factory=list)


@strawberry.input
class AssistanceReceivedInput:
    type: AssistanceType
    provider: str
    provider_kind: ProviderKind | None = None
    year: int | None = None
    description: str | None = None


@strawberry.input
class ConsentInput:
    granted: bool
    recorded_on: dt.date | None = None


@strawberry.input(description="The six criteria of an assessment as the surveyor entered them.")
class AssessmentInput:
    assessed_on: dt.date
    worker_count: int = strawberry.field(description="Workers including the owner.")
    production_technology: ProductionTechnology
    capital_source: CapitalSource
    capital_amount: Rupiah
    production_pattern: ProductionPattern
    assets_excluding_land_and_buildings: Rupiah | None = None
    annual_turnover: Rupiah | None = None
    assessor: str | None = None
    notes: str | None = None
    facilitator_id: strawberry.ID | None = strawberry.field(
        default=None, description="The facilitator (pendamping) who assessed the IR, if one did."
    )


@strawberry.input(description="A new IR record with its first assessment.")
class RegisterHomeIndustryInput:
    village_code: str = strawberry.field(description="Kemendagri code of the village (desa/kelurahan).")
    business_name: str
    business_category: BusinessCategory
    owner: OwnerInput
    business_started_on: dt.date
    first_assessment: AssessmentInput
    registered_on: dt.date | None = strawberry.field(default=None, description="Defaults to today (WIB).")
    address: str | None = None
    location: LocationInput | None = None
    legality: LegalityInput | None = None
    products: list[ProductInput] = strawberry.field(default_factory=list)
    monthly_gross_income: Rupiah | None = None
    infrastructure: list[str] = strawberry.field(default_factory=list)
    workforce: WorkforceInput | None = None
    marketing_channels: list[MarketingChannel] = strawberry.field(default_factory=list)
    constraints: list[str] = strawberry.field(default_factory=list)
    hopes: list[str] = strawberry.field(default_factory=list)
    assistance_received: list[AssistanceReceivedInput] = strawberry.field(default_factory=list)
    consent: ConsentInput | None = None
    additional_business_reason: str | None = strawberry.field(
        default=None,
        description="Give it only when the owner (NIK) already has an active IR and this is another, different "
        "business of theirs (usaha lain): why it is registered separately. Recorded in the audit trail. "
        "Without it a NIK that already has an active IR is refused with CONFLICT.",
    )


@strawberry.input(description="Changes to an IR record; fields left out stay as they are.")
class UpdateHomeIndustryInput:
    village_code: str | None = UNSET
    business_name: str | None = UNSET
    business_category: BusinessCategory | None = UNSET
    owner: OwnerInput | None = UNSET
    business_started_on: dt.date | None = UNSET
    address: str | None = UNSET
    location: LocationInput | None = UNSET
    legality: LegalityInput | None = UNSET
    products: list[ProductInput] | None = UNSET
    monthly_gross_income: Rupiah | None = UNSET
    infrastructure: list[str] | None = UNSET
    workforce: WorkforceInput | None = UNSET
    marketing_channels: list[MarketingChannel] | None = UNSET
    constraints: list[str] | None = UNSET
    hopes: list[str] | None = UNSET
    assistance_received: list[AssistanceReceivedInput] | None = UNSET
    consent: ConsentInput | None = UNSET


def _owner(field: str, owner: OwnerInput, today: dt.date) -> dict[str, Any]:
    values = check.owner(
        field,
        nik_value=owner.nik,
        sex=owner.sex.value if owner.sex else None,
        birth_year=owner.birth_year,
        krtp=owner.is_female_head_of_household,
        today=today,
    )
    values["owner_name"] = check.text(f"{field}.name", owner.name, required=True)
    values["owner_education"] = owner.education.value if owner.education else None
    values["owner_is_female_head_of_household"] = owner.is_female_head_of_household
    values["owner_phone"] = check.phone(f"{field}.phone", owner.phone)
    return values


def _products(field: str, products: list[ProductInput]) -> list[dict[str, Any]]:
    check.list_length(field, products)
    return [
        {
            "name": check.text(f"{field}[{i}].name", p.name, required=True, max_length=120),
            "monthlyVolume": check.count(f"{field}[{i}].monthlyVolume", p.monthly_volume),
            "unit": check.text(f"{field}[{i}].unit", p.unit, max_length=40),
            "rawMaterials": check.text_list(f"{field}[{i}].rawMaterials", p.raw_materials, max_length=120),
        }
        for i, p in enumerate(products)
    ]


def _workforce(field: str, workforce: WorkforceInput) -> dict[str, Any]:
    education: dict[str, int] = {}
    for i, entry in enumerate(workforce.by_education):
        education[entry.education.value] = check.count(f"{field}.byEducation[{i}].count", entry.count) or 0
    hours = check.count(f"{field}.weeklyHours", workforce.weekly_hours)
    if hours is not None and hours > 168:
        raise check.InvalidInput(f"{field}.weeklyHours", "is more than the 168 hours of a week")
    return {
        "workers_female": check.count(f"{field}.femaleWorkers", workforce.female_workers) or 0,
        "workers_male": check.count(f"{field}.maleWorkers", workforce.male_workers) or 0,
        "workforce": {
            "education": education,
            "averageMonthlyWage": check.rupiah(f"{field}.averageMonthlyWage", workforce.average_monthly_wage),
            "weeklyHours": hours,
            "protection": check.text_list(f"{field}.protection", workforce.protection),
            "specialTreatment": check.text(f"{field}.specialTreatment", workforce.special_treatment, max_length=check.MAX_TEXT),
            "trainingsAttended": check.text_list(f"{field}.trainingsAttended", workforce.trainings_attended),
            "trainingsWanted": check.text_list(f"{field}.trainingsWanted", workforce.trainings_wanted),
        },
    }


def _assistance(field: str, items: list[AssistanceReceivedInput], today: dt.date) -> list[dict[str, Any]]:
    check.list_length(field, items)
    result = []
    for i, a in enumerate(items):
        if a.year is not None and not 1945 <= a.year <= today.year:
            raise check.InvalidInput(f"{field}[{i}].year", f"must be between 1945 and {today.year}")
        result.append(
            {
                "type": a.type.value,
                "provider": check.text(f"{field}[{i}].provider", a.provider, required=True),
                "providerKind": a.provider_kind.value if a.provider_kind else None,
                "year": a.year,
                "description": check.text(f"{field}[{i}].description", a.description, max_length=check.MAX_TEXT),
            }
        )
    return result


def _consent(field: str, consent: ConsentInput | None, today: dt.date) -> dict[str, Any]:
    if consent is None or not consent.granted:
        return {"consent_to_share": False, "consent_recorded_on": None}
    recorded = check.past_date(f"{field}.recordedOn", consent.recorded_on, today) or today
    return {"consent_to_share": True, "consent_recorded_on": recorded}


def record_values(data: Any, today: dt.date, *, prefix: str = "input") -> dict[str, Any]:
    """Validated column values from a register or update input (only the fields it gives)."""

    def given(name: str) -> bool:
        # In an update, a field left out is UNSET; an explicit null clears optional fields and
        # is refused for required ones by the checks below.
        return getattr(data, name) is not UNSET

    values: dict[str, Any] = {}
    if given("village_code"):
        values["village_code"] = check.text(f"{prefix}.villageCode", data.village_code, required=True, max_length=20)
    if given("business_name"):
        values["business_name"] = check.text(f"{prefix}.businessName", data.business_name, required=True)
    if given("business_category"):
        if data.business_category is None:
            raise check.InvalidInput(f"{prefix}.businessCategory", "is required")
        values["business_category"] = data.business_category.value
    if given("owner"):
        if data.owner is None:
            raise check.InvalidInput(f"{prefix}.owner", "is required")
        values.update(_owner(f"{prefix}.owner", data.owner, today))
    if given("business_started_on"):
        values["business_started_on"] = check.past_date(
            f"{prefix}.businessStartedOn", data.business_started_on, today, required=True
        )
    if given("address"):
        values["address"] = check.text(f"{prefix}.address", data.address, max_length=check.MAX_TEXT)
    if given("location"):
        lat, lon = (data.location.latitude, data.location.longitude) if data.location else (None, None)
        values["latitude"], values["longitude"] = check.coordinates(f"{prefix}.location", lat, lon)
    if given("legality"):
        legality = data.legality or LegalityInput()
        values["nib"] = check.text(f"{prefix}.legality.nib", legality.nib, max_length=40)
        values["pirt_number"] = check.text(f"{prefix}.legality.pirtNumber", legality.pirt_number, max_length=40)
        values["halal_certificate_number"] = check.text(
            f"{prefix}.legality.halalCertificateNumber", legality.halal_certificate_number, max_length=60
        )
    if given("products"):
        values["products"] = _products(f"{prefix}.products", data.products or [])
    if given("monthly_gross_income"):
        values["monthly_gross_income"] = check.rupiah(f"{prefix}.monthlyGrossIncome", data.monthly_gross_income)
    if given("infrastructure"):
        values["infrastructure"] = check.text_list(f"{prefix}.infrastructure", data.infrastructure)
    if given("workforce"):
        values.update(_workforce(f"{prefix}.workforce", data.workforce or WorkforceInput()))
    if given("marketing_channels"):
        values["marketing_channels"] = sorted({c.value for c in data.marketing_channels or []})
    if given("constraints"):
        values["constraints"] = check.text_list(f"{prefix}.constraints", data.constraints)
    if given("hopes"):
        values["hopes"] = check.text_list(f"{prefix}.hopes", data.hopes)
    if given("assistance_received"):
        values["assistance_received"] = _assistance(f"{prefix}.assistanceReceived", data.assistance_received or [], today)
    if given("consent"):
        values.update(_consent(f"{prefix}.consent", data.consent, today))
    return values


def assessment_values(field: str, data: AssessmentInput, business_started_on: dt.date, today: dt.date) -> tuple[Criteria, dict[str, Any]]:
    """The criteria to classify and the stored values of an assessment input."""
    assessed_on = check.past_date(f"{field}.assessedOn", data.assessed_on, today, required=True)
    assert assessed_on is not None
    workers = check.count(f"{field}.workerCount", data.worker_count, minimum=1)
    capital = check.rupiah(f"{field}.capitalAmount", data.capital_amount)
    assert workers is not None and capital is not None
    criteria = Criteria(
        worker_count=workers,
        production_technology=data.production_technology,
        capital_source=data.capital_source,
        capital_amount=capital,
        business_started_on=business_started_on,
        production_pattern=data.production_pattern,
    )
    values = {
        "assessed_on": assessed_on,
        "assets_excluding_land_and_buildings": check.rupiah(
            f"{field}.assetsExcludingLandAndBuildings", data.assets_excluding_land_and_buildings
        ),
        "annual_turnover": check.rupiah(f"{field}.annualTurnover", data.annual_turnover),
        "assessor": check.text(f"{field}.assessor", data.assessor),
        "notes": check.text(f"{field}.notes", data.notes, max_length=check.MAX_TEXT),
        "facilitator_id": check.record_id(f"{field}.facilitatorId", data.facilitator_id),
    }
    return criteria, values
