"""Subgraph requests: GraphQL over the pooled keep-alive HTTP client, timed (gateway/metrics.py)
and, while tracing, each in a client span whose context goes along as ``traceparent``."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import orjson

from gateway import metrics
from gateway.http_pool import HTTPPool, HTTPPoolError
from siir.observability import tracing


class SubgraphError(Exception):
    """A subgraph request failed (connection, timeout, non-GraphQL answer)."""

    def __init__(self, message: str, *, timeout: bool = False, kind: str = "response") -> None:
        super().__init__(message)
        self.timeout = timeout
        #: timeout, connection or response (not a GraphQL answer): a metric label.
        self.kind = "timeout" if timeout else kind


class SubgraphClient:
    """Posts GraphQL requests to subgraphs over one shared connection pool."""

    def __init__(self, timeout: float = 30.0, max_connections: int = 256) -> None:
        self.timeout = timeout
        self.max_connections = max_connections
        self._pool = HTTPPool(limit=max_connections)
        # https:// subgraphs go through httpx (TLS); plain http:// through the fast pool.
        self._tls: httpx.AsyncClient | None = None

    async def _post_tls(self, url: str, body: bytes, headers: bytes) -> tuple[int, bytes]:
        if self._tls is None:
            self._tls = httpx.AsyncClient(
                timeout=httpx.Timeout(self.timeout),
                limits=httpx.Limits(max_connections=self.max_connections),
                headers={"content-type": "application/json", "accept": "application/json"})
        extra = dict(line.split(": ", 1) for line in headers.decode("latin-1").split("\r\n") if line)
        try:
            response = await self._tls.post(url, content=body, headers=extra)
        except httpx.TimeoutException:
            raise asyncio.TimeoutError() from None
        except httpx.HTTPError as error:
            raise HTTPPoolError(f"{type(error).__name__}: {error}") from None
        return response.status_code, response.content

    async def request(self, url: str, query: str, variables: dict[str, Any] | None,
                      headers: bytes = b"", *, subgraph: str = "") -> dict[str, Any]:
        """Send one operation; return the decoded GraphQL response (raises SubgraphError).

        ``headers``: client headers propagated to subgraphs, as ``Name: value\\r\\n`` lines;
        ``subgraph``: its name, for metrics and traces (default: the URL).
        """
        name = subgraph or url
        started = time.perf_counter()
        failure = None
        try:
            with tracing.fetch_span(name) as trace_headers:
                return await self._request(url, query, variables, headers + trace_headers)
        except SubgraphError as error:
            failure = "timeout" if error.timeout else error.kind
            raise
        finally:
            metrics.fetched(name, time.perf_counter() - started, failure)

    async def _request(self, url: str, query: str, variables: dict[str, Any] | None,
                       headers: bytes) -> dict[str, Any]:
        body = {"query": query, "variables": variables} if variables else {"query": query}
        try:
            if url.startswith("https://"):
                status, content = await self._post_tls(url, orjson.dumps(body), headers)
            else:
                status, content = await self._pool.post(url, orjson.dumps(body), self.timeout, headers)
        except asyncio.TimeoutError:
            raise SubgraphError("timeout", timeout=True) from None
        except HTTPPoolError as error:
            raise SubgraphError(str(error), kind="connection") from None
        try:
            payload = orjson.loads(content)
        except orjson.JSONDecodeError:
            raise SubgraphError(f"HTTP {status}: not a GraphQL response") from None
        if not isinstance(payload, dict) or ("data" not in payload and "errors" not in payload):
            raise SubgraphError(f"HTTP {status}: not a GraphQL response")
        return payload

    async def aclose(self) -> None:
        """Close the pool."""
        await self._pool.aclose()
        if self._tls is not None:
            await self._tls.aclose()
