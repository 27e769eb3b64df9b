"""What every SIIR subgraph does the same way with GraphQL: error codes and the HTTP endpoint."""

from __future__ import annotations

import logging
from typing import Any

from graphql.error import GraphQLError
import strawberry
from strawberry.extensions import MaskErrors
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




class SubgraphSchema(strawberry.federation.Schema):
    """A federation schema that logs only unexpected errors: a refused input is not an incident."""

    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        unexpected = [e for e in errors if _is_unexpected(e) or e.extensions.get("code") == "INTERNAL_SERVER_ERROR"]
        if unexpected:
            super().process_errors(unexpected, execution_context)
