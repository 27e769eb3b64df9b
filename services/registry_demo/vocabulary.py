"""Word lists for demo home industries: Indonesian names, products, phrases, providers.

Plain data, no logic: ``services.registry_demo.seeding`` draws from these with a seeded
``random.Random``. Tuples (not sets) so that iteration order, and therefore the demo data, never
depends on hashing.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Women's given names common across Java, Sumatra, Sulawesi and the east.
WOMEN_GIVEN_NAMES: tuple[str, ...] = (
    "Sri", "Siti", "Dewi", "Nur", "Wati", "Ratna", "Endang", "Yuliani", "Suryani", "Sumiati",
    "Rina", "Lestari", "Wahyuni", "Sulastri", "Kartini", "Tuti", "Yanti", "Ani", "Rahayu", "Ningsih",
    "Purwanti", "Susilawati", "Mulyani", "Fitri", "Aminah", "Fatimah", "Nurhayati", "Rohmah", "Indah",
    "Eka", "Lilis", "Neneng", "Euis", "Ika", "Maria", "Theresia", "Agustina", "Yohana", "Ni Made",
    "Ni Ketut", "Ni Wayan", "Hartini", "Sukarni", "Marlina", "Rosmawati", "Herlina", "Nurul", "Khadijah",
    "Winarsih", "Sumarni", "Dian", "Ayu", "Puji", "Erna", "Sari", "Yuni", "Murni", "Darmi", "Painem",
    "Juariah", "Halimah", "Masitah", "Farida", "Asih", "Titin", "Umi", "Anisa", "Wulan", "Novita",
)

#: Men's given names.
MEN_GIVEN_NAMES: tuple[str, ...] = (
    "Budi", "Agus", "Slamet", "Joko", "Bambang", "Hadi", "Suryadi", "Eko", "Dedi", "Heru", "Wahyu",
    "Supriyadi", "Sugeng", "Rudi", "Ahmad", "Muhammad", "Abdul", "Ismail", "Yusuf", "Hendra", "Iwan",
    "Asep", "Ujang", "Dadang", "Yohanes", "Petrus", "Fransiskus", "I Made", "I Ketut", "I Wayan",
    "Rahmat", "Syamsul", "Darmawan", "Teguh", "Sutrisno", "Paijo", "Tukiman", "Hasan", "Arif", "Fajar",
    "Andi", "La Ode", "Muhlis", "Samsudin", "Ridwan", "Taufik", "Irwan", "Gunawan", "Sugiarto", "Kasmin",
)

#: Second names and family names (many Indonesians have one name only: see ONE_NAME_SHARE).
SECOND_NAMES: tuple[str, ...] = (
    "Rahayu", "Lestari", "Wati", "Susanti", "Hidayat", "Santoso", "Wibowo", "Saputra", "Setiawan",
    "Kurniawan", "Pratama", "Nugroho", "Siregar", "Nasution", "Lubis", "Harahap", "Simanjuntak",
    "Sitompul", "Ginting", "Tarigan", "Sembiring", "Manurung", "Pane", "Daulay", "Sinaga", "Pohan",
    "Hasibuan", "Lumbantobing", "Wijaya", "Handayani", "Purnamasari", "Permatasari", "Anggraini",
    "Maharani", "Suharto", "Sutanto", "Mahmud", "Rasyid", "Syahputra", "Hamzah", "Latuconsina",
    "Pattiasina", "Mandagi", "Lumempouw", "Rumbiak", "Wenda", "Daeng", "Tanjung", "Effendi", "Yusuf",
)

#: The share of owners recorded under a single name, as is common in Java.
ONE_NAME_SHARE = 0.35


@dataclass(frozen=True, slots=True)
class ProductKind:
    """A product a home industry makes: its name, unit, raw materials and usual monthly volume."""

    name: str
    unit: str
    raw_materials: tuple[str, ...]
    monthly_volume: tuple[int, int]  # (least, most) for a one-person business
    #: How the business is called after its product, e.g. "Keripik Tempe Bu Sri".
    business_word: str


#: Products by ``business_category``; the first products are the common ones.
PRODUCTS: dict[str, tuple[ProductKind, ...]] = {
    "FOOD_AND_BEVERAGE": (
        ProductKind("Keripik tempe", "kg", ("tempe", "tepung beras", "minyak goreng", "bawang putih"), (20, 300), "Keripik Tempe"),
        ProductKind("Keripik singkong", "kg", ("singkong", "minyak goreng", "cabai", "garam"), (30, 400), "Keripik Singkong"),
        ProductKind("Kue basah", "pcs", ("tepung terigu", "gula pasir", "telur", "santan"), (300, 5000), "Kue"),
        ProductKind("Sambal", "botol", ("cabai rawit", "bawang merah", "tomat", "minyak goreng"), (50, 1500), "Sambal"),
        ProductKind("Kerupuk", "kg", ("tepung tapioka", "ikan", "bawang putih", "garam"), (50, 800), "Kerupuk"),
        ProductKind("Emping melinjo", "kg", ("melinjo", "garam"), (20, 400), "Emping"),
        ProductKind("Rengginang", "kg", ("beras ketan", "terasi", "garam"), (20, 300), "Rengginang"),
        ProductKind("Abon ikan", "kg", ("ikan tongkol", "bawang merah", "gula merah", "rempah"), (10, 200), "Abon"),
        ProductKind("Dodol", "kg", ("beras ketan", "gula merah", "santan"), (20, 300), "Dodol"),
        ProductKind("Gula aren", "kg", ("nira aren",), (50, 600), "Gula Aren"),
        ProductKind("Kopi bubuk", "kg", ("biji kopi",), (20, 400), "Kopi"),
        ProductKind("Tahu", "kg", ("kedelai", "cuka"), (100, 1500), "Tahu"),
        ProductKind("Roti dan kue kering", "toples", ("tepung terigu", "mentega", "gula pasir", "telur"), (50, 1200), "Kue Kering"),
        ProductKind("Bakso frozen", "kg", ("daging sapi", "tepung tapioka", "bawang putih"), (30, 500), "Bakso"),
        ProductKind("Minuman jahe instan", "bungkus", ("jahe", "gula pasir"), (100, 3000), "Jahe Instan"),
    ),
    "TEXTILE_AND_FASHION": (
        ProductKind("Batik tulis", "lembar", ("kain mori", "malam", "pewarna"), (5, 80), "Batik Tulis"),
        ProductKind("Batik cap", "lembar", ("kain mori", "malam", "pewarna"), (20, 300), "Batik"),
        ProductKind("Tenun ikat", "lembar", ("benang katun", "pewarna alam"), (2, 30), "Tenun"),
        ProductKind("Bordir", "pcs", ("kain", "benang bordir"), (20, 400), "Bordir"),
        ProductKind("Konveksi pakaian", "pcs", ("kain katun", "benang", "kancing"), (50, 1500), "Konveksi"),
        ProductKind("Jilbab", "pcs", ("kain voal", "benang"), (50, 1000), "Jilbab"),
        ProductKind("Songket", "lembar", ("benang sutra", "benang emas"), (1, 12), "Songket"),
        ProductKind("Rajutan", "pcs", ("benang wol",), (10, 200), "Rajut"),
    ),
    "CRAFT": (
        ProductKind("Anyaman pandan", "pcs", ("daun pandan", "pewarna"), (20, 400), "Anyaman"),
        ProductKind("Anyaman bambu", "pcs", ("bambu",), (20, 500), "Anyaman Bambu"),
        ProductKind("Gerabah", "pcs", ("tanah liat", "pasir"), (50, 1000), "Gerabah"),
        ProductKind("Kerajinan rotan", "pcs", ("rotan", "pernis"), (10, 200), "Rotan"),
        ProductKind("Tas manik-manik", "pcs", ("manik-manik", "benang nilon"), (10, 200), "Manik"),
        ProductKind("Kerajinan enceng gondok", "pcs", ("enceng gondok", "lem"), (20, 300), "Kerajinan"),
        ProductKind("Souvenir kerang", "pcs", ("kerang", "lem", "cat"), (50, 800), "Souvenir"),
    ),
    "HERBAL_AND_COSMETIC": (
        ProductKind("Jamu gendong", "botol", ("kunyit", "temulawak", "jahe", "kencur"), (100, 2000), "Jamu"),
        ProductKind("Jamu serbuk", "bungkus", ("temulawak", "kunyit", "gula aren"), (100, 3000), "Jamu"),
        ProductKind("Lulur tradisional", "pcs", ("beras", "kunyit", "bengkuang"), (30, 600), "Lulur"),
        ProductKind("Sabun herbal", "pcs", ("minyak kelapa", "soda api", "sereh"), (50, 1000), "Sabun"),
        ProductKind("Minyak kayu putih", "botol", ("daun kayu putih",), (30, 500), "Minyak Kayu Putih"),
    ),
    "FURNITURE_AND_WOOD": (
        ProductKind("Mebel kayu", "unit", ("kayu jati", "pernis", "paku"), (2, 40), "Mebel"),
        ProductKind("Ukiran kayu", "pcs", ("kayu mahoni", "pernis"), (5, 100), "Ukiran"),
        ProductKind("Perabot bambu", "unit", ("bambu", "rotan"), (5, 80), "Perabot Bambu"),
        ProductKind("Mainan kayu", "pcs", ("kayu pinus", "cat"), (20, 400), "Mainan Kayu"),
    ),
    "OTHER": (
        ProductKind("Pupuk organik", "kg", ("kotoran ternak", "sekam", "EM4"), (200, 5000), "Pupuk Organik"),
        ProductKind("Sapu ijuk", "pcs", ("ijuk", "bambu"), (50, 800), "Sapu"),
        ProductKind("Lilin aromaterapi", "pcs", ("parafin", "minyak atsiri"), (30, 500), "Lilin"),
        ProductKind("Sablon kaos", "pcs", ("kaos polos", "tinta sablon"), (50, 800), "Sablon"),
    ),
}

#: How often each category occurs: food dominates the programme's surveys.
CATEGORY_WEIGHTS: dict[str, int] = {
    "FOOD_AND_BEVERAGE": 52,
    "TEXTILE_AND_FASHION": 16,
    "CRAFT": 14,
    "HERBAL_AND_COSMETIC": 7,
    "FURNITURE_AND_WOOD": 5,
    "OTHER": 6,
}

#: Business-name patterns: ``{product}`` the product word, ``{honorific}`` Bu/Pak, ``{name}``.
BUSINESS_NAME_PATTERNS: tuple[str, ...] = (
    "{product} {honorific} {name}",
    "{product} {honorific} {name}",
    "{product} {brand}",
    "{product} {brand} {name}",
    "UD {brand}",
    "{product} Mbak {name}",
    "Dapur {name}",
    "{product} Sari {brand}",
)

#: Words that make up a brand, as on packaging in any pasar.
BRAND_WORDS: tuple[str, ...] = (
    "Barokah", "Berkah", "Lestari", "Sekar Arum", "Mekar Sari", "Sumber Rejeki", "Makmur", "Rasa Ibu",
    "Ayu", "Mandiri", "Sejahtera", "Melati", "Kenanga", "Sido Mulyo", "Srikandi", "Cahaya", "Nikmat",
    "Putri", "Jaya Abadi", "Tunas Harapan", "Karya Ibu", "Wijaya Kusuma", "Mawar", "Sinar Pagi",
)

#: Owner education (the survey's form): code, weight.
EDUCATION_LEVELS: tuple[tuple[str, int], ...] = (
    ("NONE", 4), ("PRIMARY", 30), ("JUNIOR_SECONDARY", 27), ("SENIOR_SECONDARY", 29),
    ("DIPLOMA", 4), ("BACHELOR", 6),
)

#: Marketing channels (the schema's values) with how often IR use them.
MARKETING_CHANNELS: tuple[tuple[str, float], ...] = (
    ("DIRECT", 0.85), ("SHOP", 0.45), ("RESELLER", 0.35), ("ONLINE", 0.30), ("EXHIBITION", 0.15),
    ("EXPORT", 0.02),
)

CONSTRAINTS: tuple[str, ...] = (
    "modal terbatas", "pemasaran sulit", "bahan baku mahal", "harga bahan baku tidak stabil",
    "peralatan masih sederhana", "kemasan kurang menarik", "belum punya izin P-IRT",
    "belum bersertifikat halal", "tenaga kerja terbatas", "sulit akses pinjaman bank",
    "persaingan harga", "tidak ada pencatatan keuangan", "belum bisa jualan online",
    "produk tidak tahan lama", "tempat produksi sempit",
)

HOPES: tuple[str, ...] = (
    "tambahan modal usaha", "pelatihan pemasaran online", "bantuan alat produksi",
    "pelatihan pengemasan", "pendampingan izin P-IRT", "sertifikasi halal gratis",
    "ikut pameran produk", "akses pinjaman lunak", "pelatihan pembukuan sederhana",
    "rumah produksi yang layak", "kemitraan dengan toko modern", "naik kelas menjadi usaha kecil",
)

INFRASTRUCTURE: tuple[str, ...] = (
    "listrik PLN", "air bersih", "dapur produksi", "gudang", "kendaraan roda dua", "mesin jahit",
    "oven", "freezer", "mesin penggiling", "sinyal internet",
)

#: Assistance providers by kind (the schema's providerKind).
PROVIDERS: dict[str, tuple[str, ...]] = {
    "GOVERNMENT_OFFICE": (
        "Dinas PPPA Kabupaten", "Dinas Koperasi dan UKM", "Dinas Perindustrian", "Dinas Kesehatan",
        "Kementerian PPPA", "Dinas Pertanian",
    ),
    "NGO": ("ASPPUK", "IWAPI", "PKK Desa", "Aisyiyah", "Muslimat NU", "Forum Puspa"),
    "BUSINESS": ("Rumah Kreatif BUMN", "PT Pertamina (CSR)", "Gojek", "XL Axiata", "Shopee"),
    "BANK": ("PNM Mekaar", "Bank Mandiri", "BRI (KUR)", "BNI", "Bank Pembangunan Daerah"),
    "UNIVERSITY": ("LPPM Universitas Brawijaya", "LPPM Universitas Diponegoro", "LPPM IPB", "LPPM UGM"),
}

#: What a provider kind usually gives.
ASSISTANCE_TYPES_BY_PROVIDER: dict[str, tuple[str, ...]] = {
    "GOVERNMENT_OFFICE": ("TRAINING", "EQUIPMENT", "TRAINING", "OTHER"),
    "NGO": ("TRAINING", "TRAINING", "OTHER"),
    "BUSINESS": ("TRAINING", "EQUIPMENT", "OTHER"),
    "BANK": ("CAPITAL", "CAPITAL", "TRAINING"),
    "UNIVERSITY": ("TRAINING", "EQUIPMENT"),
}

TRAININGS: tuple[str, ...] = (
    "pengemasan produk", "pemasaran digital", "pembukuan sederhana", "keamanan pangan (PKP)",
    "diversifikasi produk", "manajemen usaha", "fotografi produk", "sanitasi produksi",
)

WORKER_PROTECTION: tuple[str, ...] = ("BPJS_KETENAGAKERJAAN", "BPJS_KESEHATAN", "PAID_LEAVE", "MATERNITY_LEAVE")

#: Why an IR closed (gulung tikar), as facilitators write it.
CLOSURE_REASONS: tuple[str, ...] = (
    "gulung tikar: modal habis", "gulung tikar: kalah bersaing", "pemilik pindah domisili",
    "usaha berhenti saat pandemi COVID-19", "pemilik bekerja di tempat lain", "pemilik sakit",
    "bahan baku tidak tersedia",
)

GRADUATION_REASON = "Naik kelas menjadi usaha kecil; diserahkan ke Kementerian Koperasi dan UKM"

#: Street words for addresses.
STREET_WORDS: tuple[str, ...] = (
    "Jl. Merdeka", "Jl. Pahlawan", "Jl. Masjid", "Jl. Pasar", "Jl. Raya", "Jl. Kenanga", "Jl. Melati",
    "Gg. Mawar", "Gg. Flamboyan", "Dusun Krajan", "Dusun Sumber", "Jl. Sudirman", "Jl. Diponegoro",
)

#: Rough centre (latitude, longitude) and spread (degrees) of each province, for plausible
#: coordinates: the region list has no coordinates, and a point near its province is enough
#: for a demo map.
PROVINCE_CENTRES: dict[str, tuple[float, float, float]] = {
    "11": (4.4, 96.9, 1.0), "12": (2.2, 99.1, 1.0), "13": (-0.7, 100.6, 0.9), "14": (0.5, 101.8, 1.0),
    "15": (-1.6, 103.2, 0.8), "16": (-3.2, 104.2, 1.0), "17": (-3.6, 102.3, 0.7), "18": (-4.9, 105.1, 0.8),
    "19": (-2.4, 106.3, 0.7), "21": (1.0, 104.3, 0.6), "31": (-6.2, 106.8, 0.1), "32": (-6.9, 107.6, 0.6),
    "33": (-7.2, 110.2, 0.6), "34": (-7.85, 110.4, 0.2), "35": (-7.6, 112.4, 0.7), "36": (-6.3, 106.1, 0.4),
    "51": (-8.4, 115.2, 0.3), "52": (-8.6, 117.3, 0.6), "53": (-9.3, 121.5, 1.0), "61": (-0.1, 110.4, 1.0),
    "62": (-1.6, 113.4, 1.0), "63": (-3.0, 115.3, 0.7), "64": (0.8, 116.4, 1.0), "65": (3.0, 116.5, 0.7),
    "71": (1.2, 124.8, 0.6), "72": (-1.0, 121.3, 1.0), "73": (-4.4, 119.9, 0.9), "74": (-4.1, 122.2, 0.8),
    "75": (0.6, 122.6, 0.5), "76": (-2.6, 119.2, 0.6), "81": (-3.2, 129.4, 1.0), "82": (0.9, 127.9, 1.0),
    "91": (-1.0, 133.0, 1.0), "92": (-1.3, 132.0, 0.8), "93": (-4.6, 137.9, 1.0), "94": (-3.5, 138.0, 1.0),
    "95": (-4.1, 138.9, 0.8), "96": (-6.9, 139.5, 1.0),
}

#: Relative IR density by province: Java and Bali, where the programme's model regencies and
#: most home industries are, weigh more than the thinly populated east.
PROVINCE_WEIGHTS: dict[str, float] = {
    "31": 2.0, "32": 6.0, "33": 6.0, "34": 3.0, "35": 6.5, "36": 3.0, "51": 2.5,
    "11": 1.2, "12": 2.0, "13": 1.5, "14": 1.0, "15": 0.8, "16": 1.5, "17": 0.6, "18": 1.5, "19": 0.8,
    "21": 0.6, "52": 1.5, "53": 1.2, "61": 1.0, "62": 1.0, "63": 1.0, "64": 0.8, "65": 0.4,
    "71": 0.8, "72": 0.8, "73": 1.8, "74": 0.7, "75": 0.5, "76": 0.4, "81": 0.5, "82": 0.4,
    "91": 0.3, "92": 0.2, "93": 0.2, "94": 0.3, "95": 0.2, "96": 0.2,
}

#: Regencies/cities named in the field reports (seeds 001–004): Kota Malang (14,327 IR, seed
#: 003), Kota Semarang (the 2019 workshop), Palangka Raya and Pangkalpinang (seeds 002, 004).
#: They always take part and weigh like the programme's model regencies.
MODEL_REGENCIES: dict[str, float] = {"35.73": 8.0, "33.74": 5.0, "62.71": 3.0, "19.71": 3.0}
