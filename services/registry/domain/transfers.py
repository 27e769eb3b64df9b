"""Moving an IR to another regency/city (pindah kabupaten/kota): who proposes, who decides, who sees.

An IR whose family moves keeps its id, history, assessments and interventions; the receiving office
issues it a registration number of its own and the old one stays findable (DOMAIN.md, "Duplicates
and moves"). Plain rules on an ``Identity`` and the transfer's two regencies; the writes are
``transfer_registrar.py``.

Decisions where the issue is silent:
- The sending regency office proposes; only the receiving regency office accepts or declines; the
  sender may withdraw while it is pending. A province office whose province holds both regencies,
  or the ministry, records a transfer directly (accepted at once, nobody else asked).
- While pending the IR stays the sender's: the receiving office sees the proposal's summary (business
  name and category, class, the villages and the old number), never the record itself, until it
  accepts. Province offices and the ministry see the proposals within their region.
- On acceptance the IR's facilitator assignments to that IR end the day before the move (a village
  assignment stays with the village); the address and coordinates are cleared (they described the
  old home): the receiving office records the new ones with ``updateHomeIndustry``.
"""

from __future__ import annotations

from siir.auth.identity import Identity, Role

PENDING, ACCEPTED, DECLINED, WITHDRAWN = "PENDING", "ACCEPTED", "DECLINED", "WITHDRAWN"
STATUSES = (PENDING, ACCEPTED, DECLINED, WITHDRAWN)


def province_of(regency_code: str) -> str:
    return regency_code.split(".")[0]


def records_directly(identity: Identity, from_regency: str, to_regency: str) -> bool:
    """Whether the caller moves the IR at once: the ministry, or a province office holding both regencies."""
    if identity.role is Role.MINISTRY:
        return True
    return (
        identity.role is Role.PROVINCE_OFFICER
        and identity.region is not None
        and province_of(from_regency) == identity.region == province_of(to_regency)
    )


def proposes(identity: Identity, from_regency: str) -> bool:
    """Whether the caller is the sending regency office, which proposes."""
    return identity.role is Role.DISTRICT_OFFICER and identity.region == from_regency


def decides(identity: Identity, to_regency: str) -> bool:
    """Whether the caller is the receiving regency office, which accepts or declines."""
    return identity.role is Role.DISTRICT_OFFICER and identity.region == to_regency


def sees(identity: Identity, from_regency: str, to_regency: str) -> bool:
    """Whether the caller sees a transfer's summary: either office, a province holding either, the ministry."""
    if identity.role is Role.MINISTRY:
        return True
    region = identity.region
    if region is None:
        return False
    if identity.role is Role.DISTRICT_OFFICER:
        return region in (from_regency, to_regency)
    if identity.role is Role.PROVINCE_OFFICER:
        return region in (province_of(from_regency), province_of(to_regency))
    return False


def proposal_refusal(status: str, from_regency: str, to_regency: str) -> tuple[str, str] | None:
    """(field, reason) when an IR cannot be moved to ``to_regency``; None when it can."""
    if status != "ACTIVE":
        return "id", f"the IR is {status}; only an active IR is transferred"
    if from_regency == to_regency:
        return "villageCode", "is in the IR's own regency/city: change its village with updateHomeIndustry"
    return None
