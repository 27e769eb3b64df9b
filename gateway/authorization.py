"""The authorization directives, enforced at the gateway before planning.

The supergraph carries ``@authenticated``, ``@requiresScopes(scopes: [[…]])`` and
``@policy(policies: [[…]])`` (Federation v2.5+) on fields and types. When an operation is
prepared, every field it selects is paired with the requirements found on the field, on the
type it is selected on and on the type it returns (on an interface field, also on each
implementation's field: fail closed). Per request those requirements are checked against the
caller's ``Identity``; the fields it fails are withheld before a subgraph is called and answer
null with FORBIDDEN at their paths (gateway/refusals.py), the rest of the operation runs. A field under ``@skip``/``@include`` counts as selected.

Scopes and policies are OR-of-ANDs: ``[["a", "b"], ["c"]]`` is (a and b) or c. A caller's
scopes are ``Identity.scopes`` (``role:<ROLE>`` plus its ``scope`` claim); policies are the
named predicates of ``gateway.policies``. The subgraphs enforce scope again on their own data:
this is the first of two checks, not the only one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator, Mapping

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    get_named_type,
    is_interface_type,
)

from gateway.policies import POLICIES, UnknownPolicy
from gateway.supergraph import Supergraph
from siir.auth.identity import Identity

AnyOf = tuple[frozenset[str], ...]


@dataclass(frozen=True, slots=True)
class Requirement:
    """What one schema element demands; all parts must hold."""

    authenticated: bool = False
    scopes: AnyOf | None = None
    policies: AnyOf | None = None

    def allows(self, identity: Identity | None) -> bool:
        if identity is None:
            return not (self.authenticated or self.scopes is not None or self.policies is not None)
        if self.scopes is not None and not any(group <= identity.scopes for group in self.scopes):
            return False
        if self.policies is not None and not any(all(POLICIES[name](identity) for name in group)
                                                 for group in self.policies):
            return False
        return True

    def describe(self) -> str:
        parts = []
        if self.authenticated:
            parts.append("an authenticated caller")
        if self.scopes is not None:
            parts.append("scopes " + " or ".join("[" + ", ".join(sorted(g)) + "]" for g in self.scopes))
        if self.policies is not None:
            parts.append("policy " + " or ".join("[" + ", ".join(sorted(g)) + "]" for g in self.policies))
        return " and ".join(parts)


@dataclass(frozen=True, slots=True)
class Guard:
    """A selected field and a requirement it must pass (``path`` by response keys)."""

    path: str
    coordinate: str
    requirement: Requirement


def _any_of(value: Any) -> AnyOf:
    return tuple(frozenset(str(v) for v in group) for group in value or ())


def requirement_of(auth: Mapping[str, Any]) -> Requirement | None:
    """The requirement of one element's directives (``TypeModel.auth``/``FieldModel.auth``)."""
    if not auth:
        return None
    scopes = auth.get("requiresScopes")
    policies = auth.get("policy")
    return Requirement(
        authenticated="authenticated" in auth,
        scopes=_any_of(scopes.get("scopes")) if scopes is not None else None,
        policies=_any_of(policies.get("policies")) if policies is not None else None,
    )


def check_policies_known(supergraph: Supergraph) -> None:
    """Refuse to serve a supergraph naming a policy the gateway does not define."""
    for type_model in supergraph.types.values():
        elements = [(type_model.name, type_model.auth)] + [
            (f"{type_model.name}.{f.name}", f.auth) for f in type_model.fields.values()]
        for coordinate, auth in elements:
            for group in _any_of((auth.get("policy") or {}).get("policies")):
                for name in group:
                    if name not in POLICIES:
                        raise UnknownPolicy(f"{coordinate} uses @policy {name!r}, which the gateway does not "
                                            f"define (known: {', '.join(sorted(POLICIES))})")


class Guards:
    """Collects the guards of operations against one supergraph."""

    def __init__(self, supergraph: Supergraph) -> None:
        self.supergraph = supergraph
        self.schema: GraphQLSchema = supergraph.api_schema
        self.any = any(t.auth or any(f.auth for f in t.fields.values()) for t in supergraph.types.values())

    def _requirements(self, parent: str, field: str, returns: str) -> Iterator[Requirement]:
        types = self.supergraph.types
        owners = [parent]
        if is_interface_type(self.schema.get_type(parent)):
            owners += [t.name for t in self.schema.get_possible_types(self.schema.get_type(parent))]  # type: ignore[arg-type]
        for owner in owners:
            model = types.get(owner)
            if model is None:
                continue
            for auth in (model.auth, model.fields[field].auth if field in model.fields else {}):
                requirement = requirement_of(auth)
                if requirement is not None:
                    yield requirement
        returned = types.get(returns)
        if returned is not None:
            requirement = requirement_of(returned.auth)
            if requirement is not None:
                yield requirement

    def collect(self, operation: OperationDefinitionNode,
                fragments: Mapping[str, FragmentDefinitionNode]) -> tuple[Guard, ...]:
        """The guards of an operation validated against the API schema."""
        if not self.any:
            return ()
        guards: dict[tuple[str, Requirement], Guard] = {}
        expanded: set[tuple[str, str, str]] = set()

        def walk(selections: SelectionSetNode | None, parent: Any, path: str) -> None:
            for node in selections.selections if selections is not None else ():
                if isinstance(node, FieldNode):
                    name = node.name.value
                    if name.startswith("__"):
                        continue
                    definition = parent.fields.get(name)
                    if definition is None:
                        continue
                    returns = get_named_type(definition.type)
                    key = node.alias.value if node.alias else name
                    here = f"{path}.{key}" if path else key
                    for requirement in self._requirements(parent.name, name, returns.name):
                        guards.setdefault((here, requirement), Guard(here, f"{parent.name}.{name}", requirement))
                    walk(node.selection_set, returns, here)
                elif isinstance(node, InlineFragmentNode):
                    condition = self.schema.get_type(node.type_condition.name.value) if node.type_condition else parent
                    walk(node.selection_set, condition, path)
                elif isinstance(node, FragmentSpreadNode):
                    fragment = fragments.get(node.name.value)
                    # Spreading one fragment twice at one path selects the same fields: walk it once.
                    mark = (path, parent.name, node.name.value)
                    if fragment is None or mark in expanded:
                        continue
                    expanded.add(mark)
                    walk(fragment.selection_set, self.schema.get_type(fragment.type_condition.name.value), path)

        walk(operation.selection_set, self.schema.get_root_type(operation.operation), "")
        return tuple(guards.values())


def denied(guards: tuple[Guard, ...], identity: Identity | None) -> list[Guard]:
    """The guards the caller fails (each distinct requirement is evaluated once)."""
    verdicts: dict[Requirement, bool] = {}
    out = []
    for guard in guards:
        allowed = verdicts.get(guard.requirement)
        if allowed is None:
            allowed = verdicts[guard.requirement] = guard.requirement.allows(identity)
        if not allowed:
            out.append(guard)
    return out
