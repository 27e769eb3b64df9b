"""Interventions (intervensi, Permen PPPA 2/2016 BAB III): what was given to an IR, by whom, and whether
the IR moved up a class afterwards."""

from __future__ import annotations

from enum import Enum

from services.registry.domain.classification import IrClass


class InterventionType(str, Enum):
    CAPITAL = "CAPITAL"
    EQUIPMENT = "EQUIPMENT"
    TRAINING = "TRAINING"
    TECHNICAL_GUIDANCE = "TECHNICAL_GUIDANCE"
    MENTORING = "MENTORING"
    MARKETING = "MARKETING"
    LICENSING = "LICENSING"
    OTHER = "OTHER"


class InstitutionKind(str, Enum):
    """Who gives assistance: the regulation names government offices (SKPD), NGOs, businesses,
    banks and universities."""

    BANK = "BANK"
    UNIVERSITY = "UNIVERSITY"
    NGO = "NGO"
    BUSINESS = "BUSINESS"
    GOVERNMENT_OFFICE = "GOVERNMENT_OFFICE"


_RANK = {IrClass.PEMULA: 1, IrClass.BERKEMBANG: 2, IrClass.MAJU: 3}


def class_change(before: IrClass | None, after: IrClass | None) -> int | None:
    """Classes moved (+1 Pemula → Berkembang, -1 down, 0 stayed); None while either is unknown."""
    if before is None or after is None:
        return None
    return _RANK[after] - _RANK[before]
