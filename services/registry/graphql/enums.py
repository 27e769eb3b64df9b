"""GraphQL enums of the registry, with the regulation's Indonesian terms in their descriptions."""

from __future__ import annotations

from enum import Enum

import strawberry

from services.registry.domain import classification, interventions, teams

IrClass = strawberry.enum(
    classification.IrClass,
    name="IrClass",
    description="Class of a home industry (kelas IR, Permen PPPA 2/2016 Tabel 2).",
)
ProductionTechnology = strawberry.enum(
    classification.ProductionTechnology,
    name="ProductionTechnology",
    description="Production technology (teknologi produksi): manual, semi-manual/simple technology, high technology.",
)
CapitalSource = strawberry.enum(
    classification.CapitalSource,
    name="CapitalSource",
    description="Source of business capital (sumber modal usaha): own; own plus a loan from an informal (LKM non-formal) or a formal micro-finance institution (LKM formal).",
)
ProductionPattern = strawberry.enum(
    classification.ProductionPattern,
    name="ProductionPattern",
    description="Production pattern (pola produksi): not continuous (tidak kontinyu), semi-continuous, continuous (kontinyu).",
)


@strawberry.enum(description="Administrative level of a Kemendagri region.")
class RegionLevel(Enum):
    PROVINCE = 1
    REGENCY = 2
    SUBDISTRICT = 3
    VILLAGE = 4


@strawberry.enum(description="Where an IR stands in the programme.")
class HomeIndustryStatus(Enum):
    ACTIVE = "ACTIVE"
    CLOSED = "CLOSED"
    GRADUATED = "GRADUATED"


@strawberry.enum(description="Sex of a person, as the programme disaggregates its data (data terpilah).")
class Sex(Enum):
    FEMALE = "FEMALE"
    MALE = "MALE"


@strawberry.enum(description="Highest education completed (pendidikan terakhir).")
class Education(Enum):
    NONE = "NONE"
    PRIMARY = "PRIMARY"
    JUNIOR_SECONDARY = "JUNIOR_SECONDARY"
    SENIOR_SECONDARY = "SENIOR_SECONDARY"
    DIPLOMA = "DIPLOMA"
    BACHELOR = "BACHELOR"
    POSTGRADUATE = "POSTGRADUATE"


@strawberry.enum(description="Business category (kategori usaha).")
class BusinessCategory(Enum):
    FOOD_AND_BEVERAGE = "FOOD_AND_BEVERAGE"
    TEXTILE_AND_FASHION = "TEXTILE_AND_FASHION"
    CRAFT = "CRAFT"
    HERBAL_AND_COSMETIC = "HERBAL_AND_COSMETIC"
    FURNITURE_AND_WOOD = "FURNITURE_AND_WOOD"
    OTHER = "OTHER"


@strawberry.enum(description="Marketing channel (pemasaran produk).")
class MarketingChannel(Enum):
    DIRECT = "DIRECT"
    SHOP = "SHOP"
    ONLINE = "ONLINE"
    EXPORT = "EXPORT"
    RESELLER = "RESELLER"
    EXHIBITION = "EXHIBITION"


@strawberry.enum(description="Kind of assistance an IR received (bantuan yang pernah didapat).")
class AssistanceType(Enum):
    TRAINING = "TRAINING"
    EQUIPMENT = "EQUIPMENT"
    CAPITAL = "CAPITAL"
    OTHER = "OTHER"


@strawberry.enum(description="Kind of institution that gave assistance.")
class ProviderKind(Enum):
    GOVERNMENT_OFFICE = "GOVERNMENT_OFFICE"
    NGO = "NGO"
    BUSINESS = "BUSINESS"
    BANK = "BANK"
    UNIVERSITY = "UNIVERSITY"


TeamLevel = strawberry.enum(
    teams.TeamLevel,
    name="TeamLevel",
    description="Level of a managing team (Tim Pengelola): national (ministry), province, regency/city.",
)
TeamPosition = strawberry.enum(
    teams.Position,
    name="TeamPosition",
    description="Position in a managing team: coordinator (Koordinator, the Sekda; nationally the Deputy for "
    "Gender Equality), daily head (Ketua harian, head of Bappeda), deputy coordinator (Wakil koordinator), "
    "secretary (Sekretaris), member (Anggota). Every position but MEMBER has one holder at a time.",
)
InterventionType = strawberry.enum(
    interventions.InterventionType,
    name="InterventionType",
    description="Kind of intervention (intervensi, Permen PPPA 2/2016 BAB III): capital (modal), production "
    "equipment (alat produksi), training (pelatihan), technical guidance (bimbingan teknis: quality, "
    "packaging, bookkeeping, sanitation, ICT), business mentoring (pendampingan), marketing and market "
    "access, licensing (NIB, SPP-IRT, halal), other.",
)
