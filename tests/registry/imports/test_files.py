"""Reading an uploaded survey file, and refusing one that cannot be a survey file."""

from __future__ import annotations

import datetime as dt
import io
import time
import zipfile

import openpyxl
import pytest

from services.registry.graphql.enums import BusinessCategory, MarketingChannel
from services.registry.graphql.inputs import assessment_values, record_values
from services.registry.imports.columns import COLUMNS
from services.registry.imports.files import FileRefused, read_survey
from services.registry.imports.rows import read_row
from tests.registry.imports.survey_files import EXAMPLE, csv_bytes, filled_workbook

TODAY = dt.date(2026, 12, 4)


def refusal(content: bytes, filename: str = "survei.xlsx") -> FileRefused:
    with pytest.raises(FileRefused) as caught:
        read_survey(content, filename)
    error = caught.value
    assert error.field == "file" and error.extensions == {"code": "BAD_USER_INPUT", "field": "file", "pesan": error.pesan}
    return error


def test_a_filled_template_reads_back_to_the_inputs_the_mutation_validates() -> None:
    second = EXAMPLE | {
        "business_name": "Batik Bu Ani", "owner_nik": 3374014101900001, "capital_amount": 2500000,
        "business_started_on": dt.datetime(2012, 5, 1), "assessed_on": "15/11/2026",
        "business_category": "textile_and_fashion", "marketing_channels": "Ekspor",
    }
    content = filled_workbook([EXAMPLE, {}, second])  # a blank row between them
    survey = read_survey(content, "survei.xlsx")
    assert (survey.format, survey.sheet) == ("xlsx", "Data IR")
    assert [row.number for row in survey.rows] == [2, 4]
    first, problems = read_row(survey.rows[0])
    assert problems == []
    values = record_values(first, TODAY)
    assert values["village_code"] == "33.74.01.1001"
    assert values["business_category"] == "FOOD_AND_BEVERAGE"
    assert values["products"][1]["name"] == "Keripik bayam"
    assert values["marketing_channels"] == ["DIRECT", "ONLINE"]
    assert values["latitude"] == pytest.approx(-6.9932)
    assert values["consent_to_share"] is True
    criteria, assessment = assessment_values("input.firstAssessment", first.first_assessment, first.business_started_on, TODAY)
    assert criteria.capital_amount == 7_500_000 and assessment["assessed_on"] == dt.date(2026, 11, 15)
    other, problems = read_row(survey.rows[1])
    assert problems == []
    assert other.owner.nik == "3374014101900001"  # typed as a number, read as the NIK
    assert other.business_started_on == dt.date(2012, 5, 1)
    assert other.first_assessment.assessed_on == dt.date(2026, 11, 15)
    assert other.business_category is BusinessCategory.TEXTILE_AND_FASHION
    assert other.marketing_channels == [MarketingChannel.EXPORT]


def test_csv_with_semicolons_without_bom_and_loose_headers_is_read() -> None:
    header = [f"  {column.header.upper()} " for column in COLUMNS]
    survey = read_survey(csv_bytes([EXAMPLE], delimiter=";", bom=False, header=header), "survei.csv")
    assert (survey.format, survey.delimiter, [row.number for row in survey.rows]) == ("csv", ";", [2])
    assert read_row(survey.rows[0])[1] == []


def test_only_the_columns_given_are_needed_in_any_order() -> None:
    keys = ["owner_nik", "village_code", "business_name", "business_category", "owner_name", "business_started_on",
            "assessed_on", "worker_count", "production_technology", "capital_source", "capital_amount",
            "production_pattern"]
    header = [next(c.header for c in COLUMNS if c.key == key) for key in keys]
    text = ",".join(header) + "\n" + ",".join(str(EXAMPLE[key]).replace(",", ".") for key in keys) + "\n"
    survey = read_survey(text.encode(), "kecil.csv")
    assert survey.positions["owner_nik"] == 1
    data, problems = read_row(survey.rows[0])
    assert problems == [] and data.owner.nik == EXAMPLE["owner_nik"]


@pytest.mark.parametrize(
    ("content", "english", "indonesian"),
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "old Excel (.xls)", "Excel lama (.xls)"),
        (b"%PDF-1.7\n" + bytes(100), "a PDF document", "dokumen PDF"),
        (b"\x89PNG\r\n\x1a\n" + bytes(100), "an image", "gambar"),
        (bytes(range(256)) * 4, "neither XLSX nor CSV", "bukan XLSX maupun teks CSV"),
        ("Kode desa/kelurahan\n".encode("utf-16"), "neither XLSX nor CSV", "bukan XLSX maupun"),
    ],
    ids=["xls", "pdf", "png", "random", "utf16"],
)
def test_files_that_are_not_xlsx_or_csv_are_refused(content: bytes, english: str, indonesian: str) -> None:
    error = refusal(content)
    assert english in error.message and indonesian in error.pesan
    assert "CSV UTF-8" in error.pesan or "(.xlsx)" in error.pesan


def _zip(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


def test_an_ods_a_plain_zip_and_a_zip_bomb_are_refused_before_any_parsing() -> None:
    ods = refusal(_zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<x/>"}))
    assert "OpenDocument" in ods.message and "OpenDocument (.ods)" in ods.pesan
    plain = refusal(_zip({"laporan.txt": b"halo"}))
    assert "not an Excel workbook" in plain.message and "bukan buku kerja Excel" in plain.pesan
    bomb = refusal(_zip({"[Content_Types].xml": b"<x/>", "xl/workbook.xml": b"<x/>",
                         "xl/worksheets/sheet1.xml": b" " * (60 * 1024 * 1024)}))
    assert "ZIP bomb" in bomb.message and "bom ZIP" in bomb.pesan


def test_a_workbook_with_an_entity_declaration_is_refused() -> None:
    good = zipfile.ZipFile(io.BytesIO(filled_workbook([EXAMPLE])))
    parts = {name: good.read(name) for name in good.namelist()}
    body = parts["xl/workbook.xml"]
    body = body.split(b"?>", 1)[1] if body.startswith(b"<?xml") else body
    parts["xl/workbook.xml"] = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]>' + body
    error = refusal(_zip(parts))
    assert "cannot be read" in error.message and "tidak dapat dibaca" in error.pesan


def test_too_large_too_many_rows_and_empty_files_are_refused() -> None:
    large = refusal(b"a" * (10 * 1024 * 1024 + 1), "besar.csv")
    assert "larger than 10 MiB" in large.message and "lebih besar dari 10 MiB" in large.pesan
    many = refusal(csv_bytes([{"business_name": "x"}] * 20_001), "banyak.csv")
    assert "more than 20,000 data rows" in many.message and "lebih dari 20.000 baris" in many.pesan
    empty_template = refusal(filled_workbook([]))
    assert empty_template.message == "file: the file has no data rows"
    assert empty_template.pesan == "Berkas tidak berisi baris data."
    assert refusal(b"", "kosong.csv").pesan == "Berkas tidak berisi baris data."
    assert refusal(csv_bytes([{}, {}]), "kosong.csv").pesan == "Berkas tidak berisi baris data."


def test_too_many_rows_in_a_workbook_is_refused() -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([column.header for column in COLUMNS])
    for _ in range(20_001):
        sheet.append(["33.74.01.1001"])
    out = io.BytesIO()
    book.save(out)
    assert "lebih dari 20.000 baris" in refusal(out.getvalue()).pesan


def test_a_header_that_does_not_match_names_what_is_missing_unknown_and_duplicated() -> None:
    header = [c.header for c in COLUMNS if c.key != "owner_nik"] + ["Nomor KK", "nama usaha"]
    error = refusal(csv_bytes([EXAMPLE], header=header), "survei.csv")
    assert error.message == (
        'file: the header (row 1) does not match the template: required columns are missing: "NIK pemilik"; '
        'unknown columns: "Nomor KK"; columns given twice: "Nama usaha"'
    )
    assert error.pesan == (
        'Judul kolom (baris 1) tidak sesuai templat: kolom wajib tidak ada: "NIK pemilik"; kolom tidak dikenal: '
        '"Nomor KK"; kolom tertulis dua kali: "Nama usaha".'
    )


def test_formulas_are_refused_naming_their_cells() -> None:
    content = filled_workbook([EXAMPLE, EXAMPLE | {"capital_amount": "=1000*7500", "worker_count": "=1+2"}])
    error = refusal(content)
    assert "cells hold formulas (W3, Z3)" in error.message
    assert "Sel berisi rumus (W3, Z3)" in error.pesan and "Paste Values" in error.pesan


def test_csv_that_is_not_utf8_is_refused_and_asks_for_csv_utf8() -> None:
    content = csv_bytes([EXAMPLE | {"owner_name": "Sri Wahyuni Ñ"}], bom=False, encoding="cp1252")
    error = refusal(content, "survei.csv")
    assert "not UTF-8" in error.message and "CSV UTF-8" in error.pesan


def test_a_marked_workbook_uploaded_again_reads_despite_its_status_column() -> None:
    header = [column.header for column in COLUMNS] + ["Hasil pemeriksaan"]
    survey = read_survey(filled_workbook([EXAMPLE], header=header), "survei.xlsx")
    assert len(survey.rows) == 1 and "Hasil pemeriksaan" not in survey.positions


def test_ten_thousand_rows_read_and_convert() -> None:
    book = openpyxl.load_workbook(io.BytesIO(filled_workbook([])))
    sheet = book["Data IR"]
    row = [EXAMPLE.get(column.key) for column in COLUMNS]
    for _ in range(10_000):
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    content = out.getvalue()
    started = time.perf_counter()
    survey = read_survey(content, "besar.xlsx")
    read = time.perf_counter()
    converted = [read_row(row) for row in survey.rows]
    done = time.perf_counter()
    print(f"\n10,000 rows x {len(COLUMNS)} columns ({len(content):,} bytes): read {read - started:.2f} s, "
          f"converted {done - read:.2f} s")
    assert len(converted) == 10_000 and all(problems == [] for _, problems in converted)
