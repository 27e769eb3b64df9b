"""The named policies ``@policy(policies: [[…]])`` refers to: predicates over the caller.

A contract shared with the subgraphs' schemas (DOMAIN.md, "Roles and what each may see"). A
supergraph naming a policy missing here is refused at startup (fail closed), so adding one
to a schema means adding it here first.
"""

from __future__ import annotations

from typing import Callable

from siir.auth.identity import Identity, Role

Policy = Callable[[Identity], bool]


class UnknownPolicy(ValueError):
    """The supergraph names a policy the gateway does not define."""


POLICIES: dict[str, Policy] = {
    # Record-level data (an IR, its assessments): every role but ANALYST, which sees aggregates only.
    "records": lambda identity: identity.role is not Role.ANALYST,
    # Personal fields at all (NIK, phone, coordinates; masked or generalised per role by the
    # registry): every role but ANALYST.
    "personal_data": lambda identity: identity.role is not Role.ANALYST,
    # The audit trail: DISTRICT_OFFICER and MINISTRY, each for its scope.
    "audit": lambda identity: identity.role in (Role.DISTRICT_OFFICER, Role.MINISTRY),
}
