"""Stage 4: emit the printable plan.

Each step's subgraph operation is built as a graphql-core AST (the selections assembled in
stage 2, ``_entities`` fields, the variable definitions it uses) and printed once.
"""

from __future__ import annotations

from typing import Callable, Iterable

from graphql import (
    ArgumentNode,
    FieldNode,
    InlineFragmentNode,
    ListTypeNode,
    NamedTypeNode,
    NameNode,
    NonNullTypeNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    VariableDefinitionNode,
    VariableNode,
    parse_type,
)

from gateway.plan import ContextRead, ContextSource, EntityPart, Fetch, QueryPlan, RepField
from gateway.planning.fetch_graph import FetchGraph, FetchNode
from gateway.planning.optimise import Step
from gateway.planning.selection import print_compact

_ANY_LIST = NonNullTypeNode(type=ListTypeNode(type=NonNullTypeNode(type=NamedTypeNode(name=NameNode(value="_Any")))))


def rep_fields(selections: Iterable[SelectionSetNode], objects_of: Callable[[str], frozenset[str]],
               on: frozenset[str] | None = None) -> tuple[RepField, ...]:
    """The fields of a representation: key and @requires field sets merged by field name.

    Type conditions are kept, not flattened: a field inside ``... on Box`` is read (and sent)
    only for Boxes (``objects_of`` gives the object types a condition holds for), and an object
    with such fields also sends its ``__typename``.
    """
    merged: dict[tuple[str, frozenset[str] | None], list[SelectionSetNode]] = {}
    conditioned: list[RepField] = []
    for selection in selections:
        for node in selection.selections:
            if isinstance(node, FieldNode):
                lst = merged.setdefault((node.name.value, on), [])
                if node.selection_set is not None:
                    lst.append(node.selection_set)
            elif isinstance(node, InlineFragmentNode):
                inner = on
                if node.type_condition is not None:
                    types = objects_of(node.type_condition.name.value)
                    inner = types if on is None else on & types
                conditioned.extend(rep_fields([node.selection_set], objects_of, inner))
    out = [RepField(name, name, _typed(rep_fields(subs, objects_of)), cond) for (name, cond), subs in merged.items()]
    for rf in conditioned:
        if not any(f.name == rf.name and f.on == rf.on for f in out):
            out.append(rf)
    return tuple(out)


def _typed(fields: tuple[RepField, ...]) -> tuple[RepField, ...]:
    """A nested object's fields, with its ``__typename`` where some hold for some types only."""
    if any(f.on is not None for f in fields) and not any(f.name == "__typename" for f in fields):
        return (RepField("__typename", "__typename"),) + fields
    return fields


def context_fields(selection: SelectionSetNode, objects_of: Callable[[str], frozenset[str]],
                   on: frozenset[str] | None = None) -> tuple[RepField, ...]:
    """How to read a @fromContext value on its ancestor: the (aliased) field of each type
    condition of the context's selection, with its own selection read as a representation's."""
    out: list[RepField] = []
    for node in selection.selections:
        if isinstance(node, FieldNode):
            children = _typed(rep_fields([node.selection_set], objects_of)) if node.selection_set else ()
            out.append(RepField(node.name.value, node.alias.value if node.alias else node.name.value, children, on))
        elif isinstance(node, InlineFragmentNode):
            inner = on
            if node.type_condition is not None:
                types = objects_of(node.type_condition.name.value)
                inner = types if on is None else on & types
            out.extend(context_fields(node.selection_set, objects_of, inner))
    return tuple(out)


class _Emitter:
    def __init__(self, graph: FetchGraph) -> None:
        self.graph = graph
        self.client_variables = {vd.variable.name.value: vd for vd in graph.operation.variable_definitions or ()}

    def variable_definitions(self, names: set[str]) -> list[VariableDefinitionNode]:
        return [vd for name, vd in self.client_variables.items() if name in names]

    def root(self, step: Step) -> Fetch:
        node = step.members[0]
        selection = node.selection.to_ast()
        assert selection is not None
        operation = OperationDefinitionNode(operation=OperationType(self.graph.kind),
                                            variable_definitions=tuple(self.variable_definitions(node.variables)),
                                            directives=(), selection_set=selection)
        keys = tuple(rkey for rkey, name in node.selection.fields() if name != "__typename")
        return Fetch(id=step.id, graph=step.graph, operation=print_compact(operation),
                     variable_names=tuple(sorted(node.variables)), depends_on=step.depends_on,
                     failure_keys=(("", keys),))

    def entities(self, step: Step) -> Fetch:
        single = len(step.members) == 1
        parts, fields, defs, variables = [], [], [], set()
        for n, member in enumerate(step.members):
            alias, variable = ("_entities", "representations") if single else (f"_e{n}", f"r{n}")
            while variable in self.client_variables:  # the client's own $representations wins
                variable = "_" + variable
            parts.append(EntityPart(member.path, self.representations(member), self.failure_keys(member),
                                    alias, variable, self.contexts(member)))
            selection = member.selection.to_ast()
            assert selection is not None
            fields.append(FieldNode(
                alias=None if single else NameNode(value=alias), name=NameNode(value="_entities"),
                arguments=(ArgumentNode(name=NameNode(value="representations"),
                                        value=VariableNode(name=NameNode(value=variable))),),
                directives=(), selection_set=selection))
            defs.append(VariableDefinitionNode(variable=VariableNode(name=NameNode(value=variable)), type=_ANY_LIST,
                                               directives=()))
            defs.extend(VariableDefinitionNode(variable=VariableNode(name=NameNode(value=c.variable)),
                                               type=parse_type(c.type), directives=()) for c in member.contexts)
            variables |= member.variables
        operation = OperationDefinitionNode(
            operation=OperationType.QUERY, variable_definitions=tuple(defs + self.variable_definitions(variables)),
            directives=(), selection_set=SelectionSetNode(selections=tuple(fields)))
        return Fetch(id=step.id, graph=step.graph, operation=print_compact(operation),
                     variable_names=tuple(sorted(variables)), depends_on=step.depends_on, parts=tuple(parts))

    def representations(self, member: FetchNode) -> tuple:
        objects_of = self.graph.objects_of

        def read(fields: tuple[RepField, ...], aliases: dict, path: tuple[str, ...]) -> tuple[RepField, ...]:
            # Where the planner aliased a key or required field, the representation reads the alias.
            return tuple(RepField(f.name, aliases.get(path + (f.name,), f.response_key),
                                  read(f.children, aliases, path + (f.name,)), f.on) for f in fields)

        return tuple((t, member.rep_typename[t], read(rep_fields(sels, objects_of), member.rep_alias.get(t, {}), ()))
                     for t, sels in member.rep.items())

    def contexts(self, member: FetchNode) -> tuple[ContextRead, ...]:
        return tuple(ContextRead(c.variable, tuple(ContextSource(depth, on, context_fields(sel, self.graph.objects_of))
                                                   for depth, on, sel in c.sources))
                     for c in member.contexts)

    @staticmethod
    def failure_keys(member: FetchNode) -> tuple:
        # Per type: the first field it fetches gets the error when the request fails.
        return tuple((t, tuple(rkey for rkey, name in child.fields() if name != "__typename")[:1])
                     for t, child in member.selection.fragments())


def emit(graph: FetchGraph, stages: list[list[Step]]) -> QueryPlan:
    """The plan the executor runs."""
    emitter = _Emitter(graph)
    return QueryPlan(graph.kind, tuple(
        tuple(emitter.entities(step) if step.entity else emitter.root(step) for step in stage) for stage in stages))
