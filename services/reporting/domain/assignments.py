"""Facilitators and their assignments as the registry's outbox publishes them (plain Python).

Every facilitator event carries the whole record after the change, and every assignment event the
whole assignment (its period included, an end as ``activeUntil``), so applying one is keeping the
newest snapshot per id: a replayed event writes what is already there, an assignment that ended or
was made again (a new id) is whatever its latest snapshot says.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

#: Events whose payload is a facilitator's snapshot (``facilitator``).
FACILITATOR_EVENTS = frozenset({"FacilitatorRegistered", "FacilitatorUpdated"})
#: Events whose payload is an assignment's snapshot (``assignment``).
ASSIGNMENT_EVENTS = frozenset({"FacilitatorAssigned", "FacilitatorAssignmentEnded", "FacilitatorAssignmentRepublished"})
AGGREGATE = "Facilitator"
KNOWN_PAYLOAD_SCHEMAS = frozenset({1})


@dataclass(frozen=True, slots=True)
class FacilitatorSnapshot:
    id: int
    regency_code: str
    #: The login subject (``sub``) of her account; None when she has none (no report reaches her then).
    subject: str | None
    active_from: dt.date
    active_until: dt.date | None
    version: int


@dataclass(frozen=True, slots=True)
class AssignmentSnapshot:
    """A whole village or one IR, for a period (both days included; an open end is None)."""

    id: int
    facilitator_id: int
    village_code: str | None
    home_industry_id: int | None
    active_from: dt.date
    active_until: dt.date | None

    def active_on(self, day: dt.date) -> bool:
        return self.active_from <= day and (self.active_until is None or day <= self.active_until)


def _date(value: Any) -> dt.date | None:
    return None if value is None else dt.date.fromisoformat(value)


def facilitator_snapshot(payload: Mapping[str, Any]) -> FacilitatorSnapshot | None:
    """The facilitator an event describes; None for a payload shape this code does not read."""
    if payload.get("schema") not in KNOWN_PAYLOAD_SCHEMAS or "facilitator" not in payload:
        return None
    f = payload["facilitator"]
    return FacilitatorSnapshot(int(f["id"]), f["regencyCode"], f.get("subject"), _date(f["activeFrom"]),  # type: ignore[arg-type]
                               _date(f.get("activeUntil")), int(f["version"]))


def assignment_snapshot(payload: Mapping[str, Any]) -> AssignmentSnapshot | None:
    if payload.get("schema") not in KNOWN_PAYLOAD_SCHEMAS or "assignment" not in payload:
        return None
    a = payload["assignment"]
    home_industry_id = a.get("homeIndustryId")
    return AssignmentSnapshot(
        int(a["id"]), int(a["facilitatorId"]), a.get("villageCode"),
        None if home_industry_id is None else int(home_industry_id),
        _date(a["activeFrom"]), _date(a.get("activeUntil")),  # type: ignore[arg-type]
    )


@dataclass(slots=True)
class FacilitatorChanges:
    """The newest snapshot of each facilitator and assignment a batch touches, with its event's id."""

    facilitators: dict[int, tuple[FacilitatorSnapshot, int]] = field(default_factory=dict)
    assignments: dict[int, tuple[AssignmentSnapshot, int]] = field(default_factory=dict)

    def apply(self, event_type: str, payload: Mapping[str, Any], event_id: int) -> bool:
        """Keep the event's snapshot (events come in feed order); False when it is not one this reads."""
        if event_type in FACILITATOR_EVENTS:
            facilitator = facilitator_snapshot(payload)
            if facilitator is None:
                return False
            self.facilitators[facilitator.id] = (facilitator, event_id)
            return True
        if event_type in ASSIGNMENT_EVENTS:
            assignment = assignment_snapshot(payload)
            if assignment is None:
                return False
            self.assignments[assignment.id] = (assignment, event_id)
            return True
        return False
