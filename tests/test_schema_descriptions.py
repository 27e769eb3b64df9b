"""Every type, field, argument and enum value of both subgraphs has a description: in the SDL each
subgraph serves (`_service { sdl }` answers ``schema.as_str()``, which registry_sdl/reporting_sdl
return) and in the exported schema/*.graphql (so in schema/supergraph.graphql, which composes them).

Not ours, and left out: the Apollo Federation spec's own definitions (``_service``, ``_entities``,
``_Any``, ``_Entity``, ``_Service``, ``link__*``, ``join__*``, ``policy__Policy``,
``requiresScopes__Scope``, and the spec's directives such as ``@key``, ``@requiresScopes`` or the
demand-control ``@listSize``/``@cost``), which composition prints without descriptions. Any directive
or type we declared ourselves would be checked like everything else.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import parse
from graphql.language import ast

from services.registry.sdl import registry_sdl
from services.reporting.sdl import reporting_sdl

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schema"

FEDERATION_PREFIXES = ("_", "link__", "join__", "policy__", "requiresScopes__")
# Directive definitions the federation spec puts in every subgraph SDL (not ours to describe).
FEDERATION_DIRECTIVES = frozenset({
    "key", "link", "shareable", "external", "requires", "provides", "extends", "override", "inaccessible",
    "tag", "composeDirective", "interfaceObject", "authenticated", "requiresScopes", "policy", "cost", "listSize",
    "context", "fromContext",
})


def undescribed(sdl: str) -> list[str]:
    """Schema coordinates (``Type``, ``Type.field``, ``Type.field(arg:)``, ``Enum.VALUE``, ``@directive``)
    of our definitions that carry no description (or an empty one)."""

    def bare(node: ast.Node) -> bool:
        description = getattr(node, "description", None)
        return description is None or not description.value.strip()

    missing: list[str] = []
    for definition in parse(sdl).definitions:
        if isinstance(definition, ast.DirectiveDefinitionNode):
            name = definition.name.value
            if name not in FEDERATION_DIRECTIVES and not name.startswith(FEDERATION_PREFIXES):
                missing += [f"@{name}"] * bare(definition)
                missing += [f"@{name}({a.name.value}:)" for a in definition.arguments or () if bare(a)]
            continue
        if not isinstance(definition, (ast.TypeDefinitionNode, ast.TypeExtensionNode)):
            continue  # schema definition / extension
        name = definition.name.value
        if name.startswith(FEDERATION_PREFIXES):
            continue
        if isinstance(definition, ast.TypeDefinitionNode) and bare(definition):
            missing.append(name)
        for field in getattr(definition, "fields", None) or ():
            if field.name.value.startswith("_"):
                continue  # _service, _entities
            if bare(field):
                missing.append(f"{name}.{field.name.value}")
            missing += [f"{name}.{field.name.value}({a.name.value}:)" for a in getattr(field, "arguments", None) or ()
                        if bare(a)]
        missing += [f"{name}.{v.name.value}" for v in getattr(definition, "values", None) or () if bare(v)]
    return missing


SERVED = {"registry": registry_sdl, "reporting": reporting_sdl}


@pytest.mark.parametrize("service", sorted(SERVED))
def test_served_sdl_describes_everything(service: str) -> None:
    assert undescribed(SERVED[service]()) == []


@pytest.mark.parametrize("service", sorted(SERVED))
def test_exported_schema_file_describes_everything(service: str) -> None:
    assert undescribed((SCHEMA_DIR / f"{service}.graphql").read_text()) == []


def test_supergraph_describes_everything_of_ours() -> None:
    assert undescribed((SCHEMA_DIR / "supergraph.graphql").read_text()) == []


def test_the_check_finds_each_kind_of_missing_description() -> None:
    sdl = '''
    """Described."""
    type Query {
      """Described."""
      ok(
        """Described."""
        a: Int
        b: Int
      ): Int
      bare: Int
      _service: Int
    }
    type Bare { """ """ x: Int }
    """Described."""
    enum Level {
      """Described."""
      ONE
      TWO
    }
    input Filter { y: Int }
    directive @sample(size: Int) on FIELD_DEFINITION
    directive @key(fields: String) on OBJECT
    directive @listSize(assumedSize: Int) on FIELD_DEFINITION
    enum join__Graph { A }
    scalar _Any
    scalar policy__Policy
    '''
    assert undescribed(sdl) == [
        "Query.ok(b:)", "Query.bare", "Bare", "Bare.x", "Level.TWO", "Filter", "Filter.y",
        "@sample", "@sample(size:)",
    ]


def test_an_enum_cannot_grow_an_undescribed_value() -> None:
    import enum

    import strawberry

    from siir.enum_values import describe_values

    @strawberry.enum
    class Colour(enum.Enum):
        RED = "RED"
        BLUE = "BLUE"

    with pytest.raises(ValueError, match=r"values without a description \['BLUE'\]"):
        describe_values(Colour, {"RED": "Red."})
    with pytest.raises(ValueError, match=r"descriptions for no value \['GREEN'\]"):
        describe_values(Colour, {"RED": "Red.", "BLUE": "Blue.", "GREEN": "Green."})
    describe_values(Colour, {"RED": "Red.", "BLUE": "Blue."})
    assert [v.description for v in Colour.__strawberry_definition__.values] == ["Red.", "Blue."]
