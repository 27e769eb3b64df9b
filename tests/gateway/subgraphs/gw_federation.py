"""A minimal Federation v2 subgraph runtime on graphql-core, for test fixtures.

Builds an executable schema from a subgraph SDL: adds the federation directive
definitions, ``_Any``, ``_Service``/``_service`` and ``_Entity``/``_entities``, and wires
resolvers given as ``{"Type.field": fn}`` and reference resolvers ``{"Type": fn(rep)}``.
Objects are plain dicts carrying ``__typename`` where the type is abstract or an entity.
"""

from __future__ import annotations

from typing import Any, Callable

from graphql import (
    GraphQLSchema,
    ObjectTypeDefinitionNode,
    build_ast_schema,
    is_abstract_type,
    is_object_type,
    parse,
)

PRELUDE = """
scalar _Any
scalar FieldSet
scalar link__Import
enum link__Purpose { SECURITY EXECUTION }
directive @link(url: String!, as: String, for: link__Purpose, import: [link__Import]) repeatable on SCHEMA
directive @key(fields: FieldSet!, resolvable: Boolean = true) repeatable on OBJECT | INTERFACE
directive @requires(fields: FieldSet!) on FIELD_DEFINITION
directive @provides(fields: FieldSet!) on FIELD_DEFINITION
directive @external on OBJECT | FIELD_DEFINITION
directive @shareable repeatable on OBJECT | FIELD_DEFINITION
directive @override(from: String!, label: String) on FIELD_DEFINITION
directive @inaccessible on FIELD_DEFINITION | OBJECT | INTERFACE | UNION | ARGUMENT_DEFINITION | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION
directive @tag(name: String!) repeatable on FIELD_DEFINITION | OBJECT | INTERFACE | UNION | ARGUMENT_DEFINITION | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION
directive @interfaceObject on OBJECT
scalar federation__Scope
scalar federation__Policy
directive @authenticated on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM
directive @requiresScopes(scopes: [[federation__Scope!]!]!) on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM
directive @policy(policies: [[federation__Policy!]!]!) on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM
directive @extends on OBJECT | INTERFACE
type _Service { sdl: String }
"""


def _has_directive(node: Any, name: str) -> bool:
    return any(d.name.value == name for d in (node.directives or ()))


def build_subgraph(sdl: str, resolvers: dict[str, Callable[..., Any]],
                   references: dict[str, Callable[[dict[str, Any]], Any]]) -> GraphQLSchema:
    """An executable graphql-core schema for a federation subgraph SDL."""
    doc = parse(sdl)
    entities = [
        d.name.value for d in doc.definitions
        if isinstance(d, ObjectTypeDefinitionNode) and _has_directive(d, "key")
    ]
    has_query = any(isinstance(d, ObjectTypeDefinitionNode) and d.name.value == "Query" for d in doc.definitions)
    extra = PRELUDE
    root = "extend type Query" if has_query else "type Query"
    if entities:
        extra += f"union _Entity = {' | '.join(entities)}\n"
        extra += f"{root} {{ _service: _Service! _entities(representations: [_Any!]!): [_Entity]! }}\n"
    else:
        extra += f"{root} {{ _service: _Service! }}\n"
    schema = build_ast_schema(parse(sdl + "\n" + extra), assume_valid_sdl=True)
    for _name, type_ in schema.type_map.items():
        if is_abstract_type(type_):
            type_.resolve_type = lambda value, *_: value.get("__typename")  # type: ignore[union-attr]
    for path, fn in resolvers.items():
        type_name, field_name = path.split(".")
        schema.get_type(type_name).fields[field_name].resolve = fn  # type: ignore[union-attr]
    query = schema.get_type("Query")
    assert is_object_type(query)
    query.fields["_service"].resolve = lambda *_: {"sdl": sdl}

    def resolve_entities(_: Any, info: Any, representations: list[dict[str, Any]]) -> list[Any]:
        out = []
        for rep in representations:
            resolver = references.get(rep.get("__typename"))  # type: ignore[arg-type]
            out.append(resolver(rep) if resolver else None)
        return out

    if entities:
        query.fields["_entities"].resolve = resolve_entities
    return schema
