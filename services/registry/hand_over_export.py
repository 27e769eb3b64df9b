"""The hand-over package as files: ``/exports/hand-over.{xlsx,csv,json}?year=…&regionCode=…&lang=…``.

The package is read by executing the ``handOverPackage`` GraphQL field for the caller, so the file
holds exactly what GraphQL shows them: the same scope, field policy (masking) and read audit. JSON is
that field's answer; XLSX and CSV render it through the shared export layout (siir/exports).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from siir.auth.identity import Identity
from siir.exports.layout import Column, Export, Language, Source, Table, TableLayout, Words as W

#: One page of the package (the export asks page after page, ``after`` the last ``endCursor``).
PACKAGE_QUERY = """query HandOverExport($year: Int!, $regionCode: String!, $after: String) {
  handOverPackage(year: $year, regionCode: $regionCode) {
    year regionCode
    approval { approvedBy approvedRole approvedAt homeIndustryCount changedSince }
    homeIndustries(first: 500, after: $after) {
      pageInfo { hasNextPage endCursor }
      nodes {
        registrationNumber businessName village { code name } statusChangedOn
        owner { name nik sex } legality { nib kbli legalForm }
        assessments { class assessedOn }
      }
    }
  }
}"""

_CODE = W("kode", "code")
HAND_OVER = TableLayout(
    "hand-over", W("Serah terima", "Hand-over"), W("IR naik menjadi usaha kecil", "IR graduated to small enterprise"),
    W("IR yang naik menjadi usaha kecil dalam tahun itu, diserahkan ke Kementerian Koperasi dan UKM (BAB V)",
      "IR that moved up to small enterprise in the year, handed over to the Ministry of Cooperatives and SMEs (BAB V)"),
    (Column("registration_number", W("Nomor registrasi IR", "IR registration number"), "code",
            W("Nomor registrasi IR di SIIR", "The IR's SIIR registration number")),
     Column("business_name", W("Nama usaha", "Business name"), "text", W("Nama usaha", "Business name")),
     Column("nib", W("NIB", "NIB"), "code", W("Nomor Induk Berusaha dari OSS", "Business identification number (OSS)")),
     Column("kbli", W("KBLI", "KBLI"), "code", W("Kode KBLI 2020, lima digit", "KBLI 2020 code, five digits"), _CODE),
     Column("legal_form", W("Bentuk badan usaha", "Legal form"), "code",
            W("INDIVIDUAL (perorangan), JOINT_BUSINESS_GROUP (KUB), PARTNERSHIP (CV/firma), COOPERATIVE (koperasi), "
              "LIMITED_COMPANY (PT)", "INDIVIDUAL, JOINT_BUSINESS_GROUP, PARTNERSHIP (CV), COOPERATIVE, LIMITED_COMPANY (PT)")),
     Column("village_code", W("Kode desa/kelurahan", "Village code"), "code",
            W("Kode wilayah Kemendagri desa/kelurahan", "Kemendagri village code"), _CODE),
     Column("village_name", W("Desa/kelurahan", "Village"), "text", W("Nama desa/kelurahan", "Village name")),
     Column("owner_name", W("Nama pemilik", "Owner's name"), "text",
            W("Nama pemilik, sebagaimana kebijakan akses mengungkapkannya", "Owner's name as the access policy discloses it")),
     Column("owner_nik", W("NIK pemilik", "Owner's NIK"), "code",
            W("NIK pemilik, disamarkan sesuai kebijakan akses", "Owner's national id number, masked per the access policy")),
     Column("owner_sex", W("Jenis kelamin pemilik", "Owner's sex"), "code", W("FEMALE/MALE", "FEMALE/MALE")),
     Column("graduated_on", W("Tanggal naik ke usaha kecil", "Graduated on"), "date",
            W("Tanggal IR naik menjadi usaha kecil", "Date the IR moved up to small enterprise")),
     Column("class_history", W("Riwayat kelas", "Class history"), "text",
            W("Setiap kelas dengan tanggal penilaiannya, terbaru dahulu", "Each class with its assessment date, newest first"))),
)
APPROVAL = TableLayout(
    "hand-over-approval", W("Persetujuan", "Approval"), W("Persetujuan paket serah terima", "Approval of the package"),
    W("Siapa menyetujui paket dan kapan", "Who approved the package and when"),
    (Column("approved_by", W("Disetujui oleh", "Approved by"), "text", W("Pengguna yang menyetujui", "The approving user")),
     Column("approved_role", W("Peran", "Role"), "code", W("Peran penyetuju", "The approver's role")),
     Column("approved_at", W("Disetujui pada (WIB)", "Approved at (WIB)"), "datetime", W("Waktu persetujuan", "When approved")),
     Column("home_industry_count", W("Jumlah IR saat disetujui", "IR when approved"), "integer",
            W("Jumlah IR dalam paket saat disetujui", "IR in the package when approved"), W("unit IR", "IR")),
     Column("changed_since", W("Berubah sejak disetujui", "Changed since approval"), "text",
            W("ya bila IR yang lulus tahun itu tidak lagi sama dengan yang disetujui", "yes when the graduated IR differ from those approved"))),
)
HAND_OVER_SOURCE = Source(W(
    "IR yang status registrinya menjadi GRADUATED (naik menjadi usaha kecil) dalam tahun paket, di wilayah paket",
    "IR whose register status became GRADUATED (small enterprise) during the package's year, in its region"))


def _day(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _jakarta(value: str) -> dt.datetime:
    from zoneinfo import ZoneInfo
    return dt.datetime.fromisoformat(value).astimezone(ZoneInfo("Asia/Jakarta")).replace(tzinfo=None, microsecond=0)


def package_export(package: dict[str, Any], language: Language, identity: Identity | None, generated_at: dt.datetime) -> Export:
    rows = []
    for h in package["homeIndustries"]:
        owner, legality = h.get("owner") or {}, h.get("legality") or {}
        history = "; ".join(f"{a['class']} {a['assessedOn']}" for a in h.get("assessments") or [])
        rows.append([h["registrationNumber"], h.get("businessName"), legality.get("nib"), legality.get("kbli"),
                     legality.get("legalForm"),
                     h["village"]["code"], h["village"]["name"], owner.get("name"), owner.get("nik"), owner.get("sex"),
                     _day(h.get("statusChangedOn")), history])
    tables = [Table(HAND_OVER, rows)]
    approval = package.get("approval")
    yes, no = W("ya", "yes").in_(language), W("tidak", "no").in_(language)
    tables.append(Table(APPROVAL, [[approval["approvedBy"], approval["approvedRole"], _jakarta(approval["approvedAt"]),
                                    approval["homeIndustryCount"], yes if approval["changedSince"] else no]]
                        if approval else []))
    year, code = package["year"], package["regionCode"]
    by = f"{identity.subject} ({identity.role.value}{', ' + identity.region if identity.region else ''})" if identity else ""
    return Export(
        W("Paket serah terima IR ke Kementerian Koperasi dan UKM", "IR hand-over package to the Ministry of Cooperatives and SMEs"),
        f"hand-over-{code}-{year}", code, "", W(f"Tahun {year}", f"Year {year}"), dt.date(year, 12, 31), generated_at, by,
        tables, HAND_OVER_SOURCE, language,
        notes=[W("Belum disetujui" if not approval else f"Disetujui oleh {approval['approvedBy']} ({approval['approvedRole']})",
                 "Not approved yet" if not approval else f"Approved by {approval['approvedBy']} ({approval['approvedRole']})")])


def package_json(package: dict[str, Any]) -> bytes:
    return json.dumps({"handOverPackage": package}, ensure_ascii=False, indent=2).encode("utf-8")
