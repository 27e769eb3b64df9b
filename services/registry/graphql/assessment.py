"""Assessment: one classification of an IR on one date, with everything that explains it."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import strawberry
from sqlalchemy.engine import RowMapping

from services.registry.graphql.enums import CapitalSource, IrClass, ProductionPattern, ProductionTechnology
from services.registry.graphql.context import RegistryInfo
from services.registry.graphql.scalars import Rupiah
from services.registry.domain import network_access

if TYPE_CHECKING:
    from services.registry.graphql.facilitator import Facilitator

FacilitatorType = Annotated["Facilitator", strawberry.lazy("services.registry.graphql.facilitator")]


@strawberry.type(description="The level (1–3) each criterion reached under the rule set.")
class CriterionLevels:
    worker_count: int = strawberry.field(
        description="Level (1–3) of the number of workers, owner included: 1–2, 3–5, 6 or more."
    )
    production_technology: int = strawberry.field(description="Level (1–3) of the production technology.")
    capital_source: int = strawberry.field(description="Level (1–3) of the capital source.")
    capital_amount: int = strawberry.field(
        description="Level (1–3) of the capital amount: under Rp 5,000,000; up to under Rp 25,000,000; Rp 25,000,000 "
                    "or more."
    )
    business_age: int = strawberry.field(
        description="Level (1–3) of the business age: under 12 months; 12–24 months; over 24 months."
    )
    production_pattern: int = strawberry.field(description="Level (1–3) of the production pattern.")


@strawberry.type(
    description="An assessment (penilaian) of an IR: the six criteria of Permen PPPA 2/2016 as entered, "
    "their levels, the score (6–18), the class and the rule-set version, so a class can always be "
    "explained and recomputed."
)
class Assessment:
    id: strawberry.ID = strawberry.field(description="Opaque identifier; pass it back as given.")
    assessed_on: dt.date = strawberry.field(description="Date of the assessment (WIB).")
    worker_count: int = strawberry.field(description="Workers including the owner (tenaga kerja).")
    production_technology: ProductionTechnology = strawberry.field(
        description="Production technology (teknologi produksi) observed."
    )
    capital_source: CapitalSource = strawberry.field(description="Source of business capital (sumber modal) observed.")
    capital_amount: Rupiah = strawberry.field(description="Business capital (jumlah modal) in rupiah.")
    business_started_on: dt.date = strawberry.field(
        description="The business start date the business age was counted from (whole months to the assessment "
                    "date)."
    )
    business_age_months: int = strawberry.field(
        description="Business age (lama usaha): whole months from the start date to the assessment date."
    )
    production_pattern: ProductionPattern = strawberry.field(description="Production pattern (pola produksi) observed.")
    assets_excluding_land_and_buildings: Rupiah | None = strawberry.field(
        description="Assets excluding land and buildings, in rupiah (for the small-enterprise test)."
    )
    annual_turnover: Rupiah | None = strawberry.field(description="Annual turnover (omzet) in rupiah.")
    levels: CriterionLevels = strawberry.field(
        description="The level (1–3) each of the six criteria of Tabel 2 scored, so the class can be explained and "
                    "recomputed."
    )
    score: int = strawberry.field(description="Sum of the six levels, 6–18.")
    ir_class: IrClass = strawberry.field(name="class", description="The class this assessment concluded.")
    rule_set: str = strawberry.field(description="The rule set and version applied, e.g. `PERMEN_PPPA_2_2016@1`.")
    graduation_thresholds: str = strawberry.field(
        description="The small-enterprise thresholds applied: `UU_20_2008` or `PP_7_2021`."
    )
    small_enterprise_candidate: bool = strawberry.field(
        description="An IR Maju past the small-enterprise (Usaha Kecil) thresholds: a candidate for hand-over "
        "to the Ministry of Cooperatives and SMEs."
    )
    assessor: str | None = strawberry.field(
        description="Who assessed the IR (usually a facilitator, pendamping); null when not recorded."
    )
    notes: str | None = strawberry.field(description="Free-text notes of the assessor; null when none.")
    facilitator_id: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: RowMapping) -> "Assessment":
        return cls(
            id=strawberry.ID(str(row["id"])),
            assessed_on=row["assessed_on"],
            worker_count=row["worker_count"],
            production_technology=ProductionTechnology(row["production_technology"]),
            capital_source=CapitalSource(row["capital_source"]),
            capital_amount=row["capital_amount"],
            business_started_on=row["business_started_on"],
            business_age_months=row["business_age_months"],
            production_pattern=ProductionPattern(row["production_pattern"]),
            assets_excluding_land_and_buildings=row["assets_excluding_land_and_buildings"],
            annual_turnover=row["annual_turnover"],
            levels=CriterionLevels(
                worker_count=row["worker_level"],
                production_technology=row["technology_level"],
                capital_source=row["capital_source_level"],
                capital_amount=row["capital_amount_level"],
                business_age=row["business_age_level"],
                production_pattern=row["production_pattern_level"],
            ),
            score=row["score"],
            ir_class=IrClass(row["ir_class"]),
            rule_set=f'{row["rule_set_code"]}@{row["rule_set_version"]}',
            graduation_thresholds=row["graduation_thresholds_code"],
            small_enterprise_candidate=row["small_enterprise_candidate"],
            assessor=row["assessor"],
            notes=row["notes"],
            facilitator_id=row["facilitator_id"],
        )

    @strawberry.federation.field(
        description="The facilitator (pendamping) who assessed the IR, if one did (for the offices and facilitators).",
    )
    async def facilitator(self, info: RegistryInfo) -> FacilitatorType | None:
        from services.registry.graphql.facilitator import Facilitator

        identity = info.context.identity
        if self.facilitator_id is None:
            return None
        row = await info.context.loaders.facilitator.load(self.facilitator_id)
        if row is None or not network_access.admits_facilitator(identity, row["regency_code"]):
            return None
        return Facilitator.from_row(row)
