"""Group 4, fields reached through a parent entity: Order is an entity of ``orders`` and
``shipping``; its ``shipment`` (a Shipment, a value type with no key anywhere) is resolved by
both, but ``tracking`` and ``events`` only by ``shipping``: they can only be fetched by asking
``shipping`` for the Order and going down to its shipment there."""

from __future__ import annotations

from typing import Any

LINK = ('extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: '
        '["@key", "@shareable", "@external", "@requires", "@provides"])\n')

ORDERS = {"o1": {"carrier": "JNE", "tracking": "T-1"}, "o2": {"carrier": "POS", "tracking": "T-2"}}


def _order(oid: str, full: bool) -> dict[str, Any]:
    shipment: dict[str, Any] = {"carrier": ORDERS[oid]["carrier"]}
    if full:
        shipment["tracking"] = ORDERS[oid]["tracking"]
        shipment["events"] = [{"at": f"{oid}-packed", "where": {"city": "Semarang"}},
                              {"at": f"{oid}-sent", "where": {"city": "Solo"}}]
    return {"__typename": "Order", "id": oid, "shipment": shipment}


orders = (LINK + '''
type Query { orders: [Order!]! order(id: ID!): Order }
type Order @key(fields: "id") { id: ID! total: Int shipment: Shipment @shareable }
type Shipment @shareable { carrier: String }
''', {"Query.orders": lambda *_: [{**_order(o, False), "total": 10 * i} for i, o in enumerate(ORDERS, 1)],
      "Query.order": lambda _, info, id: {**_order(id, False), "total": 5} if id in ORDERS else None},
    {"Order": lambda rep: {**_order(rep["id"], False), "total": 1}})

shipping = (LINK + '''
type Order @key(fields: "id") { id: ID! shipment: Shipment @shareable }
type Shipment @shareable { carrier: String tracking: String events: [Event!]! }
type Event { at: String where: Place }
type Place { city: String }
''', {}, {"Order": lambda rep: _order(rep["id"], True) if rep["id"] in ORDERS else None})

SUBGRAPHS = {"orders": orders, "shipping": shipping}
