"""Who may see and change which IR records, and how much of each (DOMAIN.md, "Roles and what each
may see"). Plain rules on an ``Identity``: ``data/`` turns a ``RecordScope`` into SQL; which role reaches which
field, and how much of it, is declared in ``services/registry/policy.py`` and applied by ``siir.policy``.

Decisions where the issue is silent:
- A look-up by id or registration number outside the caller's scope answers exactly as a missing
  one (null, or NOT_FOUND for a change), so nobody learns which ids exist in other regions.
- A *filter* outside the scope, a registration *into* another region, a role without the right to a
  field or an operation answer FORBIDDEN: nothing about a record is revealed by saying no.
- Street address and coordinates are personal data like NIK and phone: masked roles get the first
  word of the address and coordinates cut to one decimal (about 11 km), as lokal-id's partial masks.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from lokal.samaran import partial_mask

from services.registry.domain.eligibility import EligibilityRule
from siir.auth.identity import Identity, Role
from siir import identifiers
from siir.errors import Forbidden

@dataclass(frozen=True, slots=True)
class RecordScope:
    """Which IR records a caller reaches: all conditions hold together."""

    #: Region code whose IR are reachable (prefix match on the village code); None is national.
    region: str | None
    #: Only IR whose owner consented to sharing with partner institutions (UU 27/2022 PDP).
    consented_only: bool = False
    #: Only IR in these statuses; None is every status.
    statuses: frozenset[str] | None = None
    #: A facilitator's assignment: only IR in these villages or with these ids (either suffices);
    #: None for both is no assignment limit.
    villages: frozenset[str] | None = None
    home_industry_ids: frozenset[int] | None = None
    #: A partner's running programmes' eligibility rules: an IR must meet one. None is no programme
    #: limit; an empty tuple (no programme running) admits nothing.
    eligibility: tuple[EligibilityRule, ...] | None = None

    @property
    def assigned_only(self) -> bool:
        return self.villages is not None or self.home_industry_ids is not None

    def reaches_region(self, code: str) -> bool:
        """Whether everything inside region ``code`` lies inside this scope."""
        return self.region is None or code == self.region or code.startswith(self.region + ".")

    def admits(self, row: Mapping[str, Any]) -> bool:
        """Whether one IR row lies inside this scope (the SQL filter's twin, for rows in hand)."""
        if not self.reaches_region(row["village_code"]):
            return False
        if self.consented_only and not row["consent_to_share"]:
            return False
        if self.assigned_only and not (
            row["village_code"] in (self.villages or ()) or row["id"] in (self.home_industry_ids or ())
        ):
            return False
        if self.eligibility is not None and not any(rule.admits(row) for rule in self.eligibility):
            return False
        return self.statuses is None or row["status"] in self.statuses


@dataclass(frozen=True, slots=True)
class Assignment:
    """A facilitator's record and what she is assigned today (loaded by the request's context)."""

    facilitator_id: int
    regency_code: str
    villages: frozenset[str]
    home_industry_ids: frozenset[int]


def record_scope(
    identity: Identity,
    *,
    assignment: Assignment | None = None,
    eligibility: tuple[EligibilityRule, ...] | None = None,
) -> RecordScope:
    """The IR records a caller may read; FORBIDDEN for a role without record-level access.

    ``assignment`` is the FACILITATOR's (None: no facilitator record carries her login subject),
    ``eligibility`` the PARTNER's running programmes' rules (None: her ``partner`` claim names no
    registered partner). Both are looked up by the context, once per request; the rules are here.
    """
    match identity.role:
        case Role.MINISTRY:
            return RecordScope(region=None)
        case Role.PROVINCE_OFFICER | Role.DISTRICT_OFFICER:
            return RecordScope(region=identity.region)
        case Role.FACILITATOR:
            if assignment is None:
                # A login no office has linked to a facilitator record: saying so helps the office fix
                # it, where an empty list would look like "no IR assigned".
                raise Forbidden(f"no facilitator record has your login subject {identity.subject!r}")
            # The token's region and the assignments both hold (an assignment lies in her regency).
            return RecordScope(
                region=identity.region, villages=assignment.villages, home_industry_ids=assignment.home_industry_ids
            )
        case Role.PARTNER:
            if eligibility is None:
                raise Forbidden(f"your token names no registered partner ({identity.partner!r})")
            # Statuses any programme admits, so a status filter outside them is refused (None: any).
            statuses: frozenset[str] | None = frozenset().union(*(rule.statuses for rule in eligibility))
            if any(not rule.statuses for rule in eligibility):
                statuses = None
            return RecordScope(region=None, consented_only=True, statuses=statuses, eligibility=eligibility)
        case Role.ANALYST:
            raise Forbidden("ANALYST sees aggregates only (the reporting service), not IR records")
    raise Forbidden(f"role {identity.role} has no access to IR records")


def check_region_filter(scope: RecordScope, code: str, field: str = "filter.regionCode") -> None:
    """A filter reaching outside the scope is refused, never answered with a misleading empty list."""
    if not scope.reaches_region(code):
        raise Forbidden(
            f"region {code} is outside your scope ({scope.region or 'national'})", field=field,
            region=code,
        )


def check_status_filter(scope: RecordScope, status: str) -> None:
    if scope.statuses is not None and status not in scope.statuses:
        raise Forbidden(f"status {status} is outside your scope", field="filter.status")


# --- writes -------------------------------------------------------------------------------------

# Which roles may make which change is the policy's ``Mutation.<name>`` entry (services/registry/policy.py);
# the records each may change are its ``record_scope`` (the same as it reads).


def check_write_region(scope: RecordScope, village_code: str, field: str) -> None:
    """Registering into, or moving a record to, a village outside the scope is refused."""
    identifiers.check_code_form(field, village_code)
    if not scope.reaches_region(village_code):
        raise Forbidden(
            f"village {village_code} is outside your scope ({scope.region or 'national'})", field=field, region=village_code
        )


# --- the audit trail ---------------------------------------------------------------------------

AUDIT_READERS = frozenset({Role.MINISTRY, Role.DISTRICT_OFFICER})


def audit_scope(identity: Identity) -> str | None:
    """The region whose audit events a caller may read (None: national); FORBIDDEN for others."""
    if identity.role not in AUDIT_READERS:
        raise Forbidden(f"the audit trail is for MINISTRY and DISTRICT_OFFICER; you are {identity.role}")
    return identity.region


# --- fields -------------------------------------------------------------------------------------


#: The personal fields of an IR record, by their name in the audit trail; their disclosure is the
#: policy's (services/registry/policy.py). Each read of one is audit-logged.
OWNER_NAME = "owner.name"
NIK = "owner.nik"
PHONE = "owner.phone"
ADDRESS = "address"
LOCATION = "location"
VILLAGE = "village"
PERSONAL_FIELDS = (OWNER_NAME, NIK, PHONE, ADDRESS, LOCATION)


def mask_nik(nik: str) -> str:
    """``3374********0001``: lokal-id's partial mask keeps the regency and the serial."""
    return partial_mask("NIK", nik)


def mask_phone(phone: str) -> str:
    """``0812****7890``."""
    return partial_mask("PHONE", phone)


def mask_address(address: str) -> str:
    """``Jl. ***``: the first word only."""
    return partial_mask("ADDRESS", address)


def generalise_coordinate(value: float) -> float:
    """Cut to one decimal (toward zero), as lokal-id's GEO mask keeps one digit: about 11 km."""
    return math.trunc(value * 10) / 10
