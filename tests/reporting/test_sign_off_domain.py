"""The sign-off state machine (services/reporting/domain/sign_off.py), without a database."""

from __future__ import annotations

import datetime as dt

import pytest

from services.reporting.domain.sign_off import (
    Level,
    Narrative,
    SignOffAction as A,
    SignOffState as S,
    default_deadline,
    flatten,
    is_late,
    level_of,
    revisions,
    state_counts,
    transition,
    unsettled_children,
)
from siir.auth.identity import Identity, Role
from siir.errors import Conflict, Forbidden, InvalidInput

NARRATIVE = Narrative("45 IR naik kelas", "modal terbatas", "pelatihan pemasaran daring")


def who(role: Role, region: str | None) -> Identity:
    return Identity(subject=f"{role.value}-{region}", role=role, region=region, partner=None, expires_at=0, token="")


REGENCY_OFFICE = who(Role.DISTRICT_OFFICER, "32.04")
PROVINCE_OFFICE = who(Role.PROVINCE_OFFICER, "32")
OTHER_PROVINCE = who(Role.PROVINCE_OFFICER, "33")
MINISTRY = who(Role.MINISTRY, None)


def test_a_regency_cycle_submit_return_resubmit_approve():
    step = transition(REGENCY_OFFICE, "32.04", 2026, S.NOT_STARTED, 0, A.SUBMIT, narrative=NARRATIVE)
    assert (step.from_state, step.to_state, step.version) == (S.NOT_STARTED, S.SUBMITTED, 1)
    step = transition(PROVINCE_OFFICE, "32.04", 2026, S.SUBMITTED, 1, A.RETURN, comment=" angka Maju tidak wajar ")
    assert (step.to_state, step.comment, step.actor_role) == (S.RETURNED, "angka Maju tidak wajar", Role.PROVINCE_OFFICER)
    step = transition(REGENCY_OFFICE, "32.04", 2026, S.RETURNED, 2, A.SUBMIT, narrative=NARRATIVE)
    assert step.to_state is S.SUBMITTED
    step = transition(PROVINCE_OFFICE, "32.04", 2026, S.SUBMITTED, 3, A.APPROVE, expected_version=3)
    assert (step.to_state, step.version) == (S.APPROVED, 4)


@pytest.mark.parametrize("state", [S.NOT_STARTED, S.RETURNED, S.APPROVED, S.WAIVED])
def test_approving_anything_but_a_submission_is_a_conflict(state):
    with pytest.raises(Conflict) as refused:
        transition(PROVINCE_OFFICE, "32.04", 2026, state, 1, A.APPROVE)
    assert refused.value.extensions == {"code": "CONFLICT", "state": state.value}


def test_an_approved_report_cannot_be_resubmitted_or_waived():
    with pytest.raises(Conflict):
        transition(REGENCY_OFFICE, "32.04", 2026, S.APPROVED, 4, A.SUBMIT, narrative=NARRATIVE)
    with pytest.raises(Conflict):
        transition(PROVINCE_OFFICE, "32.04", 2026, S.APPROVED, 4, A.WAIVE, comment="x")


@pytest.mark.parametrize("identity, action", [
    (REGENCY_OFFICE, A.APPROVE),                            # a regency approving its own
    (OTHER_PROVINCE, A.APPROVE),                            # another province's regency
    (OTHER_PROVINCE, A.RETURN),
    (MINISTRY, A.APPROVE),                                  # the ministry signs provinces, not regencies
    (who(Role.DISTRICT_OFFICER, "32.05"), A.SUBMIT),        # a neighbouring regency
    (PROVINCE_OFFICE, A.SUBMIT),                            # the province submitting for its regency
    (who(Role.ANALYST, None), A.APPROVE),
])
def test_only_the_right_office_acts(identity, action):
    with pytest.raises(Forbidden) as refused:
        transition(identity, "32.04", 2026, S.SUBMITTED, 1, action, comment="c", narrative=NARRATIVE)
    assert refused.value.extensions["code"] == "FORBIDDEN"


def test_a_province_submits_once_every_regency_is_settled_and_the_ministry_signs_it():
    children = {"32.04": S.APPROVED, "32.05": S.WAIVED, "32.06": S.RETURNED}
    missing = unsettled_children(children, ["32.04", "32.05", "32.06", "32.07"])
    assert missing == ["32.06", "32.07"]
    with pytest.raises(Conflict) as refused:
        transition(PROVINCE_OFFICE, "32", 2026, S.NOT_STARTED, 0, A.SUBMIT, narrative=NARRATIVE, unsettled=missing)
    assert refused.value.extensions["missing"] == ["32.06", "32.07"]
    assert "32.06, 32.07" in refused.value.message
    step = transition(PROVINCE_OFFICE, "32", 2026, S.NOT_STARTED, 0, A.SUBMIT, narrative=NARRATIVE, unsettled=[])
    assert step.to_state is S.SUBMITTED
    with pytest.raises(Forbidden):
        transition(PROVINCE_OFFICE, "32", 2026, S.SUBMITTED, 1, A.APPROVE)  # its own
    assert transition(MINISTRY, "32", 2026, S.SUBMITTED, 1, A.APPROVE).to_state is S.APPROVED


def test_a_waiver_and_a_return_say_why_and_a_submission_carries_its_narrative():
    with pytest.raises(InvalidInput) as refused:
        transition(PROVINCE_OFFICE, "32.04", 2026, S.NOT_STARTED, 0, A.WAIVE, comment="  ")
    assert refused.value.extensions == {"code": "BAD_USER_INPUT", "field": "reason"}
    with pytest.raises(InvalidInput) as refused:
        transition(PROVINCE_OFFICE, "32.04", 2026, S.SUBMITTED, 1, A.RETURN)
    assert refused.value.field == "comment"
    with pytest.raises(InvalidInput) as refused:
        transition(REGENCY_OFFICE, "32.04", 2026, S.NOT_STARTED, 0, A.SUBMIT,
                   narrative=Narrative("ok", "ok", ""))
    assert refused.value.field == "narrative.followUpPlan"
    step = transition(PROVINCE_OFFICE, "32.04", 2026, S.NOT_STARTED, 0, A.WAIVE, comment="tidak ada IR")
    assert (step.to_state, step.comment) == (S.WAIVED, "tidak ada IR")


def test_a_stale_version_is_a_conflict():
    with pytest.raises(Conflict) as refused:
        transition(PROVINCE_OFFICE, "32.04", 2026, S.SUBMITTED, 3, A.APPROVE, expected_version=2)
    assert refused.value.extensions["field"] == "expectedVersion"


def test_only_provinces_and_regencies_sign_off():
    assert level_of("32") is Level.PROVINCE and level_of("32.04") is Level.REGENCY
    with pytest.raises(InvalidInput):
        level_of("32.04.01")


def test_lateness_against_the_deadline():
    deadline = default_deadline(2026, Level.REGENCY)
    assert deadline == dt.date(2027, 1, 31)
    assert default_deadline(2027, Level.PROVINCE) == dt.date(2028, 2, 29)
    assert not is_late(deadline, S.NOT_STARTED, None, dt.date(2027, 1, 31))
    assert is_late(deadline, S.NOT_STARTED, None, dt.date(2027, 2, 1))
    assert is_late(deadline, S.APPROVED, dt.date(2027, 2, 3), dt.date(2027, 1, 1))
    assert not is_late(deadline, S.SUBMITTED, dt.date(2027, 1, 30), dt.date(2027, 6, 1))
    assert not is_late(deadline, S.WAIVED, None, dt.date(2027, 6, 1))


def test_revisions_compare_live_figures_with_the_signed_ones():
    approved = flatten({"endOfYear": {"pemula": 10, "maju": 2, "regionName": "Bandung"}, "summary": {"movedUp": 3}})
    assert approved == {"endOfYear.pemula": 10, "endOfYear.maju": 2, "summary.movedUp": 3}
    live = {**approved, "endOfYear.maju": 3, "summary.movedUp": 4, "summary.closed": 1}
    diff = revisions(approved, live)
    assert [(r.figure, r.approved, r.live, r.difference) for r in diff] == [
        ("endOfYear.maju", 2, 3, 1), ("summary.closed", 0, 1, 1), ("summary.movedUp", 3, 4, 1)]
    assert revisions(approved, dict(approved)) == []


def test_state_counts_name_every_state():
    assert state_counts([S.APPROVED, S.APPROVED, S.WAIVED]) == {
        S.NOT_STARTED: 0, S.SUBMITTED: 0, S.RETURNED: 0, S.APPROVED: 2, S.WAIVED: 1}
