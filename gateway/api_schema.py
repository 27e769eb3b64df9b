"""The API schema: the supergraph without join/link machinery and @inaccessible elements.

This is what clients see through introspection and what operations are validated against.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from graphql import (
    DirectiveDefinitionNode,
    DocumentNode,
    GraphQLSchema,
    NamedTypeNode,
    SchemaDefinitionNode,
    SchemaExtensionNode,
    TypeDefinitionNode,
    TypeExtensionNode,
    build_ast_schema,
)
from graphql.language import ListTypeNode, NonNullTypeNode

# Applied directives that survive into the API schema; everything else is composition data.
_KEPT_DIRECTIVES = frozenset({"deprecated", "specifiedBy", "oneOf"})
# Directive definitions that belong to the federation machinery, never to the API.
_MACHINERY_DIRECTIVES = frozenset({
    "link", "inaccessible", "tag", "authenticated", "requiresScopes", "policy", "context",
    "cost", "listSize", "core",
})


def _machinery(name: str) -> bool:
    """A definition a @link'ed spec brought in under its namespace (``join__Graph``,
    ``link__Purpose``, ``policy__Policy``, ``requiresScopes__Scope``…): composition data."""
    return name.find("__") > 0


def _hidden(node: Any) -> bool:
    return any(d.name.value == "inaccessible" for d in (getattr(node, "directives", None) or ()))


def _clean_directives(node: Any) -> tuple:
    return tuple(d for d in (node.directives or ()) if d.name.value in _KEPT_DIRECTIVES)


def _named(type_node: Any) -> str:
    while isinstance(type_node, (ListTypeNode, NonNullTypeNode)):
        type_node = type_node.type
    return type_node.name.value


def _clean_field(node: Any, hidden: set[str], keep_inaccessible: bool = False) -> Any:
    args = getattr(node, "arguments", None)
    changes: dict[str, Any] = {"directives": _clean_directives(node)}
    if args is not None:
        changes["arguments"] = tuple(
            replace(a, directives=_clean_directives(a)) for a in args
            if (keep_inaccessible or not _hidden(a)) and _named(a.type) not in hidden
        )
    return replace(node, **changes)


def build_api_schema(document: DocumentNode, keep_inaccessible: bool = False) -> GraphQLSchema:
    """Build the client-facing schema from a parsed supergraph document (``keep_inaccessible``:
    with the @inaccessible elements, the schema the planner reads internal fields from)."""
    def _inaccessible(node: Any) -> bool:
        return not keep_inaccessible and _hidden(node)

    hidden = {
        d.name.value for d in document.definitions
        if isinstance(d, TypeDefinitionNode) and (_inaccessible(d) or _machinery(d.name.value))
    }
    definitions = []
    for d in document.definitions:
        if isinstance(d, (SchemaDefinitionNode, SchemaExtensionNode)):
            definitions.append(replace(d, directives=()))
            continue
        if isinstance(d, DirectiveDefinitionNode):
            name = d.name.value
            if _machinery(name) or name in _MACHINERY_DIRECTIVES:
                continue
            definitions.append(d)
            continue
        if isinstance(d, (TypeDefinitionNode, TypeExtensionNode)):
            if d.name.value in hidden:
                continue
            changes: dict[str, Any] = {"directives": _clean_directives(d)}
            if getattr(d, "fields", None) is not None:
                changes["fields"] = tuple(
                    _clean_field(f, hidden, keep_inaccessible) for f in d.fields
                    if not _inaccessible(f) and _named(f.type) not in hidden
                )
            if getattr(d, "values", None) is not None:
                changes["values"] = tuple(replace(v, directives=_clean_directives(v)) for v in d.values if not _inaccessible(v))
            if getattr(d, "types", None) is not None:
                changes["types"] = tuple(t for t in d.types if t.name.value not in hidden)
            if getattr(d, "interfaces", None) is not None:
                changes["interfaces"] = tuple(t for t in d.interfaces if t.name.value not in hidden)
            definitions.append(replace(d, **changes))
            continue
        definitions.append(d)
    return build_ast_schema(DocumentNode(definitions=tuple(definitions)), assume_valid_sdl=True)


__all__ = ["build_api_schema", "NamedTypeNode"]
