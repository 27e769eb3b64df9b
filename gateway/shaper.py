"""The compiled response shaper: merged subgraph data → the client's response.

Compiled once per prepared operation: for each selection and runtime type, the list of
response keys with their conditions and completion. Per request it only walks the data,
applying @skip/@include, resolving abstract types by ``__typename``, and propagating nulls
from non-null fields with the error graphql-js/graphql-core would give.

Operations the compiler does not cover (introspection beyond ``__typename``, @skip/@include
on fragments) are shaped by graphql-core instead (see ``compile_shaper``).
"""

from __future__ import annotations

from typing import Any

import orjson

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLEnumType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    is_abstract_type,
    is_leaf_type,
)

_LEAF, _LIST, _NONNULL, _OBJECT, _ABSTRACT, _ENUM = range(6)


class _Null(Exception):
    """A null reached a non-null position; caught by the nearest nullable parent."""


# What a list or object completes to when a null propagated out of it: the error is already
# recorded, so an enclosing non-null position propagates further without a second error.
_PROPAGATED = object()


class _Field:
    __slots__ = ("key", "name", "conds", "desc", "typename", "parent")

    def __init__(self, key: str, name: str, conds: tuple, desc: tuple | None, typename: str | None, parent: str) -> None:
        self.key = key
        self.name = name
        self.conds = conds
        self.desc = desc
        self.typename = typename  # set for __typename on an object type: answered statically
        self.parent = parent


class _Selection:
    """A selection set on an output type; per runtime object type, compiled on first use."""

    def __init__(self, compiler: "_Compiler", type_name: str, nodes: list[SelectionSetNode]) -> None:
        self.compiler = compiler
        self.type_name = type_name
        self.nodes = nodes
        self.by_type: dict[str, list[_Field] | None] = {}

    def fields_for(self, object_type: str) -> list[_Field] | None:
        fields = self.by_type.get(object_type, False)
        if fields is False:
            fields = self.by_type[object_type] = self.compiler.fields(object_type, self.nodes)
        return fields  # type: ignore[return-value]


class _Unsupported(Exception):
    pass


class _Compiler:
    def __init__(self, schema: GraphQLSchema, fragments: dict[str, FragmentDefinitionNode]) -> None:
        self.schema = schema
        self.fragments = fragments

    def desc(self, gql_type: GraphQLOutputType, nodes: list[SelectionSetNode]) -> tuple:
        if isinstance(gql_type, GraphQLNonNull):
            return (_NONNULL, self.desc(gql_type.of_type, nodes))
        if isinstance(gql_type, GraphQLList):
            return (_LIST, self.desc(gql_type.of_type, nodes))
        if isinstance(gql_type, GraphQLEnumType):
            # Only the API's values: a subgraph may answer one that is @inaccessible.
            return (_ENUM, frozenset(v.value for v in gql_type.values.values()), gql_type.name)
        if is_leaf_type(gql_type):
            return (_LEAF,)
        named = get_named_type(gql_type)
        return (_ABSTRACT if is_abstract_type(named) else _OBJECT, _Selection(self, named.name, nodes))

    def fields(self, object_type: str, nodes: list[SelectionSetNode]) -> list[_Field] | None:
        obj = self.schema.get_type(object_type)
        # An interface: an @interfaceObject's answer whose concrete type the selection did not
        # need (the planner looks it up otherwise), shaped by the interface's own fields.
        if not isinstance(obj, (GraphQLObjectType, GraphQLInterfaceType)):
            return None
        grouped: dict[str, list[FieldNode]] = {}
        for node in nodes:
            self._collect(node, obj, grouped)
        out = []
        for key, field_nodes in grouped.items():
            first = field_nodes[0]
            name = first.name.value
            conds = self._conds(field_nodes)
            if name == "__typename":
                out.append(_Field(key, name, conds, None, obj.name, obj.name))
                continue
            if name.startswith("__"):
                raise _Unsupported(name)
            field_def = obj.fields[name]
            subs = [n.selection_set for n in field_nodes if n.selection_set is not None]
            out.append(_Field(key, name, conds, self.desc(field_def.type, subs), None, obj.name))
        return out

    def _conds(self, nodes: list[FieldNode]) -> tuple:
        # Same response key several times: the field stays when any occurrence is included.
        alternatives = []
        for node in nodes:
            conds = []
            for d in node.directives or ():
                if d.name.value in ("skip", "include"):
                    value = d.arguments[0].value
                    ref = value.name.value if isinstance(value, VariableNode) else bool(value.value)  # type: ignore[attr-defined]
                    conds.append((d.name.value == "include", ref))
            if not conds:
                return ()
            alternatives.append(tuple(conds))
        return tuple(alternatives)

    def _collect(self, selection_set: SelectionSetNode, obj: GraphQLObjectType, out: dict[str, list[FieldNode]]) -> None:
        for node in selection_set.selections:
            if isinstance(node, FieldNode):
                out.setdefault(node.alias.value if node.alias else node.name.value, []).append(node)
                continue
            if any(d.name.value in ("skip", "include") for d in node.directives or ()):
                raise _Unsupported("conditional fragment")
            if isinstance(node, FragmentSpreadNode):
                fragment = self.fragments[node.name.value]
                cond, sub = fragment.type_condition.name.value, fragment.selection_set
            else:
                assert isinstance(node, InlineFragmentNode)
                cond = node.type_condition.name.value if node.type_condition else None
                sub = node.selection_set
            if cond is not None and cond != obj.name:
                cond_type = self.schema.get_type(cond)
                if not (is_abstract_type(cond_type) and self.schema.is_sub_type(cond_type, obj)):  # type: ignore[arg-type]
                    continue
            self._collect(sub, obj, out)


def _json(value: Any) -> str:
    return orjson.dumps(value).decode() if isinstance(value, (str, int, float, bool)) else "a non-scalar value"


def _included(conds: tuple, variables: dict[str, Any]) -> bool:
    for alternative in conds:
        ok = True
        for is_include, ref in alternative:
            value = variables.get(ref) if isinstance(ref, str) else ref
            if bool(value) != is_include:
                ok = False
                break
        if ok:
            return True
    return False


def _flatten(path: tuple | None) -> list[str | int]:
    out: list[str | int] = []
    while path is not None:
        path, key = path
        out.append(key)
    out.reverse()
    return out


class Shaper:
    """Shapes merged data for one operation (compiled once, reused per request)."""

    def __init__(self, root: _Selection, root_type: str) -> None:
        self.root = root
        self.root_type = root_type

    def shape(self, data: dict[str, Any], variables: dict[str, Any]) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
        """Return (data, errors) as graphql-core's execution over the same data would."""
        errors: list[dict[str, Any]] = []
        try:
            out = self._object(data, self.root.fields_for(self.root_type) or [], None, variables, errors)
        except _Null:
            out = None
        return out, errors

    def _object(self, src: dict[str, Any], fields: list[_Field], path: tuple | None,
                variables: dict[str, Any], errors: list[dict[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in fields:
            if f.conds and not _included(f.conds, variables):
                continue
            key = f.key
            if f.typename is not None:
                out[key] = f.typename
                continue
            value = self._complete(src.get(key), f.desc, (path, key), f, variables, errors)  # type: ignore[arg-type]
            out[key] = None if value is _PROPAGATED else value
        return out

    def _complete(self, value: Any, desc: tuple, path: tuple, f: _Field,
                  variables: dict[str, Any], errors: list[dict[str, Any]]) -> Any:
        kind = desc[0]
        if kind == _NONNULL:
            result = self._complete(value, desc[1], path, f, variables, errors)
            if result is _PROPAGATED:
                raise _Null()
            if result is None:
                errors.append({"message": f"Cannot return null for non-nullable field {f.parent}.{f.name}.",
                               "path": _flatten(path)})
                raise _Null()
            return result
        if value is None:
            return None
        if kind == _LEAF:
            return value
        if kind == _ENUM:
            if value in desc[1]:
                return value
            # Never the hidden value: null (propagated like any null) with the error graphql-js gives.
            errors.append({"message": f'Enum "{desc[2]}" cannot represent value: {_json(value)}',
                           "path": _flatten(path), "extensions": {"code": "INTERNAL_SERVER_ERROR"}})
            return _PROPAGATED
        if kind == _LIST:
            if not isinstance(value, list):
                return None
            inner = desc[1]
            if inner[0] == _LEAF:
                return value
            out = []
            try:
                for i, item in enumerate(value):
                    result = self._complete(item, inner, (path, i), f, variables, errors)
                    out.append(None if result is _PROPAGATED else result)
            except _Null:
                return _PROPAGATED
            return out
        if not isinstance(value, dict):
            return None
        selection: _Selection = desc[1]
        if kind == _OBJECT:
            fields = selection.fields_for(selection.type_name)
        else:
            typename = value.get("__typename")
            fields = selection.fields_for(typename) if isinstance(typename, str) else None
        if fields is None:
            return None
        try:
            return self._object(value, fields, path, variables, errors)
        except _Null:
            return _PROPAGATED


def compile_shaper(schema: GraphQLSchema, operation: OperationDefinitionNode,
                   fragments: dict[str, FragmentDefinitionNode]) -> Shaper | None:
    """A Shaper for the operation, or None when graphql-core must shape it."""
    root_type = schema.get_root_type(operation.operation)
    if root_type is None:
        return None
    compiler = _Compiler(schema, fragments)
    root = _Selection(compiler, root_type.name, [operation.selection_set])
    try:
        # Compile eagerly what is statically known so unsupported shapes are found now.
        _warm(root, root_type.name)
    except _Unsupported:
        return None
    return Shaper(root, root_type.name)


def _warm(selection: _Selection, type_name: str) -> None:
    schema = selection.compiler.schema
    gql_type = schema.get_type(type_name)
    types = schema.get_possible_types(gql_type) if is_abstract_type(gql_type) else [gql_type]  # type: ignore[arg-type]
    for obj in types:
        for f in selection.fields_for(obj.name) or ():
            desc = f.desc
            while desc is not None and desc[0] in (_NONNULL, _LIST):
                desc = desc[1]
            if desc is not None and desc[0] in (_OBJECT, _ABSTRACT):
                _warm(desc[1], desc[1].type_name)
