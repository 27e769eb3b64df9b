"""Abuse limits on operations: depth, aliases, directives, estimated cost, introspection.

Checked once per (document, operation) when it is prepared, before planning, so a refused
document costs a cache lookup when repeated and never reaches a subgraph. The defaults are
GraphQL Armor's (max depth 6, aliases 15, tokens 1000, directives 50), but cost 10,000 instead of
Armor's 5,000: the ministry's national Tabel 3 table with its 38 provinces, every indicator with its
sex/KRTP split and target (15 indicators × 8 figures per region), is estimated at about 5,400, and a
limit below the largest page the programme needs would refuse the Rakor Tahunan's own report
(``tests/reporting/test_programme_indicators.py`` asks exactly that with the default limits).

Measures (fragments are expanded where they are spread, each fragment measured once):

- depth: field nesting; ``{ a { b } }`` is 2. Inline fragments and spreads add no level
  (Armor's ``flattenFragments``). Introspection fields (``__schema``, ``__type``) are not
  counted when introspection is allowed, as Armor does. A connection's ``edges`` adds no level
  (its ``node`` does): ``teams { edges { node { name } } }`` is as deep as ``teams { nodes { name } }``,
  so paging a list costs no depth (``siir.connections``).
- aliases and directives: every use in the operation, counted once per spread.
- cost: every field costs 1 (or its ``@cost(weight:)``) plus its selections; a list field
  multiplies that by its size. The size is the supergraph's ``@listSize`` when the field has one
  (IBM GraphQL Cost Directive, composed by Federation 2.9): the value of its slicing argument
  (given, else its default) or its ``assumedSize``; a connection's ``sizedFields`` (``edges``)
  take the connection's size. Both subgraphs declare every list field with a true maximum they
  enforce (``siir.list_sizes``), so the estimate is an upper bound of what the operation answers.
  A list without ``@listSize`` (another supergraph) falls back to its own
  ``first``/``last``/``limit`` argument, else that of the connection field it sits in, else the
  argument's schema default, else ``default_page_size``: an estimate, not a bound. Nested lists
  multiply.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    get_nullable_type,
    is_list_type,
)

from siir.settings import Settings

INTROSPECTION_FIELDS = frozenset({"__schema", "__type"})
PAGE_SIZE_ARGUMENTS = ("first", "last", "limit")


@dataclass(frozen=True, slots=True)
class Limits:
    """What the gateway refuses before planning (see the module docstring for the measures)."""

    max_depth: int = 6
    max_aliases: int = 15
    max_tokens: int = 1000
    max_directives: int = 50
    max_cost: int = 10_000
    default_page_size: int = 10
    max_body_bytes: int = 262_144
    rate_limit: float = 50.0
    rate_burst: int = 100
    introspection: bool = False
    field_suggestions: bool = False

    @classmethod
    def from_settings(cls, settings: Settings) -> "Limits":
        return cls(
            max_depth=settings.gateway_max_depth,
            max_aliases=settings.gateway_max_aliases,
            max_tokens=settings.gateway_max_tokens,
            max_directives=settings.gateway_max_directives,
            max_cost=settings.gateway_max_cost,
            default_page_size=settings.gateway_default_page_size,
            max_body_bytes=settings.gateway_max_body_bytes,
            rate_limit=settings.gateway_rate_limit,
            rate_burst=settings.gateway_rate_burst,
            introspection=settings.gateway_introspection,
            field_suggestions=settings.gateway_field_suggestions,
        )


class LimitExceeded(Exception):
    """An operation over one of the limits; ``code`` names which."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class Shape:
    """Depth, alias and directive counts of a selection set (fragments expanded)."""

    depth: int = 0
    aliases: int = 0
    directives: int = 0


#: Fields of a Relay connection that only wrap the items (``edges { node }``): they add no depth.
CONNECTION_WRAPPERS = frozenset({"edges"})


def measure_shape(selection_set: SelectionSetNode | None, fragments: Mapping[str, FragmentDefinitionNode],
                  *, skip_introspection: bool) -> Shape:
    """Depth/aliases/directives; cheap and type-free, so it runs before validation."""
    memo: dict[str, Shape] = {}
    active: set[str] = set()

    def walk(selections: SelectionSetNode | None) -> Shape:
        depth = aliases = directives = 0
        for node in selections.selections if selections is not None else ():
            directives += len(node.directives or ())
            if isinstance(node, FieldNode):
                if skip_introspection and node.name.value in INTROSPECTION_FIELDS:
                    continue
                inner = walk(node.selection_set)
                depth = max(depth, (node.name.value not in CONNECTION_WRAPPERS) + inner.depth)
                aliases += inner.aliases + (node.alias is not None)
                directives += inner.directives
            else:
                inner = walk(node.selection_set) if isinstance(node, InlineFragmentNode) else spread(node)
                depth = max(depth, inner.depth)
                aliases += inner.aliases
                directives += inner.directives
        return Shape(depth, aliases, directives)

    def spread(node: Any) -> Shape:
        name = node.name.value
        if name in memo:
            return memo[name]
        fragment = fragments.get(name)
        if fragment is None or name in active:
            return Shape()  # unknown or cyclic: validation reports it
        active.add(name)
        shape = walk(fragment.selection_set)
        active.discard(name)
        memo[name] = Shape(shape.depth, shape.aliases, shape.directives + len(fragment.directives or ()))
        return memo[name]

    return walk(selection_set)


def check_shape(operation: OperationDefinitionNode, fragments: Mapping[str, FragmentDefinitionNode],
                limits: Limits) -> None:
    shape = measure_shape(operation.selection_set, fragments, skip_introspection=limits.introspection)
    directives = shape.directives + len(operation.directives or ()) + sum(
        len(v.directives or ()) for v in operation.variable_definitions or ())
    if shape.depth > limits.max_depth:
        raise LimitExceeded("MAX_DEPTH_EXCEEDED",
                            f"The operation is {shape.depth} fields deep; at most {limits.max_depth} are allowed.")
    if shape.aliases > limits.max_aliases:
        raise LimitExceeded("MAX_ALIASES_EXCEEDED",
                            f"The operation uses {shape.aliases} aliases; at most {limits.max_aliases} are allowed.")
    if directives > limits.max_directives:
        raise LimitExceeded("MAX_DIRECTIVES_EXCEEDED",
                            f"The operation uses {directives} directives; at most {limits.max_directives} are allowed.")


def uses_introspection(operation: OperationDefinitionNode, fragments: Mapping[str, FragmentDefinitionNode]) -> bool:
    """Whether ``__schema`` or ``__type`` is selected anywhere (``__typename`` is not introspection)."""
    seen: set[str] = set()

    def walk(selections: SelectionSetNode | None) -> bool:
        for node in selections.selections if selections is not None else ():
            if isinstance(node, FieldNode):
                if node.name.value in INTROSPECTION_FIELDS or walk(node.selection_set):
                    return True
            elif isinstance(node, InlineFragmentNode):
                if walk(node.selection_set):
                    return True
            elif isinstance(node, FragmentSpreadNode) and node.name.value not in seen:
                seen.add(node.name.value)
                fragment = fragments.get(node.name.value)
                if fragment is not None and walk(fragment.selection_set):
                    return True
        return False

    return walk(operation.selection_set)


class VariableDependent(Exception):
    """The cost depends on variable values: compute it per request."""


def estimate_cost(schema: GraphQLSchema, operation: OperationDefinitionNode,
                  fragments: Mapping[str, FragmentDefinitionNode], limits: Limits,
                  variables: Mapping[str, Any] | None, declared: Mapping[str, Mapping[str, Any]] | None = None) -> int:
    """The operation's estimated cost. ``variables`` None: raise VariableDependent when a page
    size comes from a variable (the caller then computes it again per request).

    ``declared`` holds the supergraph's ``@listSize``/``@cost`` by type and field name
    (``Supergraph.field_costs``, each with ``list_size`` and ``weight``); when every list field is
    declared with a true maximum, the estimate is an upper bound of the fields answered.
    """
    declared = declared or {}
    memo: dict[tuple[str, tuple[tuple[str, int], ...]], int] = {}

    def argument_int(field: FieldNode, names: tuple[str, ...] | tuple[str]) -> int | None:
        """The largest of the ``names`` arguments given (a literal or a variable), else None."""
        found = None
        for argument in field.arguments or ():
            if argument.name.value not in names:
                continue
            value = argument.value
            given = None
            if isinstance(value, IntValueNode):
                given = int(value.value)
            elif isinstance(value, VariableNode):
                if variables is None:
                    raise VariableDependent()
                raw = variables.get(value.name.value)
                given = raw if isinstance(raw, int) and not isinstance(raw, bool) else None
            if given is not None:
                found = max(found if found is not None else 0, max(given, 0))
        return found

    def default_int(definition: Any, names: tuple[str, ...]) -> int | None:
        defaults = [d for d in (_default_int(definition.args.get(n)) for n in names) if d is not None]
        return max(max(defaults), 0) if defaults else None

    def declared_size(field: FieldNode, definition: Any, list_size: Any) -> int | None:
        """The size a field's ``@listSize`` gives: its slicing arguments' (given, else default), else
        its assumed size."""
        if list_size.slicing_arguments:
            size = argument_int(field, list_size.slicing_arguments)
            if size is None:
                size = default_int(definition, list_size.slicing_arguments)
            if size is not None:
                return size
        return list_size.assumed_size

    def page_size(field: FieldNode, definition: Any) -> int | None:
        """An undeclared field's page size: its ``first``/``last``/``limit`` (given, else default)."""
        size = argument_int(field, PAGE_SIZE_ARGUMENTS)
        return size if size is not None else default_int(definition, PAGE_SIZE_ARGUMENTS)

    def walk(selections: SelectionSetNode | None, parent: Any, inherited: Mapping[str, int] | int | None) -> int:
        """``inherited``: the page size a connection gives the lists right inside it: per field name
        (its ``@listSize(sizedFields:)``), or for any list (an undeclared connection's ``first``)."""
        total = 0
        for node in selections.selections if selections is not None else ():
            if isinstance(node, FieldNode):
                name = node.name.value
                if name.startswith("__"):
                    continue  # __typename is free; introspection is gated separately
                definition = getattr(parent, "fields", {}).get(name)
                if definition is None:
                    continue
                model = declared.get(parent.name, {}).get(name)
                list_size = getattr(model, "list_size", None)
                weight = getattr(model, "weight", None)
                weight = 1 if weight is None else max(weight, 0)
                field_type = get_nullable_type(definition.type)
                returned = get_named_type(field_type)
                if list_size is not None:
                    size = declared_size(node, definition, list_size)
                    if list_size.sized_fields:  # a connection: the size bounds the named lists inside
                        size = size if size is not None else limits.default_page_size
                        cost = weight + walk(node.selection_set, returned, {f: size for f in list_size.sized_fields})
                        total += cost * size if is_list_type(field_type) else cost
                        continue
                elif isinstance(inherited, Mapping):
                    size = inherited.get(name)
                else:
                    size = page_size(node, definition)
                    if not is_list_type(field_type):  # an undeclared connection: its page size for the lists inside
                        total += weight + walk(node.selection_set, returned, size)
                        continue
                    if size is None:
                        size = inherited
                if is_list_type(field_type):
                    total += (weight + walk(node.selection_set, returned, None)) * (
                        size if size is not None else limits.default_page_size)
                else:
                    total += weight + walk(node.selection_set, returned, None)
            elif isinstance(node, InlineFragmentNode):
                condition = schema.get_type(node.type_condition.name.value) if node.type_condition else parent
                total += walk(node.selection_set, condition, inherited)
            elif isinstance(node, FragmentSpreadNode):
                key = (node.name.value, tuple(sorted(inherited.items())) if isinstance(inherited, Mapping)
                       else (("", inherited),) if inherited is not None else ())
                if key not in memo:
                    fragment = fragments.get(node.name.value)
                    memo[key] = 0  # validated documents have no cycles; this guards anyway
                    if fragment is not None:
                        memo[key] = walk(fragment.selection_set, schema.get_type(fragment.type_condition.name.value),
                                         inherited)
                total += memo[key]
        return total

    root = schema.get_root_type(operation.operation)
    return walk(operation.selection_set, root, None)


def _default_int(argument: Any) -> int | None:
    """An argument's integer default (graphql-core 3.2 keeps the value, 3.3 the literal)."""
    if argument is None:
        return None
    if isinstance(argument.default_value, int):
        return argument.default_value
    node = getattr(argument.ast_node, "default_value", None)
    return int(node.value) if isinstance(node, IntValueNode) else None


def check_cost(cost: int, limits: Limits) -> None:
    if cost > limits.max_cost:
        raise LimitExceeded("COST_LIMIT_EXCEEDED",
                            f"The operation's estimated cost is {cost}; at most {limits.max_cost} is allowed "
                            "(a field costs 1, a list field times its page size).")

