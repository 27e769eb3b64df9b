"""Group 12, client aliases that collide with key or required fields inside nested and
compound keys: Item's key is ``sku maker { code }``; ``extra``'s ``shipping`` requires
``weight`` and ``size { width }``; clients alias other fields to those names."""

from __future__ import annotations

from typing import Any

LINK = ('extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: '
        '["@key", "@shareable", "@external", "@requires", "@provides"])\n')

ITEMS = [{"sku": "A", "maker": {"code": "m1", "name": "Batik Sri"}, "weight": 3, "size": {"width": 10, "depth": 4}},
         {"sku": "B", "maker": {"code": "m2", "name": "Kopi Jaya"}, "weight": 7, "size": {"width": 20, "depth": 9}}]


def _store(i: dict[str, Any]) -> dict[str, Any]:
    return {"__typename": "Item", **i}


def _extra(rep: dict[str, Any]) -> dict[str, Any] | None:
    item = next((i for i in ITEMS if i["sku"] == rep["sku"] and i["maker"]["code"] == rep["maker"]["code"]), None)
    if item is None:
        return None
    out: dict[str, Any] = {"__typename": "Item", "sku": item["sku"], "maker": {"code": item["maker"]["code"]},
                           "stock": len(item["sku"]) * 5}
    if "weight" in rep:
        out["shipping"] = f"{rep['weight']}kg/{rep['size']['width']}cm"
    return out


store = (LINK + '''
type Query { items: [Item!]! }
type Item @key(fields: "sku maker { code }") { sku: String! maker: Maker! weight: Int size: Size }
type Maker @shareable { code: String! name: String }
type Size { width: Int depth: Int }
''', {"Query.items": lambda *_: [_store(i) for i in ITEMS]}, {"Item": lambda rep: next(
    (_store(i) for i in ITEMS if i["sku"] == rep["sku"] and i["maker"]["code"] == rep["maker"]["code"]), None)})

extra = (LINK + '''
type Item @key(fields: "sku maker { code }") {
  sku: String!
  maker: Maker!
  stock: Int
  weight: Int @external
  size: Size @external
  shipping: String @requires(fields: "weight size { width }")
}
type Maker @shareable { code: String! }
type Size @external { width: Int }
''', {}, {"Item": _extra})

SUBGRAPHS = {"store": store, "extra": extra}
