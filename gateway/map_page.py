"""The map page served on ``GET /map``: IR of a region on a map, at the precision the caller's role
may see (the registry's ``homeIndustryMap``), and the class counts of its child regions for a
choropleth (the reporting service's ``classDistribution(groupByChildren: true)``).

Like the GraphiQL page (gateway/graphiql.py): public, loading nothing but the gateway's own files
(Leaflet from tools/map's locked npm install, each pinned by an SRI hash), its
Content-Security-Policy letting it reach nothing else but the base tiles, when a tiles URL is set
(``SIIR_MAP_TILES_URL``); without one (an intranet without internet) the features are drawn on a
plain background. The page asks for a token and keeps it in the tab's memory only, unless the user
ticks "Remember the token in this browser".

SIIR holds no region boundaries (the regions table has codes and names only), so the choropleth is
a table of counts per child region code, shaded by count, for a client's own boundary layer.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from html import escape
from pathlib import Path
from urllib.parse import urlsplit

from gateway.graphiql import script_hash
from gateway.graphiql_assets import Asset, GraphiQLAssetsMissing, load_asset
from gateway.node_tools import PROJECT_ROOT, ensure_installed

MAP_DIR = PROJECT_ROOT / "tools" / "map"
#: Where the gateway serves the files: ``/map-assets/<package>@<version>/<file>``.
MAP_ASSETS_PATH = "/map-assets"
MAP_PATH = "/map"

_MAP_QUERY = ("query($r: String!) { homeIndustryMap(regionCode: $r) "
              "{ precision regionCode featureCount suppressed withoutLocation geoJson } }")
_CHOROPLETH_QUERY = ("query($r: String) { classDistribution(regionCode: $r, groupByChildren: true) "
                     "{ regionCode regionName children { nodes { regionCode regionName statistics "
                     "{ counts { unassessed pemula berkembang maju } } } } } }")

_SCRIPT = """
(() => {
  const config = JSON.parse(document.getElementById("map-config").textContent);
  const KEY = "siir-map:token";
  const $ = (id) => document.getElementById(id);
  const saved = window.localStorage.getItem(KEY);
  if (saved) { $("token").value = saved; $("remember").checked = true; }
  const map = L.map("map", { preferCanvas: false }).setView([-2.5, 118], 5);
  if (config.tilesUrl) {
    L.tileLayer(config.tilesUrl, { attribution: config.tilesAttribution, maxZoom: 18 }).addTo(map);
  }
  let layer = null;
  const ask = async (query, variables) => {
    const response = await fetch(config.graphqlPath, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer " + $("token").value.trim() },
      body: JSON.stringify({ query, variables }),
    });
    return response.json();
  };
  const cellBounds = (lat, lon, size) => {
    // The generalised corner is cut toward zero: the cell extends away from it.
    const dLat = lat < 0 || Object.is(lat, -0) ? -size : size;
    const dLon = lon < 0 || Object.is(lon, -0) ? -size : size;
    return [[lat, lon], [lat + dLat, lon + dLon]];
  };
  const text = (value) => document.createTextNode(String(value));
  const show = async (event) => {
    event.preventDefault();
    const summary = $("summary");
    summary.dataset.state = "loading";
    summary.textContent = "Loading…";
    if ($("remember").checked) window.localStorage.setItem(KEY, $("token").value.trim());
    else window.localStorage.removeItem(KEY);
    const region = $("region").value.trim();
    const answer = await ask(config.mapQuery, { r: region });
    if (layer) { layer.remove(); layer = null; }
    const table = $("regions");
    table.replaceChildren();
    if (answer.errors) {
      summary.dataset.state = "error";
      summary.dataset.code = (answer.errors[0].extensions || {}).code || "";
      summary.textContent = answer.errors[0].message;
      return;
    }
    const found = answer.data.homeIndustryMap;
    const collection = JSON.parse(found.geoJson);
    layer = L.geoJSON(collection, {
      pointToLayer: (feature, latlng) => {
        const count = feature.properties.count;
        if (found.precision === "GRID_CELL") {
          return L.rectangle(cellBounds(latlng.lat, latlng.lng, feature.properties.cellDegrees),
                             { weight: 1, color: "#b45309", fillOpacity: Math.min(0.8, 0.2 + count / 50) });
        }
        return L.circleMarker(latlng, { radius: 6, weight: 1, color: "#1d4ed8", fillOpacity: 0.7 });
      },
      onEachFeature: (feature, made) => {
        const p = feature.properties;
        made.bindTooltip(p.registrationNumber ? p.registrationNumber + " (" + (p["class"] || "unassessed") + ")"
                                              : p.count + " IR");
      },
    }).addTo(map);
    const placed = collection.features.filter((f) => f.geometry);
    if (placed.length) map.fitBounds(layer.getBounds(), { padding: [20, 20], maxZoom: 14 });
    const unplaced = collection.features.filter((f) => !f.geometry);
    for (const feature of unplaced) {  // sub-district counts (partners): no geometry in SIIR
      const row = table.insertRow();
      row.insertCell().append(text(feature.properties.regionCode));
      row.insertCell().append(text(feature.properties.regionName || ""));
      row.insertCell().append(text(feature.properties.count));
    }
    summary.dataset.precision = found.precision;
    summary.dataset.features = String(found.featureCount);
    summary.dataset.suppressed = String(found.suppressed);
    summary.textContent = found.featureCount + " features (" + found.precision + "), " + found.suppressed
      + " left out for a count of 1–4, " + found.withoutLocation + " IR without coordinates.";
    // The choropleth: class counts per child region (the reporting service), for a boundary layer.
    const counts = await ask(config.choroplethQuery, { r: region || null }).catch(() => null);
    const children = counts && counts.data && counts.data.classDistribution
      ? counts.data.classDistribution.children.nodes : null;
    if (children) {
      const total = (c) => ["unassessed", "pemula", "berkembang", "maju"].reduce((s, k) => s + (c[k] || 0), 0);
      const most = Math.max(1, ...children.map((c) => total(c.statistics.counts)));
      for (const child of children) {
        const row = table.insertRow();
        const n = total(child.statistics.counts);
        row.style.background = "rgba(180, 83, 9, " + (0.1 + 0.6 * n / most).toFixed(2) + ")";
        row.insertCell().append(text(child.regionCode));
        row.insertCell().append(text(child.regionName));
        row.insertCell().append(text(n));
      }
      $("choropleth").dataset.state = "done";
    } else {
      $("choropleth").dataset.state = "unavailable";
    }
    summary.dataset.state = "done";
  };
  $("ask").addEventListener("submit", show);
})();
"""

_PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>SIIR map</title>
{stylesheets}
  <style>
    body {{ margin: 0; font: 14px system-ui, sans-serif; display: grid; grid-template-columns: 1fr 22rem; height: 100vh; }}
    #map {{ background: #e5ecf2; height: 100vh; }}
    aside {{ padding: 0.8rem; overflow: auto; }}
    label {{ display: block; margin: 0.4rem 0; }} input[type=password], input[type=text] {{ width: 100%; }}
    table {{ border-collapse: collapse; width: 100%; }} td {{ padding: 2px 4px; border-bottom: 1px solid #ddd; }}
  </style>
</head>
<body>
  <div id="map"></div>
  <aside>
    <h1>IR map (peta IR)</h1>
    <form id="ask">
      <label>Token <input id="token" type="password" autocomplete="off"
        placeholder="the output of: ./siirw token --role DISTRICT_OFFICER --region 33.74"></label>
      <label><input id="remember" type="checkbox"> Remember the token in this browser</label>
      <label>Region code <input id="region" type="text" value="33.74"></label>
      <button type="submit">Show</button>
    </form>
    <p id="summary" data-state="idle">Precision follows your role: exact points for the regency/city office,
      0.1° cells for the ministry and provinces, sub-district counts for partners.</p>
    <h2>Counts per region</h2>
    <p>SIIR holds no region boundaries: join these codes to your own boundary layer.</p>
    <table id="choropleth" data-state="idle"><tbody id="regions"></tbody></table>
  </aside>
  <script type="application/json" id="map-config">{config}</script>
{scripts}
  <script>{init}</script>
</body>
</html>
"""

_MISSING = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>SIIR map</title></head>
<body><p>The map page's files are not installed on this gateway: run <code>siir gateway</code> once with
access to the npm registry, or build the image (they come from <code>tools/map</code>).
The map's data is served all the same: <code>homeIndustryMap</code> in GraphQL.</p></body></html>
"""

#: (package, file within it), in the order the page loads them.
_SCRIPTS = (("leaflet", "dist/leaflet.js"),)
_STYLESHEETS = (("leaflet", "dist/leaflet.css"),)


@dataclass(frozen=True, slots=True)
class MapPage:
    html: str
    headers: dict[str, str]
    status: int
    assets: dict[str, Asset]


def install() -> Path:
    """``npm ci`` in tools/map unless its lock file is installed already."""
    return ensure_installed(MAP_DIR)


def map_page(graphql_path: str, tiles_url: str = "", tiles_attribution: str = "",
             node_modules: Path = MAP_DIR / "node_modules") -> MapPage:
    try:
        scripts = [load_asset(node_modules, *entry, base=MAP_ASSETS_PATH) for entry in _SCRIPTS]
        stylesheets = [load_asset(node_modules, *entry, base=MAP_ASSETS_PATH) for entry in _STYLESHEETS]
    except GraphiQLAssetsMissing:
        return MapPage(_MISSING, {"cache-control": "no-store"}, 503, {})
    config = json.dumps({"graphqlPath": graphql_path, "tilesUrl": tiles_url, "tilesAttribution": tiles_attribution,
                         "mapQuery": _MAP_QUERY, "choroplethQuery": _CHOROPLETH_QUERY}).replace("</", "<\\/")
    html = _PAGE.format(
        stylesheets="\n".join(f'  <link rel="stylesheet" href="{escape(a.url)}" integrity="{a.integrity}">'
                              for a in stylesheets),
        scripts="\n".join(f'  <script src="{escape(a.url)}" integrity="{a.integrity}"></script>' for a in scripts),
        config=config, init=_SCRIPT)
    tiles = ""
    if tiles_url:
        parts = urlsplit(tiles_url.replace("{s}", "a"))
        tiles = f" {parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") and parts.netloc else ""
        if "{s}" in tiles_url:
            tiles = f" {parts.scheme}://*.{parts.netloc.split('.', 1)[1]}" if "." in parts.netloc else tiles
    # Leaflet positions its panes with inline styles; the table rows are shaded by script.
    policy = ("default-src 'none'; "
              f"script-src 'self' {script_hash(_SCRIPT)}; "
              "style-src 'self' 'unsafe-inline'; "
              f"img-src 'self' data:{tiles}; "
              "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
    return MapPage(html, {"content-security-policy": policy, "cache-control": "no-cache",
                          "x-content-type-options": "nosniff"}, 200,
                   {asset.url: asset for asset in (*scripts, *stylesheets)})
