"""Supergraph composition: subgraph SDLs in ``schema/`` → ``schema/supergraph.graphql``.

Composition is done by ``@theguild/federation-composition`` (a real, maintained composer)
run through Node, so our gateway and other gateways read the very same supergraph.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Mapping, Sequence

import orjson
import yaml

from gateway.node_tools import TOOLS_DIR, ensure_installed, node_binary


class CompositionError(RuntimeError):
    """The subgraph SDLs do not compose; the message holds the composer's errors."""


def compose_services(services: Sequence[Mapping[str, str]]) -> str:
    """Compose ``[{"name", "url", "sdl"}, ...]`` and return the supergraph SDL."""
    ensure_installed()
    proc = subprocess.run(
        [node_binary(), str(TOOLS_DIR / "compose.mjs")],
        input=orjson.dumps(list(services)),
        capture_output=True,
        cwd=TOOLS_DIR,
    )
    if proc.returncode != 0:
        raise CompositionError(proc.stderr.decode() or "composition failed")
    sdl = proc.stdout.decode()
    return sdl if sdl.endswith("\n") else sdl + "\n"


def read_subgraphs(schema_dir: Path) -> list[dict[str, str]]:
    """Read ``subgraphs.yaml`` (``name: {url, schema}``) and the SDL files it names."""
    config = yaml.safe_load((schema_dir / "subgraphs.yaml").read_text()) or {}
    services = []
    for name, entry in config.items():
        sdl_path = schema_dir / entry["schema"]
        if not sdl_path.is_file():
            raise CompositionError(f"subgraph {name!r}: schema file {sdl_path} does not exist")
        services.append({"name": str(name), "url": str(entry["url"]), "sdl": sdl_path.read_text()})
    return services


def compose_supergraph(schema_dir: Path) -> str:
    """Compose the subgraphs listed in ``schema_dir/subgraphs.yaml``; return the supergraph SDL."""
    return compose_services(read_subgraphs(schema_dir))


def write_supergraph(schema_dir: Path) -> Path:
    """Compose and write ``schema_dir/supergraph.graphql``; return its path."""
    target = schema_dir / "supergraph.graphql"
    target.write_text(compose_supergraph(schema_dir))
    return target
