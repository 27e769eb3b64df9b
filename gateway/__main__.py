"""``python -m gateway --supergraph FILE [--host H] [--port P]``: serve the gateway."""

from __future__ import annotations

import argparse
from pathlib import Path

import uvicorn

from gateway.app import build_app


def main(argv: list[str] | None = None) -> None:
    """Parse arguments and run uvicorn (uvloop + httptools, one worker)."""
    parser = argparse.ArgumentParser(prog="python -m gateway", description="Federation v2 gateway")
    parser.add_argument("--supergraph", required=True, type=Path, help="supergraph SDL file")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", default=4000, type=int)
    parser.add_argument("--subgraph-timeout", default=30.0, type=float, help="seconds per subgraph request")
    args = parser.parse_args(argv)
    app = build_app(args.supergraph.read_text(), subgraph_timeout=args.subgraph_timeout)
    print(f"gateway: http://{args.host}:{args.port}/graphql", flush=True)
    uvicorn.run(app, host=args.host, port=args.port, loop="uvloop", http="httptools",
                log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
