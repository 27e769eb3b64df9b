"""The named policies ``@policy(policies: [[…]])`` refers to, as sets of roles.

One declaration shared by the subgraphs' policies (which emit ``@policy`` from it) and the gateway
(``gateway/policies.py`` builds its predicates from it), so the two cannot disagree.
"""

from __future__ import annotations

from siir.auth.identity import Role

#: Name → the roles it admits.
NAMED_POLICIES: dict[str, frozenset[Role]] = {
    # Record-level data (an IR, its assessments, interventions, partners): every role but ANALYST,
    # which sees aggregates only.
    "records": frozenset(Role) - {Role.ANALYST},
    # Personal fields at all (names, NIK, phone, address, coordinates; masked, generalised or
    # withheld per role by the subgraph): every role but ANALYST.
    "personal_data": frozenset(Role) - {Role.ANALYST},
    # The audit trail: DISTRICT_OFFICER and MINISTRY, each for its scope.
    "audit": frozenset({Role.DISTRICT_OFFICER, Role.MINISTRY}),
}
