"""Descriptions of GraphQL enum values, kept as tables beside the enums (and here, where two services
share the same words: the IR classes appear in the registry's `IrClass` and reporting's `IrStanding`).

Strawberry's ``enum_value(description=...)`` needs the value written in a strawberry-aware class; the
registry's enums that wrap domain enums (plain Python, no strawberry) cannot carry it. One mechanism
for both kinds: ``describe_values(Enum, {NAME: description})`` after ``strawberry.enum``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# The classes of Permen PPPA 2/2016 Tabel 2, as both the registry and reporting name them.
IR_CLASSES: Mapping[str, str] = {
    "PEMULA": "Starting home industry (IR Pemula, IR 1): classification score 6–9.",
    "BERKEMBANG": "Developing home industry (IR Berkembang, IR 2): classification score 10–15.",
    "MAJU": "Advanced home industry (IR Maju, IR 3): classification score 16–18.",
}


def describe_values(enum: Any, descriptions: Mapping[str, str]) -> Any:
    """Sets the description of every value of a strawberry enum from ``descriptions`` (keyed by the
    GraphQL value name). A value without a description, or a description for no value, is an error,
    so an enum cannot grow an undescribed value. Returns the enum."""
    definition = enum.__strawberry_definition__
    names = {value.name for value in definition.values}
    if names != set(descriptions):
        raise ValueError(f"{definition.name}: values without a description {sorted(names - set(descriptions))}, "
                         f"descriptions for no value {sorted(set(descriptions) - names)}")
    for value in definition.values:
        value.description = descriptions[value.name]
    return enum
