"""Group 2, response-name conflicts in subgraph queries: key fields of one name but different
types across fragments (``ID!`` vs ``String!``), and the same field with different arguments
(two @requires of ``price(currency:)`` with different literals, a client variable vs a literal)."""

from __future__ import annotations

from typing import Any

LINK = ('extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: '
        '["@key", "@shareable", "@external", "@requires", "@provides"])\n')

RATES = {"USD": 1, "EUR": 2, "IDR": 15000}
GADGETS = [{"id": "g1", "base": 10}, {"id": "g2", "base": 30}]
TOOLS = [{"id": "t1", "base": 5}]


def _gadget(g: dict[str, Any]) -> dict[str, Any]:
    return {"__typename": "Gadget", "id": g["id"], "price": lambda info, currency: g["base"] * RATES[currency]}


def _tool(t: dict[str, Any]) -> dict[str, Any]:
    return {"__typename": "Tool", "id": t["id"], "price": lambda info, currency: t["base"] * RATES[currency]}


shop = (LINK + '''
type Query { things: [Thing!]! }
union Thing = Gadget | Tool
type Gadget @key(fields: "id") { id: ID! price(currency: String!): Int }
type Tool @key(fields: "id") { id: String! price(currency: String!): Int }
''', {"Query.things": lambda *_: [_gadget(GADGETS[0]), _tool(TOOLS[0]), _gadget(GADGETS[1])]},
    {"Gadget": lambda rep: next((_gadget(g) for g in GADGETS if g["id"] == rep["id"]), None),
     "Tool": lambda rep: next((_tool(t) for t in TOOLS if t["id"] == rep["id"]), None)})


def _labelled(rep: dict[str, Any]) -> dict[str, Any]:
    out = {"__typename": rep["__typename"], "id": rep["id"], "label": f"{rep['__typename'].lower()}-{rep['id']}"}
    if "price" in rep:
        # Each @requires sends its own price: a representation mixing two currencies is a bug.
        out["usd"] = f"usd:{rep['price']}"
        out["eur"] = f"eur:{rep['price']}"
    return out


labels = (LINK + '''
type Gadget @key(fields: "id") {
  id: ID!
  label: String
  price(currency: String!): Int @external
  usd: String @requires(fields: "price(currency: \\"USD\\")")
  eur: String @requires(fields: "price(currency: \\"EUR\\")")
}
type Tool @key(fields: "id") { id: String! label: String }
''', {}, {"Gadget": _labelled, "Tool": _labelled})

SUBGRAPHS = {"shop": shop, "labels": labels}
