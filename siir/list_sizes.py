"""How long each list field of a subgraph can be, declared once per service (a table) and used twice.

The gateway estimates an operation's cost before running it, so it must know how many items a list
can hold: that estimate is an upper bound only if every list's size is a true maximum. Each
service's table (``graphql/list_sizes.py``) gives every list field one of:

- ``AtMost(n)``: the list never holds more than ``n`` items. The schema says so with Federation's
  ``@listSize(assumedSize: n)`` (IBM GraphQL Cost Directive, Federation 2.9). A field with a
  resolver (a query, a loader) is cut at ``n`` items in the resolver's order, whatever the data
  holds; a plain attribute is bounded where its value is made: lists clients write are refused past
  their maximum on input (``validation.MAX_LIST``), enum lists hold each value once, report tables
  are cut when built. (A cut on plain attributes would make every one of them a full strawberry
  resolution: measured in BENCHMARKS.md.)
- ``First(default, most)``: a list that grows with time (assessments, notes, a facilitator's IR) gets
  a ``first: Int! = default`` argument: it answers the first ``first`` items (in the field's order)
  and refuses a value above ``most`` (BAD_USER_INPUT). The schema says
  ``@listSize(slicingArguments: ["first"], requireOneSlicingArgument: false)``, so the estimate uses
  what the caller asks for, or the default.
- ``SlicedBy(argument, most)``: a root page whose resolver already takes ``argument`` and refuses a
  value above ``most``; for a connection, ``sized_fields`` names the lists inside it (``edges``)
  that the page size bounds.

``declare_list_sizes`` puts both on the strawberry fields before the schema is built; a test checks
that every list field of both subgraph schemas carries ``@listSize``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from strawberry.annotation import StrawberryAnnotation
from strawberry.extensions import FieldExtension
from strawberry.federation.schema_directives import ListSize
from strawberry.types.arguments import StrawberryArgument
from strawberry.types.unset import UNSET

from siir.errors import InvalidInput


@dataclass(frozen=True, slots=True)
class AtMost:
    """A list of at most ``most`` items (``@listSize(assumedSize:)``), cut there when resolved."""

    most: int


@dataclass(frozen=True, slots=True)
class First:
    """A ``first: Int! = default`` argument added to the field, at most ``most``."""

    default: int
    most: int


@dataclass(frozen=True, slots=True)
class SlicedBy:
    """A page sized by the resolver's own ``argument`` (which refuses a value above ``most``)."""

    argument: str
    most: int
    sized_fields: tuple[str, ...] = ()


ListBound = AtMost | First | SlicedBy


class CutAt(FieldExtension):
    """Answers at most ``most`` items of the resolved list (the resolver's first ones)."""

    def __init__(self, most: int) -> None:
        self.most = most

    def resolve(self, next_: Any, source: Any, info: Any, **kwargs: Any) -> Any:
        items = next_(source, info, **kwargs)
        return items[: self.most] if items is not None else None

    async def resolve_async(self, next_: Any, source: Any, info: Any, **kwargs: Any) -> Any:
        items = next_(source, info, **kwargs)
        if hasattr(items, "__await__"):
            items = await items
        return items[: self.most] if items is not None else None


class FirstItems(FieldExtension):
    """Adds ``first: Int! = default`` to the field and answers that many items of the resolved list;
    more than ``most`` is BAD_USER_INPUT."""

    def __init__(self, bound: First) -> None:
        self.bound = bound

    def apply(self, field: Any) -> None:
        if any(a.python_name == "first" for a in field.arguments):
            return  # applied already: a second schema built from the same types
        field.arguments = [*field.arguments, StrawberryArgument(
            python_name="first", graphql_name=None, type_annotation=StrawberryAnnotation(int), default=self.bound.default,
            description=f"How many items to answer, in this list's order: {self.bound.default} unless told, at most "
                        f"{self.bound.most}.",
        )]

    def _first(self, kwargs: dict[str, Any]) -> int:
        first = kwargs.pop("first", self.bound.default)
        if not 0 <= first <= self.bound.most:
            raise InvalidInput("first", f"must be between 0 and {self.bound.most}")
        return first

    def resolve(self, next_: Any, source: Any, info: Any, **kwargs: Any) -> Any:
        first = self._first(kwargs)
        items = next_(source, info, **kwargs)
        return items[:first] if items is not None else None

    async def resolve_async(self, next_: Any, source: Any, info: Any, **kwargs: Any) -> Any:
        first = self._first(kwargs)
        items = next_(source, info, **kwargs)
        if hasattr(items, "__await__"):
            items = await items
        return items[:first] if items is not None else None


def directive_of(bound: ListBound) -> ListSize:
    # UNSET, not None: strawberry prints None as an explicit null, which composition refuses.
    if isinstance(bound, AtMost):
        return ListSize(assumed_size=bound.most, slicing_arguments=UNSET, sized_fields=UNSET,
                        require_one_slicing_argument=UNSET)
    if isinstance(bound, First):
        return ListSize(assumed_size=UNSET, slicing_arguments=["first"], sized_fields=UNSET,
                        require_one_slicing_argument=False)
    return ListSize(assumed_size=UNSET, slicing_arguments=[bound.argument],
                    sized_fields=list(bound.sized_fields) or UNSET, require_one_slicing_argument=False)


def declare_list_sizes(table: Mapping[type, Mapping[str, ListBound]]) -> None:
    """Put ``@listSize`` (and for ``AtMost`` the cut) on each declared field: ``{StrawberryType:
    {python_field_name: bound}}``. Call before the schema is built; an unknown field is an error."""
    for owner, fields in table.items():
        definition = owner.__strawberry_definition__  # type: ignore[attr-defined]
        by_name = {f.python_name: f for f in definition.fields}
        for name, bound in fields.items():
            field = by_name.get(name)
            if field is None:
                raise LookupError(f"{definition.name} has no field {name!r} to declare a list size on")
            if any(isinstance(d, ListSize) for d in field.directives):
                continue  # declared already (the module was imported twice)
            field.directives.append(directive_of(bound))
            if isinstance(bound, AtMost) and field.base_resolver is not None:
                field.extensions.append(CutAt(bound.most))
            elif isinstance(bound, First):
                field.extensions.append(FirstItems(bound))


def declared(table: Mapping[type, Mapping[str, ListBound]]) -> Iterable[tuple[str, str, ListBound]]:
    """(GraphQL type name, python field name, bound) of every entry."""
    for owner, fields in table.items():
        for name, bound in fields.items():
            yield owner.__strawberry_definition__.name, name, bound  # type: ignore[attr-defined]
