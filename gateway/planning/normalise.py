"""Stage 1: normalise the client's operation for planning.

Fragment spreads become inline fragments (the planner never looks a fragment up again),
``@skip``/``@include`` with literal arguments are resolved (the field or fragment dropped, or
the directive removed), inline fragments whose type condition shares no possible type with
their parent are pruned, and fragments that only restate their parent type are spliced in.
A selection that ends up empty selects ``__typename``, so no subgraph is ever sent ``{ }``.

Only planning reads the result: the client's response is still shaped from the operation as
written (``gateway.shaper``), so nothing here changes what the client sees.
"""

from __future__ import annotations

from graphql import (
    BooleanValueNode,
    DirectiveNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLNamedType,
    GraphQLSchema,
    InlineFragmentNode,
    NameNode,
    OperationDefinitionNode,
    SelectionNode,
    SelectionSetNode,
    get_named_type,
    is_abstract_type,
)

TYPENAME = FieldNode(name=NameNode(value="__typename"), arguments=(), directives=())


def _literal_conditions(directives: tuple[DirectiveNode, ...] | None) -> tuple[bool, tuple[DirectiveNode, ...]]:
    """(included, directives left): literal @skip/@include decided, variable ones kept."""
    kept = []
    for d in directives or ():
        if d.name.value in ("skip", "include") and d.arguments:
            value = d.arguments[0].value
            if isinstance(value, BooleanValueNode):
                if value.value != (d.name.value == "include"):
                    return False, ()
                continue
        kept.append(d)
    return True, tuple(kept)


class _Normaliser:
    def __init__(self, schema: GraphQLSchema, fragments: dict[str, FragmentDefinitionNode]) -> None:
        self.schema = schema
        self.fragments = fragments
        self._possible: dict[str, frozenset[str]] = {}

    def possible(self, type_name: str) -> frozenset[str]:
        out = self._possible.get(type_name)
        if out is None:
            gql_type = self.schema.get_type(type_name)
            if is_abstract_type(gql_type):
                out = frozenset(t.name for t in self.schema.get_possible_types(gql_type))  # type: ignore[arg-type]
            else:
                out = frozenset((type_name,))
            self._possible[type_name] = out
        return out

    def selection_set(self, selection_set: SelectionSetNode, parent: GraphQLNamedType) -> SelectionSetNode:
        out: list[SelectionNode] = []
        for node in selection_set.selections:
            out.extend(self.selection(node, parent))
        if not out:
            out.append(TYPENAME)
        return SelectionSetNode(selections=tuple(out))

    def selection(self, node: SelectionNode, parent: GraphQLNamedType) -> list[SelectionNode]:
        included, directives = _literal_conditions(node.directives)
        if not included:
            return []
        if isinstance(node, FieldNode):
            sub = None
            if node.selection_set is not None:
                field_def = parent.fields.get(node.name.value)  # type: ignore[union-attr]
                if field_def is None:
                    return [node]  # introspection fields: answered by the gateway, never planned
                sub = self.selection_set(node.selection_set, get_named_type(field_def.type))
            return [FieldNode(alias=node.alias, name=node.name, arguments=node.arguments,
                              directives=directives, selection_set=sub)]
        if isinstance(node, FragmentSpreadNode):
            fragment = self.fragments[node.name.value]
            condition, selection_set = fragment.type_condition, fragment.selection_set
        else:
            assert isinstance(node, InlineFragmentNode)
            condition, selection_set = node.type_condition, node.selection_set
        scope = parent
        if condition is not None and condition.name.value != parent.name:
            if not self.possible(condition.name.value) & self.possible(parent.name):
                return []  # can never match here
            scope = self.schema.get_type(condition.name.value)  # type: ignore[assignment]
        inner = self.selection_set(selection_set, scope)
        if scope is parent and not directives:
            return list(inner.selections)
        return [InlineFragmentNode(type_condition=condition if scope is not parent else None,
                                   directives=directives, selection_set=inner)]


def normalise(schema: GraphQLSchema, operation: OperationDefinitionNode,
              fragments: dict[str, FragmentDefinitionNode]) -> OperationDefinitionNode:
    """The operation as the later stages read it (see the module's docstring)."""
    root = schema.get_root_type(operation.operation)
    assert root is not None
    normaliser = _Normaliser(schema, fragments)
    return OperationDefinitionNode(
        operation=operation.operation, name=operation.name, variable_definitions=operation.variable_definitions,
        directives=operation.directives, selection_set=normaliser.selection_set(operation.selection_set, root))
