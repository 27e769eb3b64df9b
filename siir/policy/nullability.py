"""Partial results: every output field the policy can refuse is nullable, decided once at schema build.

GraphQL nulls a field whose resolver raises; when the field is non-null, the null climbs to the
nearest nullable parent, so one refused nested field used to empty a whole list or answer
``data: null`` (``teams { facilitators }`` as a regency office: one team outside its region). A field
the caller may be refused therefore has to be nullable: then only it is null, with its FORBIDDEN error
(``extensions.coordinate`` = the refused coordinate), and the rest of the answer stands.

Which fields can be refused follows from the policy, not from hand edits per field:

- a role that reaches the field's type is given FORBIDDEN or WITHHELD, or a ``When`` one of whose
  outcomes is (the value depends on the row: a member's phone outside the caller's region);
- the rule names a row scope (``FieldRule.scope``): its resolver enforces the scope and refuses a
  filter or a related record outside it (``facilitators`` of a team outside the caller's region, a
  mutation on another office's record).

``relax`` makes each such field nullable on the strawberry definitions before the schema's second
build (``siir.policy.schema.build_schema``), so the exported SDL, the supergraph and the gateway's
null propagation all agree. Federation's own fields (``_entities``, ``_service``) are left as they are.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLNonNull, GraphQLObjectType, GraphQLSchema
from strawberry.types.base import StrawberryOptional

from siir.auth.identity import Role
from siir.policy.rules import Disclosure, FieldRule, Policy, When

_DEFINITION = "strawberry-definition"
_REFUSING = (Disclosure.FORBIDDEN, Disclosure.WITHHELD)


def can_refuse(rule: FieldRule | None, holders: frozenset[Role]) -> bool:
    """Whether some caller who can hold the field's parent may be refused the field itself."""
    if rule is None:
        return True  # default deny: refused to everyone
    if rule.scope is not None:
        return True
    for role in holders:
        decision = rule.decision(role)
        least = decision.least() if isinstance(decision, When) else decision
        if least in _REFUSING:
            return True
    return False


def refusable(graph: GraphQLSchema, policy: Policy, held: dict[str, frozenset[Role]]) -> list[str]:
    """Coordinates of the non-null output fields that ``can_refuse`` (they must become nullable)."""
    found = []
    for name, type_ in sorted(graph.type_map.items()):
        if not isinstance(type_, GraphQLObjectType) or name.startswith("_"):
            continue
        holders = held.get(name, frozenset())
        for field_name, field in type_.fields.items():
            if field_name.startswith("_") or not isinstance(field.type, GraphQLNonNull):
                continue
            if can_refuse(policy.rule(f"{name}.{field_name}"), holders):
                found.append(f"{name}.{field_name}")
    return found


def relax(graph: GraphQLSchema, policy: Policy, held: dict[str, frozenset[Role]]) -> list[str]:
    """Make every refusable field nullable on its strawberry definition; returns their coordinates."""
    relaxed = []
    for coordinate in refusable(graph, policy, held):
        type_name, _, field_name = coordinate.partition(".")
        field = graph.type_map[type_name].fields[field_name]  # type: ignore[union-attr]
        definition: Any = (field.extensions or {}).get(_DEFINITION)
        if definition is None:
            continue
        current = definition.type
        if not isinstance(current, StrawberryOptional):
            definition.type = StrawberryOptional(of_type=current)
        relaxed.append(coordinate)
    return relaxed
