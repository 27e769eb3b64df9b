"""GraphQL over HTTP for the subgraphs (https://graphql.github.io/graphql-over-http/draft/).

Strawberry answers ``application/json`` only, 200 for a document that does not parse or validate
and plain text for a body that is not JSON. Here, as at the gateway: the response media type is
negotiated (``application/graphql-response+json`` when the client accepts it), a request error
(nothing executed: no ``data`` entry) is 400 under that media type and 200 under legacy JSON, a
malformed HTTP request is a coded GraphQL error with 400 under both, and an outage adds
``Retry-After``.
"""

from __future__ import annotations

import json
from typing import Any

import orjson
from cross_web import HTTPException  # what strawberry's views raise for a malformed HTTP request
from starlette.requests import Request
from starlette.responses import Response
from strawberry.asgi import GraphQL

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"


def response_media_type(accept: str | None) -> str:
    """The response media type for an Accept header (spec: legacy JSON when absent)."""
    if not accept:
        return JSON
    for part in accept.split(","):
        media = part.split(";")[0].strip().lower()
        if media == GRAPHQL_RESPONSE:
            return GRAPHQL_RESPONSE
        if media in (JSON, "application/*", "*/*"):
            return JSON
    return JSON


#: Failures of the service, not of the request, even when no field path locates them (an
#: extension failing around execution): answered with ``data: null`` and 200, as execution errors.
_SERVICE_FAILURES = frozenset({"INTERNAL_SERVER_ERROR", "SERVICE_UNAVAILABLE"})


def is_request_error(response: dict[str, Any]) -> bool:
    """Whether a response is a request error: it failed before execution (parse, validation,
    variables), so no error has a ``path``, and none is the service's own failure."""
    errors = response.get("errors")
    return bool(errors) and response.get("data") is None and all(
        isinstance(e, dict) and e.get("path") is None
        and (e.get("extensions") or {}).get("code") not in _SERVICE_FAILURES for e in errors)


def retry_after(errors: Any) -> int | None:
    """The longest ``retryAfter`` of the errors, if any asks the client to come back later."""
    hints = [e["extensions"]["retryAfter"] for e in errors or () if isinstance(e, dict)
             and isinstance(e.get("extensions"), dict) and isinstance(e["extensions"].get("retryAfter"), int)]
    return max(hints) if hints else None


class SubgraphGraphQL(GraphQL):
    """Strawberry's ASGI view, speaking GraphQL over HTTP as the module docstring says."""

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope=scope, receive=receive)
        try:
            response = await self.run(request)
        except HTTPException as error:
            # Not a GraphQL request at all (bad JSON, variables or extensions not an object, a
            # batch, no query): 4xx under both media types, still a coded GraphQL error.
            body = {"errors": [{"message": error.reason, "extensions": {"code": "BAD_REQUEST"}}]}
            headers = {"allow": "GET, POST"} if error.status_code == 405 else None
            response = Response(orjson.dumps(body), error.status_code, headers=headers,
                                media_type=response_media_type(request.headers.get("accept")))
        await response(scope, receive, send)

    def encode_json(self, data: object) -> bytes:
        """orjson, not strawberry's ``json.dumps``: encoding a page of 50 IR with the standard library
        was an eighth of the registry's CPU when its answer came from the answer cache. The rare value
        orjson refuses (an integer beyond 64 bits) falls back to the standard encoder."""
        try:
            return orjson.dumps(data, option=orjson.OPT_NON_STR_KEYS)
        except TypeError:
            return json.dumps(data, separators=(",", ":")).encode()

    async def get_sub_response(self, request: Any) -> Response:
        sub_response = await super().get_sub_response(request)
        sub_response.media_type = response_media_type(request.headers.get("accept"))
        return sub_response

    def create_response(self, response_data: Any, sub_response: Response) -> Response:
        media_type = sub_response.media_type or JSON
        status = sub_response.status_code or 200
        if isinstance(response_data, dict):
            if is_request_error(response_data):
                response_data = {k: v for k, v in response_data.items() if k != "data"}
                if media_type == GRAPHQL_RESPONSE:
                    status = 400
            wait = retry_after(response_data.get("errors"))
            if wait is not None:
                sub_response.headers["retry-after"] = str(wait)
        response = Response(self.encode_json(response_data), status, media_type=media_type)
        response.headers.raw.extend(h for h in sub_response.headers.raw if h[0] != b"content-type")
        if sub_response.background:
            response.background = sub_response.background
        return response


__all__ = ["GRAPHQL_RESPONSE", "JSON", "SubgraphGraphQL", "is_request_error", "response_media_type", "retry_after"]
