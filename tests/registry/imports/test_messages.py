"""Every refusal the shared validation can give a survey row has an Indonesian wording."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest

from services.registry.domain import classification, duplicates
from services.registry.domain import validation as check
from services.registry.graphql import inputs
from services.registry.imports.messages import pesan, translation
from siir import argument_rules
from siir.errors import InvalidInput

TODAY = dt.date(2026, 12, 4)
ROOT = Path(__file__).resolve().parents[3]


def _raised(call: Callable[[], object]) -> tuple[str, str]:
    with pytest.raises((InvalidInput, classification.ClassificationError)) as caught:
        call()
    error = caught.value
    return getattr(error, "field", ""), getattr(error, "message", str(error))


def _owner(**given: object) -> Callable[[], object]:
    values = {"nik_value": "3374014502850001", "sex": None, "birth_year": None, "krtp": False, "today": TODAY} | given
    return lambda: check.owner("input.owner", **values)


def _band() -> object:
    return classification._band_level((), 5, "workerCount")


def _category() -> object:
    return classification._category_level({}, classification.ProductionTechnology.MANUAL, "productionTechnology")


VALIDATION_CALLS: list[Callable[[], object]] = [
    lambda: check.text("input.businessName", None, required=True),
    lambda: check.text("input.businessName", "  ", required=True),
    lambda: check.text("input.businessName", "x" * 201),
    lambda: check.kbli("input.legality.kbli", "1079"),
    lambda: check.list_length("input.hopes", ["x"] * 51),
    lambda: check.count("input.workforce.maleWorkers", -1),
    lambda: check.rupiah("input.monthlyGrossIncome", -1),
    lambda: check.record_id("input.firstAssessment.facilitatorId", "abc"),
    lambda: check.past_date("input.businessStartedOn", dt.date(2027, 1, 1), TODAY),
    lambda: check.past_date("input.businessStartedOn", dt.date(1899, 1, 1), TODAY),
    lambda: check.nik("input.owner.nik", "1234"),
    lambda: check.nik("input.owner.nik", "9999014502850001"),
    lambda: check.phone("input.owner.phone", "12345"),
    lambda: check.coordinates("input.location", -6.9, None),
    lambda: check.coordinates("input.location", 50.0, 110.0),
    lambda: check.coordinates("input.location", -6.9, 20.0),
    _owner(sex="MALE"),
    _owner(birth_year=1991),
    _owner(birth_year=1800),
    lambda: check.owner("input.owner", nik_value="3374021207780002", sex=None, birth_year=None, krtp=True, today=TODAY),
    lambda: inputs._workforce("input.workforce", inputs.WorkforceInput(weekly_hours=200)),
    lambda: inputs._assistance("input.assistanceReceived", [inputs.AssistanceReceivedInput(
        type=inputs.AssistanceType.TRAINING, provider="Dinas", year=1900)], TODAY),
    lambda: argument_rules.clean_text("input.address", "Jl.\x00", long_text=True),
    lambda: argument_rules.clean_text("input.owner.name", "x" * 501),
    lambda: argument_rules.in_date_window("input.registeredOn", dt.date(2100, 1, 1)),
    lambda: argument_rules.in_rupiah_range("input.monthlyGrossIncome", -1),
    lambda: classification.business_age_months(dt.date(2026, 2, 1), dt.date(2026, 1, 1)),
    _band,
    _category,
]


@pytest.mark.parametrize("call", VALIDATION_CALLS, ids=lambda call: str(VALIDATION_CALLS.index(call)))
def test_every_validation_refusal_is_translated(call: Callable[[], object]) -> None:
    field, message = _raised(call)
    assert translation(field, message) is not None, message


def _duplicate_messages() -> list[tuple[str, str]]:
    def found(in_scope: bool, regency: str = "33.74", similarity: float = 0.9) -> duplicates.ActiveRegistration:
        return duplicates.ActiveRegistration(1, "IR-33.74-000001", regency, similarity, in_scope)

    refusals = [
        duplicates.refusal([found(True)], "33.74", None),
        duplicates.refusal([found(False, "33.01")], "33.74", None),
        duplicates.refusal([found(False)], "33.74", None),
        duplicates.refusal([found(True)], "33.74", "usaha lain"),
    ]
    return [refusal for refusal in refusals if refusal is not None]


def test_duplicate_owner_refusals_are_translated_and_name_the_column_to_fill() -> None:
    messages = _duplicate_messages()
    assert len(messages) == 4
    for field, message in messages:
        assert translation(field, f"{field}: {message}") is not None, message
    field, message = messages[0]
    assert pesan("CONFLICT", field, f"{field}: {message}") == (
        "NIK pemilik: NIK ini sudah memiliki IR aktif (nomor registrasi IR-33.74-000001); untuk mendaftarkan usaha "
        "lain milik pemilik yang sama, isi kolom \"Alasan usaha tambahan\".")
    assert "kabupaten/kota lain" in pesan("CONFLICT", *messages[1])


#: The registrar's refusals of a registration need the database; their wording is checked against its source.
REGISTRAR_MESSAGES = [
    ("services/registry/registrar.py", "is not a Kemendagri region code", "input.villageCode", "33.99.01.1001 is not a Kemendagri region code"),
    ("services/registry/registrar.py", "is not a village (desa/kelurahan) code", "input.villageCode", "33.74.01 is not a village (desa/kelurahan) code"),
    ("services/registry/registrar.py", '"is before the business started"', "input.firstAssessment.assessedOn", "is before the business started"),
    ("services/registry/facilitator_registrar.py", "the facilitator was not in service on", "input.firstAssessment.facilitatorId", "the facilitator was not in service on 2026-01-01 (2024-01-01 to 2025-12-31)"),
    ("services/registry/domain/classification.py", "falls in no class of rule set", "input.firstAssessment.score", "score 19 falls in no class of rule set PERMEN-2016"),
]


@pytest.mark.parametrize(("source", "phrase", "field", "message"), REGISTRAR_MESSAGES)
def test_registrar_refusals_are_translated(source: str, phrase: str, field: str, message: str) -> None:
    assert phrase in (ROOT / source).read_text()
    assert translation(field, f"{field}: {message}") is not None


def test_an_unknown_message_falls_back_per_code_naming_the_column() -> None:
    assert pesan("BAD_USER_INPUT", "input.owner.phone", "input.owner.phone: is odd") == (
        'Nomor telepon pemilik: isian kolom "Nomor telepon pemilik" tidak dapat diterima; periksa formatnya di '
        "lembar Petunjuk.")
    assert pesan("CONFLICT", None, "something") == (
        "Isian baris ini bertentangan dengan data yang sudah terdaftar; periksa data IR yang ada.")
    assert pesan("FORBIDDEN", "input.villageCode", "no") .startswith("Kode desa/kelurahan: Anda tidak berwenang")
    assert pesan("INTERNAL_SERVER_ERROR", None, "boom") == (
        "Baris ini tidak dapat didaftarkan karena kesalahan sistem; hubungi admin.")


def test_translations_carry_the_values_of_the_message() -> None:
    assert pesan("BAD_USER_INPUT", "input.owner.sex", "input.owner.sex: is MALE but the NIK encodes FEMALE") == (
        "Jenis kelamin pemilik: tertulis laki-laki, padahal NIK menunjukkan perempuan.")
    assert pesan("BAD_USER_INPUT", "input.owner.nik", "input.owner.nik: is not a valid NIK (NIK harus terdiri dari 16 digit angka.)") == (
        "NIK pemilik: NIK tidak sah: NIK harus terdiri dari 16 digit angka.")
    assert pesan("BAD_USER_INPUT", "input.firstAssessment.businessStartedOn",
                 "the business start date is after the assessment date").startswith("Tanggal mulai usaha: ")
