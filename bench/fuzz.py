"""The long fuzz run: operations generated from the schema through the gateway, as a regency office
and as the ministry, checked as tests/gateway/test_fuzz.py checks its shorter run.

    .venv/bin/python bench/fuzz.py --count 5000 --server postgresql://postgres@127.0.0.1:5432

Creates and drops its own database on ``--server`` (default: SIIR_TEST_DATABASE_URL's server, else
the embedded PostgreSQL), seeds demo IR, serves the registry and reporting subgraphs over real HTTP
and starts the gateway as its own process (default limits, no rate limit). ``--count`` operations
in all (half per role), with a fixed ``--seed``. Prints operations, time, HTTP statuses, errors by
code and the first failures; exits 1 if any answer broke the contract (docs/errors.md).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cryptography.hazmat.primitives import serialization  # noqa: E402

from siir.auth.keys import load_or_create_signing_key  # noqa: E402
from siir.embedded import start_embedded_server, stop_embedded_server  # noqa: E402
from tests.conftest import TEST_DATA_DIR, Tokens  # noqa: E402
from tests.gateway.fuzzing import Tally, fuzz, world  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=5000, help="operations in all, half per role")
    parser.add_argument("--seed", type=int, default=2016, help="fixes the generated operations")
    parser.add_argument("--records", type=int, default=300, help="demo IR to seed")
    parser.add_argument("--server", help="postgresql://… of a server to create the database on")
    args = parser.parse_args()
    admin_url = f"{args.server.rstrip('/')}/postgres" if args.server else os.environ.get("SIIR_TEST_DATABASE_URL")
    embedded = admin_url is None
    if embedded:
        admin_url = start_embedded_server(TEST_DATA_DIR, keep_running=True)
    try:
        tally = run(admin_url, args)
    finally:
        if embedded:
            stop_embedded_server(TEST_DATA_DIR)
    print(tally.summary())
    return 1 if tally.failures else 0


def run(admin_url: str, args: argparse.Namespace) -> Tally:
    """The world on ``admin_url``'s server, fuzzed as ``args`` say."""
    with tempfile.TemporaryDirectory() as scratch:
        tokens = Tokens(load_or_create_signing_key(Path(scratch) / "auth"))
        public = Path(scratch) / "public.pem"
        public.write_bytes(tokens.key.public_key.public_bytes(serialization.Encoding.PEM,
                                                              serialization.PublicFormat.SubjectPublicKeyInfo))
        with world(admin_url, tokens, tokens.verifier, public, tokens.ISSUER, tokens.AUDIENCE, Path(scratch),
                   count=args.records) as (url, role_tokens):
            return fuzz(url, role_tokens, args.count // len(role_tokens), seed=args.seed)


if __name__ == "__main__":
    sys.exit(main())
