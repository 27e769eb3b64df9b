"""Applying a ``Policy`` to a strawberry federation schema at build: reach, directives, enforcement.

``build_schema(factory, policy)`` builds the schema once to see its fields, computes which roles can
reach each object type (``reach``), puts the generated authorization directives on the strawberry
definitions, builds the schema again with them, and wraps the graphql-core resolvers that need it.

Why a field is left unwrapped: when every role that can reach its type is given it FULL and it is
not personal, there is nothing to check or change, so the ALLOW/FULL path costs nothing. Reach is
sound because graphql executes a field only on an object some resolver returned for a field of
that type (or ``_entities``, guarded per ``__typename``): a role that no path admits to a type never
meets its fields. A field with no entry is always wrapped, and refuses everyone.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from graphql import (
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    default_field_resolver,
    get_named_type,
    is_abstract_type,
)
from strawberry.federation.schema_directives import Authenticated, Policy as PolicyDirective, RequiresScopes

from siir.auth.identity import Role
from siir.errors import Forbidden
from siir.policy.named import NAMED_POLICIES
from siir.policy.nullability import relax
from siir.policy.rules import ALL_ROLES, Disclosure, FieldRule, Policy, When

ROOTS = ("Query", "Mutation")
ENTITIES = "Query._entities"
_DEFINITION = "strawberry-definition"
_AUTH_DIRECTIVES = (Authenticated, RequiresScopes, PolicyDirective)


def object_types(graph: GraphQLSchema) -> list[GraphQLObjectType]:
    return [t for name, t in sorted(graph.type_map.items())
            if isinstance(t, GraphQLObjectType) and not name.startswith("__")]


def coordinates(graph: GraphQLSchema) -> list[str]:
    """Every ``Type.field`` of the schema's object types, federation's ``_entities``/``_service``
    included, and every entity type (members of ``_Entity``)."""
    found = [f"{t.name}.{f}" for t in object_types(graph) for f in t.fields]
    return found + entity_types(graph)


def entity_types(graph: GraphQLSchema) -> list[str]:
    union = graph.type_map.get("_Entity")
    return sorted(t.name for t in union.types) if isinstance(union, GraphQLUnionType) else []


def reach(graph: GraphQLSchema, policy: Policy) -> dict[str, frozenset[Role]]:
    """Roles that can hold an object of each type: from the roots and ``_entities`` through the
    policy's fields, to a fixed point (an over-approximation: WITHHELD counts as reaching)."""
    found: dict[str, set[Role]] = {name: set(ALL_ROLES) for name in ROOTS if name in graph.type_map}
    for name in entity_types(graph):
        rule = policy.rule(name)
        found.setdefault(name, set()).update(rule.reach if rule else ())
    changed = True
    while changed:
        changed = False
        for type_ in object_types(graph):
            holders = found.get(type_.name)
            if not holders:
                continue
            for field_name, field in type_.fields.items():
                rule = policy.rule(f"{type_.name}.{field_name}")
                if rule is None or f"{type_.name}.{field_name}" == ENTITIES:
                    continue
                roles = holders & rule.reach
                target = get_named_type(field.type)
                # An abstract type hands its objects to every type that can stand for it.
                targets = graph.get_possible_types(target) if is_abstract_type(target) else [target]
                for each in targets:
                    if isinstance(each, GraphQLObjectType) and not roles <= found.setdefault(each.name, set()):
                        found[each.name] |= roles
                        changed = True
    return {name: frozenset(roles) for name, roles in found.items()}


def _role_directive(roles: frozenset[Role]) -> Any:
    for name, named in NAMED_POLICIES.items():
        if named == roles and name != "personal_data":
            return PolicyDirective(policies=[[name]])
    return RequiresScopes(scopes=[[f"role:{role}"] for role in Role if role in roles])


def directives_for(graph: GraphQLSchema, policy: Policy, held: dict[str, frozenset[Role]]) -> dict[str, list[Any]]:
    """Coordinate → the authorization directives generated for it.

    A type gets one when its entity rule narrows below every role; a field when it narrows below the
    roles that reach its type (a root field with every role is ``@authenticated``); a personal field
    also gets ``@policy(personal_data)``.
    """
    out: dict[str, list[Any]] = {}
    for name in entity_types(graph):
        rule = policy.rule(name)
        if rule is not None and rule.reach != ALL_ROLES:
            out[name] = [_role_directive(rule.reach)]
    for type_ in object_types(graph):
        holders = held.get(type_.name, frozenset())
        for field_name in type_.fields:
            coordinate = f"{type_.name}.{field_name}"
            rule = policy.rule(coordinate)
            if rule is None or field_name.startswith("_"):
                continue
            made: list[Any] = []
            if not rule.reach >= holders:
                made.append(_role_directive(rule.reach))
            elif type_.name in ROOTS:
                made.append(Authenticated())
            if rule.personal:
                if not rule.reach <= NAMED_POLICIES["personal_data"]:
                    raise ValueError(f"{coordinate}: personal, yet reached by roles outside personal_data")
                made.append(PolicyDirective(policies=[["personal_data"]]))
            if made:
                out[coordinate] = made
    return out


def _put_directives(graph: GraphQLSchema, made: dict[str, list[Any]]) -> None:
    """Replace whatever authorization directives the strawberry definitions carry by the generated ones."""
    for type_ in object_types(graph):
        definition = (type_.extensions or {}).get(_DEFINITION)
        if definition is None:
            continue
        kept = [d for d in definition.directives or () if not isinstance(d, _AUTH_DIRECTIVES)]
        definition.directives = [*kept, *made.get(type_.name, [])]
        for field_name, field in type_.fields.items():
            strawberry_field = (field.extensions or {}).get(_DEFINITION)
            if strawberry_field is None:
                continue
            kept = [d for d in strawberry_field.directives or () if not isinstance(d, _AUTH_DIRECTIVES)]
            strawberry_field.directives = [*kept, *made.get(f"{type_.name}.{field_name}", [])]


# --- enforcement ----------------------------------------------------------------------------------


def _role_of(info: Any) -> Role | None:
    identity = getattr(info.context, "identity", None)
    return identity.role if identity is not None else None


def _field_of(rule: FieldRule | None, coordinate: str) -> dict[str, str]:
    """What names the refused output field besides the error's path: ``extensions.coordinate``
    (``Type.field``). ``extensions.field`` is kept for input paths (docs/errors.md)."""
    return {"coordinate": rule.coordinate if rule is not None else coordinate}


def _refusal(policy: Policy, rule: FieldRule | None, coordinate: str, role: Role | None, withheld: bool,
             type_name: str, source: Any) -> Forbidden:
    message = policy.refusal_message(rule, coordinate, role, withheld)
    refusal = Forbidden(message, **_field_of(rule, coordinate))
    if policy.concerning is not None and source is not None:
        refusal.record = policy.concerning(type_name, source)
    return refusal


def _refuse_all(policy: Policy, coordinate: str) -> Callable[..., Any]:
    def resolve(source: Any, info: Any, **args: Any) -> Any:
        raise _refusal(policy, None, coordinate, _role_of(info), False, coordinate.partition(".")[0], None)
    return resolve


def _guard_entities(policy: Policy, inner: Callable[..., Any]) -> Callable[..., Any]:
    """``_entities``: a representation whose type the caller's role may not resolve is refused at its
    own index (``_entities.<i>``); the others resolve as usual."""
    def resolve(source: Any, info: Any, **args: Any) -> Any:
        role = _role_of(info)
        representations = list(args.get("representations") or ())
        refused: dict[int, Forbidden] = {}
        for index, representation in enumerate(representations):
            type_name = str(representation.get("__typename")) if isinstance(representation, dict) else "?"
            rule = policy.rule(type_name)
            if rule is None or role is None or role not in rule.reach:
                refused[index] = _refusal(policy, rule, type_name, role, False, type_name, None)
        if not refused:
            return inner(source, info, **args)
        kept = [r for i, r in enumerate(representations) if i not in refused]
        resolved = inner(source, info, **{**args, "representations": kept}) if kept else []

        def merged(items: list[Any]) -> list[Any]:
            found = iter(items)
            return [refused[i] if i in refused else next(found) for i in range(len(representations))]

        if inspect.isawaitable(resolved):
            async def later() -> list[Any]:
                return merged(list(await resolved))
            return later()
        return merged(list(resolved))
    return resolve


def _guard(policy: Policy, type_name: str, rule: FieldRule, decisions: dict[Role, Any],
           inner: Callable[..., Any]) -> Callable[..., Any]:
    coordinate = rule.coordinate
    masker = policy.maskers.get(rule.mask) if rule.mask else None

    def given(value: Any, disclosure: Disclosure, source: Any, info: Any) -> Any:
        if value is None:
            return None
        if disclosure in (Disclosure.MASKED, Disclosure.GENERALISED):
            assert masker is not None, coordinate  # Policy checks this at build
            value = masker(value)
        if rule.personal and policy.on_read is not None:
            policy.on_read(info.context, type_name, source, rule, disclosure)
        return value

    def decided(disclosure: Disclosure, source: Any, info: Any, args: dict[str, Any], role: Role | None) -> Any:
        if disclosure in (Disclosure.FORBIDDEN, Disclosure.WITHHELD):
            raise _refusal(policy, rule, coordinate, role, disclosure is Disclosure.WITHHELD, type_name, source)
        value = inner(source, info, **args)
        if disclosure is Disclosure.FULL and not rule.personal:
            return value
        if inspect.isawaitable(value):
            async def later() -> Any:
                return given(await value, disclosure, source, info)
            return later()
        return given(value, disclosure, source, info)

    def resolve(source: Any, info: Any, **args: Any) -> Any:
        role = _role_of(info)
        decision = decisions.get(role, Disclosure.FORBIDDEN) if role is not None else Disclosure.FORBIDDEN
        if decision is Disclosure.FULL and not rule.personal:
            return inner(source, info, **args)
        if isinstance(decision, When):
            holds = policy.conditions[decision.condition](info.context, type_name, source)
            if inspect.isawaitable(holds):
                async def conditional() -> Any:
                    value = decided(decision.then if await holds else decision.otherwise, source, info, args, role)
                    return await value if inspect.isawaitable(value) else value
                return conditional()
            decision = decision.then if holds else decision.otherwise
        return decided(decision, source, info, args, role)

    return resolve


def enforce(graph: GraphQLSchema, policy: Policy, held: dict[str, frozenset[Role]]) -> int:
    """Wrap the resolvers that need a check; returns how many were wrapped."""
    wrapped = 0
    for type_ in object_types(graph):
        holders = held.get(type_.name, frozenset())
        for field_name, field in type_.fields.items():
            coordinate = f"{type_.name}.{field_name}"
            inner = field.resolve or default_field_resolver
            rule = policy.rule(coordinate)
            if rule is None:
                field.resolve = _refuse_all(policy, coordinate)
            elif coordinate == ENTITIES:
                field.resolve = _guard_entities(policy, inner)
            else:
                decisions = {role: rule.decision(role) for role in holders}
                if not rule.personal and all(d is Disclosure.FULL for d in decisions.values()):
                    continue
                field.resolve = _guard(policy, type_.name, rule, decisions, inner)
            wrapped += 1
    return wrapped


def missing(graph: GraphQLSchema, policy: Policy) -> list[str]:
    """Coordinates of the schema with no policy entry (each refused to everyone)."""
    return [c for c in coordinates(graph) if policy.rule(c) is None]


def unknown(graph: GraphQLSchema, policy: Policy) -> list[str]:
    """Entries naming no coordinate of the schema (a renamed field left behind)."""
    known = set(coordinates(graph))
    return sorted(c for c in policy.table if c not in known)


def build_schema(factory: Callable[[], Any], policy: Policy) -> Any:
    """The service's schema with the policy's directives and enforcement (see the module's doc).

    ``factory()`` makes the strawberry schema; it is called twice (the second time the definitions
    carry the generated directives, which strawberry's federation links import).
    """
    first = factory()
    graph = first._schema
    held = reach(graph, policy)
    _put_directives(graph, directives_for(graph, policy, held))
    relax(graph, policy, held)  # partial results: a refusable field is nullable (siir.policy.nullability)
    schema = factory()
    enforce(schema._schema, policy, held)
    schema.policy = policy
    schema.policy_reach = held
    return schema
