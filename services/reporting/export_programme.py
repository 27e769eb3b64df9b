"""The programme's exports, declared (docs/exports.md, "Adding a report"): the indicator table (Tabel 3),
the yearly re-assessment round and the sign-off status. Each is filled from the same object its GraphQL
field answers from (indicator_table.py, reassessment_round.py, sign_offs.py); app.py reads it under the
caller's scope and policy."""

from __future__ import annotations

import datetime as dt
from typing import Any

from services.reporting import indicator_table, reassessment_round, sign_offs
from services.reporting.domain.indicators import Indicator, achievement
from services.reporting.domain.periods import JAKARTA
from services.reporting.domain.sign_off import Level, SignOffState, state_counts
from services.reporting.export_tables import COUNT, generated, region_columns, region_table
from services.reporting.reports import RegionRef
from siir.auth.identity import Identity
from siir.exports.layout import Column, Export, Language, Source, Table, TableLayout, Words

W = Words
SHARE = W("rasio (1 = 100%)", "ratio (1 = 100%)")
YEAR = Column("year", W("Tahun", "Year"), "year", W("Tahun kalender (WIB)", "Calendar year (Asia/Jakarta)"))

#: Tabel 3's indicators in the order of the ``ProgrammeIndicator`` enum.
INDICATOR_NAMES: dict[Indicator, Words] = {
    Indicator.NEW_PEMULA: W("IR Pemula baru", "New IR Pemula"),
    Indicator.NEW_PEMULA_IN_TOWNS: W("IR Pemula baru di kelurahan", "New IR Pemula in towns (kelurahan)"),
    Indicator.NEW_PEMULA_IN_VILLAGES: W("IR Pemula baru di desa", "New IR Pemula in villages (desa)"),
    Indicator.CLOSED_UNASSESSED: W("Tutup sebelum dinilai", "Closed before assessment"),
    Indicator.CLOSED_PEMULA: W("IR Pemula tutup", "IR Pemula closed"),
    Indicator.CLOSED_BERKEMBANG: W("IR Berkembang tutup", "IR Berkembang closed"),
    Indicator.CLOSED_MAJU: W("IR Maju tutup", "IR Maju closed"),
    Indicator.PEMULA_TO_BERKEMBANG: W("Pemula naik ke Berkembang", "Pemula moved up to Berkembang"),
    Indicator.BERKEMBANG_TO_MAJU: W("Berkembang naik ke Maju", "Berkembang moved up to Maju"),
    Indicator.MAJU_TO_SMALL_ENTERPRISE: W("Maju naik ke usaha kecil", "Maju moved up to small enterprise"),
    Indicator.GRADUATED: W("Naik ke usaha kecil", "Graduated to small enterprise"),
    Indicator.SPP_IRT_OBTAINED: W("Memperoleh SPP-IRT", "SPP-IRT obtained"),
    Indicator.NIB_OBTAINED: W("Memperoleh NIB", "NIB obtained"),
    Indicator.ONLINE_SELLING_STARTED: W("Mulai berjualan daring", "Started selling online"),
    Indicator.FORMAL_ENTITY_FORMED: W("Lembaga formal terbentuk (koperasi, PT)", "Formal entities formed (cooperative, PT)"),
}

PROGRAMME_INDICATORS = TableLayout(
    "programme-indicators", W("Indikator Tabel 3", "Tabel 3 indicators"),
    W("Capaian indikator program terhadap target", "Programme indicators against their targets"),
    W("Indikator program PPEP (Permen PPPA 2/2016, Tabel 3) per wilayah dan tahun, menurut jenis kelamin pemilik dan KRTP",
      "The PPEP programme's indicators (Permen PPPA 2/2016, Tabel 3) per region and year, by owner's sex and KRTP"),
    (*region_columns(), YEAR,
     Column("indicator", W("Kode indikator", "Indicator code"), "code",
            W("Kode indikator (nilai ProgrammeIndicator)", "Indicator code (a ProgrammeIndicator value)")),
     Column("indicator_name", W("Indikator", "Indicator"), "text", W("Nama indikator", "Indicator name")),
     Column("value", W("Nilai", "Value"), "integer", W("IR berbeda yang terhitung dalam tahun", "Distinct IR counted in the year"),
            COUNT),
     Column("female_owned", W("Milik perempuan", "Owned by women"), "integer",
            W("Dari nilai: IR yang pemiliknya perempuan", "Of the value: IR whose owner is a woman"), COUNT),
     Column("male_owned", W("Milik laki-laki", "Owned by men"), "integer",
            W("Dari nilai: IR yang pemiliknya laki-laki", "Of the value: IR whose owner is a man"), COUNT),
     Column("female_head_of_household", W("Milik KRTP", "Owned by a female head of household (KRTP)"), "integer",
            W("Dari nilai: IR milik Kepala Rumah Tangga Perempuan", "Of the value: IR owned by a female head of household"),
            COUNT),
     Column("target", W("Target", "Target"), "integer",
            W("Target wilayah dan tahun itu; kosong bila belum ditetapkan", "The region's target for the year; empty when none is set"),
            COUNT),
     Column("target_set_by", W("Target ditetapkan oleh", "Target set by"), "code",
            W("Peran yang menetapkan target (MINISTRY atau PROVINCE_OFFICER)", "Role that set the target (MINISTRY or PROVINCE_OFFICER)")),
     Column("achievement", W("Capaian", "Achievement"), "decimal",
            W("Nilai / target (1 = tercapai); kosong tanpa target atau untuk target 0",
              "Value / target (1 = met); empty without a target or for a target of 0"), SHARE)),
)
REASSESSMENT_ROUND = TableLayout(
    "reassessment-round", W("Penilaian ulang", "Reassessment round"),
    W("Kelengkapan penilaian ulang tahunan", "Completeness of the yearly reassessment round"),
    W("Dari IR aktif pada akhir periode, yang memiliki penilaian bertanggal dalam tahun itu (setiap IR dinilai minimal "
      "sekali setahun)", "Of the IR active at the end of the period, those with an assessment dated in the year (every IR "
      "assessed at least once a year)"),
    (*region_columns(), YEAR,
     Column("active_home_industries", W("IR aktif", "Active IR"), "integer",
            W("IR aktif pada akhir periode", "IR active at the end of the period"), COUNT, total=True),
     Column("assessed", W("Sudah dinilai", "Assessed"), "integer",
            W("Dari IR aktif: yang dinilai dalam periode", "Of the active IR: assessed in the period"), COUNT, total=True),
     Column("share_assessed", W("Porsi dinilai", "Share assessed"), "decimal",
            W("Sudah dinilai / IR aktif; kosong tanpa IR aktif", "Assessed / active IR; empty with no active IR"), SHARE)),
)
STATES: dict[SignOffState, Words] = {
    SignOffState.NOT_STARTED: W("Belum mulai", "Not started"),
    SignOffState.SUBMITTED: W("Diajukan", "Submitted"),
    SignOffState.RETURNED: W("Dikembalikan", "Returned"),
    SignOffState.APPROVED: W("Disetujui", "Approved"),
    SignOffState.WAIVED: W("Dibebaskan", "Waived"),
}
LEVELS = {Level.PROVINCE: W("provinsi", "provinces"), Level.REGENCY: W("kabupaten/kota", "regencies/cities")}
WHEN = W("tanggal dan jam (WIB)", "date and time (Asia/Jakarta)")
SIGN_OFF_STATUS = TableLayout(
    "sign-off-status", W("Status pengesahan", "Sign-off status"),
    W("Status pengesahan laporan tahunan per wilayah", "Annual report sign-off per region"),
    W("Pengesahan laporan tahunan berjenjang: kabupaten/kota ke provinsi, provinsi ke kementerian",
      "The annual report's sign-off by level: regency/city to its province, province to the ministry"),
    (*region_columns(), YEAR,
     Column("state", W("Status", "State"), "code", W("Kode status (SignOffState)", "State code (SignOffState)")),
     Column("state_name", W("Keterangan status", "State name"), "text",
            W("Status: " + ", ".join(w.id for w in STATES.values()), "State: " + ", ".join(w.en for w in STATES.values()))),
     Column("version", W("Versi", "Version"), "integer", W("Berapa kali diajukan", "How many times submitted"),
            W("kali", "times")),
     Column("deadline", W("Batas waktu", "Deadline"), "date", W("Batas waktu pengajuan", "Submission deadline")),
     Column("late", W("Terlambat", "Late"), "text",
            W("Ya: pertama diajukan setelah batas waktu, atau belum diajukan (atau dibebaskan) setelah batas waktu",
              "Yes: first submitted after the deadline, or still not submitted (nor waived) past it")),
     Column("first_submitted_at", W("Pertama diajukan", "First submitted"), "datetime",
            W("Pengajuan pertama", "First submission"), WHEN),
     Column("submitted_at", W("Diajukan", "Submitted"), "datetime", W("Pengajuan terakhir", "Latest submission"), WHEN),
     Column("submitted_by", W("Diajukan oleh", "Submitted by"), "text", W("Pengaju terakhir", "Latest submitter")),
     Column("decided_at", W("Diputuskan", "Decided"), "datetime",
            W("Persetujuan, pengembalian atau pembebasan terakhir", "Latest approval, return or waiver"), WHEN),
     Column("decided_by", W("Diputuskan oleh", "Decided by"), "text", W("Pemutus terakhir", "Latest decider"))),
)
#: This module's layouts (export_tables.LAYOUTS has the others; the sheet-name test walks both).
LAYOUTS = (PROGRAMME_INDICATORS, REASSESSMENT_ROUND, SIGN_OFF_STATUS)

PROGRAMME_SOURCE = Source(W(
    "Indikator program dihitung dari riwayat IR di SIIR (Permen PPPA 2/2016, Tabel 3): IR berbeda per indikator, "
    "wilayah dan tahun kalender (WIB); target ditetapkan oleh kementerian atau provinsi",
    "Programme indicators counted from the IR history in SIIR (Permen PPPA 2/2016, Tabel 3): distinct IR per indicator, "
    "region and calendar year (Asia/Jakarta); targets set by the ministry or the province"))
SIGN_OFF_SOURCE = Source(
    W("Status pengesahan laporan tahunan IR per wilayah dan tahun, dengan batas waktu dan keterlambatan",
      "The sign-off state of the IR annual report per region and year, with deadlines and lateness"),
    frequency=W("Tahunan", "Annual"),
    disaggregation=W("Provinsi, kabupaten/kota", "Province, regency/city"))


def _region(ref: RegionRef) -> list[str]:
    return [ref.code, ref.name or "Indonesia"]


def _wib(at: dt.datetime | None) -> dt.datetime | None:
    """A timestamp in Jakarta time without its zone (spreadsheets keep none)."""
    return at.astimezone(JAKARTA).replace(tzinfo=None, microsecond=0) if at is not None else None


def indicators_export(t: indicator_table.IndicatorTable, language: Language, identity: Identity | None) -> Export:
    """One row per region and indicator: the region's own lines first (its figures, which small-count
    protection may make differ from its children's sum), then each child's; no summed row."""
    def rows(r: indicator_table.RegionIndicators) -> list[list[Any]]:
        return [[*_region(r.region), t.year, f.indicator.value, INDICATOR_NAMES[f.indicator].in_(language), f.value,
                 f.female_owned, f.male_owned, f.female_head_of_household, f.target, f.target_set_by,
                 achievement(f.value, f.target)] for f in r.figures]
    at, by = generated(identity)
    region = t.region.region
    return Export(
        W("Indikator program (Tabel 3)", "Programme indicators (Tabel 3)"),
        f"programme-indicators-{region.code or 'ID'}-{t.year}", region.code, region.name or "Indonesia",
        W(f"Tahun {t.year}", f"Year {t.year}"), min(dt.date(t.year, 12, 31), at.date()), at, by,
        [Table(PROGRAMME_INDICATORS, [*rows(t.region), *[line for c in t.children for line in rows(c)]], summed=False)],
        PROGRAMME_SOURCE, language)


def round_export(r: reassessment_round.ReassessmentRound, language: Language, identity: Identity | None) -> Export:
    def row(line: reassessment_round.RoundLine) -> list[Any]:
        return [*_region(line.region), r.year, line.active, line.assessed, line.share]
    at, by = generated(identity)
    first, last = r.first.isoformat(), r.last.isoformat()
    return Export(
        W("Penilaian ulang tahunan IR", "IR yearly reassessment round"),
        f"reassessment-round-{r.total.region.code or 'ID'}-{r.year}", r.total.region.code, r.total.region.name or "Indonesia",
        W(f"{first} s.d. {last}", f"{first} to {last}"), r.last, at, by,
        [region_table(REASSESSMENT_ROUND, row(r.total), [row(c) for c in r.children])], PROGRAMME_SOURCE, language)


def sign_off_export(view: sign_offs.StatusView, region: RegionRef, language: Language, identity: Identity | None) -> Export:
    """Each region's sign-off; the counts per state and how many are late (GraphQL's ``counts``, ``late``) as notes."""
    yes, no = W("Ya", "Yes").in_(language), W("Tidak", "No").in_(language)
    rows = [[e.region_code, e.region_name, e.year, e.state.value, STATES[e.state].in_(language), e.version, e.deadline,
             yes if e.late else no, _wib(e.first_submitted_at), _wib(e.submitted_at), e.submitted_by, _wib(e.decided_at),
             e.decided_by] for e in view.entries]
    counts = state_counts(e.state for e in view.entries)
    late = sum(e.late for e in view.entries)
    at, by = generated(identity)
    level = LEVELS[view.level]
    return Export(
        W("Status pengesahan laporan tahunan", "Annual report sign-off status"),
        f"sign-off-status-{view.region_code or 'ID'}-{view.year}-{view.level.value.lower()}", view.region_code,
        region.name or "Indonesia", W(f"Tahun {view.year}, tingkat {level.id}", f"Year {view.year}, {level.en}"),
        at.date(), at, by, [Table(SIGN_OFF_STATUS, rows, summed=False)], SIGN_OFF_SOURCE, language,
        notes=[W("; ".join([*(f"{STATES[s].id}: {n}" for s, n in counts.items()), f"Terlambat: {late}"]),
                 "; ".join([*(f"{STATES[s].en}: {n}" for s, n in counts.items()), f"Late: {late}"]))])
