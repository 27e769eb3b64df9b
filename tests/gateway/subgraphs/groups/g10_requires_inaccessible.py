"""Group 10, @requires of @inaccessible fields and @requires with nested type conditions:
``products`` owns Product's ``weight`` (@inaccessible: not in the API schema, clients cannot
ask for it) and ``pack`` (a Pack interface: a Box has a ``depth``, a Bag a ``volume``).
``shipping``'s ``cost`` requires ``weight pack { ... on Box { depth } ... on Bag { volume } }``:
the planner must fetch the hidden field for the representation and keep the type conditions
(flattening them would ask ``depth`` of a Bag)."""

from __future__ import annotations

from typing import Any

LINK = ('extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: '
        '["@key", "@shareable", "@external", "@requires", "@provides", "@inaccessible"])\n')

PRODUCTS = {"p1": (3, {"__typename": "Box", "kind": "box", "depth": 20}),
            "p2": (1, {"__typename": "Bag", "kind": "bag", "volume": 5})}


def _product(pid: str) -> dict[str, Any]:
    weight, pack = PRODUCTS[pid]
    return {"__typename": "Product", "id": pid, "name": f"Produk {pid}", "weight": weight, "pack": pack}


PACK = '''
interface Pack { kind: String }
type Box implements Pack @shareable { kind: String depth: Int }
type Bag implements Pack @shareable { kind: String volume: Int }
'''

products = (LINK + '''
type Query { products: [Product!]! }
type Product @key(fields: "id") { id: ID! name: String weight: Int @inaccessible pack: Pack @shareable }
''' + PACK, {"Query.products": lambda *_: [_product(p) for p in PRODUCTS]},
    {"Product": lambda rep: _product(rep["id"]) if rep["id"] in PRODUCTS else None})


SENT = {"Box": {"__typename", "depth"}, "Bag": {"__typename", "volume"}}


def _cost(rep: dict[str, Any]) -> dict[str, Any]:
    pack = rep.get("pack") or {}
    size = pack.get("depth", pack.get("volume"))
    if not set(pack) <= SENT.get(pack.get("__typename"), set()):
        size = -1  # a field the @requires does not ask on this type: type conditions were flattened
    # Without the required fields the cost cannot be told: null, not a made-up figure.
    cost = None if rep.get("weight") is None or size is None else rep["weight"] * 1000 + size
    return {"__typename": "Product", "id": rep["id"], "cost": cost}


shipping = (LINK + '''
type Product @key(fields: "id") {
  id: ID!
  weight: Int @external
  pack: Pack @external
  cost: Int @requires(fields: "weight pack { ... on Box { depth } ... on Bag { volume } }")
}
''' + PACK, {}, {"Product": _cost})

SUBGRAPHS = {"products": products, "shipping": shipping}
