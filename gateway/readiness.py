"""The gateway's ``/readiness``: ready when every subgraph answers its own ``/readiness``.

A subgraph's readiness URL is its GraphQL URL with the last path segment replaced
(``http://h:4001/graphql`` → ``http://h:4001/readiness``). A subgraph that has no such endpoint (404,
405: not a SIIR service) but answers counts as ready; an error status, a refused connection or a
timeout does not. The answer names subgraphs and their state only, never their addresses.
"""

from __future__ import annotations

import asyncio
from urllib.parse import urljoin

import httpx

from gateway.supergraph import Supergraph

#: Seconds one subgraph's probe may take.
PROBE_TIMEOUT = 2.0


def readiness_url(graphql_url: str) -> str:
    return urljoin(graphql_url, "readiness")


async def subgraph_states(supergraph: Supergraph, client: httpx.AsyncClient) -> dict[str, str]:
    """Each subgraph's name → ``ready``, ``not ready`` (it answered an error) or ``unreachable``."""
    graphs = [graph for graph in supergraph.graphs.values() if graph.url]
    states = await asyncio.gather(*(_state(client, graph.url) for graph in graphs))
    return {graph.name: state for graph, state in zip(graphs, states)}


async def _state(client: httpx.AsyncClient, url: str) -> str:
    try:
        response = await client.get(readiness_url(url), timeout=PROBE_TIMEOUT)
    except httpx.HTTPError:
        return "unreachable"
    return "ready" if response.status_code in (200, 404, 405) else "not ready"
