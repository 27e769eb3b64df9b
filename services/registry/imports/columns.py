"""The columns of the survey file, declared once.

One data row of the survey of Permen PPPA 2/2016 BAB V G is one ``registerHomeIndustry``: the IR and
its first assessment. Each column says which input path of ``RegisterHomeIndustryInput`` it fills, so
the template, the reader, the row conversion, the messages and the marking all agree on it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from services.registry.graphql.enums import (
    AssistanceType,
    BusinessCategory,
    CapitalSource,
    Education,
    LegalForm,
    MarketingChannel,
    ProductionPattern,
    ProductionTechnology,
    Sex,
)


class Kind(Enum):
    """What a cell holds, and so how it is read and explained."""

    TEXT = "teks"
    LONG_TEXT = "teks panjang"
    DATE = "tanggal"
    WHOLE = "bilangan bulat"
    RUPIAH = "rupiah"
    DECIMAL = "bilangan desimal"
    YES_NO = "Ya/Tidak"
    CHOICE = "satu pilihan"
    TEXT_LIST = "daftar teks"
    CHOICE_LIST = "daftar pilihan"
    ASSISTANCE_LIST = "daftar bantuan"


#: How each kind is written in a cell, for the instructions.
FORMATS: dict[Kind, str] = {
    Kind.TEXT: "teks, satu baris",
    Kind.LONG_TEXT: "teks, sampai 2.000 karakter",
    Kind.DATE: "tanggal (sel tanggal, atau yyyy-mm-dd, atau dd/mm/yyyy)",
    Kind.WHOLE: "bilangan bulat (titik sebagai pemisah ribuan boleh)",
    Kind.RUPIAH: "rupiah, bilangan bulat tanpa desimal (7500000 atau 7.500.000)",
    Kind.DECIMAL: "bilangan desimal (koma atau titik sebagai pemisah desimal)",
    Kind.YES_NO: "Ya atau Tidak",
    Kind.CHOICE: "satu dari pilihan",
    Kind.TEXT_LIST: "daftar, dipisah titik koma (;)",
    Kind.CHOICE_LIST: "satu atau lebih dari pilihan, dipisah titik koma (;)",
    Kind.ASSISTANCE_LIST: "daftar \"Jenis: Pemberi (tahun)\", dipisah titik koma (;); tahun boleh dikosongkan",
}


@dataclass(frozen=True, slots=True)
class Choice:
    """One allowed value of an enum column: its Indonesian label and the enum member it means."""

    label: str
    member: Enum
    aliases: tuple[str, ...] = ()


def _choices(enum: type[Enum], labels: dict[str, str], aliases: dict[str, tuple[str, ...]] | None = None) -> tuple[Choice, ...]:
    assert set(labels) == {m.name for m in enum}, enum  # every member has a label
    return tuple(Choice(labels[m.name], m, (aliases or {}).get(m.name, ())) for m in enum)


CATEGORY = _choices(BusinessCategory, {
    "FOOD_AND_BEVERAGE": "Makanan dan minuman",
    "TEXTILE_AND_FASHION": "Tekstil dan busana",
    "CRAFT": "Kerajinan",
    "HERBAL_AND_COSMETIC": "Jamu dan kosmetik",
    "FURNITURE_AND_WOOD": "Mebel dan kayu",
    "OTHER": "Lainnya",
})
SEX = _choices(Sex, {"FEMALE": "Perempuan", "MALE": "Laki-laki"}, {"FEMALE": ("P",), "MALE": ("L", "Laki laki")})
EDUCATION = _choices(Education, {
    "NONE": "Tidak sekolah/tidak tamat SD",
    "PRIMARY": "SD/sederajat",
    "JUNIOR_SECONDARY": "SMP/sederajat",
    "SENIOR_SECONDARY": "SMA/SMK/sederajat",
    "DIPLOMA": "Diploma (D1-D3)",
    "BACHELOR": "S1/D4",
    "POSTGRADUATE": "S2/S3",
}, {"PRIMARY": ("SD",), "JUNIOR_SECONDARY": ("SMP",), "SENIOR_SECONDARY": ("SMA", "SMK"), "BACHELOR": ("S1",)})
LEGAL_FORM = _choices(LegalForm, {
    "INDIVIDUAL": "Perorangan",
    "JOINT_BUSINESS_GROUP": "Kelompok usaha bersama (KUB)",
    "PARTNERSHIP": "Persekutuan (CV/firma)",
    "COOPERATIVE": "Koperasi",
    "LIMITED_COMPANY": "Perseroan terbatas (PT)",
}, {"JOINT_BUSINESS_GROUP": ("KUB",), "PARTNERSHIP": ("CV", "Firma"), "LIMITED_COMPANY": ("PT",)})
TECHNOLOGY = _choices(ProductionTechnology, {
    "MANUAL": "Manual",
    "SEMI_MANUAL": "Semi manual/teknologi sederhana",
    "HIGH_TECHNOLOGY": "Teknologi tinggi",
}, {"SEMI_MANUAL": ("Semi manual", "Teknologi sederhana")})
CAPITAL_SOURCE = _choices(CapitalSource, {
    "OWN": "Modal sendiri",
    "OWN_AND_INFORMAL_LOAN": "Modal sendiri dan pinjaman LKM non-formal",
    "OWN_AND_FORMAL_LOAN": "Modal sendiri dan pinjaman LKM formal",
})
PATTERN = _choices(ProductionPattern, {
    "NOT_CONTINUOUS": "Tidak kontinyu",
    "SEMI_CONTINUOUS": "Semi kontinyu",
    "CONTINUOUS": "Kontinyu",
}, {"NOT_CONTINUOUS": ("Tidak kontinu",), "SEMI_CONTINUOUS": ("Semi kontinu",), "CONTINUOUS": ("Kontinu",)})
CHANNEL = _choices(MarketingChannel, {
    "DIRECT": "Langsung",
    "SHOP": "Toko/warung",
    "ONLINE": "Daring (online)",
    "EXPORT": "Ekspor",
    "RESELLER": "Reseller/pengepul",
    "EXHIBITION": "Pameran/bazar",
}, {"ONLINE": ("Daring", "Online")})
ASSISTANCE_TYPE = _choices(AssistanceType, {
    "TRAINING": "Pelatihan",
    "EQUIPMENT": "Peralatan",
    "CAPITAL": "Modal",
    "OTHER": "Lainnya",
})


@dataclass(frozen=True, slots=True)
class Column:
    """One column of the survey file."""

    key: str  #: stable name, used in code and in the import's stored problems
    header: str  #: the Indonesian header on row 1
    section: str  #: the survey section (BAB V G) it belongs to
    kind: Kind
    required: bool
    field: str  #: the input path of RegisterHomeIndustryInput it fills
    explanation: str
    example: str
    choices: tuple[Choice, ...] = ()

    @property
    def labels(self) -> list[str]:
        return [choice.label for choice in self.choices]


IDENTITY = "Identitas pelaku usaha"
IDENTIFICATION = "Identifikasi IR"
WORKFORCE = "Ketenagakerjaan"
DIVERSITY = "Keragaman usaha"
MARKETING = "Pemasaran"
CONSTRAINTS = "Kendala dan harapan"
ASSISTANCE = "Bantuan yang pernah didapat"
CONSENT = "Persetujuan berbagi data"

_A = "input.firstAssessment"
_W = "input.workforce"

COLUMNS: tuple[Column, ...] = (
    # Identitas pelaku usaha
    Column("village_code", "Kode desa/kelurahan", IDENTITY, Kind.TEXT, True, "input.villageCode",
           "Kode Kemendagri desa/kelurahan tempat usaha, lengkap dengan titik.", "33.74.01.1001"),
    Column("business_name", "Nama usaha", IDENTITY, Kind.TEXT, True, "input.businessName",
           "Nama usaha (merek) seperti dikenal pembeli.", "Keripik Tempe Bu Sri"),
    Column("business_category", "Kategori usaha", IDENTITY, Kind.CHOICE, True, "input.businessCategory",
           "Kategori usaha.", "Makanan dan minuman", CATEGORY),
    Column("owner_name", "Nama pemilik", IDENTITY, Kind.TEXT, True, "input.owner.name",
           "Nama lengkap pemilik sesuai KTP.", "Sri Wahyuni"),
    Column("owner_nik", "NIK pemilik", IDENTITY, Kind.TEXT, True, "input.owner.nik",
           "Nomor Induk Kependudukan pemilik, 16 angka. Ketik sebagai teks agar angka terakhir tidak hilang.",
           "3374014101900001"),
    Column("owner_sex", "Jenis kelamin pemilik", IDENTITY, Kind.CHOICE, False, "input.owner.sex",
           "Jenis kelamin pemilik; bila kosong diambil dari NIK.", "Perempuan", SEX),
    Column("owner_birth_year", "Tahun lahir pemilik", IDENTITY, Kind.WHOLE, False, "input.owner.birthYear",
           "Tahun lahir pemilik; bila kosong diambil dari NIK.", "1990"),
    Column("owner_education", "Pendidikan terakhir pemilik", IDENTITY, Kind.CHOICE, False, "input.owner.education",
           "Pendidikan terakhir yang ditamatkan pemilik.", "SMA/SMK/sederajat", EDUCATION),
    Column("owner_krtp", "Kepala rumah tangga perempuan (KRTP)", IDENTITY, Kind.YES_NO, False,
           "input.owner.isFemaleHeadOfHousehold",
           "Ya bila pemilik perempuan kepala rumah tangga; bila kosong dianggap Tidak.", "Tidak"),
    Column("owner_phone", "Nomor telepon pemilik", IDENTITY, Kind.TEXT, False, "input.owner.phone",
           "Nomor telepon/HP Indonesia (08…, 62…, +62…). Ketik sebagai teks agar angka 0 di depan tidak hilang.",
           "081234567890"),
    Column("business_started_on", "Tanggal mulai usaha", IDENTITY, Kind.DATE, True, "input.businessStartedOn",
           "Tanggal usaha mulai berjalan; menentukan lama usaha (kriteria identifikasi IR). Bila hanya tahunnya "
           "diketahui, isi 1 Januari tahun itu.", "2015-03-01"),
    Column("registered_on", "Tanggal pendaftaran", IDENTITY, Kind.DATE, False, "input.registeredOn",
           "Tanggal IR didaftarkan; bila kosong: hari impor.", "2026-11-20"),
    Column("address", "Alamat usaha", IDENTITY, Kind.LONG_TEXT, False, "input.address",
           "Alamat tempat usaha (jalan, RT/RW).", "Jl. Pandanaran 10 RT 02/RW 03"),
    Column("latitude", "Lintang", IDENTITY, Kind.DECIMAL, False, "input.location.latitude",
           "Lintang lokasi usaha dalam derajat desimal (negatif di selatan khatulistiwa); isi bersama Bujur.",
           "-6,9932"),
    Column("longitude", "Bujur", IDENTITY, Kind.DECIMAL, False, "input.location.longitude",
           "Bujur lokasi usaha dalam derajat desimal; isi bersama Lintang.", "110,4203"),
    Column("nib", "NIB", IDENTITY, Kind.TEXT, False, "input.legality.nib",
           "Nomor Induk Berusaha dari OSS (dahulu IUMK).", "9120001234567"),
    Column("kbli", "KBLI", IDENTITY, Kind.TEXT, False, "input.legality.kbli",
           "Kode KBLI 2020, lima angka.", "10792"),
    Column("pirt_number", "Nomor P-IRT", IDENTITY, Kind.TEXT, False, "input.legality.pirtNumber",
           "Nomor Sertifikat Produksi Pangan Industri Rumah Tangga (SPP-IRT/P-IRT).", "2063374010123-26"),
    Column("halal_certificate_number", "Nomor sertifikat halal", IDENTITY, Kind.TEXT, False,
           "input.legality.halalCertificateNumber", "Nomor sertifikat halal.", "ID33110000123450123"),
    Column("legal_form", "Bentuk badan usaha", IDENTITY, Kind.CHOICE, False, "input.legality.legalForm",
           "Bentuk badan usaha; bila kosong: Perorangan.", "Perorangan", LEGAL_FORM),
    Column("additional_business_reason", "Alasan usaha tambahan", IDENTITY, Kind.TEXT, False,
           "input.additionalBusinessReason",
           "Isi hanya bila pemilik (NIK yang sama) sudah punya IR aktif dan ini usaha lain miliknya: mengapa "
           "didaftarkan terpisah. Tanpa alasan ini, NIK yang sudah punya IR aktif ditolak.",
           "Usaha jahit terpisah dari usaha katering"),
    # Identifikasi IR: the first assessment (lama usaha comes from Tanggal mulai usaha)
    Column("assessed_on", "Tanggal penilaian", IDENTIFICATION, Kind.DATE, True, f"{_A}.assessedOn",
           "Tanggal survei/penilaian; tidak sebelum tanggal mulai usaha, tidak di masa depan.", "2026-11-15"),
    Column("worker_count", "Jumlah tenaga kerja", IDENTIFICATION, Kind.WHOLE, True, f"{_A}.workerCount",
           "Jumlah tenaga kerja termasuk pemilik (kriteria tenaga kerja), paling sedikit 1.", "3"),
    Column("production_technology", "Teknologi produksi", IDENTIFICATION, Kind.CHOICE, True,
           f"{_A}.productionTechnology", "Teknologi produksi yang digunakan.", "Manual", TECHNOLOGY),
    Column("capital_source", "Sumber modal", IDENTIFICATION, Kind.CHOICE, True, f"{_A}.capitalSource",
           "Sumber modal usaha.", "Modal sendiri", CAPITAL_SOURCE),
    Column("capital_amount", "Jumlah modal (Rp)", IDENTIFICATION, Kind.RUPIAH, True, f"{_A}.capitalAmount",
           "Jumlah modal usaha dalam rupiah.", "7.500.000"),
    Column("production_pattern", "Pola produksi", IDENTIFICATION, Kind.CHOICE, True, f"{_A}.productionPattern",
           "Pola produksi.", "Kontinyu", PATTERN),
    Column("assets", "Aset di luar tanah dan bangunan (Rp)", IDENTIFICATION, Kind.RUPIAH, False,
           f"{_A}.assetsExcludingLandAndBuildings",
           "Nilai aset di luar tanah dan bangunan, dalam rupiah (menentukan calon usaha kecil).", "25.000.000"),
    Column("annual_turnover", "Omzet per tahun (Rp)", IDENTIFICATION, Kind.RUPIAH, False, f"{_A}.annualTurnover",
           "Omzet (hasil penjualan) setahun, dalam rupiah.", "120.000.000"),
    Column("assessor", "Penilai", IDENTIFICATION, Kind.TEXT, False, f"{_A}.assessor",
           "Nama petugas atau pendamping yang menilai.", "Ani Lestari"),
    Column("assessment_notes", "Catatan penilaian", IDENTIFICATION, Kind.LONG_TEXT, False, f"{_A}.notes",
           "Catatan bebas petugas.", "Produksi menurun saat musim hujan"),
    # Ketenagakerjaan
    Column("workers_female", "Tenaga kerja perempuan", WORKFORCE, Kind.WHOLE, False, f"{_W}.femaleWorkers",
           "Jumlah pekerja perempuan, termasuk pemilik bila perempuan.", "2"),
    Column("workers_male", "Tenaga kerja laki-laki", WORKFORCE, Kind.WHOLE, False, f"{_W}.maleWorkers",
           "Jumlah pekerja laki-laki, termasuk pemilik bila laki-laki.", "1"),
    Column("average_wage", "Upah rata-rata per bulan (Rp)", WORKFORCE, Kind.RUPIAH, False,
           f"{_W}.averageMonthlyWage", "Upah rata-rata pekerja sebulan, dalam rupiah.", "1.500.000"),
    Column("weekly_hours", "Jam kerja per minggu", WORKFORCE, Kind.WHOLE, False, f"{_W}.weeklyHours",
           "Jam kerja biasa dalam seminggu, paling banyak 168.", "40"),
    Column("protection", "Perlindungan tenaga kerja", WORKFORCE, Kind.TEXT_LIST, False, f"{_W}.protection",
           "Perlindungan yang dimiliki pekerja.", "BPJS Ketenagakerjaan; BPJS Kesehatan"),
    Column("special_treatment", "Perlakuan khusus", WORKFORCE, Kind.LONG_TEXT, False, f"{_W}.specialTreatment",
           "Perlakuan khusus bagi pekerja, misalnya pekerja hamil atau menyusui.", "Cuti melahirkan 3 bulan"),
    Column("trainings_attended", "Pelatihan yang pernah diikuti", WORKFORCE, Kind.TEXT_LIST, False,
           f"{_W}.trainingsAttended", "Pelatihan yang pernah diikuti pekerja.", "Pengemasan; Pembukuan"),
    Column("trainings_wanted", "Pelatihan yang dibutuhkan", WORKFORCE, Kind.TEXT_LIST, False,
           f"{_W}.trainingsWanted", "Pelatihan yang diinginkan.", "Pemasaran daring"),
    # Keragaman usaha
    Column("products", "Produk", DIVERSITY, Kind.TEXT_LIST, False, "input.products",
           "Nama produk yang dibuat (volume dan satuan tidak dicatat di berkas ini).", "Keripik tempe; Keripik bayam"),
    Column("monthly_gross_income", "Pendapatan kotor per bulan (Rp)", DIVERSITY, Kind.RUPIAH, False,
           "input.monthlyGrossIncome", "Pendapatan kotor sebulan, dalam rupiah.", "10.000.000"),
    Column("infrastructure", "Infrastruktur", DIVERSITY, Kind.TEXT_LIST, False, "input.infrastructure",
           "Sarana produksi yang dimiliki.", "Listrik; Air bersih; Kompor gas"),
    # Pemasaran
    Column("marketing_channels", "Saluran pemasaran", MARKETING, Kind.CHOICE_LIST, False, "input.marketingChannels",
           "Tempat/cara produk dijual.", "Langsung; Daring (online)", CHANNEL),
    # Kendala dan harapan
    Column("constraints", "Kendala", CONSTRAINTS, Kind.TEXT_LIST, False, "input.constraints",
           "Kendala yang disebut pemilik.", "Modal terbatas; Bahan baku mahal"),
    Column("hopes", "Harapan", CONSTRAINTS, Kind.TEXT_LIST, False, "input.hopes",
           "Harapan pemilik.", "Bantuan alat produksi"),
    # Bantuan yang pernah didapat
    Column("assistance_received", "Bantuan yang pernah didapat", ASSISTANCE, Kind.ASSISTANCE_LIST, False,
           "input.assistanceReceived",
           "Bantuan yang pernah diterima: jenis (Pelatihan, Peralatan, Modal, Lainnya), titik dua, pemberi, "
           "lalu tahun dalam kurung bila diketahui.",
           "Pelatihan: Dinas Koperasi (2022); Modal: PNM Mekaar", ASSISTANCE_TYPE),
    # Persetujuan
    Column("consent", "Persetujuan berbagi data", CONSENT, Kind.YES_NO, False, "input.consent.granted",
           "Ya bila pemilik setuju datanya dibagikan kepada lembaga mitra (UU 27/2022 PDP); bila kosong: Tidak.",
           "Ya"),
    Column("consent_recorded_on", "Tanggal persetujuan", CONSENT, Kind.DATE, False, "input.consent.recordedOn",
           "Tanggal persetujuan dicatat; bila kosong: hari impor.", "2026-11-15"),
)

BY_KEY: dict[str, Column] = {column.key: column for column in COLUMNS}
REQUIRED: tuple[Column, ...] = tuple(column for column in COLUMNS if column.required)
_BY_FIELD: dict[str, Column] = {column.field: column for column in COLUMNS}

#: Error paths that are not a column's own path but are about one column.
_FIELD_ALIASES: dict[str, str] = {
    # The classification reports the business age under the assessment.
    f"{_A}.businessStartedOn": "business_started_on",
    f"{_A}.workerCount": "worker_count",
    "input.location": "latitude",
    "input.consent": "consent",
    "input.owner": "owner_nik",
    "input.legality": "nib",
}

_INDEX = re.compile(r"\[\d+\]")


def normalized_header(text: str) -> str:
    """A header as compared: case and surrounding or repeated spaces do not matter."""
    return " ".join(text.split()).casefold()


BY_HEADER: dict[str, Column] = {normalized_header(column.header): column for column in COLUMNS}


def column_for_field(path: str | None) -> Column | None:
    """The column an error's input path is about (``input.products[2].name`` → Produk), or None."""
    if not path:
        return None
    path = _INDEX.sub("", path)
    while path:
        if path in _FIELD_ALIASES:
            return BY_KEY[_FIELD_ALIASES[path]]
        if path in _BY_FIELD:
            return _BY_FIELD[path]
        path = path.rpartition(".")[0]
    return None
