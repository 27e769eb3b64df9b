"""The HTTP application: GraphQL over HTTP on /graphql, health endpoints.

``build_app`` does all schema work (model, API schema, planner) once at startup.
"""

from __future__ import annotations

import logging
import os
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator, Iterable

import orjson
from graphql import GraphQLError, OperationType
from graphql.execution.values import get_variable_values
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from gateway.executor import Executor
from gateway.exports_proxy import exports_route
from gateway.graphiql import GRAPHIQL_HTML
from gateway.http_request import GRAPHQL_RESPONSE, GraphQLParams, params_from_body, params_from_mapping, response_media_type
from gateway.operation import OperationCache, RequestError
from gateway.override_labels import OverrideLabels
from gateway.planner import PlanningError
from gateway.subgraph_client import SubgraphClient
from gateway.supergraph import Supergraph


logger = logging.getLogger("gateway")


class Gateway:
    """Supergraph + operation cache + executor: everything a request needs."""

    def __init__(self, supergraph: Supergraph, *, subgraph_timeout: float = 30.0,
                 propagate_headers: Iterable[str] = ()) -> None:
        self.supergraph = supergraph
        # Like Hive Gateway and Apollo Router, no client header reaches subgraphs unless named.
        self.propagate = frozenset(h.lower().encode("latin-1") for h in propagate_headers)
        self.operations = OperationCache(supergraph)
        self.labels = OverrideLabels(supergraph.override_labels)
        self.client = SubgraphClient(timeout=subgraph_timeout)
        self.executor = Executor(supergraph, self.client)
        self.ready = False

    def propagated_headers(self, raw: Iterable[tuple[bytes, bytes]]) -> bytes:
        """The configured client headers (ASGI raw pairs) as header lines for subgraph requests."""
        if not self.propagate:
            return b""
        out = b""
        for name, value in raw:
            name = name.lower()
            if name in self.propagate and b"\r" not in value and b"\n" not in value:
                out += name + b": " + value + b"\r\n"
        return out

    async def run(self, params: GraphQLParams, *, method: str, headers: bytes = b"") -> dict[str, Any]:
        """Prepare and execute one request; RequestError for anything refused before execution."""
        try:
            prepared = self.operations.get(params.query, params.operation_name, self.labels.draw())
        except PlanningError as error:
            # A valid operation the planner cannot serve is the gateway's failure, not the client's.
            raise RequestError([GraphQLError(f"Cannot plan operation: {error}")], 500,
                               code="QUERY_PLANNING_FAILED") from None
        if method == "GET" and prepared.kind != OperationType.QUERY:
            raise RequestError([GraphQLError("Can only perform a query operation from a GET request.")], 405)
        coerced = get_variable_values(
            self.supergraph.api_schema, prepared.operation.variable_definitions or (), params.variables)
        if isinstance(coerced, list):
            raise RequestError(coerced, code="BAD_USER_INPUT")
        # graphql-core 3.3 wraps the coerced values; 3.2 returns the dict itself.
        values = getattr(coerced, "coerced", coerced)
        return await self.executor.execute(prepared, params.variables, values, headers)


def _error_body(error: RequestError) -> bytes:
    return orjson.dumps({"errors": [e.formatted for e in error.errors]})


def _status(error: RequestError, media_type: str) -> int:
    # GraphQL over HTTP: legacy application/json answers well-formed requests with 200;
    # application/graphql-response+json uses 4xx when there is no data.
    if error.status != 400 or not error.well_formed:
        return error.status
    return 400 if media_type == GRAPHQL_RESPONSE else 200


class GatewayApp(Starlette):
    """Starlette for every route, except POST on the GraphQL path: the hot path is served
    straight from ASGI, without the middleware and routing layers (about a tenth of the
    gateway's CPU per request under load)."""

    gateway: Gateway
    graphql_path: str

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["method"] == "POST" and scope["path"] == self.graphql_path:
            await self._post(scope, receive, send)
        else:
            await super().__call__(scope, receive, send)

    async def _post(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        accept = content_type = None
        for name, value in scope["headers"]:
            if name == b"accept":
                accept = value.decode("latin-1")
            elif name == b"content-type":
                content_type = value.decode("latin-1")
        media_type = response_media_type(accept)
        chunks = []
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        status = 200
        try:
            params = params_from_body(b"".join(chunks), content_type)
            headers = self.gateway.propagated_headers(scope["headers"])
            body = orjson.dumps(await self.gateway.run(params, method="POST", headers=headers))
        except RequestError as error:
            status, body = _status(error, media_type), _error_body(error)
        except Exception:  # a gateway bug: still a GraphQL-shaped answer, and a log line
            logger.exception("unexpected error serving a GraphQL request")
            status, body = 500, b'{"errors":[{"message":"Internal server error","extensions":{"code":"INTERNAL_SERVER_ERROR"}}]}'
        await send({"type": "http.response.start", "status": status, "headers": [
            (b"content-type", media_type.encode()), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


def build_app(supergraph_sdl: str, *, subgraph_urls: dict[str, str] | None = None,
              subgraph_timeout: float = 30.0, graphql_path: str = "/graphql",
              propagate_headers: Iterable[str] | None = None) -> Starlette:
    """The gateway's Starlette application for a supergraph SDL.

    ``subgraph_urls`` (by subgraph name) override ``join__graph(url:)``; so do the
    ``SIIR_SUBGRAPH_<NAME>_URL`` environment variables. ``propagate_headers`` names the
    client headers forwarded to every subgraph (default: ``SIIR_GATEWAY_PROPAGATE_HEADERS``,
    comma-separated, else none).
    """
    if propagate_headers is None:
        propagate_headers = [h.strip() for h in os.environ.get("SIIR_GATEWAY_PROPAGATE_HEADERS", "").split(",") if h.strip()]
    gateway = Gateway(Supergraph.parse(supergraph_sdl, subgraph_urls), subgraph_timeout=subgraph_timeout,
                      propagate_headers=propagate_headers)

    async def graphql(request: Request) -> Response:
        media_type = response_media_type(request.headers.get("accept"))
        method = request.method
        try:
            if method == "POST":
                params = params_from_body(await request.body(), request.headers.get("content-type"))
            elif method == "GET":
                if "query" not in request.query_params:
                    if "text/html" in request.headers.get("accept", ""):
                        return HTMLResponse(GRAPHIQL_HTML)
                params = params_from_mapping(dict(request.query_params), variables_are_json_text=True)
            else:
                raise RequestError([GraphQLError("GraphQL only supports GET and POST requests.")], 405)
            result = await gateway.run(params, method=method, headers=gateway.propagated_headers(request.headers.raw))
        except RequestError as error:
            headers = {"allow": "POST" if method == "GET" else "GET, POST"} if error.status == 405 else None
            return Response(_error_body(error), _status(error, media_type), headers=headers, media_type=media_type)
        return Response(orjson.dumps(result), 200, media_type=media_type)

    async def healthcheck(request: Request) -> Response:
        return Response(b'{"status":"ok"}', media_type="application/json")

    async def readiness(request: Request) -> Response:
        status = 200 if gateway.ready else 503
        return Response(orjson.dumps({"ready": gateway.ready}), status, media_type="application/json")

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        gateway.ready = True
        try:
            yield
        finally:
            gateway.ready = False
            await gateway.client.aclose()

    app = GatewayApp(routes=[
        Route(graphql_path, graphql, methods=["GET", "POST", "PUT", "PATCH", "DELETE"]),
        Route("/healthcheck", healthcheck, methods=["GET"]),
        Route("/readiness", readiness, methods=["GET"]),
        exports_route(gateway.supergraph, timeout=subgraph_timeout),
    ], lifespan=lifespan)
    app.gateway = gateway
    app.graphql_path = graphql_path
    app.state.gateway = gateway
    return app
