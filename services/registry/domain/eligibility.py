"""Eligibility of an IR for a partner's programme: which IR a bank, university, NGO or business may see.

A rule is data (``registry.partner_programmes.eligibility``, camelCase JSON) turned into an
``EligibilityRule``; ``admits`` answers for one ``registry.home_industries`` row. Every part is
optional and they combine with AND; an empty rule admits every IR. Consent is a separate, always
applied condition (UU 27/2022 PDP): ``visible_to_partner`` combines the two, and that is the
check the access layer applies for the PARTNER role.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from services.registry.domain.classification import IrClass

STATUSES = ("ACTIVE", "CLOSED", "GRADUATED")


@dataclass(frozen=True, slots=True)
class EligibilityRule:
    """Who a programme is for: classes, legality, statuses and regions."""

    classes: frozenset[IrClass] = frozenset()
    requires_nib: bool = False
    requires_pirt: bool = False
    requires_halal_certificate: bool = False
    statuses: frozenset[str] = frozenset({"ACTIVE"})
    #: Kemendagri codes (province, regency, sub-district or village); empty = anywhere.
    region_codes: tuple[str, ...] = ()

    def admits(self, home_industry: Mapping[str, Any]) -> bool:
        """Whether the IR (a ``registry.home_industries`` row) meets the rule."""
        if self.classes:
            current = home_industry["current_class"]
            if current is None or IrClass(current) not in self.classes:
                return False
        if self.requires_nib and not home_industry["nib"]:
            return False
        if self.requires_pirt and not home_industry["pirt_number"]:
            return False
        if self.requires_halal_certificate and not home_industry["halal_certificate_number"]:
            return False
        if self.statuses and home_industry["status"] not in self.statuses:
            return False
        if self.region_codes:
            village = home_industry["village_code"]
            if not any(village == code or village.startswith(code + ".") for code in self.region_codes):
                return False
        return True

    def to_json(self) -> dict[str, Any]:
        return {
            "classes": sorted(c.value for c in self.classes),
            "requiresNib": self.requires_nib,
            "requiresPirt": self.requires_pirt,
            "requiresHalalCertificate": self.requires_halal_certificate,
            "statuses": sorted(self.statuses),
            "regionCodes": list(self.region_codes),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "EligibilityRule":
        return cls(
            classes=frozenset(IrClass(c) for c in data.get("classes") or ()),
            requires_nib=bool(data.get("requiresNib")),
            requires_pirt=bool(data.get("requiresPirt")),
            requires_halal_certificate=bool(data.get("requiresHalalCertificate")),
            statuses=frozenset(data.get("statuses") or ()),
            region_codes=tuple(data.get("regionCodes") or ()),
        )


def visible_to_partner(home_industry: Mapping[str, Any], rules: Iterable[EligibilityRule]) -> bool:
    """A partner sees an IR only if its owner consented to sharing and one of its programmes admits it."""
    return bool(home_industry["consent_to_share"]) and any(rule.admits(home_industry) for rule in rules)
