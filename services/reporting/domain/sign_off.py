"""Sign-off of the annual report up the structural path (Permen PPPA 2/2016 BAB VI): plain Python.

DHIS2's data approval is the model. Per (region, year) a sign-off is in one state:

- NOT_STARTED (belum dikirim): nothing submitted yet;
- SUBMITTED (dikirim): the office submitted its report; the figures are frozen as a snapshot;
- RETURNED (dikembalikan): the office above sent it back with comments; the office may resubmit
  (a new snapshot; earlier ones stay in the history);
- APPROVED (disetujui): the office above signed it; the period is locked: the snapshot never changes,
  later registry changes show as revisions against it (``revisions``);
- WAIVED (dibebaskan): the office above excused it, with a reason (a regency without IR, say).

Who acts: a regency/city (DISTRICT_OFFICER of exactly that region) submits its own report; the
PROVINCE_OFFICER of its province approves, returns or waives it. A province (PROVINCE_OFFICER of
exactly it) submits its own only when every regency in it is APPROVED or WAIVED; the MINISTRY
approves, returns or waives a province. Nobody approves their own report.

Errors (docs/errors.md): a caller acting outside its region or role is FORBIDDEN; an action the state
does not allow (approving a report not submitted, resubmitting an approved one) or one that lost a
race (``expected_version`` moved on) is CONFLICT; a missing comment, reason or narrative is
BAD_USER_INPUT naming the input.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from siir.auth.identity import Identity, Role
from siir.errors import Conflict, Forbidden, InvalidInput


class SignOffState(enum.Enum):
    NOT_STARTED = "NOT_STARTED"
    SUBMITTED = "SUBMITTED"
    RETURNED = "RETURNED"
    APPROVED = "APPROVED"
    WAIVED = "WAIVED"


class SignOffAction(enum.Enum):
    SUBMIT = "SUBMIT"
    RETURN = "RETURN"
    APPROVE = "APPROVE"
    WAIVE = "WAIVE"


class Level(enum.Enum):
    """The level a sign-off is at: a regency/city reports to its province, a province to the ministry."""

    REGENCY = "REGENCY"
    PROVINCE = "PROVINCE"


#: States in which a child no longer holds its province's submission back.
SETTLED = frozenset({SignOffState.APPROVED, SignOffState.WAIVED})

#: Which state each action may start from, and where it leads.
TRANSITIONS: dict[SignOffAction, tuple[frozenset[SignOffState], SignOffState]] = {
    SignOffAction.SUBMIT: (frozenset({SignOffState.NOT_STARTED, SignOffState.RETURNED}), SignOffState.SUBMITTED),
    SignOffAction.RETURN: (frozenset({SignOffState.SUBMITTED}), SignOffState.RETURNED),
    SignOffAction.APPROVE: (frozenset({SignOffState.SUBMITTED}), SignOffState.APPROVED),
    SignOffAction.WAIVE: (frozenset({SignOffState.NOT_STARTED, SignOffState.RETURNED}), SignOffState.WAIVED),
}

#: Plain words for each state in a refusal.
_STATE_WORDS = {
    SignOffState.NOT_STARTED: "has not been submitted",
    SignOffState.SUBMITTED: "is submitted and awaits the office above",
    SignOffState.RETURNED: "was returned to the office for resubmission",
    SignOffState.APPROVED: "is approved (the period is locked)",
    SignOffState.WAIVED: "is waived",
}


def level_of(region_code: str) -> Level:
    """A province code has one segment ("32"), a regency/city two ("32.04"); lower regions do not sign off."""
    depth = region_code.count(".") + 1
    if depth == 1:
        return Level.PROVINCE
    if depth == 2:
        return Level.REGENCY
    raise InvalidInput("regionCode", f"{region_code} is neither a province nor a regency/city: only they sign off")


def parent_of(region_code: str) -> str | None:
    return region_code.rsplit(".", 1)[0] if "." in region_code else None


@dataclass(frozen=True, slots=True)
class Narrative:
    """The report's narrative: achievements (capaian), problems (permasalahan), follow-up plan (rencana tindak lanjut)."""

    achievements: str
    problems: str
    follow_up_plan: str

    def check(self, path: str = "narrative") -> "Narrative":
        for name, value in (("achievements", self.achievements), ("problems", self.problems),
                            ("followUpPlan", self.follow_up_plan)):
            if not value or not value.strip():
                raise InvalidInput(f"{path}.{name}", "must not be empty: the office above reads it with the figures")
        return self


@dataclass(frozen=True, slots=True)
class Step:
    """One accepted transition, as the audit trail records it."""

    region_code: str
    year: int
    action: SignOffAction
    from_state: SignOffState
    to_state: SignOffState
    actor_subject: str
    actor_role: Role
    version: int
    comment: str | None = None


def may_act(identity: Identity, region_code: str, action: SignOffAction) -> None:
    """FORBIDDEN unless ``identity`` is the office that may take ``action`` on ``region_code``'s sign-off."""
    level = level_of(region_code)
    if action is SignOffAction.SUBMIT:
        own_role = Role.DISTRICT_OFFICER if level is Level.REGENCY else Role.PROVINCE_OFFICER
        if identity.role is not own_role or identity.region != region_code:
            raise Forbidden(f"only the {'regency/city' if level is Level.REGENCY else 'province'} office of "
                            f"{region_code} submits its annual report", region=region_code)
        return
    # Approve, return, waive: the office directly above, never the region itself.
    if level is Level.REGENCY:
        allowed = identity.role is Role.PROVINCE_OFFICER and identity.region == parent_of(region_code)
        who = f"the province office of {parent_of(region_code)}"
    else:
        allowed = identity.role is Role.MINISTRY
        who = "the ministry"
    if not allowed:
        raise Forbidden(f"only {who} may {action.value.lower()} the annual report of {region_code}",
                        region=region_code)


def unsettled_children(children: Mapping[str, SignOffState], expected: Iterable[str]) -> list[str]:
    """The regencies of a province (``expected``) not yet APPROVED or WAIVED, sorted."""
    return sorted(code for code in expected if children.get(code, SignOffState.NOT_STARTED) not in SETTLED)


def transition(
    identity: Identity,
    region_code: str,
    year: int,
    state: SignOffState,
    version: int,
    action: SignOffAction,
    *,
    expected_version: int | None = None,
    comment: str | None = None,
    narrative: Narrative | None = None,
    unsettled: Iterable[str] = (),
) -> Step:
    """Check one action on a sign-off now in ``state`` at ``version``; the accepted step, or a coded error.

    ``unsettled``: for a province's SUBMIT, its regencies not yet approved or waived (``unsettled_children``).
    """
    may_act(identity, region_code, action)
    if expected_version is not None and expected_version != version:
        raise Conflict(f"the sign-off of {region_code} for {year} moved on (version {version}, you sent "
                       f"{expected_version}): re-read it and try again", field="expectedVersion")
    sources, target = TRANSITIONS[action]
    if state not in sources:
        raise Conflict(f"cannot {action.value.lower()} the annual report of {region_code} for {year}: it "
                       f"{_STATE_WORDS[state]}", state=state.value)
    if action is SignOffAction.SUBMIT:
        if narrative is None:
            raise InvalidInput("narrative", "a submission carries its narrative")
        narrative.check()
        missing = sorted(unsettled)
        if missing:
            raise Conflict(f"the province {region_code} submits once every regency/city in it is approved or "
                           f"waived; not yet: {', '.join(missing)}", missing=missing)
    if action in (SignOffAction.RETURN, SignOffAction.WAIVE):
        name = "comment" if action is SignOffAction.RETURN else "reason"
        if comment is None or not comment.strip():
            raise InvalidInput(name, f"a {'return' if name == 'comment' else 'waiver'} says why")
    return Step(region_code, year, action, state, target, identity.subject, identity.role, version + 1,
                comment.strip() if comment else None)


# --- Lateness -----------------------------------------------------------------------------------


def default_deadline(year: int, level: Level) -> dt.date:
    """The default deadline for a year's report when the ministry set none for that year.

    The regulation has regencies report to the province "at the end of each year" and provinces to the
    ministry at the yearly coordination meeting (Rakor Tahunan PPEP) without dates; the figures of a
    year are complete on 31 December, so a regency has January (31 January of the next year) and its
    province February (the last day of February) to compile the regencies' reports before the meeting.
    """
    if level is Level.REGENCY:
        return dt.date(year + 1, 1, 31)
    return dt.date(year + 1, 3, 1) - dt.timedelta(days=1)


def is_late(deadline: dt.date, state: SignOffState, submitted_on: dt.date | None, today: dt.date) -> bool:
    """Late: submitted after the deadline, or not submitted (and not waived) and the deadline has passed."""
    if state is SignOffState.WAIVED:
        return False
    if submitted_on is not None:
        return submitted_on > deadline
    return today > deadline


# --- Snapshots and revisions --------------------------------------------------------------------


def flatten(figures: Mapping[str, object], prefix: str = "") -> dict[str, int]:
    """A report's figures (nested mappings of counts) as ``dotted.name → count``, for snapshots and diffs.

    Non-integer leaves (names, dates) are not figures and are left out; booleans too.
    """
    out: dict[str, int] = {}
    for key, value in figures.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out.update(flatten(value, name + "."))
        elif isinstance(value, int) and not isinstance(value, bool):
            out[name] = value
    return out


@dataclass(frozen=True, slots=True)
class Revision:
    """One figure whose live value differs from the signed one."""

    figure: str
    approved: int
    live: int

    @property
    def difference(self) -> int:
        return self.live - self.approved


def revisions(approved: Mapping[str, int], live: Mapping[str, int]) -> list[Revision]:
    """The figures whose live value differs from the approved snapshot, by name (a figure missing on one
    side counts as 0 there). The approved figures themselves are never touched."""
    return [Revision(name, approved.get(name, 0), live.get(name, 0))
            for name in sorted(set(approved) | set(live)) if approved.get(name, 0) != live.get(name, 0)]


def state_counts(states: Iterable[SignOffState]) -> dict[SignOffState, int]:
    """How many sign-offs are in each state (every state present, zeros included)."""
    counts = {state: 0 for state in SignOffState}
    for state in states:
        counts[state] += 1
    return counts
