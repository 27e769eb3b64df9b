"""Vocabulary of the demo teams, partners and interventions (``siir seed``): real institutions of the
programme's kind, so the demo reads like a regency's records. Plain data, no logic."""

from __future__ import annotations

#: Partner institutions by kind: a dozen of each, each with (programme name, eligibility rule JSON).
PARTNERS: dict[str, tuple[tuple[str, tuple[tuple[str, dict[str, object]], ...]], ...]] = {
    "BANK": tuple(
        (name, (
            ("Kredit Usaha Rakyat (KUR) Mikro", {"classes": ["BERKEMBANG", "MAJU"], "requiresNib": True}),
            ("Literasi Keuangan Perempuan Pelaku Usaha", {"classes": ["PEMULA", "BERKEMBANG"]}),
        ))
        for name in (
            "Bank Rakyat Indonesia (BRI)", "Bank Mandiri", "Bank Negara Indonesia (BNI)", "Bank Syariah Indonesia",
            "Bank Tabungan Negara (BTN)", "Bank Jateng", "Bank Jatim", "Bank BJB", "Bank Sumut", "Bank Nagari",
            "BPD Bali", "Bank Kalbar",
        )
    ),
    "UNIVERSITY": tuple(
        (name, (
            ("KKN Tematik Industri Rumahan", {"classes": ["PEMULA", "BERKEMBANG"]}),
            ("Riset Pengembangan Produk Pangan", {"requiresPirt": True}),
        ))
        for name in (
            "LPPM Universitas Gadjah Mada", "LPPM Universitas Indonesia", "LPPM Institut Pertanian Bogor",
            "LPPM Universitas Brawijaya", "LPPM Universitas Diponegoro", "LPPM Universitas Airlangga",
            "LPPM Universitas Sebelas Maret", "LPPM Universitas Padjadjaran", "LPPM Universitas Hasanuddin",
            "LPPM Universitas Udayana", "LPPM Universitas Negeri Yogyakarta", "LPPM Universitas Sumatera Utara",
        )
    ),
    "NGO": tuple(
        (name, (("Pendampingan Perempuan Usaha Mikro", {"classes": ["PEMULA"]}),))
        for name in (
            "ASPPUK", "IWAPI", "Aisyiyah", "Muslimat NU", "Yayasan PEKKA", "Yayasan Bina Swadaya", "Forum Puspa",
            "Fatayat NU", "Yayasan Mitra Usaha", "Perkumpulan Prakarsa", "Yayasan Dian Desa", "TP PKK",
        )
    ),
    "BUSINESS": tuple(
        (name, (
            ("Program Kemitraan dan Akses Pasar", {"classes": ["BERKEMBANG", "MAJU"], "requiresNib": True}),
            ("Pelatihan Pemasaran Digital", {}),
        ))
        for name in (
            "PT Permodalan Nasional Madani (PNM Mekaar)", "Rumah Kreatif BUMN", "PT Pertamina (Persero) CSR",
            "PT Telkom Indonesia", "PT Astra International", "Tokopedia", "Shopee Indonesia", "Gojek (GoFood)",
            "Grab Indonesia", "PT Sido Muncul", "PT Indofood Sukses Makmur", "XL Axiata",
        )
    ),
    "GOVERNMENT_OFFICE": tuple(
        (name, ((programme, rule),))
        for name, programme, rule in (
            ("Kementerian Koperasi dan UKM", "Inkubasi Usaha Mikro", {"classes": ["BERKEMBANG", "MAJU"]}),
            ("Ditjen IKMA Kementerian Perindustrian", "Restrukturisasi Mesin IKM", {"classes": ["BERKEMBANG", "MAJU"]}),
            ("Kementerian Perdagangan", "Pasar Rakyat dan Ekspor UMKM", {"classes": ["MAJU"], "requiresNib": True}),
            ("Badan Pengawas Obat dan Makanan (BPOM)", "Pendampingan Keamanan Pangan", {"requiresPirt": True}),
            ("BPJPH Kementerian Agama", "Sertifikasi Halal Gratis (SEHATI)", {"requiresNib": True}),
            ("Kementerian Komunikasi dan Digital", "UMKM Go Digital", {}),
            ("Kementerian Ketenagakerjaan", "Pelatihan Vokasi Wirausaha", {}),
            ("Kementerian Desa PDT", "Pemberdayaan Ekonomi Desa", {"classes": ["PEMULA"]}),
            ("Kementerian Sosial", "Kewirausahaan Sosial (PENA)", {"classes": ["PEMULA"]}),
            ("LPDB-KUMKM", "Dana Bergulir Koperasi", {"classes": ["MAJU"], "requiresNib": True}),
            ("Kementerian PPPA", "Pengembangan Industri Rumahan (PPEP)", {}),
            ("Kementerian Pariwisata dan Ekonomi Kreatif", "Bangga Buatan Indonesia", {"classes": ["BERKEMBANG", "MAJU"]}),
        )
    ),
}

#: Regional government offices (SKPD) that give interventions, prefixed to the regency's name.
REGIONAL_OFFICES: tuple[str, ...] = (
    "Dinas Koperasi dan UKM", "Dinas Perindustrian dan Perdagangan", "Dinas Pemberdayaan Perempuan dan "
    "Perlindungan Anak", "Dinas Kesehatan", "Dinas Pertanian dan Pangan", "Dinas Tenaga Kerja",
    "Dinas Komunikasi dan Informatika", "Dinas Pemberdayaan Masyarakat dan Desa",
)

#: Team members' agencies (offices by potential) besides the leadership's.
MEMBER_AGENCIES: tuple[str, ...] = REGIONAL_OFFICES + (
    "Dinas Sosial", "Dinas Pariwisata", "Dinas Lingkungan Hidup", "Kantor Kementerian Agama", "Badan Pusat Statistik",
)
NATIONAL_MEMBER_AGENCIES: tuple[str, ...] = (
    "Kementerian Koperasi dan UKM", "Kementerian Perindustrian", "Kementerian Perdagangan", "Kementerian Dalam Negeri",
    "Kementerian Desa PDT", "Kementerian Sosial", "Kementerian Ketenagakerjaan", "Kementerian Kesehatan",
    "Kementerian Pertanian", "Bappenas",
)

#: Intervention types, how often each is given, and the usual value range in rupiah (None: no value).
INTERVENTION_TYPES: tuple[tuple[str, int, tuple[int, int] | None], ...] = (
    ("TRAINING", 30, (300_000, 3_000_000)),
    ("TECHNICAL_GUIDANCE", 18, (500_000, 5_000_000)),
    ("MENTORING", 14, None),
    ("EQUIPMENT", 12, (1_500_000, 20_000_000)),
    ("CAPITAL", 10, (2_000_000, 50_000_000)),
    ("MARKETING", 8, (250_000, 5_000_000)),
    ("LICENSING", 6, None),
    ("OTHER", 2, None),
)

#: What each type was about (the regulation's list: quality, technology, packaging, marketing,
#: bookkeeping, sanitation, ICT; licences NIB, SPP-IRT, halal).
INTERVENTION_TOPICS: dict[str, tuple[str, ...]] = {
    "TRAINING": ("pengemasan dan label produk", "pembukuan sederhana", "pemasaran digital", "kewirausahaan perempuan",
                 "keamanan pangan (PKP)", "desain produk"),
    "TECHNICAL_GUIDANCE": ("mutu produk", "teknologi produksi tepat guna", "sanitasi dan higiene", "diversifikasi produk"),
    "MENTORING": ("pendampingan usaha berkelanjutan", "manajemen keuangan usaha", "rencana usaha"),
    "EQUIPMENT": ("mesin pengemas (sealer)", "oven dan kompor gas", "mesin jahit", "alat penggiling", "etalase dan freezer"),
    "CAPITAL": ("modal kerja", "kredit modal usaha", "hibah modal usaha"),
    "MARKETING": ("pameran produk", "lapak marketplace", "temu bisnis dengan pembeli", "galeri UMKM daerah"),
    "LICENSING": ("pengurusan NIB melalui OSS", "pengurusan SPP-IRT", "sertifikasi halal"),
    "OTHER": ("studi banding", "kemitraan koperasi"),
}

#: Partner kinds that usually give each intervention type (the rest come from government offices).
PARTNER_KINDS_BY_TYPE: dict[str, tuple[str, ...]] = {
    "TRAINING": ("NGO", "UNIVERSITY", "BUSINESS", "BANK"),
    "TECHNICAL_GUIDANCE": ("UNIVERSITY", "GOVERNMENT_OFFICE"),
    "MENTORING": ("NGO", "UNIVERSITY"),
    "EQUIPMENT": ("BUSINESS", "GOVERNMENT_OFFICE"),
    "CAPITAL": ("BANK", "BANK", "BUSINESS"),
    "MARKETING": ("BUSINESS", "GOVERNMENT_OFFICE"),
    "LICENSING": ("GOVERNMENT_OFFICE",),
    "OTHER": ("NGO", "BUSINESS"),
}

OUTCOMES: tuple[str, ...] = (
    "produk dikemas ulang dengan label baru", "omzet naik setelah pameran", "NIB terbit", "SPP-IRT terbit",
    "mulai berjualan daring", "kapasitas produksi bertambah", "pembukuan mulai rutin", "belum terlihat perubahan",
)

#: Facilitators' employers.
FACILITATOR_ORGANISATIONS: tuple[str, ...] = (
    "Dinas PPPA", "Pendamping lokal desa", "LSM mitra", "Konsultan PPEP", "TP PKK", "Pendamping PKH",
)

#: What a facilitator notes after a mentoring visit (catatan pendampingan).
MENTORING_NOTES: tuple[str, ...] = (
    "Membahas pencatatan keuangan harian; buku kas mulai diisi.",
    "Mendampingi pengurusan NIB melalui OSS.",
    "Evaluasi kemasan dan label; disarankan mencantumkan tanggal kedaluwarsa.",
    "Mengenalkan penjualan lewat marketplace; akun toko dibuat.",
    "Membahas rencana pengajuan kredit usaha rakyat.",
    "Kunjungan rutin: produksi berjalan, bahan baku naik harga.",
    "Mendampingi persiapan pameran produk daerah.",
    "Membahas pembagian kerja dan upah pekerja.",
    "Usaha sempat berhenti; membahas cara memulai lagi.",
    "Menghubungkan dengan kelompok usaha bersama di desa.",
)
