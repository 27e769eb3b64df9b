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
    LegalForm,
    MarketingChannel,
    ProductionPattern,
    ProductionTechnology,
    ProviderKind,
    Sex,
)
from services.registry.graphql.scalars import Rupiah


@strawberry.input(description="The owner's identity. Sex and birth year default to what the NIK encodes.")
class OwnerInput:
    name: str = strawberry.field(description="The owner's full name.")
    nik: str = strawberry.field(
        description="National identity number (NIK), 16 digits; it encodes the region, sex and birth date."
    )
    sex: Sex | None = strawberry.field(default=None, description="The owner's sex; default: as the NIK encodes it.")
    birth_year: int | None = strawberry.field(
        default=None,
        description="Year of birth; default: as the NIK encodes it."
    )
    education: Education | None = strawberry.field(default=None, description="Highest education completed; optional.")
    is_female_head_of_household: bool = strawberry.field(
        default=False,
        description="Female head of household (Kepala Rumah Tangga Perempuan, KRTP); default false."
    )
    phone: str | None = strawberry.field(
        default=None,
        description="Phone number, Indonesian (08…, +62…); stored in E.164 form. Optional."
    )


@strawberry.input(description="Coordinates of the business (WGS 84 decimal degrees), within Indonesia.")
class LocationInput:
    latitude: float = strawberry.field(description="Latitude in decimal degrees, −11.5 to 6.5 (Indonesia).")
    longitude: float = strawberry.field(description="Longitude in decimal degrees, 94.5 to 141.5 (Indonesia).")


@strawberry.input(description="Licences and certificates (legalitas usaha); each optional.")
class LegalityInput:
    nib: str | None = strawberry.field(
        default=None,
        description="Business identification number (Nomor Induk Berusaha, NIB) from OSS; the former "
                    "IUMK."
    )
    kbli: str | None = strawberry.field(
        default=None, description="KBLI 2020 business classification (Klasifikasi Baku Lapangan Usaha Indonesia): five digits.")
    pirt_number: str | None = strawberry.field(
        default=None,
        description="Food home-industry permit number (SPP-IRT/P-IRT)."
    )
    halal_certificate_number: str | None = strawberry.field(default=None, description="Halal certificate number.")
    legal_form: LegalForm = strawberry.field(
        default=LegalForm.INDIVIDUAL,
        description="Legal form (bentuk badan usaha); INDIVIDUAL when not given. Like the rest of the legality, it is "
                    "replaced whole: an update that gives `legality` without it sets INDIVIDUAL."
    )


@strawberry.input(description="A product the IR makes (produk).")
class ProductInput:
    name: str = strawberry.field(description="Product name.")
    monthly_volume: int | None = strawberry.field(
        default=None,
        description="How many units are made a month, 0 or more; optional."
    )
    unit: str | None = strawberry.field(default=None, description="Unit of the volume, e.g. `pack`; optional.")
    raw_materials: list[str] = strawberry.field(default_factory=list, description="Raw materials used (bahan baku).")


@strawberry.input(description="How many workers completed an education level.")
class WorkersByEducationInput:
    education: Education = strawberry.field(description="Highest education completed.")
    count: int = strawberry.field(description="Number of workers with it, 0 or more.")


@strawberry.input(description="Workers by sex, the owner included (as Tabel 2 counts them), and their conditions.")
class WorkforceInput:
    female_workers: int = strawberry.field(
        default=0,
        description="Women working, the owner included when a woman; 0 or more."
    )
    male_workers: int = strawberry.field(
        default=0,
        description="Men working, the owner included when a man; 0 or more."
    )
    by_education: list[WorkersByEducationInput] = strawberry.field(
        default_factory=list,
        description="Workers by highest education completed."
    )
    average_monthly_wage: Rupiah | None = strawberry.field(
        default=None,
        description="Average monthly wage (upah), in rupiah; optional."
    )
    weekly_hours: int | None = strawberry.field(default=None, description="Usual working hours a week; optional.")
    protection: list[str] = strawberry.field(
        default_factory=list,
        description="Protection the workers have (perlindungan), e.g. `BPJS Ketenagakerjaan`."
    )
    special_treatment: str | None = strawberry.field(
        default=None,
        description="Special treatment given (perlakuan khusus), e.g. for pregnant workers; optional. Long text: up "
                    "to 2,000 characters, newlines and tabs allowed."
    )
    trainings_attended: list[str] = strawberry.field(
        default_factory=list,
        description="Trainings the workers attended."
    )
    trainings_wanted: list[str] = strawberry.field(default_factory=list, description="Trainings they want.")


@strawberry.input(description="Assistance the IR has received before (bantuan yang pernah didapat), as the survey "
                              "records it.")
class AssistanceReceivedInput:
    type: AssistanceType = strawberry.field(description="Kind of assistance.")
    provider: str = strawberry.field(description="Who gave it (e.g. `Dinas Koperasi`, `PNM Mekaar`).")
    provider_kind: ProviderKind | None = strawberry.field(
        default=None,
        description="Kind of institution that gave it; optional."
    )
    year: int | None = strawberry.field(default=None, description="Year it was received; optional.")
    description: str | None = strawberry.field(
        default=None,
        description="What exactly was given; optional. Long text: up to 2,000 characters, newlines and tabs allowed."
    )


@strawberry.input(description="The owner's consent to share her data with partner institutions (UU 27/2022 PDP).")
class ConsentInput:
    granted: bool = strawberry.field(description="True when the owner consents to sharing with partner institutions.")
    recorded_on: dt.date | None = strawberry.field(
        default=None,
        description="Date the consent (or its refusal) was recorded; not in the future. Default: today (Asia/Jakarta)."
    )


@strawberry.input(description="The six criteria of an assessment as the surveyor entered them.")
class AssessmentInput:
    assessed_on: dt.date = strawberry.field(
        description="Date of the assessment; from 1900, not in the future."
    )
    worker_count: int = strawberry.field(description="Workers including the owner.")
    production_technology: ProductionTechnology = strawberry.field(
        description="Production technology (teknologi produksi) observed."
    )
    capital_source: CapitalSource = strawberry.field(description="Source of business capital (sumber modal) observed.")
    capital_amount: Rupiah = strawberry.field(description="Business capital (modal usaha) in rupiah, 0 or more.")
    production_pattern: ProductionPattern = strawberry.field(description="Production pattern (pola produksi) observed.")
    assets_excluding_land_and_buildings: Rupiah | None = strawberry.field(
        default=None,
        description="Assets excluding land and buildings, in rupiah; with the turnover, decides whether a Maju IR is "
                    "a small-enterprise candidate. Null when not surveyed."
    )
    annual_turnover: Rupiah | None = strawberry.field(
        default=None,
        description="Annual turnover (omzet per tahun), in rupiah; null when not surveyed."
    )
    assessor: str | None = strawberry.field(
        default=None,
        description="Who assessed the IR, e.g. the facilitator's name; optional."
    )
    notes: str | None = strawberry.field(
        default=None,
        description="Free-text notes; optional. Long text: up to 2,000 characters, newlines and tabs allowed."
    )
    facilitator_id: strawberry.ID | None = strawberry.field(
        default=None, description="The facilitator (pendamping) who assessed the IR, if one did."
    )


@strawberry.input(description="A new IR record with its first assessment.")
class RegisterHomeIndustryInput:
    village_code: str = strawberry.field(description="Kemendagri code of the village (desa/kelurahan).")
    business_name: str = strawberry.field(description="Name of the business (nama usaha).")
    business_category: BusinessCategory = strawberry.field(description="Business category (kategori usaha).")
    owner: OwnerInput = strawberry.field(description="The owner (pemilik).")
    business_started_on: dt.date = strawberry.field(
        description="Date the business started; from 1900, not in the future."
    )
    first_assessment: AssessmentInput = strawberry.field(
        description="The first assessment, from the same survey; optional."
    )
    registered_on: dt.date | None = strawberry.field(default=None, description="Defaults to today (WIB).")
    address: str | None = strawberry.field(
        default=None,
        description="Street address; optional. Long text: up to 2,000 characters, newlines and tabs allowed."
    )
    location: LocationInput | None = strawberry.field(
        default=None,
        description="Coordinates of the business; optional."
    )
    legality: LegalityInput | None = strawberry.field(default=None, description="Licences and certificates; optional.")
    products: list[ProductInput] = strawberry.field(default_factory=list, description="Products made.")
    monthly_gross_income: Rupiah | None = strawberry.field(
        default=None,
        description="Monthly gross income (pendapatan kotor), in rupiah; optional."
    )
    infrastructure: list[str] = strawberry.field(
        default_factory=list,
        description="Production infrastructure (infrastruktur)."
    )
    workforce: WorkforceInput | None = strawberry.field(
        default=None,
        description="Workers and their conditions; default: none recorded."
    )
    marketing_channels: list[MarketingChannel] = strawberry.field(
        default_factory=list,
        description="Where the products are sold."
    )
    constraints: list[str] = strawberry.field(
        default_factory=list,
        description="Constraints the owner names (kendala)."
    )
    hopes: list[str] = strawberry.field(default_factory=list, description="What the owner hopes for (harapan).")
    assistance_received: list[AssistanceReceivedInput] = strawberry.field(
        default_factory=list,
        description="Assistance received before (bantuan)."
    )
    consent: ConsentInput | None = strawberry.field(
        default=None,
        description="The owner's consent to share with partner institutions; default: not given."
    )
    additional_business_reason: str | None = strawberry.field(
        default=None,
        description="Give it only when the owner (NIK) already has an active IR and this is another, different "
        "business of theirs (usaha lain): why it is registered separately. Recorded in the audit trail. "
        "Without it a NIK that already has an active IR is refused with CONFLICT.",
    )


@strawberry.input(description="Changes to an IR record; fields left out stay as they are.")
class UpdateHomeIndustryInput:
    village_code: str | None = strawberry.field(
        default=UNSET,
        description="Kemendagri code of the new village (desa/kelurahan), within the same regency/city. Omitted: "
                    "unchanged."
    )
    business_name: str | None = strawberry.field(
        default=UNSET,
        description="Name of the business (nama usaha). Omitted: unchanged."
    )
    business_category: BusinessCategory | None = strawberry.field(
        default=UNSET,
        description="Business category (kategori usaha). Omitted: unchanged."
    )
    owner: OwnerInput | None = strawberry.field(default=UNSET, description="The owner (pemilik). Omitted: unchanged.")
    business_started_on: dt.date | None = strawberry.field(
        default=UNSET,
        description="Date the business started; from 1900, not in the future. Omitted: unchanged."
    )
    address: str | None = strawberry.field(
        default=UNSET,
        description="Street address. Long text: up to 2,000 characters, newlines and tabs allowed. Omitted: "
                    "unchanged."
    )
    location: LocationInput | None = strawberry.field(
        default=UNSET,
        description="Coordinates of the business. Omitted: unchanged."
    )
    legality: LegalityInput | None = strawberry.field(
        default=UNSET,
        description="Licences and certificates. Omitted: unchanged."
    )
    products: list[ProductInput] | None = strawberry.field(
        default=UNSET,
        description="Products made. A list replaces the whole list. Omitted: unchanged."
    )
    monthly_gross_income: Rupiah | None = strawberry.field(
        default=UNSET,
        description="Monthly gross income (pendapatan kotor), in rupiah. Omitted: unchanged."
    )
    infrastructure: list[str] | None = strawberry.field(
        default=UNSET,
        description="Production infrastructure (infrastruktur). A list replaces the whole list. Omitted: unchanged."
    )
    workforce: WorkforceInput | None = strawberry.field(
        default=UNSET,
        description="Workers and their conditions. Omitted: unchanged."
    )
    marketing_channels: list[MarketingChannel] | None = strawberry.field(
        default=UNSET,
        description="Where the products are sold. A list replaces the whole list. Omitted: unchanged."
    )
    constraints: list[str] | None = strawberry.field(
        default=UNSET,
        description="Constraints the owner names (kendala). A list replaces the whole list. Omitted: unchanged."
    )
    hopes: list[str] | None = strawberry.field(
        default=UNSET,
        description="What the owner hopes for (harapan). A list replaces the whole list. Omitted: unchanged."
    )
    assistance_received: list[AssistanceReceivedInput] | None = strawberry.field(
        default=UNSET,
        description="Assistance received before (bantuan). A list replaces the whole list. Omitted: unchanged."
    )
    consent: ConsentInput | None = strawberry.field(
        default=UNSET,
        description="The owner's consent to share with partner institutions. Omitted: unchanged."
    )


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
        values["kbli"] = check.kbli(f"{prefix}.legality.kbli", legality.kbli)
        values["pirt_number"] = check.text(f"{prefix}.legality.pirtNumber", legality.pirt_number, max_length=40)
        values["halal_certificate_number"] = check.text(
            f"{prefix}.legality.halalCertificateNumber", legality.halal_certificate_number, max_length=60
        )
        values["legal_form"] = legality.legal_form.value
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
