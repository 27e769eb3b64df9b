"""Group 13, Federation 2.8 ``@context``/``@fromContext`` and 2.9 ``@cost``/``@listSize``:
``teams`` owns Team (a context named ``team``, its ``currency`` and ``region``) and Club, with a
sliced, weighted list; ``fees`` resolves ``Member.fee``, ``tax`` and ``levy``, whose arguments
come from the enclosing Team's (or Club's) context, not from the client (they are not in the
API schema). ``region`` and ``dues`` are ``@external`` in ``fees``: the context's field lives in
another subgraph than the field that takes it. ``levy`` reads a context set by two types
(Team and Club both set ``team``), with a type condition per type. Member m1 belongs to both teams, so one entity
gets different arguments under different ancestors."""

from __future__ import annotations

from typing import Any

LINK = ('extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: '
        '["@key", "@shareable", "@external", "@context", "@fromContext", "@cost", "@listSize"])\n')

TEAMS = {"t1": ("IDR", "Jawa", ["m1", "m2"]), "t2": ("USD", "Bali", ["m3", "m1"])}
CLUBS = {"c1": ("EUR", "Lombok", "5000", ["m2"])}
NAMES = {"m1": "Sari", "m2": "Budi", "m3": "Ayu"}


def _member(mid: str) -> dict[str, Any]:
    return {"__typename": "Member", "id": mid, "name": NAMES.get(mid)}


def _team(tid: str) -> dict[str, Any]:
    currency, region, members = TEAMS[tid]
    return {"__typename": "Team", "id": tid, "currency": currency, "region": region,
            "members": [_member(m) for m in members]}


def _club(cid: str) -> dict[str, Any]:
    currency, region, dues, members = CLUBS[cid]
    return {"__typename": "Club", "id": cid, "currency": currency, "region": region, "dues": dues,
            "members": [_member(m) for m in members]}


teams = (LINK + '''
type Query {
  team(id: ID!): Team
  teams(first: Int = 10): [Team!]! @listSize(assumedSize: 10, slicingArguments: ["first"])
  holders: [Holder!]!
}
union Holder = Team | Club
type Team @key(fields: "id") @context(name: "team") {
  id: ID!
  currency: String @shareable
  region: String
  members: [Member!]! @shareable @cost(weight: 3)
}
type Club @key(fields: "id") @context(name: "team") {
  id: ID!
  currency: String
  region: String
  dues: String
  members: [Member!]! @shareable
}
type Member @key(fields: "id") { id: ID! name: String }
''', {"Query.team": lambda _, info, id: _team(id) if id in TEAMS else None,
      "Query.teams": lambda _, info, first=10: [_team(t) for t in list(TEAMS)[:first]],
      "Query.holders": lambda _, info: [_team("t1"), _club("c1"), _team("t2")]},
    {"Team": lambda rep: _team(rep["id"]) if rep["id"] in TEAMS else None,
     "Club": lambda rep: _club(rep["id"]) if rep["id"] in CLUBS else None,
     "Member": lambda rep: _member(rep["id"])})


def _fee(name: str):  # type: ignore[no-untyped-def]
    def resolve(obj: Any, info: Any, **arguments: Any) -> str:
        value = next(iter(arguments.values()), None)
        return f"{name} {obj['id']} {value if value is not None else '?'}"
    return resolve


fees = (LINK + '''
type Query {
  featured: Team
}
type Team @key(fields: "id") @context(name: "team") {
  id: ID!
  currency: String @shareable
  region: String @external
  members: [Member!]! @shareable
}
type Club @key(fields: "id") @context(name: "team") {
  id: ID!
  currency: String @external
  region: String @external
  dues: String @external
  members: [Member!]! @shareable
}
type Member @key(fields: "id") {
  id: ID!
  fee(currency: String @fromContext(field: "$team { currency }")): String
  tax(region: String @fromContext(field: "$team { region }")): String
  levy(basis: String @fromContext(field: "$team ... on Team { currency } ... on Club { dues }")): String
}
''', {"Query.featured": lambda _, info: {k: v for k, v in _team("t2").items() if k != "region"},
      "Member.fee": _fee("fee"), "Member.tax": _fee("tax"), "Member.levy": _fee("levy")},
    {"Team": lambda rep: {k: v for k, v in _team(rep["id"]).items() if k != "region"} if rep["id"] in TEAMS else None,
     "Club": lambda rep: {"__typename": "Club", "id": rep["id"], "members": _club(rep["id"])["members"]}
     if rep["id"] in CLUBS else None,
     "Member": lambda rep: {"__typename": "Member", "id": rep["id"]}})

SUBGRAPHS = {"teams": teams, "fees": fees}
