"""Fixture subgraphs for the benchmark: the test catalog, served by a bare ASGI app.

Answers are memoised per request body after the first graphql-core execution, so the
subgraphs cost the same tiny, constant time for the direct call and for both gateways and
the measurement is about the gateways. Run: ``python bench/gateway/subgraph_server.py --port N``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, Awaitable, Callable

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "gateway" / "subgraphs"))

import orjson  # noqa: E402
import uvicorn  # noqa: E402
from graphql import graphql  # noqa: E402

from gw_catalog import SUBGRAPHS  # noqa: E402
from gw_federation import build_subgraph  # noqa: E402

SCHEMAS = {name: build_subgraph(*spec) for name, spec in SUBGRAPHS.items()}
MEMO: dict[tuple[str, bytes], bytes] = {}

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] != "http":
        return
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    name = scope["path"].strip("/").split("/")[0]
    if scope["method"] != "POST" or name not in SCHEMAS:
        await send({"type": "http.response.start", "status": 404, "headers": [(b"content-length", b"0")]})
        await send({"type": "http.response.body", "body": b""})
        return
    key = (name, body)
    out = MEMO.get(key)
    if out is None:
        request = orjson.loads(body)
        result = await graphql(SCHEMAS[name], request["query"], variable_values=request.get("variables"))
        payload: dict[str, Any] = {"data": result.data}
        if result.errors:
            payload["errors"] = [e.formatted for e in result.errors]
        out = MEMO[key] = orjson.dumps(payload)
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(out)).encode())]})
    await send({"type": "http.response.body", "body": out})


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    uvicorn.run(app, host="127.0.0.1", port=args.port, loop="uvloop", http="httptools",
                log_level="warning", access_log=False)
