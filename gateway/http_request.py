"""GraphQL-over-HTTP request parsing: method, media types, parameters.

Everything here runs before planning, so bad input never reaches a subgraph.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
from graphql import GraphQLError

from gateway.operation import RequestError
from siir.graphql_http import GRAPHQL_RESPONSE, JSON, response_media_type

__all__ = ["GRAPHQL_RESPONSE", "JSON", "GraphQLParams", "params_from_body", "params_from_mapping",
           "response_media_type"]


@dataclass(frozen=True)
class GraphQLParams:
    """The parameters of a GraphQL request."""

    query: str
    operation_name: str | None
    variables: dict[str, Any]


def params_from_mapping(raw: Any, *, variables_are_json_text: bool = False) -> GraphQLParams:
    """Validate the ``query``/``operationName``/``variables`` parameters."""
    if isinstance(raw, list):
        # No batching: each operation is its own request, authorized, limited and rate counted.
        raise RequestError.of("Batched requests (a JSON array of operations) are not accepted; send one "
                              "operation per request.", "BATCHING_NOT_SUPPORTED", well_formed=False)
    if not isinstance(raw, dict):
        raise RequestError([GraphQLError("POST body must be a JSON object.")], well_formed=False)
    query = raw.get("query")
    if not isinstance(query, str) or not query:
        raise RequestError([GraphQLError("Must provide query string.")], well_formed=False)
    operation_name = raw.get("operationName")
    if operation_name is not None and not isinstance(operation_name, str):
        raise RequestError([GraphQLError("Invalid operationName: must be a string.")], well_formed=False)
    variables = raw.get("variables")
    if variables_are_json_text and isinstance(variables, str):
        try:
            variables = orjson.loads(variables)
        except orjson.JSONDecodeError:
            raise RequestError([GraphQLError("Variables are invalid JSON.")], well_formed=False) from None
    if variables is None:
        variables = {}
    if not isinstance(variables, dict):
        raise RequestError([GraphQLError("Invalid variables: must be an object.")], well_formed=False)
    extensions = raw.get("extensions")
    if variables_are_json_text and isinstance(extensions, str):
        try:
            extensions = orjson.loads(extensions)
        except orjson.JSONDecodeError:
            raise RequestError([GraphQLError("Extensions are invalid JSON.")], well_formed=False) from None
    if extensions is not None and not isinstance(extensions, dict):
        raise RequestError([GraphQLError("Invalid extensions: must be an object.")], well_formed=False)
    return GraphQLParams(query, operation_name or None, variables)


def params_from_body(body: bytes, content_type: str | None) -> GraphQLParams:
    """Parse a POST body (application/json only)."""
    media = (content_type or "").split(";")[0].strip().lower()
    if media not in (JSON, GRAPHQL_RESPONSE):
        raise RequestError([GraphQLError(f"Unsupported content type: {media or 'none'}; use application/json.")], 415)
    try:
        raw = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise RequestError([GraphQLError("POST body is not valid JSON.")], well_formed=False) from None
    return params_from_mapping(raw)
