"""Subgraph requests: GraphQL over the pooled keep-alive HTTP client."""

from __future__ import annotations

import asyncio
from typing import Any

import orjson

from gateway.http_pool import HTTPPool, HTTPPoolError


class SubgraphError(Exception):
    """A subgraph request failed (connection, timeout, non-GraphQL answer)."""

    def __init__(self, message: str, *, timeout: bool = False) -> None:
        super().__init__(message)
        self.timeout = timeout


class SubgraphClient:
    """Posts GraphQL requests to subgraphs over one shared connection pool."""

    def __init__(self, timeout: float = 30.0, max_connections: int = 256) -> None:
        self.timeout = timeout
        self._pool = HTTPPool(limit=max_connections)

    async def request(self, url: str, query: str, variables: dict[str, Any] | None,
                      headers: bytes = b"") -> dict[str, Any]:
        """Send one operation; return the decoded GraphQL response (raises SubgraphError).

        ``headers``: client headers propagated to subgraphs, as ``Name: value\\r\\n`` lines.
        """
        body = {"query": query, "variables": variables} if variables else {"query": query}
        try:
            status, content = await self._pool.post(url, orjson.dumps(body), self.timeout, headers)
        except asyncio.TimeoutError:
            raise SubgraphError("timeout", timeout=True) from None
        except HTTPPoolError as error:
            raise SubgraphError(str(error)) from None
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
