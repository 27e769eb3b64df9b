"""GraphiQL's browser assets, served by the gateway itself: GraphiQL works without internet.

They are the UMD builds of the npm packages pinned in ``tools/graphiql`` (graphiql 4, the last
major that ships one, with React 18), installed by ``install`` through the same locked
``npm ci`` as the other Node tools. The gateway reads them once at start-up and serves them from
memory under a URL naming the package and its version, so browsers may cache them for a year;
the page pins each with a Subresource Integrity hash.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from gateway.node_tools import GRAPHIQL_DIR, ensure_installed

#: Where the gateway serves the files: ``/graphiql-assets/<package>@<version>/<file>``.
ASSETS_PATH = "/graphiql-assets"
#: A versioned URL never changes content.
CACHE_CONTROL = "public, max-age=31536000, immutable"

#: (package, file within it), in the order the page loads them.
_SCRIPTS = (("react", "umd/react.production.min.js"), ("react-dom", "umd/react-dom.production.min.js"),
            ("graphiql", "graphiql.min.js"))
_STYLESHEETS = (("graphiql", "graphiql.min.css"),)
_MEDIA_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}


class GraphiQLAssetsMissing(RuntimeError):
    """tools/graphiql/node_modules lacks a file the page needs (``install`` was not run)."""


@dataclass(frozen=True, slots=True)
class Asset:
    """One file as served: its URL, bytes, media type and SRI hash."""

    url: str
    body: bytes
    media_type: str
    integrity: str


@dataclass(frozen=True, slots=True)
class GraphiQLAssets:
    """The scripts and stylesheets of the GraphiQL page, by URL."""

    scripts: tuple[Asset, ...]
    stylesheets: tuple[Asset, ...]

    @classmethod
    def load(cls, node_modules: Path = GRAPHIQL_DIR / "node_modules") -> "GraphiQLAssets":
        return cls(tuple(load_asset(node_modules, *entry) for entry in _SCRIPTS),
                   tuple(load_asset(node_modules, *entry) for entry in _STYLESHEETS))

    def by_url(self) -> dict[str, Asset]:
        return {asset.url: asset for asset in (*self.scripts, *self.stylesheets)}


def load_asset(node_modules: Path, package: str, file: str, base: str = ASSETS_PATH) -> Asset:
    """One installed npm file as served under ``base`` (the map page's assets come through here too)."""
    try:
        version = json.loads((node_modules / package / "package.json").read_bytes())["version"]
        body = (node_modules / package / file).read_bytes()
    except (OSError, ValueError, KeyError) as error:
        raise GraphiQLAssetsMissing(f"{package}/{file} is not installed under {node_modules}: {error}") from None
    digest = base64.b64encode(hashlib.sha384(body).digest()).decode()
    return Asset(f"{base}/{package}@{version}/{file}", body, _MEDIA_TYPES[Path(file).suffix],
                 f"sha384-{digest}")


def install() -> Path:
    """``npm ci`` in tools/graphiql unless its lock file is installed already (no network then)."""
    return ensure_installed(GRAPHIQL_DIR)
