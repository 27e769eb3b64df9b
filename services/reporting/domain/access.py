"""Who may read which reports: the one place every reporting entry point asks (DOMAIN.md, "Roles").

Plain functions of the caller's verified identity and, for a FACILITATOR, her ``Assignment`` (what
reporting learned from the registry's outbox that she looks after today; the GraphQL context and
the exports look it up once per request). Which roles reach which field (the record-level ones, the
annual report) is declared in ``services/reporting/policy.py``; every aggregate (query fields,
``Region.irStatistics``, exports) calls ``authorize_region`` with the region it is about to read,
before reading it; record-level fields scope their rows with ``admits`` (one IR) or
``authorize_record_list`` (a list). Reporting holds aggregates and non-personal per-IR class
histories only (no names, NIK, phone, address or coordinates): keep it so.

Scopes:
- MINISTRY: the nation.
- PROVINCE_OFFICER: its province and everything below it.
- DISTRICT_OFFICER: its regency/city and everything below it.
- FACILITATOR: what is assigned to her today, inside the regency/city of her region claim (both
  hold, as in the registry). Reporting finds her by her token's ``sub`` among the facilitators the
  registry published; it never falls back to her regency:
  - no facilitator with her login subject known to reporting, or none assigned anything today:
    FORBIDDEN at every entry point, ``reportingStatus`` included (``reason`` NO_FACILITATOR_RECORD or
    NO_CURRENT_ASSIGNMENT), never an empty or regency-wide answer;
  - records (an IR's ``progress``, through ``_entities`` too; the hand-over list): the IR of her
    assigned villages and the IR assigned to her singly. Any other IR's ``progress`` is null, as for
    an unknown id; the hand-over list keeps her IR only (a region filter must lie in her regency);
  - aggregates (distribution, transitions, needs, statistics, the annual report and the exports):
    only a village assigned to her as a whole. A data protection officer's reading of purpose
    limitation (UU 27/2022): she mentors her IR and needs no figures of others, and a village
    assigned whole holds only IR she can open one by one, so its figures disclose nothing she may
    not see; a sub-district, her regency or the nation would count IR that are not hers, and a
    small village's counts by sex, KRTP or class can single one out. IR assigned singly have no
    aggregate (any region around them holds others): she reads each one's ``progress``.
  An assignment is current from its first to its last day (Asia/Jakarta); one that ended, or not
  yet begun, gives nothing. Reporting's copy lags the registry by the consumer's lag (about a second).
- ANALYST: the nation, or its region claim when it has one; aggregates only.
- PARTNER: aggregates only, nationally, perturbed by the cell-key method (``disclosure``); not the annual
  report (the government's reporting line regency → province → ministry, whose stock-and-moves
  identity would let a withheld cell be recomputed).

A region outside the scope is FORBIDDEN, never an empty answer. An IR outside the scope, asked for
through ``_entities``, resolves to a null ``progress`` as the registry resolves it to null (nobody
learns which ids exist elsewhere); a role without record-level access is FORBIDDEN.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from siir.auth.identity import Identity, Role
from siir.errors import Forbidden

__all__ = ["Identity", "Assignment", "ReportScope", "report_scope", "authorize_region",
           "authorize_record_list", "suppresses_small_counts", "reaches", "admits"]

#: Roles whose counts are perturbed by the cell-key method (``disclosure``).
SMALL_COUNTS_WITHHELD = frozenset({Role.PARTNER})


@dataclass(frozen=True, slots=True)
class Assignment:
    """What a facilitator looks after today, as reporting knows it: whole villages and single IR."""

    facilitator_id: int
    villages: frozenset[str] = frozenset()
    home_industry_ids: frozenset[int] = frozenset()

    @classmethod
    def of(cls, facilitator_id: int, assigned: Iterable[tuple[str | None, int | None]]) -> "Assignment":
        """From (village code, IR id) pairs of her current assignments, one of the two set in each."""
        pairs = list(assigned)
        return cls(facilitator_id, frozenset(v for v, _ in pairs if v is not None),
                   frozenset(i for v, i in pairs if v is None and i is not None))

    @property
    def is_empty(self) -> bool:
        return not self.villages and not self.home_industry_ids


@dataclass(frozen=True, slots=True)
class ReportScope:
    """The reports a caller reaches."""

    #: Region code whose reports are reachable (itself and below); None is the nation.
    region: str | None
    #: Counts are perturbed by the cell-key method (partner-facing aggregates, ``disclosure``).
    suppress_small_counts: bool = False
    #: A facilitator's assignment: aggregates of these villages only, records of these villages and IR
    #: (inside ``region``). None: no assignment limit.
    assignment: Assignment | None = None


def _inside(region: str | None, code: str) -> bool:
    return region is None or code == region or code.startswith(region + ".")


def report_scope(identity: Identity | None, assignment: Assignment | None = None) -> ReportScope:
    """The caller's scope; ``assignment`` is the FACILITATOR's (None: reporting knows no facilitator
    with her login subject). Other roles' scopes ignore it."""
    if identity is None:
        raise Forbidden("reports need an authenticated caller")
    match identity.role:
        case Role.MINISTRY:
            return ReportScope(region=None)
        case Role.PROVINCE_OFFICER | Role.DISTRICT_OFFICER:
            return ReportScope(region=identity.region)
        case Role.FACILITATOR:
            if assignment is None:
                raise Forbidden(
                    f"reporting knows no facilitator with your login subject {identity.subject!r}: it learns "
                    "facilitators from the registry, where your regency office records your login subject",
                    reason="NO_FACILITATOR_RECORD")
            if assignment.is_empty:
                raise Forbidden("you have no current assignment (village or IR) known to reporting: a facilitator "
                                "reads the reports of what she is assigned", reason="NO_CURRENT_ASSIGNMENT")
            return ReportScope(region=identity.region, assignment=assignment)
        case Role.ANALYST:
            return ReportScope(region=identity.region)
        case Role.PARTNER:
            return ReportScope(region=None, suppress_small_counts=True)
    raise Forbidden(f"role {identity.role} has no access to reports")


def reaches(scope: ReportScope, region_code: str) -> bool:
    """Whether the figures of everything inside ``region_code`` ("" is the nation) are in the scope."""
    if not _inside(scope.region, region_code):
        return False
    return scope.assignment is None or region_code in scope.assignment.villages


def admits(scope: ReportScope, village_code: str, home_industry_id: int) -> bool:
    """Whether one IR (in ``village_code``) is in the scope's records."""
    if not _inside(scope.region, village_code):
        return False
    assignment = scope.assignment
    return assignment is None or village_code in assignment.villages or home_industry_id in assignment.home_industry_ids


def authorize_region(identity: Identity | None, region_code: str, assignment: Assignment | None = None) -> ReportScope:
    """Raise ``Forbidden`` if ``identity`` may not read the figures of ``region_code`` ("" is the nation)."""
    scope = report_scope(identity, assignment)
    if not reaches(scope, region_code):
        where = region_code or "Indonesia (national)"
        if scope.assignment is not None:
            raise Forbidden(f"region {where} is not a village assigned to you: a facilitator reads the figures of "
                            "her assigned villages only", field="regionCode", region=region_code)
        raise Forbidden(f"region {where} is outside your scope ({scope.region or 'national'})",
                        field="regionCode", region=region_code)
    return scope


def authorize_record_list(
    identity: Identity | None, what: str, region_code: str, assignment: Assignment | None = None
) -> ReportScope:
    """A list of IR filtered to ``region_code``: FORBIDDEN outside the caller's region; the returned
    scope's ``assignment``, when set, limits the rows further (``admits``), as the registry's lists do.
    Which roles may read such a list at all is the policy's entry for the field."""
    scope = report_scope(identity, assignment)
    if not _inside(scope.region, region_code):
        raise Forbidden(f"region {region_code or 'Indonesia (national)'} is outside your scope "
                        f"({scope.region or 'national'})", field="regionCode", region=region_code)
    return scope


def suppresses_small_counts(identity: Identity | None) -> bool:
    # The role alone decides (a facilitator's assignment is not needed to know her counts are exact).
    return identity is not None and identity.role in SMALL_COUNTS_WITHHELD

