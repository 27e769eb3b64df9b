"""File exports (CSV, XLSX) reachable on the gateway's host: ``/exports/…`` is passed to the subgraph serving them.

GraphQL answers JSON; a download is a plain HTTP GET. The gateway forwards ``GET /exports/<name>.<format>?…``
(``hand-over`` to the registry, ``EXPORTED_BY``; every other export to reporting)
unchanged to that subgraph (the URL the supergraph, or ``SIIR_SUBGRAPH_REPORTING_URL``, gives it,
without ``/graphql``) and streams the answer back with its status and download headers, so a portal
needs one host. The caller is authenticated here first, as for GraphQL (``authenticate``: a bad or
missing token is a 401 and the rate limit applies before anything is forwarded); the verified token
is forwarded as ``Authorization`` so the subgraph verifies it again and applies the same caller's
scope as for GraphQL. Headers named in ``forwarded_headers`` go along too.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable

import httpx
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from gateway import metrics
from gateway.operation import RequestError
from gateway.supergraph import Supergraph
from siir.auth.identity import Identity
from siir.observability import tracing
from siir.observability.request import current
from siir.outages import RETRY_AFTER_SECONDS

#: The gateway's check of a request's ``Authorization`` header (given its raw headers): the verified caller, else RequestError.
Authenticate = Callable[[Iterable[tuple[bytes, bytes]]], Awaitable[Identity]]

#: The subgraph that serves the exports, unless ``EXPORTED_BY`` names another for an export.
EXPORTING_SUBGRAPH = "reporting"
#: Exports served by another subgraph: the hand-over package is record-level data, the registry's.
EXPORTED_BY = {"hand-over": "registry"}
#: An export's name: ``<report>.<format>``. Nothing else is forwarded: a dot-segment or slash
#: (``..%2Fgraphql``) would reach the subgraph's other paths past the gateway's checks.
EXPORT_NAME = re.compile(r"[a-z][a-z0-9-]*\.[a-z0-9]+")
#: Response headers passed back to the client.
PASSED_BACK = ("content-type", "content-disposition", "content-length", "cache-control")


def exports_base_url(supergraph: Supergraph, subgraph: str = EXPORTING_SUBGRAPH) -> str | None:
    """The exporting subgraph's base URL (its GraphQL URL without ``/graphql``), if it is composed in."""
    for graph in supergraph.graphs.values():
        if graph.name == subgraph and graph.url:
            url = graph.url.rstrip("/")
            return url[: -len("/graphql")] if url.endswith("/graphql") else url
    return None


async def _close(response: httpx.Response, client: httpx.AsyncClient) -> None:
    await response.aclose()
    await client.aclose()


def exports_route(supergraph: Supergraph, *, authenticate: Authenticate, timeout: float = 120.0,
                  forwarded_headers: Iterable[str] = ()) -> Route:
    """``GET /exports/{path}`` from an authenticated caller, forwarded with its token to the exporting subgraph."""
    bases = {name: exports_base_url(supergraph, name) for name in {EXPORTING_SUBGRAPH, *EXPORTED_BY.values()}}
    forwarded = tuple(h.lower() for h in forwarded_headers if h.lower() != "authorization")

    async def proxy(request: Request) -> Response:
        try:
            identity = await authenticate(request.headers.raw)
        except RequestError as error:
            metrics.refused([(e.extensions or {}).get("code", "") for e in error.errors])
            return JSONResponse({"errors": [e.formatted for e in error.errors]}, status_code=error.status,
                                headers=error.headers)
        if not EXPORT_NAME.fullmatch(request.path_params["path"]):
            return JSONResponse({"errors": [{"message": "no such export: use /exports/<report>.<format>",
                                             "extensions": {"code": "NOT_FOUND"}}]}, status_code=404)
        base = bases[EXPORTED_BY.get(request.path_params["path"].split(".")[0], EXPORTING_SUBGRAPH)]
        if base is None:
            return JSONResponse({"errors": [{"message": "no subgraph serves exports",
                                             "extensions": {"code": "NOT_FOUND"}}]}, status_code=404)
        # A client per download: exports are rare and large, and it closes with the stream.
        client = httpx.AsyncClient(timeout=timeout)
        headers = {name: value for name, value in request.headers.items() if name in forwarded}
        headers["authorization"] = f"Bearer {identity.token}"  # verified: base64url and dots only
        notes = current()
        if notes is not None:
            headers["x-request-id"] = notes.request_id  # validated: letters, digits and ._:- only
        headers.update(tracing.context_headers())
        upstream = client.build_request(
            "GET", f"{base}/exports/{request.path_params['path']}", params=request.query_params.multi_items(),
            headers=headers,
        )
        try:
            response = await client.send(upstream, stream=True)
        except httpx.HTTPError:
            await client.aclose()
            return JSONResponse({"errors": [{"message": f"the exporting service is unavailable; retry in {RETRY_AFTER_SECONDS} s",
                                             "extensions": {"code": "SERVICE_UNAVAILABLE",
                                                            "retryAfter": RETRY_AFTER_SECONDS}}]},
                                status_code=503, headers={"retry-after": str(RETRY_AFTER_SECONDS)})
        return StreamingResponse(
            response.aiter_raw(), status_code=response.status_code,
            headers={k: v for k, v in response.headers.items() if k.lower() in PASSED_BACK},
            background=BackgroundTask(_close, response, client),
        )

    return Route("/exports/{path:path}", proxy, methods=["GET"])
