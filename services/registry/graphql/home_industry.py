"""The HomeIndustry entity: one IR record as the survey collects it (Permen PPPA 2/2016 BAB V G)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from sqlalchemy.engine import RowMapping

from services.registry.domain import access, network_access
from services.registry.domain import validation as check
from services.registry.graphql.assessment import Assessment
from services.registry.graphql.context import RegistryInfo
from services.registry.graphql.enums import (
    AssistanceType,
    BusinessCategory,
    Education,
    HomeIndustryStatus,
    IrClass,
    LegalForm,
    MarketingChannel,
    ProviderKind,
    Sex,
)
from services.registry.graphql.region import Region
from services.registry.graphql.scalars import Rupiah
from siir.connections import Connection, CursorKey, page_size, slice_after

if TYPE_CHECKING:
    from services.registry.graphql.facilitator import Facilitator, MentoringNote
    from services.registry.graphql.intervention import Intervention

FacilitatorType = Annotated["Facilitator", strawberry.lazy("services.registry.graphql.facilitator")]
MentoringNoteType = Annotated["MentoringNote", strawberry.lazy("services.registry.graphql.facilitator")]

#: Largest page of an IR's interventions (they grow with every programme it joins).
MAX_INTERVENTIONS_PAGE = 200
INTERVENTION_CURSOR = CursorKey("IrIntervention", int)
#: Largest page of an IR's mentoring notes (one a visit, for at least three years).
MAX_NOTES_PAGE = 200
NOTE_CURSOR = CursorKey("MentoringNote", int)
InterventionRef = Annotated["Intervention", strawberry.lazy("services.registry.graphql.intervention")]


@dataclass(frozen=True, slots=True)
class PersonalRecord:
    """The personal fields of one IR as stored. Resolvers return them raw: the policy
    (services/registry/policy.py) masks, generalises or withholds them per role and audits each read."""

    pk: int
    regency_code: str
    consented: bool
    values: dict[str, Any]



@strawberry.type(description="The owner (pelaku usaha): identity as surveyed.")
class Owner:
    sex: Sex = strawberry.field(description="The owner's sex.")
    birth_year: int | None = strawberry.field(description="Year of birth; null when not recorded.")
    education: Education | None = strawberry.field(
        description="Highest education completed (pendidikan terakhir); null when not recorded."
    )
    is_female_head_of_household: bool = strawberry.field(
        description="Female head of household (Kepala Rumah Tangga Perempuan, KRTP)."
    )
    record: strawberry.Private[PersonalRecord]

    @strawberry.federation.field(description="The owner's name.")
    def name(self, info: RegistryInfo) -> str:
        return self.record.values[access.OWNER_NAME]  # type: ignore[no-any-return]

    @strawberry.federation.field(
        description="National identity number (NIK), 16 digits; masked (3374********0001) for national and "
        "province roles; never shown to partners.",
    )
    def nik(self, info: RegistryInfo) -> str:
        return self.record.values[access.NIK]  # type: ignore[no-any-return]

    @strawberry.federation.field(
        description="Phone number in E.164 form (+62…); masked (0812****7890) for national and province roles; "
        "partners see it only with the owner's consent.",
    )
    def phone(self, info: RegistryInfo) -> str | None:
        return self.record.values[access.PHONE]  # type: ignore[no-any-return]


@strawberry.type(description="Coordinates of the business (WGS 84).")
class Location:
    latitude: float = strawberry.field(description="Latitude in decimal degrees (WGS 84).")
    longitude: float = strawberry.field(description="Longitude in decimal degrees (WGS 84).")
    exact: bool = strawberry.field(
        description="False when cut to one decimal (about 11 km) because your role sees personal data masked."
    )


@strawberry.type(description="Permits and certificates (legalitas usaha).")
class Legality:
    nib: str | None = strawberry.field(
        description="Business identification number (NIB) from OSS, successor of the micro-business licence (IUMK)."
    )
    kbli: str | None = strawberry.field(
        description="KBLI 2020 business classification code (Klasifikasi Baku Lapangan Usaha Indonesia), five digits; "
                    "the Ministry of Cooperatives and SMEs' register needs it at hand-over."
    )
    pirt_number: str | None = strawberry.field(description="Food home-industry permit (SPP-IRT / P-IRT) number.")
    halal_certificate_number: str | None = strawberry.field(description="Halal certificate number; null when none.")
    legal_form: LegalForm = strawberry.field(
        description="Legal form (bentuk badan usaha): INDIVIDUAL for most IR; COOPERATIVE or LIMITED_COMPANY make it a "
                    "formal entity, which the programme's indicators count (Tabel 3)."
    )


@strawberry.type(description="A product of the IR (produk usaha).")
class Product:
    name: str = strawberry.field(description="Product name.")
    monthly_volume: int | None = strawberry.field(
        description="How many units are made a month; null when not recorded."
    )
    unit: str | None = strawberry.field(description="Unit of the volume, e.g. `pack`; null when not recorded.")
    raw_materials: list[str] = strawberry.field(description="Raw materials (bahan baku).")


@strawberry.type(description="Workers by education level (jumlah dan pendidikan tenaga kerja).")
class WorkersByEducation:
    education: Education = strawberry.field(description="Highest education completed.")
    count: int = strawberry.field(description="Number of workers with it.")


@strawberry.type(description="The workforce (ketenagakerjaan) by sex, the owner included, as Tabel 2 counts workers.")
class Workforce:
    female_workers: int = strawberry.field(
        description="Women working in the business, the owner included when a woman."
    )
    male_workers: int = strawberry.field(description="Men working in the business, the owner included when a man.")
    by_education: list[WorkersByEducation] = strawberry.field(description="Workers by highest education completed.")
    average_monthly_wage: Rupiah | None = strawberry.field(description="Average monthly wage (besaran upah).")
    weekly_hours: int | None = strawberry.field(description="Usual working hours a week (jam kerja).")
    protection: list[str] = strawberry.field(description="Worker protection in place (perlindungan), e.g. BPJS.")
    special_treatment: str | None = strawberry.field(description="Special treatment (perlakuan khusus), e.g. for pregnant workers.")
    trainings_attended: list[str] = strawberry.field(
        description="Trainings the workers attended (pelatihan yang pernah diikuti)."
    )
    trainings_wanted: list[str] = strawberry.field(description="Trainings they want (pelatihan yang dibutuhkan).")

    @strawberry.field(description="All workers, the owner included.")
    def total_workers(self) -> int:
        return self.female_workers + self.male_workers


@strawberry.type(description="Assistance received before (bantuan yang pernah didapat) and from whom.")
class AssistanceReceived:
    type: AssistanceType = strawberry.field(description="Kind of assistance.")
    provider: str = strawberry.field(
        description="Who gave it, as the owner names it (e.g. `Dinas Koperasi`, `PNM Mekaar`)."
    )
    provider_kind: ProviderKind | None = strawberry.field(
        description="Kind of institution that gave it; null when unknown."
    )
    year: int | None = strawberry.field(description="Year it was received; null when unknown.")
    description: str | None = strawberry.field(description="What exactly was given; null when not recorded.")


@strawberry.type(description="The owner's consent to share the record with partner institutions (UU 27/2022 PDP).")
class SharingConsent:
    granted: bool = strawberry.field(
        description="True when the owner consents to sharing with partner institutions; partners see the IR only "
                    "then."
    )
    recorded_on: dt.date | None = strawberry.field(description="Date the consent was recorded; null when never asked.")


def _products(items: list[dict[str, Any]]) -> list[Product]:
    return [
        Product(
            name=p["name"],
            monthly_volume=p.get("monthlyVolume"),
            unit=p.get("unit"),
            raw_materials=list(p.get("rawMaterials") or []),
        )
        for p in items
    ]


def _workforce(row: RowMapping) -> Workforce:
    detail = row["workforce"] or {}
    return Workforce(
        female_workers=row["workers_female"],
        male_workers=row["workers_male"],
        by_education=[
            WorkersByEducation(education=Education(level), count=n)
            for level, n in sorted((detail.get("education") or {}).items())
        ],
        average_monthly_wage=detail.get("averageMonthlyWage"),
        weekly_hours=detail.get("weeklyHours"),
        protection=list(detail.get("protection") or []),
        special_treatment=detail.get("specialTreatment"),
        trainings_attended=list(detail.get("trainingsAttended") or []),
        trainings_wanted=list(detail.get("trainingsWanted") or []),
    )


def _assistance(items: list[dict[str, Any]]) -> list[AssistanceReceived]:
    return [
        AssistanceReceived(
            type=AssistanceType(a["type"]),
            provider=a["provider"],
            provider_kind=ProviderKind(a["providerKind"]) if a.get("providerKind") else None,
            year=a.get("year"),
            description=a.get("description"),
        )
        for a in items
    ]


@strawberry.type(
    description="A registration number an IR has held (nomor registrasi): each transfer to another regency/city "
    "issues a new one and the old one stays findable with `homeIndustryByRegistrationNumber`."
)
class IssuedRegistrationNumber:
    number: str = strawberry.field(description="The registration number, e.g. `IR-33.74-000123`.")
    regency_code: str = strawberry.field(description="The regency/city (kabupaten/kota) code that issued it.")
    used_until: dt.date | None = strawberry.field(
        description="The last day before the IR moved away under it; null for the number it holds now."
    )


@strawberry.federation.type(
    keys=["id"],
    description="A home industry (Industri Rumahan, IR): a micro-enterprise run from the home, as registered "
    "and surveyed by its regency/city office.",
)
class HomeIndustry:
    id: strawberry.ID = strawberry.field(description="Opaque identifier; pass it back as given.")
    registration_number: str = strawberry.field(description="Registration number, unique within its regency/city.")
    status: HomeIndustryStatus = strawberry.field(
        description="Where the IR stands in the programme: active, closed or graduated."
    )
    status_changed_on: dt.date | None = strawberry.field(description="Date it closed or graduated; null while active.")
    status_reason: str | None = strawberry.field(description="Why it closed (e.g. gulung tikar) or graduated.")
    business_name: str = strawberry.field(description="Name of the business (nama usaha).")
    business_category: BusinessCategory = strawberry.field(description="Business category (kategori usaha).")
    owner: Owner = strawberry.field(description="The owner (pemilik); her personal fields are masked by role.")
    business_started_on: dt.date = strawberry.field(
        description="Date the business started; business age is counted from it."
    )
    registered_on: dt.date = strawberry.field(description="Date the IR was registered in the programme.")
    legality: Legality = strawberry.field(description="Licences and certificates (legalitas usaha).")
    products: list[Product] = strawberry.field(description="Products (produk) made.")
    monthly_gross_income: Rupiah | None = strawberry.field(description="Monthly gross income (pendapatan kotor).")
    infrastructure: list[str] = strawberry.field(description="Production infrastructure (infrastruktur).")
    workforce: Workforce = strawberry.field(description="Workers (tenaga kerja) and their conditions.")
    marketing_channels: list[MarketingChannel] = strawberry.field(
        description="Where the products are sold (pemasaran)."
    )
    constraints: list[str] = strawberry.field(description="Constraints the owner names (kendala).")
    hopes: list[str] = strawberry.field(description="What the owner hopes for (harapan).")
    assistance_received: list[AssistanceReceived] = strawberry.field(
        description="Assistance received before registration or since (bantuan), as the survey records it."
    )
    consent: SharingConsent = strawberry.field(
        description="The owner's consent to share with partner institutions (UU 27/2022 PDP)."
    )
    current_class: IrClass | None = strawberry.field(
        description="The class of the newest assessment: Pemula (IR 1), Berkembang (IR 2) or Maju (IR 3)."
    )
    current_score: int | None = strawberry.field(
        description="Score (6–18, the sum of the six criterion levels) of the newest assessment; null before the "
                    "first."
    )
    last_assessed_on: dt.date | None = strawberry.field(
        description="Date of the newest assessment; null before the first."
    )
    version: int = strawberry.field(description="Row version for optimistic concurrency: pass it back as `expectedVersion`.")
    village_code: strawberry.Private[str]
    pk: strawberry.Private[int]
    record: strawberry.Private[PersonalRecord]

    @classmethod
    def from_row(cls, row: RowMapping) -> "HomeIndustry":
        location = None
        if row["latitude"] is not None and row["longitude"] is not None:
            location = Location(latitude=row["latitude"], longitude=row["longitude"], exact=True)
        record = PersonalRecord(
            pk=row["id"],
            regency_code=row["regency_code"],
            consented=row["consent_to_share"],
            values={
                access.OWNER_NAME: row["owner_name"],
                access.NIK: row["owner_nik"],
                access.PHONE: row["owner_phone"],
                access.ADDRESS: row["address"],
                access.LOCATION: location,
            },
        )
        return cls(
            id=strawberry.ID(str(row["id"])),
            pk=row["id"],
            registration_number=row["registration_number"],
            status=HomeIndustryStatus(row["status"]),
            status_changed_on=row["status_changed_on"],
            status_reason=row["status_reason"],
            business_name=row["business_name"],
            business_category=BusinessCategory(row["business_category"]),
            owner=Owner(
                sex=Sex(row["owner_sex"]),
                birth_year=row["owner_birth_year"],
                education=Education(row["owner_education"]) if row["owner_education"] else None,
                is_female_head_of_household=row["owner_is_female_head_of_household"],
                record=record,
            ),
            record=record,
            business_started_on=row["business_started_on"],
            registered_on=row["registered_on"],
            legality=Legality(
                nib=row["nib"], kbli=row["kbli"], pirt_number=row["pirt_number"], halal_certificate_number=row["halal_certificate_number"],
                legal_form=LegalForm(row["legal_form"]),
            ),
            products=_products(row["products"] or []),
            monthly_gross_income=row["monthly_gross_income"],
            infrastructure=list(row["infrastructure"] or []),
            workforce=_workforce(row),
            marketing_channels=[MarketingChannel(c) for c in row["marketing_channels"] or []],
            constraints=list(row["constraints"] or []),
            hopes=list(row["hopes"] or []),
            assistance_received=_assistance(row["assistance_received"] or []),
            consent=SharingConsent(granted=row["consent_to_share"], recorded_on=row["consent_recorded_on"]),
            current_class=IrClass(row["current_class"]) if row["current_class"] else None,
            current_score=row["current_score"],
            last_assessed_on=row["last_assessed_on"],
            version=row["version"],
            village_code=row["village_code"],
        )

    @classmethod
    async def resolve_reference(cls, info: RegistryInfo, id: strawberry.ID) -> "HomeIndustry | None":
        """An IR by id; one outside the caller's scope resolves as missing (null)."""
        pk = check.reference_id(id)  # the loader applies the scope itself
        if pk is None:
            return None
        row = await info.context.loaders.home_industry.load(pk)
        return cls.from_row(row) if row is not None else None

    @strawberry.federation.field(
        description="Street address; masked to its first word for national and province roles, never shown "
        "to partners.",
    )
    def address(self, info: RegistryInfo) -> str | None:
        return self.record.values[access.ADDRESS]  # type: ignore[no-any-return]

    @strawberry.federation.field(
        description="Coordinates; cut to one decimal for national and province roles, never shown to partners.",
    )
    def location(self, info: RegistryInfo) -> Location | None:
        return self.record.values[access.LOCATION]  # type: ignore[no-any-return]

    @strawberry.field(
        description="The village (desa/kelurahan) where the business is; its `parent` chain reaches the province. "
        "Partners see the sub-district only (`subDistrict`)."
    )
    async def village(self, info: RegistryInfo) -> Region:
        row = await info.context.loaders.region.load(self.village_code)
        assert row is not None, "village_code is a foreign key"
        return Region.from_row(row)

    @strawberry.field(description="The sub-district (kecamatan) where the business is.")
    async def sub_district(self, info: RegistryInfo) -> Region:
        row = await info.context.loaders.region.load(self.village_code.rsplit(".", 1)[0])
        assert row is not None, "a village's parent is a sub-district"
        return Region.from_row(row)

    @strawberry.field(
        description="Every registration number the IR has held, oldest first, the current one last (a transfer "
        "between regencies/cities issues a new one)."
    )
    async def registration_number_history(self, info: RegistryInfo) -> list[IssuedRegistrationNumber]:
        moves = await info.context.loaders.accepted_transfers.load(self.pk) or []
        history = [
            IssuedRegistrationNumber(number=move["from_registration_number"], regency_code=move["from_regency_code"],
                                     used_until=move["transferred_on"] - dt.timedelta(days=1))
            for move in moves
        ]
        history.append(IssuedRegistrationNumber(number=self.registration_number, regency_code=self.record.regency_code,
                                                used_until=None))
        return history

    @strawberry.field(description="The newest assessment (by date), or null before the first.")
    async def latest_assessment(self, info: RegistryInfo) -> Assessment | None:
        row = await info.context.loaders.latest_assessment.load(self.pk)
        return Assessment.from_row(row) if row is not None else None

    @strawberry.field(description="Every assessment, newest first: the IR's class history.")
    async def assessments(self, info: RegistryInfo) -> list[Assessment]:
        rows = await info.context.loaders.assessment_history.load(self.pk)
        return [Assessment.from_row(row) for row in rows]

    @strawberry.federation.field(
        description="Facilitators (pendamping) assigned to this IR today, directly or through its village "
        "(for the offices and facilitators).",
    )
    async def facilitators(self, info: RegistryInfo) -> list[FacilitatorType]:
        from services.registry.graphql.facilitator import Facilitator

        identity = info.context.identity
        rows = await info.context.loaders.home_industry_facilitators.load(self.pk)
        return [Facilitator.from_row(row) for row in rows if network_access.admits_facilitator(identity, row["regency_code"])]

    @strawberry.field(
        description="Interventions given to this IR, oldest first, with its class before and after each, a page at "
        "a time."
    )
    async def interventions(
        self,
        info: RegistryInfo,
        first: Annotated[int, strawberry.argument(description=f"Page size: at most {MAX_INTERVENTIONS_PAGE}.")] = 20,
        after: Annotated[str | None, strawberry.argument(description="The `endCursor` of the previous page.")] = None,
    ) -> Connection[InterventionRef]:
        from services.registry.graphql.intervention import Intervention

        first = page_size(first, MAX_INTERVENTIONS_PAGE)
        rows = await info.context.loaders.interventions.load(self.pk)
        return slice_after(rows, first, after, key=INTERVENTION_CURSOR, key_of=lambda row: (row["id"],),
                           node_of=Intervention.from_row)

    @strawberry.federation.field(
        description="Facilitators' mentoring notes, newest first (for the offices and facilitators; the text "
        "for the regency/city office and the facilitator only).",
    )
    async def mentoring_notes(
        self,
        info: RegistryInfo,
        first: Annotated[int, strawberry.argument(description=f"Page size: at most {MAX_NOTES_PAGE}.")] = 20,
        after: Annotated[str | None, strawberry.argument(description="The `endCursor` of the previous page.")] = None,
    ) -> Connection[MentoringNoteType]:
        from services.registry.graphql.facilitator import MentoringNote

        first = page_size(first, MAX_NOTES_PAGE)
        rows = await info.context.loaders.mentoring_notes.load(self.pk)
        return slice_after(rows, first, after, key=NOTE_CURSOR, key_of=lambda row: (row["id"],),
                           node_of=lambda row: MentoringNote.from_row(row, self.record.regency_code))
