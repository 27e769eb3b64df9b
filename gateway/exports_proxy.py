"""Files in and out on the gateway's host: ``/exports/…`` (CSV, XLSX downloads) and ``/imports/…`` (the bulk
survey import: template, upload, job, reports, commit) are passed to the subgraph serving them.

An upload (``POST /imports``) is streamed to the registry as it arrives, refused with 413 past
``UPLOAD_LIMIT`` bytes (declared or actually sent); the registry applies its own, tighter file limit.

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
from typing import Any

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
#: The import's paths under ``/imports/``: the template, the collection (upload), a job and its report and
#: commit. Anything else is NOT_FOUND here, before any subgraph is asked.
IMPORT_PATH = re.compile(r"(template\.[a-z]+|[0-9a-f-]{36}(/commit|/report\.[a-z]+)?)?")
#: The subgraph that imports survey files.
IMPORTING_SUBGRAPH = "registry"
#: The largest upload forwarded: the registry's 10 MiB file limit plus room for a multipart form's framing.
UPLOAD_LIMIT = 11 * 1024 * 1024
#: Response headers passed back to the client.
PASSED_BACK = ("content-type", "content-disposition", "content-length", "cache-control", "location")
#: Request headers that describe an upload's body.
BODY_HEADERS = ("content-type", "content-length")


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


def _refusal(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"errors": [{"message": message, "extensions": {"code": code}}]}, status_code=status,
                        headers=headers)


class _UploadTooLarge(Exception):
    """The client sent more than ``UPLOAD_LIMIT`` bytes without declaring it."""


def file_routes(supergraph: Supergraph, *, authenticate: Authenticate, timeout: float = 120.0,
                  forwarded_headers: Iterable[str] = ()) -> list[Route]:
    """``GET /exports/{path}`` and ``/imports…`` from an authenticated caller, forwarded with its token to the
    subgraph serving them."""
    bases = {name: exports_base_url(supergraph, name)
             for name in {EXPORTING_SUBGRAPH, IMPORTING_SUBGRAPH, *EXPORTED_BY.values()}}
    forwarded = tuple(h.lower() for h in forwarded_headers if h.lower() != "authorization")

    async def proxy(request: Request) -> Response:
        try:
            identity = await authenticate(request.headers.raw)
        except RequestError as error:
            metrics.refused([(e.extensions or {}).get("code", "") for e in error.errors])
            return JSONResponse({"errors": [e.formatted for e in error.errors]}, status_code=error.status,
                                headers=error.headers)
        kind = request.url.path.split("/")[1]
        path = request.path_params.get("path", "")
        if kind == "exports":
            if not EXPORT_NAME.fullmatch(path):
                return _refusal(404, "NOT_FOUND", "no such export: use /exports/<report>.<format>")
            base = bases[EXPORTED_BY.get(path.split(".")[0], EXPORTING_SUBGRAPH)]
        else:
            if not IMPORT_PATH.fullmatch(path):
                return _refusal(404, "NOT_FOUND", "no such import resource: see docs/imports.md")
            base = bases[IMPORTING_SUBGRAPH]
        if base is None:
            return _refusal(404, "NOT_FOUND", f"no subgraph serves {kind}")
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > UPLOAD_LIMIT:
            return _refusal(413, "REQUEST_TOO_LARGE", f"The request body is larger than {UPLOAD_LIMIT} bytes.")
        # A client per transfer: files are rare and large, and it closes with the stream.
        client = httpx.AsyncClient(timeout=timeout)
        headers = {name: value for name, value in request.headers.items() if name in forwarded}
        if request.method == "POST":
            headers.update({name: value for name, value in request.headers.items() if name in BODY_HEADERS})
        headers["authorization"] = f"Bearer {identity.token}"  # verified: base64url and dots only
        notes = current()
        if notes is not None:
            headers["x-request-id"] = notes.request_id  # validated: letters, digits and ._:- only
        headers.update(tracing.context_headers())

        async def body() -> Any:
            sent = 0
            async for chunk in request.stream():
                sent += len(chunk)
                if sent > UPLOAD_LIMIT:
                    raise _UploadTooLarge
                yield chunk

        upstream = client.build_request(
            request.method, f"{base}/{kind}" + (f"/{path}" if path else ""), params=request.query_params.multi_items(),
            headers=headers, content=body() if request.method == "POST" else None,
        )
        try:
            response = await client.send(upstream, stream=True)
        except _UploadTooLarge:
            await client.aclose()
            return _refusal(413, "REQUEST_TOO_LARGE", f"The request body is larger than {UPLOAD_LIMIT} bytes.")
        except httpx.HTTPError:
            await client.aclose()
            return _refusal(503, "SERVICE_UNAVAILABLE", f"the {kind} service is unavailable; retry in {RETRY_AFTER_SECONDS} s",
                            headers={"retry-after": str(RETRY_AFTER_SECONDS)})
        return StreamingResponse(
            response.aiter_raw(), status_code=response.status_code,
            headers={k: v for k, v in response.headers.items() if k.lower() in PASSED_BACK},
            background=BackgroundTask(_close, response, client),
        )

    return [
        Route("/exports/{path:path}", proxy, methods=["GET"]),
        Route("/imports", proxy, methods=["GET", "POST"]),
        Route("/imports/{path:path}", proxy, methods=["GET", "POST"]),
    ]
