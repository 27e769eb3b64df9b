"""The HTTP application: GraphQL over HTTP on /graphql, health endpoints.

``build_app`` does all schema work (model, API schema, planner) once at startup.
"""

from __future__ import annotations

import asyncio
import logging
import math
import os
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator, Iterable

import httpx
import orjson
from graphql import GraphQLError, OperationType, VariableDefinitionNode
from graphql.execution.values import get_variable_values
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from gateway.apq import ApqCache
from gateway.authorization import Guard, denied
from gateway.refusals import Withheld, outermost, restore
from gateway.document_lookup import DocumentLookup
from gateway.cors import cors_middleware, with_cors
from gateway.executor import Executor
from gateway.exports_proxy import file_routes
from gateway.graphiql import graphiql_page
from gateway.graphiql_assets import ASSETS_PATH, CACHE_CONTROL, GraphiQLAssets, GraphiQLAssetsMissing
from gateway.map_page import MAP_ASSETS_PATH, MAP_PATH, map_page
from gateway.http_request import GRAPHQL_RESPONSE, GraphQLParams, params_from_body, params_from_mapping, response_media_type
from gateway import metrics
from gateway.limits import Limits
from gateway.operation import OperationCache, RequestError
from gateway.planner import PlanningError
from gateway.persisted_documents import document_store
from gateway.rate_limit import RateLimiter, redis_storage
from gateway.readiness import subgraph_states
from gateway.served_schema import ServedSchema
from gateway.shared_store import shared_redis
from gateway.subgraph_client import SubgraphClient
from gateway.scalars import check_variables
from gateway.supergraph import Supergraph
from gateway.supergraph_reload import SupergraphWatcher
from siir.auth.identity import Identity
from siir.auth.tokens import TokenVerifier, authorization_header, bearer_token, verifier_from_settings
from siir.errors import BadRequest, Unauthenticated
from siir.graphql_http import retry_after
from siir.observability import request_id
from siir.observability.observed import Observed
from siir.observability.request import current, note_graphql_errors, note_operation, note_role
from siir.settings import Settings


logger = logging.getLogger("gateway")


#: Client headers that claim an identity: never forwarded, whatever the configuration says.
#: Subgraphs learn who calls only from the verified bearer token the gateway forwards.
IDENTITY_HEADER_PREFIXES = ("x-siir-", "x-user", "x-forwarded-user", "x-forwarded-email", "x-forwarded-groups",
                            "x-forwarded-preferred-username", "x-forwarded-access-token", "x-role", "x-roles",
                            "x-auth", "x-identity", "x-remote-", "remote-user", "x-partner", "x-region",
                            "x-scope", "x-subject", "x-jwt", "x-token", "x-api-key", "x-original-authorization",
                            "x-amzn-oidc-", "x-goog-authenticated-", "x-ms-client-principal", "cookie",
                            "proxy-authorization", "host", "content-length", "transfer-encoding", "connection")


class IdentityHeaderRefused(ValueError):
    """A header the gateway must never forward was configured for propagation."""


def propagation_allowlist(names: Iterable[str]) -> frozenset[bytes]:
    """The client headers to forward; refuses identity-ish ones. ``Authorization`` is dropped
    from the list: the gateway forwards the verified token itself."""
    allowed = set()
    for raw in names:
        name = raw.strip().lower()
        if not name or name == "authorization":
            continue
        if name.startswith(IDENTITY_HEADER_PREFIXES):
            raise IdentityHeaderRefused(f"header {raw!r} carries identity or transport state and is never "
                                        "forwarded to subgraphs; they verify the bearer token themselves")
        allowed.add(name.encode("latin-1"))
    return frozenset(allowed)


class Gateway:
    """The served schema (supergraph, plans, executor: swapped whole on reload) + the checks in front."""

    def __init__(self, supergraph: Supergraph, *, verifier: TokenVerifier, limits: Limits | None = None,
                 subgraph_timeout: float = 30.0, propagate_headers: Iterable[str] = (),
                 rate_limiter: RateLimiter | None = None, documents: DocumentLookup | None = None,
                 subgraph_urls: dict[str, str] | None = None) -> None:
        self.subgraph_urls = subgraph_urls
        self.verifier = verifier
        self.limits = limits if limits is not None else Limits()
        self.rate_limiter = rate_limiter or RateLimiter(self.limits.rate_limit, self.limits.rate_burst)
        self.documents = documents or DocumentLookup(apq=ApqCache(), store=None)
        # Like Hive Gateway and Apollo Router, no client header reaches subgraphs unless named.
        self.propagate = propagation_allowlist(propagate_headers)
        self.client = SubgraphClient(timeout=subgraph_timeout)
        self.schema = ServedSchema(supergraph, self.client, self.limits)
        self.ready = False

    @property
    def supergraph(self) -> Supergraph:
        return self.schema.supergraph

    @property
    def operations(self) -> OperationCache:
        return self.schema.operations

    @property
    def executor(self) -> Executor:
        return self.schema.executor

    def build_schema(self, sdl: str) -> ServedSchema:
        """The served schema of another supergraph SDL (raises when it cannot be served)."""
        return ServedSchema(Supergraph.parse(sdl, self.subgraph_urls), self.client, self.limits)

    def serve_schema(self, schema: ServedSchema) -> None:
        """Serve ``schema`` from the next request on; requests in flight finish on theirs."""
        self.schema = schema

    async def authenticate(self, raw_headers: Iterable[tuple[bytes, bytes]]) -> Identity:
        """The verified caller of a request (its ASGI raw headers), else a 401 (400 for two
        ``Authorization`` headers); then the caller's rate limit (429)."""
        try:
            identity = await self.verifier.verify_async(bearer_token(authorization_header(raw_headers)))
        except BadRequest as error:
            raise RequestError.of(error.message, error.code, 400) from None
        except Unauthenticated as error:
            raise RequestError.of(error.message, "UNAUTHENTICATED", 401, headers={
                "www-authenticate": 'Bearer realm="siir", error="invalid_token"'}) from None
        note_role(identity.role.value)
        wait = await self.rate_limiter.take(identity.subject)
        if wait:
            raise RequestError.of(f"Too many requests for {identity.subject}: at most {self.limits.rate_limit:g} "
                                  f"a second (bursts of {self.limits.rate_burst}); retry in {wait:.1f} s.",
                                  "RATE_LIMITED", 429, headers={"retry-after": str(max(1, math.ceil(wait)))})
        return identity

    def propagated_headers(self, raw: Iterable[tuple[bytes, bytes]], identity: Identity | None = None) -> bytes:
        """Header lines for subgraph requests: the caller's verified token, the request id, then the
        configured client headers (ASGI raw pairs)."""
        # A verified JWT is base64url and dots: it cannot smuggle a header line.
        out = b"authorization: Bearer " + identity.token.encode("ascii") + b"\r\n" if identity is not None else b""
        notes = current()
        if notes is not None:  # validated: letters, digits and ._:- only
            out += request_id.HEADER + b": " + notes.request_id.encode("ascii") + b"\r\n"
        if not self.propagate:
            return out
        for name, value in raw:
            name = name.lower()
            if name in self.propagate and name != request_id.HEADER and b"\r" not in value and b"\n" not in value:
                out += name + b": " + value + b"\r\n"
        return out

    async def run(self, params: GraphQLParams, *, method: str, identity: Identity | None,
                  headers: bytes = b"") -> dict[str, Any]:
        """Prepare, authorize and execute one request; RequestError for anything refused before execution."""
        schema = self.schema  # one supergraph for the whole request, whatever a reload does meanwhile
        query, persisted_hash = await self.documents.text(params)
        try:
            prepared = schema.operations.get(query, params.operation_name, schema.labels.draw())
        except PlanningError as error:
            # A valid operation the planner cannot serve is the gateway's failure, not the client's.
            raise RequestError([GraphQLError(f"Cannot plan operation: {error}")], 500,
                               code="QUERY_PLANNING_FAILED") from None
        note_operation(prepared.operation.name.value if prepared.operation.name else None)
        if persisted_hash is not None:
            await self.documents.remember(persisted_hash, query)
        withheld: Withheld | None = None
        withheld_guards: list[Guard] = []
        if prepared.guards:
            withheld_guards = denied(prepared.guards, identity)
            if withheld_guards:
                # The operation runs without the refused fields; they answer null with their errors.
                paths = outermost(frozenset(guard.path for guard in withheld_guards))
                withheld_guards = [guard for guard in withheld_guards if guard.path in paths]
                withheld = schema.operations.withheld(prepared, paths)
                if withheld.nulls_everything:
                    note_graphql_errors()
                    return {"errors": _forbidden(withheld_guards, identity), "data": None}
                prepared = schema.operations.get(withheld.query, params.operation_name, schema.labels.draw())
        if method == "GET" and prepared.kind != OperationType.QUERY:
            raise RequestError([GraphQLError("Can only perform a query operation from a GET request.")], 405)
        coerced = get_variable_values(
            schema.supergraph.api_schema, prepared.operation.variable_definitions or (), params.variables,
            hide_suggestions=not self.limits.field_suggestions)
        if isinstance(coerced, list):
            raise RequestError([_named_variable_error(e, prepared.variable_paths) for e in coerced], code="BAD_USER_INPUT")
        # graphql-core 3.3 wraps the coerced values; 3.2 returns the dict itself.
        values = getattr(coerced, "coerced", coerced)
        refused = check_variables(schema.supergraph.api_schema, prepared.operation.variable_definitions, values,
                                  prepared.variable_paths)
        if refused:
            raise RequestError(refused, code="BAD_USER_INPUT")
        if prepared.cost is None:
            schema.operations.check_variable_cost(prepared, values)
        result = await schema.executor.execute(prepared, params.variables, values, headers)
        if withheld is not None:
            result = restore(result, withheld)
            result["errors"] = _forbidden(withheld_guards, identity) + result.get("errors", [])
        if "errors" in result:
            note_graphql_errors()
        return result


def _named_variable_error(error: GraphQLError, variable_paths: dict[str, str]) -> GraphQLError:
    """A variable coercion error, coded, with ``extensions.field`` the argument path the variable
    fills (graphql-core attaches the variable's definition node to the error)."""
    node = (error.nodes or [None])[0]
    name = node.variable.name.value if isinstance(node, VariableDefinitionNode) else None
    extensions = {"code": "BAD_USER_INPUT", **({"field": variable_paths.get(name, f"${name}")} if name else {})}
    return GraphQLError(error.message, error.nodes, error.source, error.positions, extensions=extensions)


def _forbidden(refused: list[Guard], identity: Identity | None) -> list[dict[str, Any]]:
    """The errors of fields the caller's role may not reach, as a subgraph reports its own refusals:
    each at its ``path``, code FORBIDDEN, naming the refused output ``coordinate``; the field itself is
    null (gateway/refusals.py), the rest of the answer stands, HTTP 200 whichever service refused
    (GraphQL over HTTP: a response with a ``data`` entry is 2xx; docs/errors.md)."""
    who = f"role {identity.role}" if identity is not None else "an anonymous caller"
    return [{"message": f"{guard.path} ({guard.coordinate}) is not available to {who}: it needs "
                        f"{guard.requirement.describe()}.",
             "path": guard.path.split("."),
             "extensions": {"code": "FORBIDDEN", "coordinate": guard.coordinate}}
            for guard in refused]


def _retry_header(result: dict[str, Any]) -> list[tuple[bytes, bytes]]:
    """``Retry-After`` when an error of the answer asks the client to come back later."""
    wait = retry_after(result.get("errors"))
    return [(b"retry-after", str(wait).encode())] if wait is not None else []


def _error_body(error: RequestError) -> bytes:
    """The answer to a refused request; counted as a limit refusal when a limit refused it."""
    note_graphql_errors()
    metrics.refused([(e.extensions or {}).get("code", "") for e in error.errors])
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
    #: ``_post``, behind CORS when it is configured (besides ``observed``, the one middleware the hot path keeps).
    post_graphql: Any
    observed: Observed  # around ``route``: request ids, access lines, metrics, traces

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        await self.observed(scope, receive, send)

    async def route(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        """The hot path, or Starlette."""
        if scope["type"] == "http" and scope["method"] == "POST" and scope["path"] == self.graphql_path:
            await self.post_graphql(scope, receive, send)
        else:
            await super().__call__(scope, receive, send)

    async def _post(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        accept = content_type = length = None
        for name, value in scope["headers"]:
            if name == b"accept":
                accept = value.decode("latin-1")
            elif name == b"content-type":
                content_type = value.decode("latin-1")
            elif name == b"content-length":
                length = value
        media_type = response_media_type(accept)
        gateway = self.gateway
        status, extra = 200, []
        try:
            identity = await gateway.authenticate(scope["headers"])
            body = await _read_body(receive, length, gateway.limits.max_body_bytes)
            if body is None:
                return  # the client went away
            params = params_from_body(body, content_type)
            headers = gateway.propagated_headers(scope["headers"], identity)
            result = await gateway.run(params, method="POST", identity=identity, headers=headers)
            extra = _retry_header(result)
            body = orjson.dumps(result)
        except RequestError as error:
            status, body = _status(error, media_type), _error_body(error)
            extra = [(k.encode(), v.encode()) for k, v in error.headers.items()]
        except Exception:  # a gateway bug: still a GraphQL-shaped answer, and a log line
            logger.exception("unexpected error serving a GraphQL request")
            status, body = 500, b'{"errors":[{"message":"Internal server error","extensions":{"code":"INTERNAL_SERVER_ERROR"}}]}'
        await send({"type": "http.response.start", "status": status, "headers": [
            (b"content-type", media_type.encode()), (b"content-length", str(len(body)).encode()), *extra]})
        await send({"type": "http.response.body", "body": body})


async def _read_body(receive: Any, length: bytes | None, limit: int) -> bytes | None:
    """The request body, refused with 413 past ``limit`` bytes (declared or actually sent)."""
    def too_large() -> RequestError:
        return RequestError.of(f"The request body is larger than {limit} bytes.", "REQUEST_TOO_LARGE", 413)

    if length is not None and length.isdigit() and int(length) > limit:
        raise too_large()
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise too_large()
        chunks.append(chunk)
        if not message.get("more_body"):
            return b"".join(chunks)


def build_app(supergraph_sdl: str, *, subgraph_urls: dict[str, str] | None = None,
              subgraph_timeout: float = 30.0, graphql_path: str = "/graphql",
              propagate_headers: Iterable[str] | None = None, verifier: TokenVerifier | None = None,
              limits: Limits | None = None, settings: Settings | None = None,
              supergraph_source: str | None = None) -> Starlette:
    """The gateway's Starlette application for a supergraph SDL.

    ``subgraph_urls`` (by subgraph name) override ``join__graph(url:)``; so do the
    ``SIIR_SUBGRAPH_<NAME>_URL`` environment variables. ``propagate_headers`` names the
    client headers forwarded to every subgraph besides the verified ``Authorization``
    (default: ``SIIR_GATEWAY_PROPAGATE_HEADERS``, comma-separated, else none; identity
    headers are refused). ``verifier`` and ``limits`` default to ``settings`` (default: the
    environment): the identity provider's keys and the SIIR_GATEWAY_* limits. ``settings`` also
    says where state shared by replicas lives (``SIIR_REDIS_URL``), the persisted-document mode and
    how often ``supergraph_source`` (the file or URL the SDL came from) is checked for a new version. The CORS origins
    always come from ``settings``. GraphiQL's assets are read from tools/graphiql once, here.
    """
    if propagate_headers is None:
        propagate_headers = [h.strip() for h in os.environ.get("SIIR_GATEWAY_PROPAGATE_HEADERS", "").split(",") if h.strip()]
    settings = settings or Settings.from_environment()
    verifier = verifier or verifier_from_settings(settings)
    limits = limits or Limits.from_settings(settings)
    redis = shared_redis(settings.redis_url) if settings.redis_url else None
    gateway = Gateway(Supergraph.parse(supergraph_sdl, subgraph_urls), verifier=verifier, limits=limits,
                      subgraph_timeout=subgraph_timeout, propagate_headers=propagate_headers,
                      subgraph_urls=subgraph_urls, rate_limiter=RateLimiter(
                          limits.rate_limit, limits.rate_burst,
                          shared=redis_storage(settings.redis_url, settings.redis_prefix) if redis else None),
                      documents=DocumentLookup(
                          apq=ApqCache(redis, settings.redis_prefix) if settings.gateway_apq else None,
                          store=document_store(settings, redis),
                          only_registered=settings.gateway_persisted_documents_only))
    watcher = SupergraphWatcher(supergraph_source, settings.gateway_supergraph_poll_interval,
                                build=gateway.build_schema, swap=gateway.serve_schema, current_text=supergraph_sdl) \
        if supergraph_source and settings.gateway_supergraph_poll_interval > 0 else None
    try:
        assets: GraphiQLAssets | None = GraphiQLAssets.load()
    except GraphiQLAssetsMissing as error:
        logger.warning("GraphiQL is unavailable: %s", error)
        assets = None
    page = graphiql_page(assets)
    asset_files = assets.by_url() if assets is not None else {}
    the_map = map_page(graphql_path, settings.map_tiles_url, settings.map_tiles_attribution)
    asset_files |= the_map.assets

    async def map_html(request: Request) -> Response:
        # Public like GraphiQL's page; the requests it sends need the token the user types.
        return HTMLResponse(the_map.html, the_map.status, headers=the_map.headers)

    async def graphql(request: Request) -> Response:
        media_type = response_media_type(request.headers.get("accept"))
        method = request.method
        try:
            if method not in ("GET", "POST"):
                raise RequestError([GraphQLError("GraphQL only supports GET and POST requests.")], 405)
            if method == "GET" and "query" not in request.query_params \
                    and "text/html" in request.headers.get("accept", ""):
                # The page itself is public; its requests are not.
                return HTMLResponse(page.html, 200 if assets is not None else 503, headers=page.headers)
            identity = await gateway.authenticate(request.headers.raw)
            limit = gateway.limits.max_body_bytes
            if method == "POST":
                params = params_from_body(await request.body(), request.headers.get("content-type"))
            else:
                if len(request.url.query) > limit:
                    raise RequestError.of(f"The query string is longer than {limit} bytes.", "REQUEST_TOO_LARGE", 413)
                params = params_from_mapping(dict(request.query_params), variables_are_json_text=True)
            result = await gateway.run(params, method=method, identity=identity,
                                       headers=gateway.propagated_headers(request.headers.raw, identity))
        except RequestError as error:
            headers = dict(error.headers)
            if error.status == 405:
                headers["allow"] = "POST" if method == "GET" else "GET, POST"
            return Response(_error_body(error), _status(error, media_type), headers=headers, media_type=media_type)
        return Response(orjson.dumps(result), 200, media_type=media_type,
                        headers={k.decode(): v.decode() for k, v in _retry_header(result)})

    async def graphiql_asset(request: Request) -> Response:
        asset = asset_files.get(request.url.path)
        if asset is None:
            return Response(b"Not Found", 404, media_type="text/plain")
        return Response(asset.body, media_type=asset.media_type,
                        headers={"cache-control": CACHE_CONTROL, "x-content-type-options": "nosniff"})

    async def healthcheck(request: Request) -> Response:
        return Response(b'{"status":"ok"}', media_type="application/json")

    # Probes go over a small client of their own, so a slow subgraph cannot hold up requests' pool.
    probes = httpx.AsyncClient(limits=httpx.Limits(max_connections=8))

    async def readiness(request: Request) -> Response:
        if not gateway.ready:
            return Response(orjson.dumps({"ready": False, "status": "starting"}), 503, media_type="application/json")
        subgraphs = await subgraph_states(gateway.supergraph, probes)
        ready = all(state == "ready" for state in subgraphs.values())
        return Response(orjson.dumps({"ready": ready, "subgraphs": subgraphs}), 200 if ready else 503,
                        media_type="application/json")

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        gateway.ready = True
        reloading = asyncio.create_task(watcher.run()) if watcher is not None else None
        try:
            yield
        finally:
            gateway.ready = False
            if reloading is not None:
                reloading.cancel()
            await gateway.client.aclose()
            await probes.aclose()
            if redis is not None:
                await redis.aclose()

    app = GatewayApp(routes=[
        Route(graphql_path, graphql, methods=["GET", "POST", "PUT", "PATCH", "DELETE"]),
        Route("/healthcheck", healthcheck, methods=["GET"]),
        Route("/readiness", readiness, methods=["GET"]),
        Route(ASSETS_PATH + "/{file:path}", graphiql_asset, methods=["GET"]),
        Route(MAP_PATH, map_html, methods=["GET"]),
        Route(MAP_ASSETS_PATH + "/{file:path}", graphiql_asset, methods=["GET"]),
        *file_routes(gateway.supergraph, authenticate=gateway.authenticate, timeout=subgraph_timeout),
    ], middleware=cors_middleware(settings.cors_origins), lifespan=lifespan)
    app.gateway = gateway
    app.post_graphql = with_cors(app._post, settings.cors_origins)
    app.graphql_path = graphql_path
    app.observed = Observed(app.route, service="gateway", settings=settings, metrics_port=settings.gateway_metrics_port)
    app.state.gateway = gateway
    return app
