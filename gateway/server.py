"""Running the gateway under uvicorn (uvloop + httptools, one worker).

``serve`` blocks (used by ``python -m gateway``); ``server`` returns a ``uvicorn.Server``
to run inside an existing event loop (``await server.serve()``), e.g. from ``siir up``.
"""

from __future__ import annotations

import logging
from pathlib import Path

import uvicorn

from gateway.app import build_app
from gateway.graphiql_assets import install as install_graphiql
from gateway.map_page import install as install_map
from gateway.node_tools import NodeToolsError
from gateway.supergraph_reload import read_supergraph


def server(supergraph: Path | str, *, host: str = "127.0.0.1", port: int = 4000,
           subgraph_urls: dict[str, str] | None = None, subgraph_timeout: float = 30.0) -> uvicorn.Server:
    """A configured uvicorn server for the supergraph file or http(s) URL (schema work happens here,
    then again only when the source changes: gateway/supergraph_reload.py)."""
    try:
        install_graphiql()  # a no-op once installed (an image installs them when it is built)
    except (NodeToolsError, OSError) as error:  # GraphQL is served all the same; the page says what is missing
        logging.getLogger("gateway").warning("GraphiQL's assets could not be installed: %s", error)
    try:
        install_map()
    except (NodeToolsError, OSError) as error:  # the map's data is served all the same
        logging.getLogger("gateway").warning("The map page's assets could not be installed: %s", error)
    app = build_app(read_supergraph(str(supergraph)), subgraph_urls=subgraph_urls, subgraph_timeout=subgraph_timeout,
                    supergraph_source=str(supergraph))
    config = uvicorn.Config(app, host=host, port=port, loop="uvloop", http="httptools",
                            log_level="warning", access_log=False, lifespan="on")
    return uvicorn.Server(config)


def url(host: str, port: int) -> str:
    """The client URL of a gateway listening on host:port."""
    return f"http://{host}:{port}/graphql"


def serve(supergraph: Path | str, *, host: str = "127.0.0.1", port: int = 4000,
          subgraph_timeout: float = 30.0) -> None:
    """Serve until interrupted."""
    srv = server(supergraph, host=host, port=port, subgraph_timeout=subgraph_timeout)
    print(f"gateway: {url(host, port)}", flush=True)
    srv.run()
