"""What every SIIR subgraph does the same way with GraphQL: error codes, the HTTP endpoint, and
parsing and validating each distinct operation once."""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Iterator
from typing import Any, TypeVar

from aiodataloader import DataLoader

from graphql import validate
from graphql.error import GraphQLError, GraphQLSyntaxError
import strawberry
from strawberry.extensions import MaskErrors, SchemaExtension
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.validation_rules.maybe_null import MaybeNullValidationRule
from strawberry.schema.validation_rules.one_of import OneOfInputValidationRule
from strawberry.types import ExecutionContext

from siir.argument_rules import DATE_WINDOW, check_arguments
from siir.errors import DomainError, ServiceUnavailable
from siir.observability.graphql_notes import NoteOperation
from siir.outages import RETRY_AFTER_SECONDS, is_outage

logger = logging.getLogger("siir.graphql")


def _is_unexpected(error: GraphQLError) -> bool:
    # Resolver failures have a path; an exception that is not one of ours is a bug whose text
    # (SQL, stack details, personal data) must not reach the caller.
    return error.path is not None and not isinstance(error.original_error, (DomainError, type(None)))


def _coded(errors: list[GraphQLError] | None, code: str) -> list[GraphQLError] | None:
    """The same errors, each given ``code`` unless it has one: the stage that produced them says
    what they are (parsing, validation, variable coercion), not their messages."""
    for error in errors or ():
        if not (error.extensions or {}).get("code"):
            error.extensions = {**(error.extensions or {}), "code": code}
    return errors


class DomainErrorMasking(MaskErrors):
    """Every error carries ``extensions.code``; unexpected ones are logged and masked, outages of the
    database answer SERVICE_UNAVAILABLE with a retry hint."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=lambda error: True, error_message="Internal server error")

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        original = error.original_error
        if original is not None and not isinstance(original, DomainError) and is_outage(original):
            logger.warning("database unavailable at %s: %s", error.path, type(original).__name__)
            outage = ServiceUnavailable("The service's database is unavailable; retry shortly.", RETRY_AFTER_SECONDS)
            return GraphQLError(outage.message, error.nodes, error.source, error.positions, error.path,
                                extensions=outage.extensions)
        if (error.extensions or {}).get("code") and not _is_unexpected(error):
            return error  # a DomainError, or coded by the stage that refused the request
        if _is_unexpected(error) or (original is not None and not isinstance(original, GraphQLError)):
            logger.error("unexpected error at %s", error.path, exc_info=original)
            return GraphQLError(
                message=self.error_message,
                nodes=error.nodes,
                source=error.source,
                positions=error.positions,
                path=error.path,
                extensions={"code": "INTERNAL_SERVER_ERROR"},
            )
        if isinstance(error, GraphQLSyntaxError):
            return _coded([error], "GRAPHQL_PARSE_FAILED")[0]  # type: ignore[index]
        # Anything else uncoded is a request error graphql-core raised on its own (e.g. no operation
        # of that name).
        return _coded([error], "BAD_REQUEST")[0]  # type: ignore[index]


class OperationCache:
    """A bounded LRU of parsed documents and their validation errors, keyed by the operation's text.

    Portals send a handful of distinct operations again and again (their variables change, the text
    does not); parsing and validating them was 11% of the registry's time. The key is the exact text
    (and the schema and rules it was validated against), so a new or altered document is parsed and
    validated like any other; the bound keeps clients sending unique texts from growing memory.
    """

    def __init__(self, maxsize: int = 512) -> None:
        self.maxsize = maxsize
        self._entries: OrderedDict[tuple[Any, ...], tuple[Any, list[GraphQLError] | None]] = OrderedDict()

    def get(self, key: tuple[Any, ...]) -> tuple[Any, list[GraphQLError] | None] | None:
        entry = self._entries.get(key)
        if entry is not None:
            self._entries.move_to_end(key)
        return entry

    def put(self, key: tuple[Any, ...], document: Any, errors: list[GraphQLError] | None) -> None:
        self._entries[key] = (document, errors)
        self._entries.move_to_end(key)
        while len(self._entries) > self.maxsize:
            self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)


class ParseOnce(SchemaExtension):
    """Parse and validate each distinct operation once per process (``OperationCache``).

    A document that fails to parse is not cached (its error is raised by strawberry's own parse).
    """

    def __init__(self, *, cache: OperationCache) -> None:
        super().__init__()
        self.cache = cache

    def _key(self) -> tuple[Any, ...]:
        context = self.execution_context
        return (id(context.schema), context.query, tuple(context.validation_rules))

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        entry = self.cache.get(self._key()) if context.query else None
        if entry is not None:
            context.graphql_document = entry[0]
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        key = self._key()
        entry = self.cache.get(key) if context.query else None
        if entry is not None:
            context.pre_execution_errors = entry[1]
            yield
            return
        yield
        if context.query and context.graphql_document is not None:
            self.cache.put(key, context.graphql_document, context.pre_execution_errors)


# "Did you mean …?" names fields, arguments, input fields and enum values the caller did not
# ask for (the schema a caller could not introspect). graphql-core omits them with
# ``hide_suggestions``; strawberry does not pass it, so both of its graphql-core calls set it here:
# validation (literals) and execution (variables, whose coercion happens when execution starts).


class ValidationWithoutSuggestions(SchemaExtension):
    """Validates as strawberry does (its rules plus the two it adds), without suggestions; strawberry
    then skips its own validation because the errors are already set."""

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        if context.pre_execution_errors is None and context.validation_rules and context.graphql_document is not None:
            context.pre_execution_errors = _coded(validate(
                context.schema._schema, context.graphql_document,
                (*context.validation_rules, MaybeNullValidationRule, OneOfInputValidationRule),
                hide_suggestions=True,
            ), "GRAPHQL_VALIDATION_FAILED")
        yield


class ExecutionWithoutSuggestions(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's executor, coercing variables and arguments without suggestions."""

    @classmethod
    def build(cls, *args: Any, **kwargs: Any) -> Any:
        kwargs["hide_suggestions"] = True
        built = super().build(*args, **kwargs)
        # A list is the variables' coercion errors: the caller's input, refused.
        return _coded(built, "BAD_USER_INPUT") if isinstance(built, list) else built


K = TypeVar("K")
V = TypeVar("V")


class RequestLoader(DataLoader[K, V]):
    """A per-request DataLoader whose loads survive the cancellation of one of their awaiters.

    Several resolvers await the same batched future. When a field fails, graphql-core cancels the
    sibling resolvers still running, and cancelling a task cancels the future it awaits: without
    the shield, every other resolver awaiting that load would get CancelledError (not an error
    GraphQL reports, so the whole request would end in a 500).
    """

    def load(self, key: K) -> Awaitable[V]:
        return asyncio.shield(super().load(key))


# Strawberry's built-in date scalars say only "Date (isoformat)": what a portal developer needs is the
# format, the time zone and the window siir.argument_rules holds every input to.
SCALAR_DESCRIPTIONS = {
    "Date": f"A calendar date, ISO 8601 `YYYY-MM-DD` (e.g. `2026-12-04`). Dates the programme calls today are "
            f"Asia/Jakarta (WIB) dates. As input, from {DATE_WINDOW[0].isoformat()} to {DATE_WINDOW[1].isoformat()}; "
            f"fields narrow it further (no future assessment, for one).",
    "DateTime": f"A date and time, ISO 8601 with its UTC offset (e.g. `2026-12-04T09:30:00+07:00`). As input, "
                f"within the years {DATE_WINDOW[0].year} to {DATE_WINDOW[1].year}.",
}


class SubgraphSchema(strawberry.federation.Schema):
    """A federation schema that logs only unexpected errors (a refused input is not an incident),
    parses and validates each distinct operation once (``ParseOnce``), never answers "Did you
    mean …?", notes each operation's name for the access log and metrics (``NoteOperation``), and
    checks every argument value by ``siir.argument_rules`` (``long_text``: the input fields and
    arguments that take long free text)."""

    def __init__(self, *args: Any, extensions: Any = (), operation_cache_size: int = 512,
                 long_text: frozenset[str] = frozenset(), **kwargs: Any) -> None:
        self.operation_cache = OperationCache(operation_cache_size)
        cache = self.operation_cache
        kwargs.setdefault("execution_context_class", ExecutionWithoutSuggestions)
        # ParseOnce first: on a hit it sets the cached errors, so validation below is skipped.
        super().__init__(*args, extensions=[lambda: ParseOnce(cache=cache), ValidationWithoutSuggestions, NoteOperation,
                                                   *extensions],
                         **kwargs)
        self.long_text = long_text
        check_arguments(self._schema, long_text)
        for name, description in SCALAR_DESCRIPTIONS.items():
            if name in self._schema.type_map:
                self._schema.type_map[name].description = description

    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        unexpected = [e for e in errors if _is_unexpected(e) or e.extensions.get("code") == "INTERNAL_SERVER_ERROR"]
        if unexpected:
            super().process_errors(unexpected, execution_context)
