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
    """The parameters of a GraphQL request. ``query`` is None when the request names a persisted
    document instead: ``document_id`` (GraphQL over HTTP's ``documentId``) or ``persisted_hash``
    (Apollo's ``extensions.persistedQuery.sha256Hash``, which may also come with the query)."""

    query: str | None
    operation_name: str | None
    variables: dict[str, Any]
    document_id: str | None = None
    persisted_hash: str | None = None


def params_from_mapping(raw: Any, *, variables_are_json_text: bool = False) -> GraphQLParams:
    """Validate the ``query``/``operationName``/``variables`` parameters."""
    if isinstance(raw, list):
        # No batching: each operation is its own request, authorized, limited and rate counted.
        raise RequestError.of("Batched requests (a JSON array of operations) are not accepted; send one "
                              "operation per request.", "BATCHING_NOT_SUPPORTED", well_formed=False)
    if not isinstance(raw, dict):
        raise RequestError([GraphQLError("POST body must be a JSON object.")], well_formed=False)
    query = raw.get("query")
    document_id, persisted_hash = _persisted_document(raw, variables_are_json_text)
    if query is None and (document_id or persisted_hash):
        pass  # gateway/document_lookup.py finds the text
    elif not isinstance(query, str) or not query:
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
    return GraphQLParams(query, operation_name or None, variables, document_id, persisted_hash)


def _persisted_document(raw: dict[str, Any], extensions_are_json_text: bool) -> tuple[str | None, str | None]:
    """``documentId`` and ``extensions.persistedQuery.sha256Hash``, checked for shape."""
    def bad(field: str, message: str) -> RequestError:
        # Not a well-formed GraphQL-over-HTTP request: 400 under either media type.
        return RequestError([GraphQLError(f"Invalid {field}: {message}", extensions={"code": "BAD_REQUEST",
                                                                                     "field": field})],
                            well_formed=False)

    document_id = raw.get("documentId")
    if document_id is not None and (not isinstance(document_id, str) or not document_id):
        raise bad("documentId", "must be a non-empty string.")
    extensions = raw.get("extensions")
    if extensions_are_json_text and isinstance(extensions, str):
        try:
            extensions = orjson.loads(extensions)
        except orjson.JSONDecodeError:
            raise bad("extensions", "not valid JSON.") from None
    if extensions is None:
        return document_id, None
    if not isinstance(extensions, dict):
        raise bad("extensions", "must be an object.")
    persisted = extensions.get("persistedQuery")
    if persisted is None:
        return document_id, None
    if not isinstance(persisted, dict):
        raise bad("extensions.persistedQuery", "must be an object.")
    if persisted.get("version") != 1:
        raise bad("extensions.persistedQuery.version", "only version 1 is supported.")
    sha = persisted.get("sha256Hash")
    if not isinstance(sha, str) or len(sha) != 64 or any(c not in "0123456789abcdefABCDEF" for c in sha):
        raise bad("extensions.persistedQuery.sha256Hash", "must be 64 hexadecimal digits.")
    return document_id, sha.lower()


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
