"""What every SIIR subgraph does the same way with GraphQL: error codes and the HTTP endpoint."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Iterator
from typing import Any, TypeVar

from aiodataloader import DataLoader

from graphql import validate
from graphql.error import GraphQLError
import strawberry
from strawberry.extensions import MaskErrors, SchemaExtension
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.validation_rules.maybe_null import MaybeNullValidationRule
from strawberry.schema.validation_rules.one_of import OneOfInputValidationRule
from strawberry.types import ExecutionContext

from siir.errors import DomainError

logger = logging.getLogger("siir.graphql")


def _is_unexpected(error: GraphQLError) -> bool:
    # Resolver failures have a path; an exception that is not one of ours is a bug whose text
    # (SQL, stack details, personal data) must not reach the caller.
    return error.path is not None and not isinstance(error.original_error, (DomainError, type(None)))


def _request_error_code(error: GraphQLError) -> str:
    if error.message.startswith("Syntax Error"):
        return "GRAPHQL_PARSE_FAILED"
    if error.message.startswith("Variable "):
        return "BAD_USER_INPUT"
    return "GRAPHQL_VALIDATION_FAILED"


class DomainErrorMasking(MaskErrors):
    """Every error carries ``extensions.code``; unexpected ones are logged and masked."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=lambda error: True, error_message="Internal server error")

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        if _is_unexpected(error):
            logger.error("unexpected error at %s", error.path, exc_info=error.original_error)
            return GraphQLError(
                message=self.error_message,
                nodes=error.nodes,
                source=error.source,
                positions=error.positions,
                path=error.path,
                extensions={"code": "INTERNAL_SERVER_ERROR"},
            )
        if not (error.extensions or {}).get("code"):
            error.extensions = {**(error.extensions or {}), "code": _request_error_code(error)}
        return error




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
            context.pre_execution_errors = validate(
                context.schema._schema, context.graphql_document,
                (*context.validation_rules, MaybeNullValidationRule, OneOfInputValidationRule),
                hide_suggestions=True,
            )
        yield


class ExecutionWithoutSuggestions(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's executor, coercing variables and arguments without suggestions."""

    @classmethod
    def build(cls, *args: Any, **kwargs: Any) -> Any:
        kwargs["hide_suggestions"] = True
        return super().build(*args, **kwargs)


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


class SubgraphSchema(strawberry.federation.Schema):
    """A federation schema that logs only unexpected errors (a refused input is not an incident)
    and never answers "Did you mean …?"."""

    def __init__(self, *args: Any, extensions: Any = (), **kwargs: Any) -> None:
        kwargs.setdefault("execution_context_class", ExecutionWithoutSuggestions)
        super().__init__(*args, extensions=[ValidationWithoutSuggestions, *extensions], **kwargs)

    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        unexpected = [e for e in errors if _is_unexpected(e) or e.extensions.get("code") == "INTERNAL_SERVER_ERROR"]
        if unexpected:
            super().process_errors(unexpected, execution_context)
