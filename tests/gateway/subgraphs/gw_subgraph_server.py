"""Serves every fixture subgraph on one port: ``/<name>/graphql`` (the planner groups' fixture
sets as ``/<group>__<name>/graphql``).

Run as ``python tests/gateway/subgraphs/gw_subgraph_server.py --port N``. ``GET /__stats`` returns the
requests each subgraph received (query and representation count); ``POST /__reset`` clears
them (with every header received). The ``broken`` subgraph answers HTTP 500 with an HTML body.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import orjson  # noqa: E402
import uvicorn  # noqa: E402
from graphql import graphql  # noqa: E402
from starlette.applications import Starlette  # noqa: E402
from starlette.requests import Request  # noqa: E402
from starlette.responses import Response  # noqa: E402
from starlette.routing import Route  # noqa: E402

from gw_catalog import FAILING, MUTATION_LOG, SUBGRAPHS  # noqa: E402
from gw_federation import build_subgraph  # noqa: E402
from gw_guarded import GUARDED_SUBGRAPHS  # noqa: E402
from groups import GROUPS  # noqa: E402

GROUP_SUBGRAPHS = {f"{group}__{name}": spec for group, subgraphs in GROUPS.items() for name, spec in subgraphs.items()}
SUBGRAPHS = {**SUBGRAPHS, **GUARDED_SUBGRAPHS, **GROUP_SUBGRAPHS}
SCHEMAS = {name: build_subgraph(*spec) for name, spec in SUBGRAPHS.items()}
STATS: list[dict[str, Any]] = []


async def handle(request: Request) -> Response:
    name = request.path_params["name"]
    body = orjson.loads(await request.body())
    variables = body.get("variables") or {}
    STATS.append({"subgraph": name, "query": body.get("query"),
                  "representations": len(variables.get("representations") or ()),
                  "entities": "_entities" in (body.get("query") or ""),
                  "authorization": request.headers.get("authorization"),
                  "headers": dict(request.headers)})
    if name in FAILING:
        return Response("<html>internal error</html>", 500, media_type="text/html")
    result = await graphql(SCHEMAS[name], body["query"], variable_values=variables,
                           operation_name=body.get("operationName"))
    out: dict[str, Any] = {}
    if result.errors:
        out["errors"] = [e.formatted for e in result.errors]
    out["data"] = result.data
    return Response(orjson.dumps(out), media_type="application/json")


async def stats(request: Request) -> Response:
    return Response(orjson.dumps({"requests": STATS, "mutations": MUTATION_LOG}), media_type="application/json")


async def reset(request: Request) -> Response:
    STATS.clear()
    MUTATION_LOG.clear()
    return Response(b"{}", media_type="application/json")


async def sdl(request: Request) -> Response:
    return Response(SUBGRAPHS[request.path_params["name"]][0], media_type="text/plain")


app = Starlette(routes=[
    Route("/__stats", stats, methods=["GET"]),
    Route("/__reset", reset, methods=["POST"]),
    Route("/{name}/sdl", sdl, methods=["GET"]),
    Route("/{name}/graphql", handle, methods=["POST"]),
])


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    uvicorn.run(app, host="127.0.0.1", port=args.port, loop="uvloop", http="httptools",
                log_level="warning", access_log=False)
