"""GraphQL enums of the registry, with the regulation's Indonesian terms in their descriptions."""

from __future__ import annotations

from enum import Enum

import strawberry

from siir.enum_values import IR_CLASSES, describe_values

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


@strawberry.enum(description="Legal form of the business (bentuk badan usaha). Tabel 3 of Permen PPPA 2/2016 "
                              "counts a cooperative or a limited company formed as a formal entity (lembaga formal).")
class LegalForm(Enum):
    INDIVIDUAL = "INDIVIDUAL"
    JOINT_BUSINESS_GROUP = "JOINT_BUSINESS_GROUP"
    PARTNERSHIP = "PARTNERSHIP"
    COOPERATIVE = "COOPERATIVE"
    LIMITED_COMPANY = "LIMITED_COMPANY"


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


# Descriptions of every enum value (siir.enum_values.describe_values: one mechanism for wrapped domain
# enums and the enums declared here).
describe_values(IrClass, IR_CLASSES)
describe_values(ProductionTechnology, {
    "MANUAL": "Manual production (manual): level 1.",
    "SEMI_MANUAL": "Semi-manual or simple technology (semi manual/teknologi sederhana): level 2.",
    "HIGH_TECHNOLOGY": "High technology (teknologi tinggi): level 3.",
})
describe_values(CapitalSource, {
    "OWN": "Own capital only (modal sendiri): level 1.",
    "OWN_AND_INFORMAL_LOAN": "Own capital plus a loan from an informal micro-finance institution (LKM non-formal): "
                             "level 2.",
    "OWN_AND_FORMAL_LOAN": "Own capital plus a loan from a formal micro-finance institution (LKM formal): level 3.",
})
describe_values(ProductionPattern, {
    "NOT_CONTINUOUS": "Produces now and then (tidak kontinyu): level 1.",
    "SEMI_CONTINUOUS": "Produces part of the time (semi kontinyu): level 2.",
    "CONTINUOUS": "Produces continuously (kontinyu): level 3.",
})
describe_values(RegionLevel, {
    "PROVINCE": "Province (provinsi), code like `33`.",
    "REGENCY": "Regency/city (kabupaten/kota), code like `33.74`.",
    "SUBDISTRICT": "Sub-district (kecamatan), code like `33.74.01`.",
    "VILLAGE": "Village (desa/kelurahan), code like `33.74.01.1001`.",
})
describe_values(HomeIndustryStatus, {
    "ACTIVE": "In the programme (aktif).",
    "CLOSED": "Closed or moved away (gulung tikar); the record stays for reporting.",
    "GRADUATED": "Graduated to small enterprise (usaha kecil) and handed over to the Ministry of Cooperatives and "
                 "SMEs.",
})
describe_values(Sex, {
    "FEMALE": "Female (perempuan).",
    "MALE": "Male (laki-laki).",
})
describe_values(Education, {
    "NONE": "No schooling completed (tidak sekolah/tidak tamat SD).",
    "PRIMARY": "Primary school (SD or equivalent).",
    "JUNIOR_SECONDARY": "Junior secondary school (SMP or equivalent).",
    "SENIOR_SECONDARY": "Senior secondary school (SMA/SMK or equivalent).",
    "DIPLOMA": "Diploma (D1–D3).",
    "BACHELOR": "Bachelor's degree (S1/D4).",
    "POSTGRADUATE": "Master's or doctorate (S2/S3).",
})
describe_values(BusinessCategory, {
    "FOOD_AND_BEVERAGE": "Food and beverages (makanan dan minuman).",
    "TEXTILE_AND_FASHION": "Textiles, clothing and fashion (tekstil dan busana).",
    "CRAFT": "Handicraft (kerajinan).",
    "HERBAL_AND_COSMETIC": "Herbal medicine and cosmetics (jamu dan kosmetik).",
    "FURNITURE_AND_WOOD": "Furniture and woodwork (mebel dan kayu).",
    "OTHER": "Any other business.",
})
describe_values(LegalForm, {
    "INDIVIDUAL": "Individual or family business without a legal entity (usaha perorangan): most IR, and the default.",
    "JOINT_BUSINESS_GROUP": "Joint business group (kelompok usaha bersama, KUB), organised informally: not a legal entity.",
    "PARTNERSHIP": "Partnership (persekutuan komanditer, CV, or firma): a registered business form, not a legal entity (badan hukum).",
    "COOPERATIVE": "Cooperative (koperasi): a legal entity; counts as a formal entity formed (Tabel 3).",
    "LIMITED_COMPANY": "Limited liability company (perseroan terbatas, PT), the single-owner PT perorangan included: a legal "
                       "entity; counts as a formal entity formed (Tabel 3).",
})
describe_values(MarketingChannel, {
    "DIRECT": "Sold directly to buyers (langsung).",
    "SHOP": "Through shops or stalls (toko/warung).",
    "ONLINE": "Online (daring): marketplaces, social media.",
    "EXPORT": "Exported (ekspor).",
    "RESELLER": "Through resellers or middlemen (reseller/pengepul).",
    "EXHIBITION": "At exhibitions and bazaars (pameran/bazar).",
})
describe_values(AssistanceType, {
    "TRAINING": "Training (pelatihan).",
    "EQUIPMENT": "Equipment (peralatan).",
    "CAPITAL": "Capital (modal).",
    "OTHER": "Any other assistance.",
})
describe_values(ProviderKind, {
    "GOVERNMENT_OFFICE": "A government office (SKPD/dinas).",
    "NGO": "A non-governmental organisation (LSM).",
    "BUSINESS": "A business (dunia usaha).",
    "BANK": "A bank or other financial institution.",
    "UNIVERSITY": "A university (perguruan tinggi).",
})
describe_values(TeamLevel, {
    "NATIONAL": "National team (Tim Pengelola Nasional) at the ministry; it has no region.",
    "PROVINCE": "Province team (Tim Pengelola Provinsi).",
    "REGENCY": "Regency/city team (Tim Pengelola Kabupaten/Kota).",
})
describe_values(TeamPosition, {
    "COORDINATOR": "Coordinator (Koordinator): the regional secretary (Sekda); nationally the Deputy for Gender "
                   "Equality. One holder.",
    "DAILY_HEAD": "Daily head (Ketua harian): the head of Bappeda. One holder.",
    "DEPUTY_COORDINATOR": "Deputy coordinator (Wakil koordinator). One holder.",
    "SECRETARY": "Secretary (Sekretaris). One holder.",
    "MEMBER": "Member (Anggota); any number.",
})
describe_values(InterventionType, {
    "CAPITAL": "Capital (modal).",
    "EQUIPMENT": "Production equipment (alat produksi).",
    "TRAINING": "Training (pelatihan).",
    "TECHNICAL_GUIDANCE": "Technical guidance (bimbingan teknis): quality, packaging, bookkeeping, sanitation, ICT.",
    "MENTORING": "Business mentoring (pendampingan).",
    "MARKETING": "Marketing and market access (pemasaran).",
    "LICENSING": "Licensing (perizinan): NIB, SPP-IRT, halal certificate.",
    "OTHER": "Any other intervention.",
})
