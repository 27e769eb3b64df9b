"""The blank survey file an office downloads."""

from __future__ import annotations

import io

import openpyxl

from services.registry.imports.columns import COLUMNS, Kind
from services.registry.imports.template import template_csv, template_xlsx


def test_the_data_sheet_has_the_header_only_frozen_with_an_explanation_on_every_header() -> None:
    book = openpyxl.load_workbook(io.BytesIO(template_xlsx()))
    assert book.sheetnames[:2] == ["Data IR", "Petunjuk"]
    sheet = book["Data IR"]
    assert [cell.value for cell in sheet[1]] == [column.header for column in COLUMNS]
    assert sheet.max_row == 1  # an example row would be imported as an IR
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.bold and cell.comment is not None for cell in sheet[1])
    nik = next(cell for cell in sheet[1] if cell.value == "NIK pemilik")
    assert "16 angka" in nik.comment.text
    assert sheet.column_dimensions[nik.column_letter].number_format == "@"  # 16 digits stay 16 digits


def test_every_choice_column_has_a_drop_down_from_the_hidden_choices_sheet() -> None:
    book = openpyxl.load_workbook(io.BytesIO(template_xlsx()))
    sheet, choices = book["Data IR"], book["Pilihan"]
    assert choices.sheet_state == "hidden"
    by_range = {str(v.sqref).split(":")[0]: v for v in sheet.data_validations.dataValidation}
    for position, column in enumerate(COLUMNS, start=1):
        letter = sheet.cell(row=1, column=position).column_letter
        if column.kind is not Kind.CHOICE:
            continue
        validation = by_range[f"{letter}2"]
        assert validation.type == "list" and validation.showErrorMessage
        source = validation.formula1.lstrip("=").split("!")[1].replace("$", "")
        listed = [cell.value for row in choices[source] for cell in row]
        assert listed == column.labels, column.header
    category = by_range["C2"]
    assert str(category.sqref) == "C2:C20001"


def test_the_instructions_explain_every_column_with_its_example_and_the_limits() -> None:
    sheet = openpyxl.load_workbook(io.BytesIO(template_xlsx()))["Petunjuk"]
    lines = [[cell.value for cell in row] for row in sheet.iter_rows()]
    text = "\n".join(str(line[0]) for line in lines)
    assert "20.000 baris" in text and "10 MiB" in text and "rumus" in text
    by_header = {line[0]: line for line in lines}
    for column in COLUMNS:
        header, section, required, fmt, allowed, example, explanation = by_header[column.header]
        assert required == ("wajib" if column.required else "opsional")
        assert example == column.example and explanation == column.explanation
        assert all(label in allowed for label in column.labels)
    assert "Makanan dan minuman" in by_header["Kategori usaha"][4]


def test_the_csv_template_is_utf8_with_a_bom_and_the_same_headers() -> None:
    content = template_csv()
    assert content.startswith(b"\xef\xbb\xbf")
    assert content.decode("utf-8-sig").strip() == ",".join(column.header for column in COLUMNS)
