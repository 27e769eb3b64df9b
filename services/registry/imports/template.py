"""The blank survey file an office downloads and fills: an XLSX with its instructions, or a CSV header.

The data sheet holds only the header: an example row there would be imported as an IR, so the
examples are in the instructions sheet (``Petunjuk``), one line per column.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from services.registry.imports.columns import COLUMNS, FORMATS, Column, Kind
from services.registry.imports.files import DATA_SHEET, MAX_FILE_BYTES, MAX_ROWS
from services.registry.imports.rows import LIST_SEPARATOR

INSTRUCTIONS_SHEET = "Petunjuk"
CHOICES_SHEET = "Pilihan"
VILLAGES_SHEET = "Daftar desa"

#: Cell formats, so that what is typed is kept as typed: a NIK as text keeps its 16 digits.
_NUMBER_FORMATS = {
    Kind.TEXT: "@",
    Kind.DATE: "yyyy-mm-dd",
    Kind.WHOLE: "0",
    Kind.RUPIAH: "#,##0",
    Kind.DECIMAL: "0.000000",
}
_WIDTHS = {Kind.LONG_TEXT: 40, Kind.TEXT_LIST: 36, Kind.CHOICE_LIST: 30, Kind.ASSISTANCE_LIST: 44}


def _thousands(number: int) -> str:
    return f"{number:,}".replace(",", ".")


GUIDANCE: tuple[str, ...] = (
    "Cara mengisi berkas survei industri rumahan (Permen PPPA 2/2016 BAB V G)",
    "",
    f"1. Isi lembar \"{DATA_SHEET}\": satu baris untuk satu industri rumahan (IR) beserta penilaian pertamanya, "
    "mulai baris 2.",
    "2. Jangan mengubah, menghapus atau menambah judul kolom di baris 1. Kolom opsional boleh dikosongkan.",
    "3. Kolom wajib harus diisi pada setiap baris. Baris yang seluruhnya kosong dilewati.",
    "4. Kolom pilihan: pilih dari daftar (tanda panah di sel). Nama pilihan dalam bahasa Inggris juga diterima.",
    f"5. Daftar (produk, kendala, harapan, dst.): pisahkan dengan titik koma ({LIST_SEPARATOR}).",
    "6. Tanggal: sel tanggal Excel, atau teks yyyy-mm-dd (2026-11-15) atau dd/mm/yyyy (15/11/2026).",
    "7. Rupiah: bilangan bulat tanpa desimal, boleh dengan titik pemisah ribuan (7.500.000).",
    "8. NIK, nomor telepon dan kode desa diketik sebagai teks agar angka 0 dan angka terakhir tidak hilang. Kode "
    f"desa/kelurahan: pilih dari daftar (lembar \"{VILLAGES_SHEET}\", desa di kabupaten/kota Anda) atau ketik kode "
    "Kemendagri-nya.",
    "9. Jangan memakai rumus: server tidak menghitung rumus. Salin lalu tempel sebagai nilai (Paste Values).",
    f"10. Batas: paling banyak {_thousands(MAX_ROWS)} baris data dan {MAX_FILE_BYTES // (1024 * 1024)} MiB per "
    "berkas; bagi data yang lebih besar menjadi beberapa berkas.",
    "11. CSV juga diterima: simpan sebagai \"CSV UTF-8\", dipisah koma atau titik koma, dengan judul kolom yang sama.",
    "12. Setelah diunggah, setiap baris diperiksa dulu. Berkas hasil pemeriksaan menandai sel yang salah dengan "
    "warna merah dan komentar; perbaiki lalu unggah lagi. Baris yang sudah terdaftar tidak didaftarkan dua kali.",
    "",
    "Kolom:",
)
_TABLE_HEADER = ("Judul kolom", "Bagian survei", "Wajib/opsional", "Format", "Pilihan yang diterima", "Contoh",
                 "Penjelasan")


def _allowed(column: Column) -> str:
    return "; ".join(column.labels)


def _comment_text(column: Column) -> str:
    lines = [f"{'Wajib' if column.required else 'Opsional'}. {column.explanation}", f"Format: {FORMATS[column.kind]}."]
    if column.choices:
        lines.append(f"Pilihan: {_allowed(column)}.")
    lines.append(f"Contoh: {column.example}")
    return "\n".join(lines)


def village_choice(code: str, name: str, sub_district: str) -> str:
    """A village as the template's drop-down lists it; ``rows.village_code`` reads the code back."""
    return f"{code} {name} (Kec. {sub_district})"


def template_xlsx(villages: Sequence[tuple[str, str, str]] = ()) -> bytes:
    """The blank survey workbook: the data sheet's header, drop-downs, and the instructions; with
    ``villages`` (code, name, sub-district: the downloading office's regency/city), a sheet listing them
    and the village column as a drop-down of them (a code typed in stays accepted)."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    data = book.active
    data.title = DATA_SHEET
    choices = book.create_sheet(CHOICES_SHEET)
    choices.sheet_state = "hidden"
    bold = Font(bold=True)
    required_fill = PatternFill("solid", fgColor="FFF2CC")
    optional_fill = PatternFill("solid", fgColor="DDEBF7")
    last_row = MAX_ROWS + 1
    choice_column = 0
    for position, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(position)
        cell = data.cell(row=1, column=position, value=column.header)
        cell.font = bold
        cell.fill = required_fill if column.required else optional_fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        comment = Comment(_comment_text(column), "SIIR")
        comment.width, comment.height = 320, 160
        cell.comment = comment
        dimension = data.column_dimensions[letter]
        dimension.width = max(_WIDTHS.get(column.kind, 18), min(len(column.header) + 2, 40))
        if column.kind in _NUMBER_FORMATS:
            dimension.number_format = _NUMBER_FORMATS[column.kind]
        if column.choices and column.kind in (Kind.CHOICE, Kind.CHOICE_LIST):
            choice_column += 1
            choice_letter = get_column_letter(choice_column)
            choices.cell(row=1, column=choice_column, value=column.header)
            for row, label in enumerate(column.labels, start=2):
                choices.cell(row=row, column=choice_column, value=label)
            source = f"{CHOICES_SHEET}!${choice_letter}$2:${choice_letter}${len(column.labels) + 1}"
            # A list column takes several choices joined by ';': the drop-down helps, but may not refuse.
            single = column.kind is Kind.CHOICE
            validation = DataValidation(type="list", formula1=f"={source}", allow_blank=True,
                                        showErrorMessage=single)
            validation.errorTitle = column.header
            validation.error = f"Pilih salah satu: {_allowed(column)}"
            validation.promptTitle = column.header
            validation.prompt = "Pilih dari daftar." if single else "Pilih dari daftar; beberapa dipisah titik koma."
            validation.add(f"{letter}2:{letter}{last_row}")
            data.add_data_validation(validation)
    if villages:
        _village_list(book, data, villages, bold)
    data.freeze_panes = "A2"
    data.row_dimensions[1].height = 45
    _instructions(book.create_sheet(INSTRUCTIONS_SHEET, 1), bold)
    book.active = 0
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _village_list(book, data, villages: Sequence[tuple[str, str, str]], bold) -> None:  # type: ignore[no-untyped-def]
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    sheet = book.create_sheet(VILLAGES_SHEET)
    sheet.append(["Kode", "Desa/kelurahan", "Kecamatan", "Pilihan di kolom kode desa"])
    for cell in sheet[1]:
        cell.font = bold
    for code, name, sub_district in villages:
        sheet.append([code, name, sub_district, village_choice(code, name, sub_district)])
    for letter, width in zip("ABCD", (16, 28, 24, 56)):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    position = next(i for i, column in enumerate(COLUMNS, start=1) if column.key == "village_code")
    letter = get_column_letter(position)
    # Not refusing: a code typed in (or pasted from the office's own list) is as good as a choice.
    validation = DataValidation(type="list", formula1=f"='{VILLAGES_SHEET}'!$D$2:$D${len(villages) + 1}",
                                allow_blank=True, showErrorMessage=False)
    validation.promptTitle = COLUMNS[position - 1].header
    validation.prompt = f"Pilih dari daftar (lembar {VILLAGES_SHEET}) atau ketik kodenya."
    validation.add(f"{letter}2:{letter}{MAX_ROWS + 1}")
    data.add_data_validation(validation)


def _instructions(sheet, bold) -> None:  # type: ignore[no-untyped-def]
    from openpyxl.styles import Alignment

    for line in GUIDANCE:
        sheet.append([line])
    sheet["A1"].font = bold
    sheet.append(list(_TABLE_HEADER))
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    for column in COLUMNS:
        sheet.append([
            column.header,
            column.section,
            "wajib" if column.required else "opsional",
            FORMATS[column.kind],
            _allowed(column),
            column.example,
            column.explanation,
        ])
    wrap = Alignment(wrap_text=True, vertical="top")
    for letter, width in zip("ABCDEFG", (34, 24, 14, 34, 40, 30, 60)):
        sheet.column_dimensions[letter].width = width
    for row in sheet.iter_rows(min_row=len(GUIDANCE) + 1):
        for cell in row:
            cell.alignment = wrap


def template_csv() -> bytes:
    """The blank survey as CSV: UTF-8 with a BOM (so Excel opens it as UTF-8), the header only."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow([column.header for column in COLUMNS])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
