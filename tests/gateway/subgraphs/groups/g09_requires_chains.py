"""Group 9, @requires chains that return to a subgraph: ``total`` (ledger) requires ``tax``
(catalog), which requires ``net`` (ledger), which requires ``base`` (catalog): catalog →
ledger → catalog → ledger, four fetch steps and no cycle."""

from __future__ import annotations

from typing import Any

LINK = ('extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: '
        '["@key", "@shareable", "@external", "@requires", "@provides"])\n')

BASE = {"p1": 100, "p2": 250}


def _catalog(pid: str, rep: dict[str, Any] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"__typename": "Product", "id": pid, "base": BASE[pid], "name": f"product-{pid}"}
    if rep is not None and "net" in rep:
        out["tax"] = rep["net"] // 10
    return out


def _ledger(rep: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"__typename": "Product", "id": rep["id"]}
    if "base" in rep:
        out["net"] = rep["base"] - 5
    if "tax" in rep:
        out["total"] = f"{rep['tax']} tax"
    return out


catalog = (LINK + '''
type Query { products: [Product!]! }
type Product @key(fields: "id") {
  id: ID!
  name: String
  base: Int
  net: Int @external
  tax: Int @requires(fields: "net")
}
''', {"Query.products": lambda *_: [_catalog(p) for p in BASE]},
    {"Product": lambda rep: _catalog(rep["id"], rep) if rep["id"] in BASE else None})

ledger = (LINK + '''
type Product @key(fields: "id") {
  id: ID!
  base: Int @external
  net: Int @requires(fields: "base")
  tax: Int @external
  total: String @requires(fields: "tax")
}
''', {}, {"Product": _ledger})

SUBGRAPHS = {"catalog": catalog, "ledger": ledger}
