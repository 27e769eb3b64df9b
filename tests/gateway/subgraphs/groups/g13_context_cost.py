"""Group 13, Federation 2.8 ``@context``/``@fromContext`` and 2.9 ``@cost``/``@listSize``:
``teams`` owns Team (a context named ``team``, its ``currency``) with a sliced, weighted list;
``fees`` resolves ``Member.fee``, whose ``currency`` argument comes from the enclosing Team's
context, not from the client (it is not in the API schema)."""

from __future__ import annotations

from typing import Any

LINK = ('extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: '
        '["@key", "@shareable", "@context", "@fromContext", "@cost", "@listSize"])\n')

TEAMS = {"t1": ("IDR", ["m1", "m2"]), "t2": ("USD", ["m3"])}
NAMES = {"m1": "Sari", "m2": "Budi", "m3": "Ayu"}


def _team(tid: str) -> dict[str, Any]:
    currency, members = TEAMS[tid]
    return {"__typename": "Team", "id": tid, "currency": currency,
            "members": [{"__typename": "Member", "id": m, "name": NAMES[m]} for m in members]}


teams = (LINK + '''
type Query {
  team(id: ID!): Team
  teams(first: Int = 10): [Team!]! @listSize(assumedSize: 10, slicingArguments: ["first"])
}
type Team @key(fields: "id") @context(name: "team") {
  id: ID!
  currency: String @shareable
  members: [Member!]! @shareable @cost(weight: 3)
}
type Member @key(fields: "id") { id: ID! name: String }
''', {"Query.team": lambda _, info, id: _team(id) if id in TEAMS else None,
      "Query.teams": lambda _, info, first=10: [_team(t) for t in list(TEAMS)[:first]]},
    {"Team": lambda rep: _team(rep["id"]) if rep["id"] in TEAMS else None,
     "Member": lambda rep: {"__typename": "Member", "id": rep["id"], "name": NAMES.get(rep["id"])}})

fees = (LINK + '''
type Team @key(fields: "id") @context(name: "team") {
  id: ID!
  currency: String @shareable
  members: [Member!]! @shareable
}
type Member @key(fields: "id") {
  id: ID!
  fee(currency: String @fromContext(field: "$team { currency }")): String
}
''', {"Member.fee": lambda obj, info, currency=None: f"10 {currency}" if currency else "10 ?"},
    {"Team": lambda rep: _team(rep["id"]) if rep["id"] in TEAMS else None,
     "Member": lambda rep: {"__typename": "Member", "id": rep["id"]}})

SUBGRAPHS = {"teams": teams, "fees": fees}
