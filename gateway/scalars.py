"""The custom scalars' specifications, checked at the gateway before any subgraph is called.

The API schema is built from SDL, where a custom scalar accepts any value; the subgraph that owns
it would then refuse the value while executing, and the client would get an uncoded "Cannot return
null" instead of its own mistake. Here each scalar the supergraph declares has one specification
(what its ``@specifiedBy``/description promise), applied to literals when an operation is prepared
and to variables on every request: a value that breaks it is ``BAD_USER_INPUT`` naming the argument
path (``extensions.field``, e.g. ``input.firstAssessment.assessedOn``; see docs/errors.md).

``tests/gateway/test_scalar_validation.py`` keeps this table in step with the subgraphs' scalars.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from graphql import (
    ArgumentNode,
    DocumentNode,
    GraphQLError,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    GraphQLSchema,
    ListValueNode,
    ObjectValueNode,
    TypeInfo,
    TypeInfoVisitor,
    ValueNode,
    VariableNode,
    Visitor,
    value_from_ast_untyped,
    visit,
)

from siir.argument_rules import holds_scalar


@dataclass(frozen=True)
class ScalarSpecification:
    """What a custom scalar accepts as input: ``check`` raises ValueError for anything else."""

    name: str
    specified_by: str  # the specification's URL, or the description that is its specification
    summary: str  # what the client is told a value must be
    check: Callable[[Any], None]


_FULL_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATE_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?"
                        r"([Zz]|[+-][0-9]{2}:?[0-9]{2})?")
_WHOLE_NUMBER = re.compile(r"-?[0-9]{1,30}")


def _date(value: Any) -> None:
    if not isinstance(value, str) or not _FULL_DATE.fullmatch(value):
        raise ValueError
    dt.date.fromisoformat(value)  # a real day of a real month


def _date_time(value: Any) -> None:
    if not isinstance(value, str) or not _DATE_TIME.fullmatch(value):
        raise ValueError
    dt.datetime.fromisoformat(value.replace("z", "Z").replace("t", "T"))


def _rupiah(value: Any) -> None:
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
        return
    if isinstance(value, str) and _WHOLE_NUMBER.fullmatch(value.strip()):
        return
    raise ValueError


SPECIFICATIONS: dict[str, ScalarSpecification] = {spec.name: spec for spec in (
    ScalarSpecification("Date", "https://scalars.graphql.org/andimarek/local-date.html",
                        "a calendar date written YYYY-MM-DD (RFC 3339 full-date)", _date),
    ScalarSpecification("DateTime", "https://www.rfc-editor.org/rfc/rfc3339#section-5.6",
                        "a date and time written YYYY-MM-DDThh:mm[:ss[.ffffff]] with an optional offset "
                        "(Z or ±hh:mm), as RFC 3339 date-time", _date_time),
    ScalarSpecification("Rupiah", "An amount in whole rupiah (Rp): a JSON integer or a decimal string",
                        "a whole number of rupiah: a JSON integer, or a string of up to 30 decimal digits", _rupiah),
)}


def custom_scalars(schema: GraphQLSchema) -> set[str]:
    """The custom (not built-in, not federation machinery) scalars of a schema."""
    return {name for name, t in schema.type_map.items()
            if isinstance(t, GraphQLScalarType) and not name.startswith("_") and "__" not in name
            and name not in ("String", "Int", "Float", "Boolean", "ID")}


def _refusal(field: str, scalar: str, via: str | None = None) -> GraphQLError:
    spec = SPECIFICATIONS[scalar]
    where = f" (variable {via})" if via else ""
    return GraphQLError(f"{field}{where}: is not a valid {scalar}: {spec.summary}.",
                        extensions={"code": "BAD_USER_INPUT", "field": field})


def _named(type_: Any) -> Any:
    while isinstance(type_, (GraphQLNonNull, GraphQLList)):
        type_ = type_.of_type
    return type_


class _LiteralWalk(Visitor):
    """Collects the custom-scalar literals that break their specification, and where each
    variable is used (its argument path)."""

    def __init__(self, type_info: TypeInfo) -> None:
        super().__init__()
        self.type_info = type_info
        self.errors: list[GraphQLError] = []
        self.variable_paths: dict[str, str] = {}

    def enter_argument(self, node: ArgumentNode, *_: Any) -> None:
        argument = self.type_info.get_argument()
        if argument is not None and self.type_info.get_directive() is None:
            self._value(node.value, argument.type, node.name.value)

    def _value(self, node: ValueNode, type_: GraphQLInputType, path: str) -> None:
        if isinstance(node, VariableNode):
            self.variable_paths.setdefault(node.name.value, path)
            return
        if isinstance(type_, GraphQLNonNull):
            type_ = type_.of_type
        if isinstance(type_, GraphQLList):
            if isinstance(node, ListValueNode):
                for i, item in enumerate(node.values):
                    self._value(item, type_.of_type, f"{path}[{i}]")
            else:
                self._value(node, type_.of_type, path)
        elif isinstance(type_, GraphQLInputObjectType):
            if isinstance(node, ObjectValueNode):
                for field in node.fields:
                    definition = type_.fields.get(field.name.value)
                    if definition is not None:
                        self._value(field.value, definition.type, f"{path}.{field.name.value}")
        elif isinstance(type_, GraphQLScalarType) and type_.name in SPECIFICATIONS:
            value = value_from_ast_untyped(node)
            if value is not None:
                try:
                    SPECIFICATIONS[type_.name].check(value)
                except ValueError:
                    self.errors.append(_refusal(path, type_.name))


def check_literals(schema: GraphQLSchema, document: DocumentNode) -> tuple[list[GraphQLError], dict[str, str]]:
    """The refused custom-scalar literals of a validated document, and each variable's argument path
    (where it is first used), for naming the variables' refusals the same way."""
    type_info = TypeInfo(schema)
    walk = _LiteralWalk(type_info)
    visit(document, TypeInfoVisitor(type_info, walk))
    return walk.errors, walk.variable_paths


def check_variables(schema: GraphQLSchema, definitions: Any, values: dict[str, Any],
                    variable_paths: dict[str, str]) -> list[GraphQLError]:
    """The custom-scalar values among coerced variables that break their specification."""
    from graphql import type_from_ast

    errors: list[GraphQLError] = []

    def walk(value: Any, type_: Any, path: str, via: str) -> None:
        if value is None:
            return
        if isinstance(type_, GraphQLNonNull):
            type_ = type_.of_type
        if isinstance(type_, GraphQLList):
            items = value if isinstance(value, list) else [value]
            for i, item in enumerate(items):
                suffix = f"[{i}]" if isinstance(value, list) else ""
                walk(item, type_.of_type, path + suffix, via + suffix)
        elif isinstance(type_, GraphQLInputObjectType):
            if isinstance(value, dict):
                for name, field in type_.fields.items():
                    if name in value:
                        walk(value[name], field.type, f"{path}.{name}", f"{via}.{name}")
        elif isinstance(type_, GraphQLScalarType) and type_.name in SPECIFICATIONS:
            try:
                SPECIFICATIONS[type_.name].check(value)
            except ValueError:
                errors.append(_refusal(path, type_.name, via))

    for definition in definitions or ():
        name = definition.variable.name.value
        if name in values and holds_scalar(type_from_ast(schema, definition.type), SPECIFICATIONS):
            walk(values[name], type_from_ast(schema, definition.type), variable_paths.get(name, f"${name}"), f"${name}")
    return errors

