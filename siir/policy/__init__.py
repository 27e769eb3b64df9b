"""Access as one declarative, default-deny policy: the service-agnostic mechanism.

Each service declares its policy as data (``services/<service>/policy.py``): for every schema
coordinate (``Type.field``, or ``Type`` for an entity type reached through ``_entities``) which roles
reach it, which row scope applies and how much of the value each role sees. ``build_schema`` then,
at schema build:

- generates the ``@authenticated`` / ``@requiresScopes`` / ``@policy`` directives from it
  (``directives``), so the gateway refuses early what the subgraph refuses anyway;
- attaches one enforcement wrapper to every field of the built graphql-core schema that needs one
  (``enforcement``): a field with no entry is refused (FORBIDDEN), masking and generalising are
  done there from the declared disclosure, and reads of personal fields are reported to the service
  (its audit trail) from there, so no resolver has to remember either.

Row scope stays SQL in each service's ``data/``; a rule only names it.
"""

from siir.policy.rules import (
    ALL_ROLES,
    Disclosure,
    FieldRule,
    Policy,
    PolicyError,
    When,
    grant,
)
from siir.policy.named import NAMED_POLICIES

__all__ = ["ALL_ROLES", "Disclosure", "FieldRule", "NAMED_POLICIES", "Policy", "PolicyError", "When", "grant"]
