"""The rules every argument value obeys whatever field it is given to: text, dates and amounts.

Checked once, here, for every field of a subgraph (``check_arguments`` wraps the graphql-core
resolvers at build), so no resolver can forget them and none repeats them:

- text (``String`` and ``ID``) is NFC-normalised (a name typed as "e" + combining accent and one
  typed precomposed are the same name), and may not hold control characters, lone surrogates or
  the non-characters U+FFFE/U+FFFF: PostgreSQL refuses NUL, an XML export refuses the others, and
  none of them is anything a person typed. Long free text (notes, narratives, addresses: the
  service's ``long_text`` coordinates) may hold newlines and tabs; a CR or CRLF becomes a newline.
- text has a maximum length: ``MAX_ID`` for ids, ``MAX_LINE`` for a line, ``MAX_LONG_TEXT`` for
  long text. The domain's own checks are narrower where a field has a natural length (a name, a NIK).
- a ``Date`` lies in ``DATE_WINDOW`` and a ``DateTime`` in the same window (a year 1 or 9999 is a
  typing error, and date arithmetic on it overflows); the domain narrows further (no future
  assessment, no business started before 1900).
- a ``Rupiah`` lies in ``[0, MAX_RUPIAH]`` (below PostgreSQL's bigint).
- the text inside federation's entity representations (``_entities``) follows the rules of a line.

A value that breaks a rule is ``BAD_USER_INPUT`` whose ``extensions.field`` is its input path
(``input.owner.name``, ``input.products[2].rawMaterials[0]``, ``regionCode``).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Collection
from typing import Any

from graphql import (
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    default_field_resolver,
    get_named_type,
)

from siir.errors import InvalidInput

MAX_ID = 64
MAX_LINE = 500
MAX_LONG_TEXT = 2000
#: Rp 10^15: far above any micro-enterprise, below bigint; larger numbers are typing errors.
MAX_RUPIAH = 10**15
DATE_WINDOW = (dt.date(1900, 1, 1), dt.date(2099, 12, 31))

#: C0 and C1 controls, DEL, lone surrogates (JSON's "\ud800" decodes to one) and U+FFFE/U+FFFF.
_ILLEGAL_IN_LINE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_ILLEGAL_IN_LONG_TEXT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_TEXT_SCALARS = ("String", "ID")
#: Federation's representations (``_entities``): the gateway writes them from subgraph answers, but
#: anyone who can reach a subgraph can send one, so their text follows the same rules.
_REPRESENTATION = "_Any"
_CHECKED_SCALARS = (*_TEXT_SCALARS, "Date", "DateTime", "Rupiah", _REPRESENTATION)


def _describe(char: str) -> str:
    return f"U+{ord(char):04X}"


def clean_text(field: str, value: str, *, long_text: bool = False, max_length: int = MAX_LINE) -> str:
    """``value`` NFC-normalised, or InvalidInput naming ``field`` (see the module's rules)."""
    if value.isascii() and value.isprintable():  # most text: no control character, NFC already
        if len(value) > max_length:
            raise InvalidInput(field, f"is longer than {max_length} characters")
        return value
    if long_text:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    illegal = (_ILLEGAL_IN_LONG_TEXT if long_text else _ILLEGAL_IN_LINE).search(value)
    if illegal:
        allowed = " (only newlines and tabs are allowed)" if long_text else ""
        raise InvalidInput(field, f"contains the control character {_describe(illegal.group())}{allowed}")
    value = unicodedata.normalize("NFC", value)
    if len(value) > max_length:
        raise InvalidInput(field, f"is longer than {max_length} characters")
    return value


def in_date_window(field: str, value: dt.date) -> dt.date:
    day = value.date() if isinstance(value, dt.datetime) else value
    earliest, latest = DATE_WINDOW
    if not earliest <= day <= latest:
        raise InvalidInput(field, f"must be between {earliest.isoformat()} and {latest.isoformat()}")
    return value


def in_rupiah_range(field: str, value: int) -> int:
    if not 0 <= value <= MAX_RUPIAH:
        raise InvalidInput(field, f"must be between 0 and {MAX_RUPIAH} rupiah")
    return value


def holds_scalar(type_: Any, scalars: Collection[str], seen: set[str] | None = None) -> bool:
    """Whether a value of this input type can hold one of ``scalars``, at any depth (lists,
    input objects); used to skip the walk over values that cannot (here and in the gateway)."""
    while isinstance(type_, (GraphQLNonNull, GraphQLList)):
        type_ = type_.of_type
    if isinstance(type_, GraphQLScalarType):
        return type_.name in scalars
    if isinstance(type_, GraphQLInputObjectType):
        seen = seen if seen is not None else set()
        if type_.name in seen:
            return False
        seen.add(type_.name)
        return any(holds_scalar(f.type, scalars, seen) for f in type_.fields.values())
    return False


def _clean(type_: GraphQLInputType, value: Any, path: str, coordinate: str, long_text: frozenset[str]) -> Any:
    if value is None:
        return None
    if isinstance(type_, GraphQLNonNull):
        type_ = type_.of_type
    if isinstance(type_, GraphQLList):
        if get_named_type(type_).name == _REPRESENTATION and _plain(value):
            return value  # the gateway sends thousands at a time: no path built for each
        # Coercion has made a list of a single value already.
        return [_clean(type_.of_type, item, f"{path}[{i}]", coordinate, long_text) for i, item in enumerate(value)]
    if isinstance(type_, GraphQLInputObjectType):
        return {
            name: _clean(type_.fields[name].type, item, f"{path}.{name}", f"{type_.name}.{name}", long_text)
            for name, item in value.items()
        }
    if not isinstance(type_, GraphQLScalarType):
        return value
    if type_.name in _TEXT_SCALARS and isinstance(value, str):
        if coordinate in long_text:
            return clean_text(path, value, long_text=True, max_length=MAX_LONG_TEXT)
        return clean_text(path, value, max_length=MAX_ID if type_.name == "ID" else MAX_LINE)
    if type_.name in ("Date", "DateTime") and isinstance(value, dt.date):
        return in_date_window(path, value)
    if type_.name == "Rupiah" and isinstance(value, int):
        return in_rupiah_range(path, value)
    if type_.name == _REPRESENTATION:
        return _clean_representation(value, path)
    return value


def _plain(value: Any) -> bool:
    """Whether ``value`` holds nothing to check: no text but short printable ASCII (most do)."""
    if isinstance(value, str):
        return value.isascii() and value.isprintable() and len(value) <= MAX_LINE
    if isinstance(value, dict):
        return all(_plain(item) for item in value.values())
    if isinstance(value, list):
        return all(_plain(item) for item in value)
    return True


def _clean_representation(value: Any, path: str) -> Any:
    if _plain(value):
        return value
    if isinstance(value, str):
        return clean_text(path, value)
    if isinstance(value, dict):
        return {key: _clean_representation(item, f"{path}.{key}") for key, item in value.items()}
    if isinstance(value, list):
        return [_clean_representation(item, f"{path}[{i}]") for i, item in enumerate(value)]
    return value


def _checked(inner: Callable[..., Any], field_coordinate: str, arguments: dict[str, Any],
             long_text: frozenset[str]) -> Callable[..., Any]:
    def resolve(source: Any, info: Any, **args: Any) -> Any:
        for name, value in args.items():
            argument = arguments.get(name)
            if argument is not None:
                args[name] = _clean(argument.type, value, name, f"{field_coordinate}({name}:)", long_text)
        return inner(source, info, **args)
    return resolve


def check_arguments(graph: GraphQLSchema, long_text: frozenset[str] = frozenset()) -> int:
    """Wrap every resolver whose arguments can carry text, a date or an amount; returns how many.

    ``long_text`` names the input fields (``Type.field``) and arguments (``Type.field(arg:)``) that
    take long free text. Fields whose arguments carry none of these (``first: Int``) stay as they are.
    """
    wrapped = 0
    for name, type_ in graph.type_map.items():
        if not isinstance(type_, GraphQLObjectType) or name.startswith("__"):
            continue
        for field_name, field in type_.fields.items():
            checked = {a: arg for a, arg in field.args.items() if holds_scalar(arg.type, _CHECKED_SCALARS)}
            if not checked:
                continue
            field.resolve = _checked(field.resolve or default_field_resolver, f"{name}.{field_name}", checked, long_text)
            wrapped += 1
    return wrapped


def unknown_coordinates(graph: GraphQLSchema, long_text: frozenset[str]) -> list[str]:
    """Entries of ``long_text`` that name no text input field or argument of the schema."""
    known: set[str] = set()
    for name, type_ in graph.type_map.items():
        if isinstance(type_, GraphQLInputObjectType):
            known.update(f"{name}.{f}" for f in type_.fields)
        elif isinstance(type_, GraphQLObjectType):
            known.update(f"{name}.{f}({a}:)" for f, field in type_.fields.items() for a in field.args)
    return sorted(set(long_text) - known)
