"""A survey row's cells read into the registration input, every unreadable cell reported."""

from __future__ import annotations

import datetime as dt

import pytest

from services.registry.graphql.enums import AssistanceType, Education, LegalForm, Sex
from services.registry.imports.files import SurveyRow
from services.registry.imports.rows import read_row
from tests.registry.imports.survey_files import EXAMPLE


def read(**cells: object):
    row = dict(EXAMPLE)
    for key, value in cells.items():
        if value is None:
            row.pop(key, None)
        else:
            row[key] = value
    return read_row(SurveyRow(7, row))


@pytest.mark.parametrize(
    ("key", "cell", "attribute", "expected"),
    [
        ("capital_amount", "Rp 7.500.000,00", ("first_assessment", "capital_amount"), 7_500_000),
        ("capital_amount", 7500000.0, ("first_assessment", "capital_amount"), 7_500_000),
        ("worker_count", "1.200", ("first_assessment", "worker_count"), 1200),
        ("assessed_on", "5/1/2026", ("first_assessment", "assessed_on"), dt.date(2026, 1, 5)),
        ("assessed_on", dt.datetime(2026, 1, 5), ("first_assessment", "assessed_on"), dt.date(2026, 1, 5)),
        ("owner_sex", "p", ("owner", "sex"), Sex.FEMALE),
        ("owner_sex", "FEMALE", ("owner", "sex"), Sex.FEMALE),
        ("owner_education", "  smp/SEDERAJAT ", ("owner", "education"), Education.JUNIOR_SECONDARY),
        ("owner_krtp", "ya", ("owner", "is_female_head_of_household"), True),
        ("owner_phone", 81234567890, ("owner", "phone"), "81234567890"),
        ("legal_form", "koperasi", ("legality", "legal_form"), LegalForm.COOPERATIVE),
        ("latitude", "-6.5", ("location", "latitude"), -6.5),
    ],
)
def test_cells_are_read_by_their_kind(key: str, cell: object, attribute: tuple[str, str], expected: object) -> None:
    data, problems = read(**{key: cell})
    assert problems == []
    assert getattr(getattr(data, attribute[0]), attribute[1]) == expected


def test_lists_are_split_on_semicolons_and_assistance_is_read() -> None:
    data, problems = read(products="Keripik ; ; Rempeyek;", assistance_received="Peralatan: Baznas (2021); lainnya: RT")
    assert problems == []
    assert [p.name for p in data.products] == ["Keripik", "Rempeyek"]
    assert [(a.type, a.provider, a.year) for a in data.assistance_received] == [
        (AssistanceType.EQUIPMENT, "Baznas", 2021), (AssistanceType.OTHER, "RT", None)]


def test_optional_groups_are_left_out_when_their_cells_are_empty() -> None:
    keys = ["latitude", "longitude", "nib", "kbli", "pirt_number", "halal_certificate_number", "legal_form",
            "workers_female", "workers_male", "average_wage", "weekly_hours", "protection", "special_treatment",
            "trainings_attended", "trainings_wanted", "consent", "consent_recorded_on"]
    data, problems = read(**dict.fromkeys(keys))
    assert problems == []
    assert (data.location, data.legality, data.workforce, data.consent) == (None, None, None, None)


def test_every_problem_of_a_row_is_reported_with_its_column_path_and_indonesian_text() -> None:
    data, problems = read(
        business_name=None, capital_amount="tujuh juta", assessed_on="31/02/2026", owner_krtp="mungkin",
        marketing_channels="Langsung; Televisi", longitude=None, owner_name="Sri\x07",
    )
    assert data is None
    found = {(p.column, p.field, p.code): p for p in problems}
    assert set(found) == {
        ("business_name", "input.businessName", "BAD_USER_INPUT"),
        ("capital_amount", "input.firstAssessment.capitalAmount", "BAD_USER_INPUT"),
        ("assessed_on", "input.firstAssessment.assessedOn", "BAD_USER_INPUT"),
        ("owner_krtp", "input.owner.isFemaleHeadOfHousehold", "BAD_USER_INPUT"),
        ("marketing_channels", "input.marketingChannels[1]", "BAD_USER_INPUT"),
        ("longitude", "input.location.longitude", "BAD_USER_INPUT"),
        ("owner_name", "input.owner.name", "BAD_USER_INPUT"),
    }
    assert all(p.row == 7 for p in problems)
    assert found[("business_name", "input.businessName", "BAD_USER_INPUT")].pesan == "Nama usaha: wajib diisi."
    channel = found[("marketing_channels", "input.marketingChannels[1]", "BAD_USER_INPUT")]
    assert channel.header == "Saluran pemasaran" and '"Televisi" bukan salah satu pilihan' in channel.pesan
    assert found[("longitude", "input.location.longitude", "BAD_USER_INPUT")].pesan == (
        "Bujur: lintang dan bujur harus diisi keduanya.")
    assert "karakter kendali U+0007" in found[("owner_name", "input.owner.name", "BAD_USER_INPUT")].pesan


def test_amounts_and_dates_outside_the_rules_of_every_argument_are_refused() -> None:
    _, problems = read(capital_amount="-5", assessed_on="1/1/1850")
    assert {p.field: p.pesan for p in problems} == {
        "input.firstAssessment.capitalAmount": "Jumlah modal (Rp): harus antara Rp 0 dan Rp 1.000.000.000.000.000.",
        "input.firstAssessment.assessedOn": "Tanggal penilaian: harus antara 1900-01-01 dan 2099-12-31.",
    }
