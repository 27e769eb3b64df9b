"""The survey file returned to the office, marked with what the check found."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl

from services.registry.imports.files import read_survey
from services.registry.imports.marking import RowOutcome, RowStatus, marked_xlsx
from services.registry.imports.problems import problem
from services.registry.imports.rows import read_row
from tests.registry.imports.survey_files import EXAMPLE, filled_workbook

SAMPLE = Path(__file__).with_name("survei-contoh.csv")


def outcomes_of(survey) -> dict[int, RowOutcome]:  # type: ignore[no-untyped-def]
    outcomes = {}
    for row in survey.rows:
        _, problems = read_row(row)
        outcomes[row.number] = RowOutcome(RowStatus.INVALID, problems) if problems else RowOutcome(RowStatus.VALID)
    return outcomes


def test_the_sample_csv_comes_back_as_a_workbook_with_its_two_errors_marked() -> None:
    content = SAMPLE.read_bytes()
    survey = read_survey(content, SAMPLE.name)
    outcomes = outcomes_of(survey)
    assert [number for number, outcome in outcomes.items() if outcome.problems] == [5]
    assert len(outcomes[5].problems) == 2
    outcomes[2] = RowOutcome(RowStatus.REGISTERED, registration_number="IR-33.74-000101")
    outcomes[3] = RowOutcome(RowStatus.ALREADY_IMPORTED, registration_number="IR-33.74-000042")
    book = openpyxl.load_workbook(io.BytesIO(marked_xlsx(survey, content, outcomes)))
    sheet = book["Data IR"]
    headers = [cell.value for cell in sheet[1]]
    category = sheet.cell(row=5, column=headers.index("Kategori usaha") + 1)
    capital = sheet.cell(row=5, column=headers.index("Jumlah modal (Rp)") + 1)
    assert category.value == "Bengkel motor" and capital.value == "tujuh juta"
    assert category.fill.fgColor.rgb.endswith("FFC7CE") and capital.fill.fgColor.rgb.endswith("FFC7CE")
    assert category.comment.text.startswith('Kategori usaha: "Bengkel motor" bukan salah satu pilihan')
    assert capital.comment.text.startswith("Jumlah modal (Rp): bukan jumlah rupiah")
    name = sheet.cell(row=5, column=headers.index("Nama usaha") + 1)
    assert name.comment is None
    status = headers.index("Hasil pemeriksaan") + 1
    assert status == len(headers)
    assert [sheet.cell(row=n, column=status).value for n in range(2, 7)][:4] == [
        "Terdaftar: IR-33.74-000101", "Sudah terdaftar (IR-33.74-000042)", "Siap didaftarkan",
        f"{category.comment.text}\n{capital.comment.text}"]
    report = [[cell.value for cell in row] for row in book["Laporan pemeriksaan"].iter_rows()]
    assert report[0] == ["Baris", "Kolom", "Kode", "Pesan"]
    assert [row[:3] for row in report[1:]] == [[5, "Kategori usaha", "BAD_USER_INPUT"],
                                               [5, "Jumlah modal (Rp)", "BAD_USER_INPUT"]]


def test_an_uploaded_workbook_keeps_its_sheets_and_gets_the_comment_on_the_right_cell() -> None:
    content = filled_workbook([EXAMPLE, EXAMPLE | {"owner_nik": "1234"}])
    survey = read_survey(content, "survei.xlsx")
    nik_problem = problem(3, "BAD_USER_INPUT", "input.owner.nik",
                          "input.owner.nik: is not a valid NIK (NIK harus terdiri dari 16 digit angka.)")
    conflict = problem(3, "CONFLICT", "input.firstAssessment.score", "score 19 falls in no class of rule set X")
    marked = marked_xlsx(survey, content, {
        2: RowOutcome(RowStatus.VALID), 3: RowOutcome(RowStatus.INVALID, [nik_problem, conflict])})
    book = openpyxl.load_workbook(io.BytesIO(marked))
    assert book.sheetnames == ["Data IR", "Petunjuk", "Pilihan", "Laporan pemeriksaan"]
    sheet = book["Data IR"]
    nik = sheet.cell(row=3, column=survey.positions["owner_nik"])
    assert nik.value == "1234" and nik.comment.text == "NIK pemilik: NIK tidak sah: NIK harus terdiri dari 16 digit angka."
    assert sheet.cell(row=2, column=survey.positions["owner_nik"]).comment is None
    status = sheet.cell(row=3, column=sheet.max_column).value
    assert status.startswith("NIK pemilik: NIK tidak sah") and "Skor 19 tidak termasuk kelas" in status
    # Marked again (the office uploads the marked file after fixing it): one status column, one report.
    again = read_survey(marked, "survei.xlsx")
    remarked = openpyxl.load_workbook(io.BytesIO(marked_xlsx(again, marked, {2: RowOutcome(RowStatus.VALID)})))
    assert [c.value for c in remarked["Data IR"][1]].count("Hasil pemeriksaan") == 1
    assert remarked.sheetnames.count("Laporan pemeriksaan") == 1


def test_text_from_an_upload_never_comes_back_as_a_formula() -> None:
    content = ("Nama usaha,Kode desa/kelurahan\n" "=HYPERLINK(\"http://x\"),33.74.01.1001\n").encode()
    survey = read_survey(_with_required(content), "survei.csv")
    book = openpyxl.load_workbook(io.BytesIO(marked_xlsx(survey, b"", {2: RowOutcome(RowStatus.VALID)})))
    cell = book["Data IR"].cell(row=2, column=survey.positions["business_name"])
    assert cell.value == "'=HYPERLINK(\"http://x\")" and cell.data_type == "s"


def _with_required(content: bytes) -> bytes:
    from services.registry.imports.columns import REQUIRED

    lines = content.decode().splitlines()
    extra = [c.header for c in REQUIRED if c.header not in lines[0]]
    return (lines[0] + "," + ",".join(extra) + "\n" + lines[1] + "," * len(extra) + "\n").encode()
