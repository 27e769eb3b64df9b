"""The GraphiQL page served on ``GET /graphql`` to browsers.

The page is public; the requests it sends need a bearer token: its headers editor starts with
one to fill in (``siir token`` prints one for the embedded default). It loads nothing but the
gateway's own files (gateway/graphiql_assets.py), each pinned by an SRI hash, and its
Content-Security-Policy lets it reach nothing else. Headers, and so the token, are kept only in
the tab's memory unless the user turns on "Persist headers" in GraphiQL's settings.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from html import escape

from gateway.graphiql_assets import GraphiQLAssets

# shouldPersistHeaders is false (headers, so the token, are left out of the saved tabs) until the
# user opts in with "Persist headers" in the settings (showPersistHeadersSettings); GraphiQL 4
# resets that setting to the prop at each load, so the prop is her saved choice. GraphiQL 4 also
# saves each query's headers in its history ("graphiql:queries") whatever the setting, so its
# storage drops every "headers" member on write until she opts in, and then writes what it held
# back (GraphiQL saves the headers just before the setting). tests/gateway/test_graphiql.py reads
# what a real browser kept.
_INIT_SCRIPT = """
    const local = window.localStorage;
    const persistHeaders = () => local.getItem("graphiql:shouldPersistHeaders") === "true";
    const withoutHeaders = (key, value) => {
      if (key === "graphiql:headers") return "";
      try { return JSON.stringify(JSON.parse(value), (name, v) => name === "headers" ? null : v); }
      catch (error) { return value; }
    };
    const ours = () => Object.keys(local).filter((key) => key.startsWith("graphiql:"));
    const heldBack = new Map();
    const storage = {
      getItem: (key) => local.getItem(key),
      setItem: (key, value) => {
        if (key === "graphiql:shouldPersistHeaders" && value === "true") {
          heldBack.forEach((full, heldKey) => local.setItem(heldKey, full));
        }
        if (persistHeaders() || key === "graphiql:shouldPersistHeaders") {
          heldBack.clear();
          local.setItem(key, value);
        } else {
          heldBack.set(key, value);
          local.setItem(key, withoutHeaders(key, value));
        }
      },
      removeItem: (key) => { heldBack.delete(key); local.removeItem(key); },
      get length() { return ours().length; },
      clear: () => ours().forEach((key) => local.removeItem(key)),
    };
    const optedIn = local.getItem("graphiql:shouldPersistHeaders") === "true";
    const fetcher = GraphiQL.createFetcher({ url: window.location.pathname });
    const defaultHeaders = JSON.stringify(
      { Authorization: "Bearer <the output of: ./siirw token --role MINISTRY --sub you>" }, null, 2);
    ReactDOM.createRoot(document.getElementById("graphiql")).render(
      React.createElement(GraphiQL, {
        fetcher, storage, defaultHeaders, shouldPersistHeaders: optedIn, showPersistHeadersSettings: true }));
"""

_PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>SIIR GraphQL gateway</title>
{stylesheets}
  <style>body {{ margin: 0; height: 100vh; }} #graphiql {{ height: 100vh; }}</style>
</head>
<body>
  <div id="graphiql">Loading GraphiQL…</div>
{scripts}
  <script>{init}</script>
</body>
</html>
"""

_MISSING = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>SIIR GraphQL gateway</title></head>
<body><p>GraphiQL's files are not installed on this gateway: run <code>siir gateway</code> once with
access to the npm registry, or build the image (they come from <code>tools/graphiql</code>).
GraphQL itself is served here: POST your operations to this URL with a bearer token.</p></body></html>
"""


@dataclass(frozen=True, slots=True)
class GraphiQLPage:
    """The HTML and the response headers that go with it."""

    html: str
    headers: dict[str, str]


def script_hash(source: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode()).digest()).decode() + "'"


def graphiql_page(assets: GraphiQLAssets | None) -> GraphiQLPage:
    """The page loading ``assets``; without them, a page saying how to install them."""
    if assets is None:
        return GraphiQLPage(_MISSING, {"cache-control": "no-store"})
    stylesheets = "\n".join(f'  <link rel="stylesheet" href="{escape(a.url)}" integrity="{a.integrity}">'
                            for a in assets.stylesheets)
    scripts = "\n".join(f'  <script src="{escape(a.url)}" integrity="{a.integrity}"></script>'
                        for a in assets.scripts)
    html = _PAGE.format(stylesheets=stylesheets, scripts=scripts, init=_INIT_SCRIPT)
    # GraphiQL and React set inline styles, and GraphiQL's fonts and icons are data: URLs.
    policy = ("default-src 'none'; "
              f"script-src 'self' {script_hash(_INIT_SCRIPT)}; "
              "style-src 'self' 'unsafe-inline'; font-src 'self' data:; img-src 'self' data:; "
              "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
    return GraphiQLPage(html, {"content-security-policy": policy, "cache-control": "no-cache",
                               "x-content-type-options": "nosniff"})
