"""The named policies ``@policy(policies: [[…]])`` refers to: predicates over the caller.

Built from ``siir.policy.NAMED_POLICIES``, the one declaration the subgraphs' policies also use when
they generate their ``@policy`` directives, so the gateway and the subgraphs cannot disagree on
what a name admits. A supergraph naming a policy missing here is refused at startup (fail closed).
"""

from __future__ import annotations

from typing import Callable

from siir.auth.identity import Identity, Role
from siir.policy import NAMED_POLICIES

Policy = Callable[[Identity], bool]


class UnknownPolicy(ValueError):
    """The supergraph names a policy the gateway does not define."""


def _admits(roles: frozenset[Role]) -> Policy:
    return lambda identity: identity.role in roles


POLICIES: dict[str, Policy] = {name: _admits(roles) for name, roles in NAMED_POLICIES.items()}
