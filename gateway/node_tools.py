"""The Node.js tools the gateway relies on (composition, Hive Gateway for comparisons).

They live in ``tools/node`` with a lock file; ``ensure_installed`` runs ``npm ci`` once and
reuses ``node_modules`` afterwards, so tests and ``siir compose`` share one cached install.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from pathlib import Path

TOOLS_DIR = Path(__file__).resolve().parent.parent / "tools" / "node"

# One install at a time within a process: pytest fixtures and compose may race otherwise.
_install_lock = threading.Lock()


class NodeToolsError(RuntimeError):
    """Node.js or npm is missing, or the install failed."""


def _stamp_is_current(tools_dir: Path) -> bool:
    """True when node_modules was installed from the current package-lock.json."""
    stamp = tools_dir / "node_modules" / ".siir-lock-stamp"
    lock = tools_dir / "package-lock.json"
    return stamp.is_file() and stamp.read_bytes() == lock.read_bytes()


def ensure_installed(tools_dir: Path = TOOLS_DIR) -> Path:
    """Install the locked npm packages into ``tools_dir/node_modules`` unless already there.

    Returns the ``node_modules`` directory. Raises NodeToolsError when node/npm are absent
    or ``npm ci`` fails.
    """
    with _install_lock:
        if _stamp_is_current(tools_dir):
            return tools_dir / "node_modules"
        npm = shutil.which("npm")
        if npm is None or shutil.which("node") is None:
            raise NodeToolsError("Node.js and npm are needed for the gateway's tools (tools/node)")
        proc = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=tools_dir,
            capture_output=True,
            text=True,
            env={**os.environ, "npm_config_update_notifier": "false"},
        )
        if proc.returncode != 0:
            raise NodeToolsError(f"npm ci failed in {tools_dir}:\n{proc.stderr[-4000:]}")
        (tools_dir / "node_modules" / ".siir-lock-stamp").write_bytes(
            (tools_dir / "package-lock.json").read_bytes()
        )
        return tools_dir / "node_modules"


def node_binary() -> str:
    """The path of the ``node`` executable."""
    node = shutil.which("node")
    if node is None:
        raise NodeToolsError("Node.js is needed for the gateway's tools (tools/node)")
    return node
