"""``python -m gateway --supergraph FILE [--host H] [--port P]``: serve the gateway."""

from __future__ import annotations

import argparse

from gateway.server import serve


def main(argv: list[str] | None = None) -> None:
    """Parse arguments and serve (uvicorn with uvloop + httptools, one worker)."""
    parser = argparse.ArgumentParser(prog="python -m gateway", description="Apollo Federation v2 gateway")
    parser.add_argument("--supergraph", required=True, help="supergraph SDL file or http(s) URL")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", default=4000, type=int)
    parser.add_argument("--subgraph-timeout", default=30.0, type=float, help="seconds per subgraph request")
    args = parser.parse_args(argv)
    serve(args.supergraph, host=args.host, port=args.port, subgraph_timeout=args.subgraph_timeout)


if __name__ == "__main__":
    main()
