"""The reports' exports, declared: each report's tables as ``TableLayout``s (siir/exports/layout.py) and how a
report's figures fill them. siir/exports/files.py renders them; app.py serves them. See docs/exports.md."""

from __future__ import annotations

import datetime as dt
from typing import Any

from services.reporting import reports
from services.reporting.domain.periods import JAKARTA
from services.reporting.domain.reports import Counts, Moves, Statistics
from services.reporting.domain.standing import Standing
from siir.exports.layout import Column, Export, Language, Source, Table, TableLayout, Words
from siir.auth.identity import Identity

W = Words
IR = W("IR", "home industries (IR)")
COUNT = W("unit IR", "IR (count)")
PEOPLE = W("orang", "persons")


def region_columns() -> tuple[Column, ...]:
    return (
        Column("region_code", W("Kode wilayah", "Region code"), "code",
               W("Kode wilayah Kemendagri", "Kemendagri region code")),
        Column("region_name", W("Nama wilayah", "Region name"), "text",
               W("Nama wilayah menurut Kemendagri", "Region name as Kemendagri lists it")),
    )


def _counts_columns(prefix: str = "", when: Words = W("", "")) -> tuple[Column, ...]:
    """The class counts (IR by standing); ``prefix``/``when`` name a second set (start/end of year)."""
    def c(key: str, id_: str, en: str, d_id: str, d_en: str) -> Column:
        return Column(prefix + key, W(f"{id_}{when.id}", f"{en}{when.en}"), "integer",
                      W(d_id + when.id, d_en + when.en), COUNT, total=True)
    return (
        c("unassessed", "Belum dinilai", "Not yet assessed", "IR terdaftar yang belum pernah dinilai",
          "Registered IR never assessed"),
        c("pemula", "IR Pemula", "IR Pemula (beginner)", "IR aktif di kelas 1 (Pemula)", "Active IR in class 1 (Pemula)"),
        c("berkembang", "IR Berkembang", "IR Berkembang (developing)", "IR aktif di kelas 2 (Berkembang)",
          "Active IR in class 2 (Berkembang)"),
        c("maju", "IR Maju", "IR Maju (advanced)", "IR aktif di kelas 3 (Maju)", "Active IR in class 3 (Maju)"),
        c("active", "IR aktif", "Active IR", "IR yang masih berusaha (belum dinilai, Pemula, Berkembang, Maju)",
          "IR still in business (unassessed, Pemula, Berkembang, Maju)"),
        c("closed", "Tutup (gulung tikar)", "Closed (gulung tikar)", "IR yang berhenti berusaha",
          "IR that stopped trading"),
        c("graduated", "Naik ke usaha kecil", "Graduated to small enterprise",
          "IR yang naik menjadi usaha kecil", "IR that moved up to small enterprise"),
        c("total", "Jumlah IR", "Total IR", "Semua IR terdaftar", "Every registered IR"),
    )


def _statistics_columns() -> tuple[Column, ...]:
    return (
        *_counts_columns(),
        Column("female_owned_active", W("IR aktif milik perempuan", "Active IR owned by women"), "integer",
               W("IR aktif yang pemiliknya perempuan", "Active IR whose owner is a woman"), COUNT, total=True),
        Column("male_owned_active", W("IR aktif milik laki-laki", "Active IR owned by men"), "integer",
               W("IR aktif yang pemiliknya laki-laki", "Active IR whose owner is a man"), COUNT, total=True),
        Column("krtp_active", W("IR aktif KRTP", "Active IR, female head of household (KRTP)"), "integer",
               W("IR aktif milik Kepala Rumah Tangga Perempuan", "Active IR owned by a female head of household"),
               COUNT, total=True),
        Column("workers_women", W("Tenaga kerja perempuan", "Women workers"), "integer",
               W("Tenaga kerja perempuan di IR aktif", "Women working in active IR"), PEOPLE, total=True),
        Column("workers_men", W("Tenaga kerja laki-laki", "Men workers"), "integer",
               W("Tenaga kerja laki-laki di IR aktif", "Men working in active IR"), PEOPLE, total=True),
        Column("small_enterprise_candidates", W("Calon usaha kecil", "Small-enterprise candidates"), "integer",
               W("IR Maju yang memenuhi syarat naik ke usaha kecil", "IR Maju that qualify to move up to small enterprise"),
               COUNT, total=True),
    )


def _moves_columns() -> tuple[Column, ...]:
    def c(key: str, id_: str, en: str) -> Column:
        return Column(key, W(id_, en), "integer", W(f"Jumlah IR: {id_.lower()} dalam periode",
                                                      f"IR count: {en.lower()} during the period"), COUNT, total=True)
    return (
        c("new_registrations", "IR baru terdaftar", "New registrations"),
        c("moved_up", "Naik kelas", "Moved up"),
        c("moved_down", "Turun kelas", "Moved down"),
        c("pemula_to_berkembang", "Pemula ke Berkembang", "Pemula to Berkembang"),
        c("berkembang_to_maju", "Berkembang ke Maju", "Berkembang to Maju"),
        c("maju_to_graduated", "Maju ke usaha kecil", "Maju to small enterprise"),
        c("closed", "Tutup (gulung tikar)", "Closed (gulung tikar)"),
        c("graduated", "Naik ke usaha kecil", "Graduated to small enterprise"),
    )


AS_OF = Column("as_of", W("Keadaan per", "As of"), "date", W("Tanggal keadaan data", "Date the figures describe"))
YEAR = Column("year", W("Tahun", "Year"), "year", W("Tahun laporan", "Report year"))

CLASS_DISTRIBUTION = TableLayout(
    "class-distribution", W("Distribusi kelas", "Class distribution"),
    W("Distribusi IR menurut kelas", "IR by class"),
    W("Jumlah IR menurut kelas pada suatu tanggal, per wilayah", "IR counted by class on a day, per region"),
    (*region_columns(), AS_OF, *_statistics_columns()),
)
ANNUAL_SUMMARY = TableLayout(
    "annual-summary", W("Ringkasan", "Summary"), W("Awal dan akhir tahun", "Start and end of year"),
    W("Keadaan IR pada awal dan akhir tahun laporan", "IR at the start and the end of the report year"),
    (*region_columns(), YEAR, AS_OF,
     *[Column(c.key, c.label, c.kind, c.definition, c.unit) for c in _statistics_columns()]),  # not summed
)
ANNUAL_MOVES = TableLayout(
    "annual-moves", W("Perpindahan kelas", "Class moves"), W("Perpindahan kelas dalam tahun", "Class moves in the year"),
    W("IR yang baru, naik, turun, tutup dan naik ke usaha kecil dalam tahun laporan",
      "IR that registered, moved up, moved down, closed and graduated in the report year"),
    (*region_columns(), YEAR, *_moves_columns()),
)
ANNUAL_REGIONS = TableLayout(
    "annual-regions", W("Wilayah", "Regions"), W("Kelas per wilayah, awal dan akhir tahun", "Classes per region, start and end of year"),
    W("Jumlah IR menurut kelas per wilayah bawahan", "IR by class per region below"),
    (*region_columns(), *_counts_columns("start_", W(" (awal tahun)", " (start of year)")),
     *_counts_columns("end_", W(" (akhir tahun)", " (end of year)"))),
)
NEED_KINDS = {"IR": W("IR", "IR"), "PRODUCT": W("Produk", "Product"), "NEED": W("Kebutuhan", "Need"),
              "CONSTRAINT": W("Kendala", "Constraint"), "ASSISTANCE": W("Bantuan diterima", "Assistance received"),
              "PROVIDER": W("Pemberi bantuan", "Assistance provider")}
ANNUAL_NEEDS = TableLayout(
    "annual-needs", W("Analisis kebutuhan", "Needs analysis"), W("Analisis kebutuhan per kelas", "Needs analysis by class"),
    W("Produk, kebutuhan, kendala dan bantuan IR aktif per kelas", "Products, needs, constraints and assistance of active IR by class"),
    (Column("class", W("Kelas", "Class"), "code", W("Kelas IR", "IR class")),
     Column("kind", W("Jenis", "Kind"), "text", W("Jenis butir: " + ", ".join(w.id for w in NEED_KINDS.values()),
                                                  "Kind of item: " + ", ".join(w.en for w in NEED_KINDS.values()))),
     Column("item", W("Butir", "Item"), "text", W("Butir seperti dicatat", "Item as recorded")),
     Column("provider_kind", W("Jenis pemberi", "Provider kind"), "text", W("Jenis pemberi bantuan", "Kind of provider")),
     Column("home_industries", W("Jumlah IR", "Home industries"), "integer",
            W("Jumlah IR dengan butir ini", "IR with this item"), COUNT)),
)
CLASS_TRANSITIONS = TableLayout(
    "class-transitions", W("Perpindahan kelas", "Class moves"), W("Perpindahan kelas dalam periode", "Class moves in the period"),
    W("IR yang baru, naik, turun, tutup dan naik ke usaha kecil dalam periode", "IR that registered, moved up, "
      "moved down, closed and graduated in the period"),
    (*region_columns(),
     Column("from", W("Dari tanggal", "From"), "date", W("Hari pertama periode", "First day of the period")),
     Column("to", W("Sampai tanggal", "To"), "date", W("Hari terakhir periode", "Last day of the period")),
     *_moves_columns()),
)
CANDIDATES = TableLayout(
    "small-business-candidates", W("Calon usaha kecil", "Small-enterprise candidates"),
    W("IR Maju calon usaha kecil, penilaian terbaru dahulu", "IR Maju that qualify as small enterprises, newest assessment first"),
    W("IR aktif yang penilaian terakhirnya memenuhi ambang usaha kecil: daftar serah terima ke Kementerian Koperasi dan UKM",
      "Active IR whose latest assessment passes the small-enterprise thresholds: the hand-over list for the "
      "Ministry of Cooperatives and SMEs"),
    (Column("registration_number", W("Nomor registrasi IR", "IR registration number"), "code",
            W("Nomor registrasi IR di SIIR", "The IR's SIIR registration number")),
     Column("village_code", W("Kode desa/kelurahan", "Village code"), "code",
            W("Kode wilayah Kemendagri desa/kelurahan tempat usaha", "Kemendagri code of the business's village")),
     Column("business_category", W("Jenis usaha", "Business category"), "text",
            W("Jenis usaha seperti dicatat", "Business category as recorded")),
     Column("assessed_on", W("Tanggal penilaian", "Assessed on"), "date",
            W("Tanggal penilaian terakhir", "Date of the latest assessment")),
     Column("score", W("Skor", "Score"), "integer", W("Skor penilaian terakhir (Permen PPPA 2/2016, BAB IV)",
                                                      "Score of the latest assessment (Permen PPPA 2/2016, BAB IV)"),
            W("poin", "points"))),
)
#: Every layout, for docs and tests (a report adds its own here).
LAYOUTS = (CLASS_DISTRIBUTION, CLASS_TRANSITIONS, CANDIDATES, ANNUAL_SUMMARY, ANNUAL_MOVES, ANNUAL_REGIONS, ANNUAL_NEEDS)

CLASS_SOURCE = Source(W(
    "IR (Industri Rumahan) dihitung menurut kelas hasil penilaian terakhir (Permen PPPA 2/2016, BAB IV: "
    "Pemula, Berkembang, Maju); angka kecil untuk mitra disamarkan sesuai kebijakan akses",
    "Home industries (IR) counted by the class of their latest assessment (Permen PPPA 2/2016, BAB IV: "
    "Pemula, Berkembang, Maju); small counts are protected for partners per the access policy"))


def _counts(c: Counts) -> list[int]:
    return [c.of(Standing.UNASSESSED), c.of(Standing.PEMULA), c.of(Standing.BERKEMBANG), c.of(Standing.MAJU),
            c.active, c.of(Standing.CLOSED), c.of(Standing.GRADUATED), c.total]


def _statistics(s: Statistics) -> list[Any]:
    return [*_counts(s.counts), s.female_owned.active, s.male_owned.active, s.female_head_of_household.active,
            s.workers_female, s.workers_male, s.small_enterprise_candidates]


def _moves(m: Moves) -> list[int]:
    return [m.new_registrations, m.moved_up, m.moved_down, m.count("PEMULA", "BERKEMBANG"),
            m.count("BERKEMBANG", "MAJU"), m.count("MAJU", "GRADUATED"), m.closed, m.graduated]


def _region(ref: reports.RegionRef) -> list[str]:
    return [ref.code, ref.name or "Indonesia"]


def region_table(layout: TableLayout, own: list[Any], children: list[list[Any]]) -> Table:
    """A region's row and its children's: the children with the region's own figures as the totals row
    (small-count protection can make those differ from the children's sum), or the region alone."""
    return Table(layout, children, total=own) if children else Table(layout, [own], summed=False)


def generated(identity: Identity | None) -> tuple[dt.datetime, str]:
    """When (Jakarta time, WIB, without zone: spreadsheets have none) and by whom an export is made."""
    at = dt.datetime.now(JAKARTA).replace(tzinfo=None, microsecond=0)
    if identity is None:
        return at, ""
    where = f", {identity.region}" if identity.region else ""
    return at, f"{identity.subject} ({identity.role.value}{where})"


def distribution_export(d: reports.Distribution, language: Language, identity: Identity | None) -> Export:
    own = [*_region(d.region), d.as_of, *_statistics(d.statistics)]
    children = [[*_region(ref), d.as_of, *_statistics(s)] for ref, s in d.children]
    at, by = generated(identity)
    return Export(
        W("Distribusi kelas IR", "IR class distribution"), f"class-distribution-{d.region.code or 'ID'}-{d.as_of.isoformat()}",
        d.region.code, d.region.name or "Indonesia", W(f"Per {d.as_of.isoformat()}", f"On {d.as_of.isoformat()}"), d.as_of,
        at, by, [region_table(CLASS_DISTRIBUTION, own, children)], CLASS_SOURCE, language)


def needs_table(needs: reports.NeedsAnalysis, language: Language) -> Table:
    rows: list[list[Any]] = []
    kind = {code: words.in_(language) for code, words in NEED_KINDS.items()}
    for c in needs.classes:
        rows.append([c.ir_class, kind["IR"], "", "", c.home_industries])
        rows += [[c.ir_class, kind["PRODUCT"], item, "", n] for item, n in c.products]
        rows += [[c.ir_class, kind["NEED"], item, "", n] for item, n in c.needs]
        rows += [[c.ir_class, kind["CONSTRAINT"], item, "", n] for item, n in c.constraints]
        rows += [[c.ir_class, kind["ASSISTANCE"], item, k, n] for item, k, n in c.assistance]
        rows += [[c.ir_class, kind["PROVIDER"], item, k, n] for item, k, n in c.providers]
    return Table(ANNUAL_NEEDS, rows)


def transitions_export(t: reports.Transitions, language: Language, identity: Identity | None) -> Export:
    def row(ref: reports.RegionRef, m: Moves) -> list[Any]:
        return [*_region(ref), t.first, t.last, *_moves(m)]
    at, by = generated(identity)
    first, last = t.first.isoformat(), t.last.isoformat()
    return Export(
        W("Perpindahan kelas IR", "IR class moves"), f"class-transitions-{t.region.code or 'ID'}-{first}-{last}",
        t.region.code, t.region.name or "Indonesia", W(f"{first} s.d. {last}", f"{first} to {last}"), t.last, at, by,
        [region_table(CLASS_TRANSITIONS, row(t.region, t.moves), [row(ref, m) for ref, m in t.children])],
        CLASS_SOURCE, language)


def needs_export(n: reports.NeedsAnalysis, language: Language, identity: Identity | None) -> Export:
    at, by = generated(identity)
    today = at.date()
    return Export(
        W("Analisis kebutuhan IR", "IR needs analysis"), f"needs-analysis-{n.region.code or 'ID'}-{today.isoformat()}",
        n.region.code, n.region.name or "Indonesia", W("Keadaan terkini", "Current"), today, at, by,
        [needs_table(n, language)], CLASS_SOURCE, language)


def candidates_export(region: reports.RegionRef, rows: list[Any], language: Language, identity: Identity | None) -> Export:
    at, by = generated(identity)
    today = at.date()
    table = Table(CANDIDATES, [[r["registration_number"], r["village_code"], r["business_category"], r["last_assessed_on"],
                                r["score"]] for r in rows])
    return Export(
        W("Calon usaha kecil", "Small-enterprise candidates"), f"small-business-candidates-{region.code or 'ID'}-{today.isoformat()}",
        region.code, region.name or "Indonesia", W("Keadaan terkini", "Current"), today, at, by, [table], CLASS_SOURCE, language,
        notes=[W(f"{len(rows)} IR", f"{len(rows)} IR")])


def annual_report_export(r: reports.AnnualReport, language: Language, identity: Identity | None) -> Export:
    start, end = dt.date(r.year - 1, 12, 31), dt.date(r.year, 12, 31)
    here = _region(r.region)
    summary = Table(ANNUAL_SUMMARY, [[*here, r.year, start, *_statistics(r.start)],
                                     [*here, r.year, end, *_statistics(r.end)]])
    moves = region_table(ANNUAL_MOVES, [*here, r.year, *_moves(r.transitions)],
                         [[*_region(ref), r.year, *_moves(m)] for ref, _, _, m in r.children])
    regions = region_table(ANNUAL_REGIONS, [*here, *_counts(r.start.counts), *_counts(r.end.counts)],
                           [[*_region(ref), *_counts(s.counts), *_counts(e.counts)] for ref, s, e, _ in r.children])
    at, by = generated(identity)
    return Export(
        W("Laporan tahunan IR", "IR annual report"), f"annual-report-{r.region.code or 'ID'}-{r.year}",
        r.region.code, r.region.name or "Indonesia",
        W(f"Tahun {r.year} (1 Januari–31 Desember)", f"Year {r.year} (1 January–31 December)"), end, at, by,
        [summary, moves, regions, needs_table(r.needs, language)], CLASS_SOURCE, language)
