"""Pooled keep-alive HTTP client for subgraph requests."""

from __future__ import annotations

from typing import Any

import httpx
import orjson


class SubgraphError(Exception):
    """A subgraph request failed (connection, timeout, non-GraphQL answer)."""

    def __init__(self, message: str, *, timeout: bool = False) -> None:
        super().__init__(message)
        self.timeout = timeout


class SubgraphClient:
    """Posts GraphQL requests to subgraphs over one shared connection pool."""

    def __init__(self, timeout: float = 30.0, max_connections: int = 256) -> None:
        self.timeout = timeout
        self._client = httpx.AsyncClient(
            timeout=httpx.Timeout(timeout),
            limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections),
            headers={"content-type": "application/json", "accept": "application/json"},
        )

    async def request(self, url: str, query: str, variables: dict[str, Any] | None) -> dict[str, Any]:
        """Send one operation; return the decoded GraphQL response (raises SubgraphError)."""
        body = {"query": query, "variables": variables} if variables else {"query": query}
        try:
            response = await self._client.post(url, content=orjson.dumps(body))
        except httpx.TimeoutException:
            raise SubgraphError("timeout", timeout=True) from None
        except httpx.HTTPError as error:
            raise SubgraphError(f"{type(error).__name__}: {error}") from None
        try:
            payload = orjson.loads(response.content)
        except orjson.JSONDecodeError:
            raise SubgraphError(f"HTTP {response.status_code}: not a GraphQL response") from None
        if not isinstance(payload, dict) or ("data" not in payload and "errors" not in payload):
            raise SubgraphError(f"HTTP {response.status_code}: not a GraphQL response")
        return payload

    async def aclose(self) -> None:
        """Close the pool."""
        await self._client.aclose()
