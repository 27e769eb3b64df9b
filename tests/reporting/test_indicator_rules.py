"""The indicator rules of domain/indicators.py and their place in the projection (plain Python, no database)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from services.reporting.domain.indicators import Indicator, check_target_setter, indicator_years
from services.reporting.domain.projection import RollupDelta, apply_event
from siir.errors import Forbidden


def _snapshot(**changes: Any) -> dict[str, Any]:
    return {"id": "7", "registrationNumber": "IR-33.74-000007", "villageCode": "33.74.01.1001", "businessCategory": "FOOD",
            "ownerSex": "FEMALE", "ownerIsFemaleHeadOfHousehold": True, "workersFemale": 1, "workersMale": 0,
            "registeredOn": "2025-02-01", "status": "ACTIVE", "statusChangedOn": None, "hasNib": False, "hasPirt": False,
            "marketingChannels": ["DIRECT"], **changes}


def _assessment(id_: int, on: str, ir_class: str) -> dict[str, Any]:
    return {"id": str(id_), "assessedOn": on, "irClass": ir_class, "score": 8, "smallEnterpriseCandidate": False}


def _events() -> list[tuple[str, dict[str, Any], dt.date]]:
    return [
        # As the registry publishes a registration: the IR, then its first assessment.
        ("HomeIndustryRegistered", {"schema": 1, "homeIndustry": _snapshot()}, dt.date(2026, 1, 5)),
        ("AssessmentRecorded", {"schema": 1, "homeIndustry": _snapshot(), "assessment": _assessment(1, "2025-02-01", "PEMULA")},
         dt.date(2026, 1, 5)),
        ("AssessmentRecorded", {"schema": 1, "homeIndustry": _snapshot(), "assessment": _assessment(2, "2025-08-01", "MAJU")},
         dt.date(2026, 1, 6)),
        ("HomeIndustryUpdated", {"schema": 1, "homeIndustry": _snapshot(hasNib=True, marketingChannels=["ONLINE"])},
         dt.date(2026, 3, 1)),
        ("HomeIndustryUpdated", {"schema": 1, "homeIndustry": _snapshot(hasNib=False)}, dt.date(2026, 4, 1)),
        ("HomeIndustryUpdated", {"schema": 1, "homeIndustry": _snapshot(hasNib=True)}, dt.date(2027, 1, 1)),
    ]


def _apply(events: list[tuple[str, dict[str, Any], dt.date]]) -> Any:
    record = None
    for event_type, payload, on in events:
        record = apply_event(record, event_type, payload, on)
    return record


def test_an_ir_counts_once_per_indicator_and_year() -> None:
    record = _apply(_events())
    assert record.milestones == {"NIB": "2026-03-01", "ONLINE": "2026-03-01"}  # the first day, kept
    assert indicator_years(record.changes(), record.first_class(), record.registered_on, record.milestones,
                           record.village_code) == {
        (Indicator.NEW_PEMULA, 2025), (Indicator.NEW_PEMULA_IN_TOWNS, 2025), (Indicator.PEMULA_TO_BERKEMBANG, 2025), (Indicator.BERKEMBANG_TO_MAJU, 2025),
        (Indicator.NIB_OBTAINED, 2026), (Indicator.ONLINE_SELLING_STARTED, 2026),
    }


def test_replaying_the_events_changes_nothing() -> None:
    once = _apply(_events())
    again = _apply(_events() + _events())
    assert (again.milestones, sorted(again.history)) == (once.milestones, sorted(once.history))
    delta = RollupDelta()
    delta.add(once, -1)
    delta.add(again, 1)
    assert delta.indicator_rows() == []
    counted = RollupDelta()
    counted.add(once, 1)
    rows = {(level, region, year, indicator): n for level, region, year, indicator, _, _, n, _ in counted.indicator_rows()}
    assert rows[(0, "", 2025, "NEW_PEMULA")] == rows[(1, "33", 2025, "NEW_PEMULA")] == rows[(2, "33.74", 2025, "NEW_PEMULA")] == 1
    assert not any(level == 3 for level, *_ in rows)


def test_who_sets_targets_where() -> None:
    check_target_setter("MINISTRY", None, "")
    check_target_setter("PROVINCE_OFFICER", "33", "33")
    check_target_setter("PROVINCE_OFFICER", "33", "33.74")
    for role, region, code in (("PROVINCE_OFFICER", "33", "35.07"), ("PROVINCE_OFFICER", "33", ""),
                               ("PROVINCE_OFFICER", "33", "331.01"), ("DISTRICT_OFFICER", "33.74", "33.74"),
                               ("ANALYST", None, "33")):
        with pytest.raises(Forbidden):
            check_target_setter(role, region, code)


def test_a_formal_entity_counts_the_year_it_was_first_formed() -> None:
    """A cooperative or a PT is a formal entity (Tabel 3); a partnership or a joint business group is not;
    a cooperative that becomes a PT was formed once."""
    events = _events()[:2] + [
        ("HomeIndustryUpdated", {"schema": 1, "homeIndustry": _snapshot(legalForm="PARTNERSHIP")}, dt.date(2025, 6, 1)),
        ("HomeIndustryUpdated", {"schema": 1, "homeIndustry": _snapshot(legalForm="JOINT_BUSINESS_GROUP")}, dt.date(2025, 7, 1)),
        ("HomeIndustryUpdated", {"schema": 1, "homeIndustry": _snapshot(legalForm="COOPERATIVE")}, dt.date(2026, 2, 1)),
        ("HomeIndustryUpdated", {"schema": 1, "homeIndustry": _snapshot(legalForm="LIMITED_COMPANY")}, dt.date(2027, 2, 1)),
    ]
    record = _apply(events)
    assert record.milestones == {"FORMAL_ENTITY": "2026-02-01"}
    counted = indicator_years(record.changes(), record.first_class(), record.registered_on, record.milestones,
                              record.village_code)
    assert {(i, y) for i, y in counted if i is Indicator.FORMAL_ENTITY_FORMED} == {(Indicator.FORMAL_ENTITY_FORMED, 2026)}
    registered_as_pt = _apply([("HomeIndustryRegistered", {"schema": 1, "homeIndustry": _snapshot(legalForm="LIMITED_COMPANY")},
                                dt.date(2026, 1, 5))])
    assert registered_as_pt.milestones == {"FORMAL_ENTITY": "2025-02-01"}  # held when registered: the registration day
