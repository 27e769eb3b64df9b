"""The subgraph client: keep-alive reuse, stale connections, timeouts, https via httpx."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from gateway.http_pool import HTTPPool
from gateway.subgraph_client import SubgraphClient, SubgraphError


async def _server(handler: Any) -> tuple[asyncio.AbstractServer, int, list[int]]:
    connections: list[int] = []

    async def on_connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(1)
        await handler(reader, writer)

    server = await asyncio.start_server(on_connect, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1], connections


async def _read_request(reader: asyncio.StreamReader) -> bytes:
    head = await reader.readuntil(b"\r\n\r\n")
    length = int([h for h in head.split(b"\r\n") if h.lower().startswith(b"content-length")][0].split(b":")[1])
    return head + await reader.readexactly(length)


def _response(body: bytes, close: bool = False) -> bytes:
    return (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + str(len(body)).encode()
            + (b"\r\nConnection: close" if close else b"") + b"\r\n\r\n" + body)


async def test_connections_are_reused_and_stale_ones_retried() -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        # Answers two requests on a connection, then closes it (a server-side keep-alive limit).
        for _ in range(2):
            await _read_request(reader)
            writer.write(_response(b'{"data":{"ok":true}}'))
            await writer.drain()
        writer.close()

    server, port, connections = await _server(handler)
    pool = HTTPPool()
    url = f"http://127.0.0.1:{port}/graphql"
    for _ in range(5):
        assert await pool.post(url, b"{}", 5.0) == (200, b'{"data":{"ok":true}}')
        await asyncio.sleep(0.01)
    assert len(connections) == 3  # 2 + 2 + 1 requests
    await pool.aclose()
    server.close()


async def test_chunked_responses_and_connection_close() -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                     b"5\r\n{\"dat\r\n10\r\na\":{\"x\":1}}     \r\n0\r\n\r\n")
        await writer.drain()
        writer.close()

    server, port, _ = await _server(handler)
    client = SubgraphClient(timeout=5.0)
    assert await client.request(f"http://127.0.0.1:{port}/", "{ x }", None) == {"data": {"x": 1}}
    await client.aclose()
    server.close()


async def test_timeouts_and_refused_connections_are_subgraph_errors() -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _read_request(reader)
        await asyncio.sleep(2)

    server, port, _ = await _server(handler)
    client = SubgraphClient(timeout=0.2)
    with pytest.raises(SubgraphError) as timeout:
        await client.request(f"http://127.0.0.1:{port}/", "{ x }", None)
    assert timeout.value.timeout
    server.close()
    await server.wait_closed()
    with pytest.raises(SubgraphError) as refused:
        await client.request(f"http://127.0.0.1:{port}/", "{ x }", None)
    assert not refused.value.timeout
    await client.aclose()


async def test_https_goes_through_httpx() -> None:
    client = SubgraphClient(timeout=0.5)
    with pytest.raises(SubgraphError):
        await client.request("https://127.0.0.1:9/graphql", "{ x }", None)
    assert client._tls is not None
    await client.aclose()
