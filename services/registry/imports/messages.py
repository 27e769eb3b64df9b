"""Indonesian explanations of the errors a survey row can meet after it is read.

The shared validation (``domain/validation.py``, ``graphql/inputs.py``, ``siir/argument_rules.py``),
the registrar, the duplicate rules and the classification word their refusals in English for the API.
An office reading its marked survey file gets each one in Indonesian: the catalogue below matches
the English message (without its ``field: `` prefix) and words it again; a message it does not know
gets the fallback of its code, which still names the column.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from services.registry.imports.columns import column_for_field


def _rupiah(amount: str) -> str:
    return "Rp " + f"{int(amount):,}".replace(",", ".") if amount.isdigit() else amount


def _sex(value: str) -> str:
    return {"FEMALE": "perempuan", "MALE": "laki-laki"}.get(value, value)


def _where(text: str) -> str:
    found = re.fullmatch(r"registration number (\S+)", text)
    if found:
        return f"nomor registrasi {found.group(1)}"
    if text.startswith("registered in another regency/city"):
        return "terdaftar di kabupaten/kota lain"
    if text == "registered outside your area":
        return "terdaftar di luar wilayah Anda"
    return text


_Words = Callable[[re.Match[str]], str]

#: (English message pattern, its Indonesian wording), tried in order; the first that matches whole wins.
CATALOGUE: tuple[tuple[re.Pattern[str], _Words], ...] = tuple(
    (re.compile(pattern), words) for pattern, words in (
        # domain/validation.py, graphql/inputs.py, siir/argument_rules.py
        (r"is required", lambda m: "wajib diisi."),
        (r"must not be empty", lambda m: "tidak boleh kosong."),
        (r"is longer than (\d+) characters", lambda m: f"lebih dari {m[1]} karakter."),
        (r"contains the control character (U\+[0-9A-F]+).*",
         lambda m: f"berisi karakter kendali {m[1]} yang tidak diizinkan; ketik ulang isinya."),
        (r"is not a KBLI code: five digits such as 10792", lambda m: "bukan kode KBLI: lima angka, misalnya 10792."),
        (r"has more than (\d+) items", lambda m: f"berisi lebih dari {m[1]} butir."),
        (r"must be between (\d+) and (\d+) rupiah", lambda m: f"harus antara {_rupiah(m[1])} dan {_rupiah(m[2])}."),
        (r"must be between (\S+) and (\S+)", lambda m: f"harus antara {m[1]} dan {m[2]}."),
        (r"is not an? ?(\w*) id", lambda m: "bukan nomor id yang sah."),
        (r"is in the future", lambda m: "tanggalnya di masa depan."),
        (r"is before (\d{4}-\d\d-\d\d)", lambda m: f"tanggalnya sebelum {m[1]}."),
        (r"is not a valid NIK \((.*)\)", lambda m: f"NIK tidak sah: {m[1].rstrip('.')}."),
        (r"is not an Indonesian phone number.*", lambda m: "bukan nomor telepon Indonesia (08…, 62…, +62…)."),
        (r"needs both latitude and longitude", lambda m: "lintang dan bujur harus diisi keduanya."),
        (r"is outside Indonesia", lambda m: "berada di luar wilayah Indonesia (lintang/bujur tertukar atau salah ketik?)."),
        (r"is (FEMALE|MALE) but the NIK encodes (FEMALE|MALE)",
         lambda m: f"tertulis {_sex(m[1])}, padahal NIK menunjukkan {_sex(m[2])}."),
        (r"does not match the NIK's birth date \((\d+)\)",
         lambda m: f"tidak sesuai tanggal lahir dalam NIK ({m[1]})."),
        (r"only a woman can be a female head of household \(KRTP\)",
         lambda m: "hanya perempuan yang dapat menjadi kepala rumah tangga perempuan (KRTP)."),
        (r"is more than the 168 hours of a week", lambda m: "lebih dari 168 jam dalam seminggu."),
        # registrar.py, facilitator_registrar.py
        (r"(\S+) is not a Kemendagri region code", lambda m: f"{m[1]} bukan kode wilayah Kemendagri."),
        (r"(\S+) is not a village \(desa/kelurahan\) code", lambda m: f"{m[1]} bukan kode desa/kelurahan."),
        (r"is before the business started", lambda m: "tanggalnya sebelum usaha dimulai."),
        (r"is after the IR's latest assessment", lambda m: "tanggalnya sesudah penilaian terakhir IR."),
        (r"no facilitator with id (\S+)", lambda m: f"tidak ada pendamping dengan id {m[1]}."),
        (r"the facilitator was not in service on (\S+).*",
         lambda m: f"pendamping tidak sedang bertugas pada {m[1]}."),
        # domain/duplicates.py
        (r"this NIK already has an active IR \((.*)\); to register another business of the same owner give "
         r"additionalBusinessReason",
         lambda m: f"NIK ini sudah memiliki IR aktif ({_where(m[1])}); untuk mendaftarkan usaha lain milik pemilik "
                   "yang sama, isi kolom \"Alasan usaha tambahan\"."),
        (r"the owner already has an active IR with a near-identical business name \((.*)\)",
         lambda m: f"pemilik sudah memiliki IR aktif dengan nama usaha yang hampir sama ({_where(m[1])}): usaha "
                   "yang sama tidak didaftarkan dua kali."),
        # domain/classification.py
        (r"the business start date is after the assessment date",
         lambda m: "tanggal mulai usaha sesudah tanggal penilaian."),
        (r"(-?\d+) is outside every band of the rule set",
         lambda m: f"nilai {m[1]} tidak termasuk rentang mana pun dalam aturan klasifikasi."),
        (r"(\S+) has no level in the rule set", lambda m: f"{m[1]} tidak memiliki tingkat dalam aturan klasifikasi."),
        (r"score (\d+) falls in no class of rule set (\S+)",
         lambda m: f"skor {m[1]} tidak termasuk kelas mana pun dalam aturan {m[2]}."),
    )
)

#: What a message the catalogue does not know says, by code ({kolom}: the column, or "baris ini").
FALLBACK: dict[str, str] = {
    "BAD_USER_INPUT": "isian {kolom} tidak dapat diterima; periksa formatnya di lembar Petunjuk.",
    "CONFLICT": "isian {kolom} bertentangan dengan data yang sudah terdaftar; periksa data IR yang ada.",
    "FORBIDDEN": "Anda tidak berwenang mendaftarkan IR ini ({kolom} di luar wilayah Anda).",
    "NOT_FOUND": "data yang dirujuk {kolom} tidak ditemukan.",
    "SERVICE_UNAVAILABLE": "layanan sedang sibuk atau tidak tersedia; coba impor lagi nanti.",
}
DEFAULT_FALLBACK = "baris ini tidak dapat didaftarkan karena kesalahan sistem; hubungi admin."


def _bare(field: str | None, message: str) -> str:
    """The message without the ``field: `` prefix domain errors put before it."""
    if field and message.startswith(f"{field}: "):
        return message[len(field) + 2:]
    return message


def translation(field: str | None, message: str) -> str | None:
    """The catalogue's Indonesian for ``message``, or None when the catalogue does not know it."""
    bare = _bare(field, message)
    for pattern, words in CATALOGUE:
        found = pattern.fullmatch(bare)
        if found:
            return words(found)
    return None


def pesan(code: str, field: str | None, message: str) -> str:
    """An error in Indonesian, starting with the column it is about (when there is one)."""
    column = column_for_field(field)
    text = translation(field, message)
    if text is None:
        kolom = f'kolom "{column.header}"' if column else "baris ini"
        text = FALLBACK.get(code, DEFAULT_FALLBACK).format(kolom=kolom)
    return f"{column.header}: {text}" if column else text[:1].upper() + text[1:]
