"""Who may read which reports: the one place every reporting entry point asks (DOMAIN.md, "Roles").

Every query field, entity resolver and export calls ``authorize_region`` with the caller's verified
identity and the region it is about to read, before reading it. Which roles reach which field (the
record-level ones, the annual report) is declared in ``services/reporting/policy.py``. Reporting holds aggregates and non-personal per-IR class histories only
(no names, NIK, phone, address or coordinates): keep it so.

Scopes:
- MINISTRY: the nation.
- PROVINCE_OFFICER: its province and everything below it.
- DISTRICT_OFFICER: its regency/city and everything below it.
- FACILITATOR: the regency/city of its region claim. Reporting does not know a facilitator's assigned
  villages or IR (the registry's assignment tables, issue 6), so it cannot narrow further: a
  facilitator reads the figures and class histories of its whole regency, never personal data.
- ANALYST: the nation, or its region claim when it has one; aggregates only.
- PARTNER: aggregates only, nationally, perturbed by the cell-key method (``disclosure``); not the annual
  report (the government's reporting line regency → province → ministry, whose stock-and-moves
  identity would let a withheld cell be recomputed).

A region outside the scope is FORBIDDEN, never an empty answer. An IR outside the scope, asked for
through ``_entities``, resolves to a null ``progress`` as the registry resolves it to null (nobody
learns which ids exist elsewhere); a role without record-level access is FORBIDDEN.
"""

from __future__ import annotations

from dataclasses import dataclass

from siir.auth.identity import Identity, Role
from siir.errors import Forbidden

__all__ = ["Identity", "ReportScope", "report_scope", "authorize_region", "suppresses_small_counts", "reaches"]



@dataclass(frozen=True, slots=True)
class ReportScope:
    """The reports a caller reaches."""

    #: Region code whose reports are reachable (itself and below); None is the nation.
    region: str | None
    #: Counts are perturbed by the cell-key method (partner-facing aggregates, ``disclosure``).
    suppress_small_counts: bool = False


def report_scope(identity: Identity | None) -> ReportScope:
    if identity is None:
        raise Forbidden("reports need an authenticated caller")
    match identity.role:
        case Role.MINISTRY:
            return ReportScope(region=None)
        case Role.PROVINCE_OFFICER | Role.DISTRICT_OFFICER | Role.FACILITATOR:
            return ReportScope(region=identity.region)
        case Role.ANALYST:
            return ReportScope(region=identity.region)
        case Role.PARTNER:
            return ReportScope(region=None, suppress_small_counts=True)
    raise Forbidden(f"role {identity.role} has no access to reports")


def reaches(scope: ReportScope, region_code: str) -> bool:
    """Whether everything inside ``region_code`` ("" is the nation) lies inside the scope."""
    if scope.region is None:
        return True
    return region_code == scope.region or region_code.startswith(scope.region + ".")


def authorize_region(identity: Identity | None, region_code: str) -> None:
    """Raise ``Forbidden`` if ``identity`` may not read reports of ``region_code`` ("" is the nation)."""
    scope = report_scope(identity)
    if not reaches(scope, region_code):
        raise Forbidden(f"region {region_code or 'Indonesia (national)'} is outside your scope "
                        f"({scope.region or 'national'})", field="regionCode")


def suppresses_small_counts(identity: Identity | None) -> bool:
    return report_scope(identity).suppress_small_counts
