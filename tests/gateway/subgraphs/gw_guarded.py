"""Fixture subgraphs carrying the authorization directives (Federation v2.5, @policy v2.6):
``@authenticated``, ``@requiresScopes`` and ``@policy`` on fields and types, in two subgraphs
so that guarded fields are reached by root fields and by entity jumps alike.

``directory``: IR-like records (``Enterprise``) with personal fields and an owner type that
is personal as a whole; an aggregate open to every caller; an audit trail for some roles.
``mentoring``: adds facilitator notes to ``Enterprise`` (an entity field in another subgraph)
and a scope-guarded export.
"""

from __future__ import annotations

from typing import Any

LINK = ('extend schema @link(url: "https://specs.apollo.dev/federation/v2.6", import: '
        '["@key", "@authenticated", "@requiresScopes", "@policy"])\n')

ENTERPRISES = [
    {"id": "e1", "name": "Keripik Bu Sri", "region": "33.74", "nik": "3374014101800001", "owner": "Sri"},
    {"id": "e2", "name": "Batik Laras", "region": "35.07", "nik": "3507015202850002", "owner": "Laras"},
]


def _enterprise(e: dict[str, Any]) -> dict[str, Any]:
    return {"__typename": "Enterprise", "id": e["id"], "name": e["name"], "region": e["region"], "nik": e["nik"],
            "owner": {"name": e["owner"], "phone": "0812-0000-000" + e["id"][-1]}}


DIRECTORY = (LINK + '''
type Query {
  "Counts only: open to every authenticated caller."
  enterpriseCount: Int! @authenticated
  enterprises: [Enterprise!]! @policy(policies: [["records"]])
  enterprise(id: ID!): Enterprise @policy(policies: [["records"]])
  auditTrail: [AuditEntry!]! @requiresScopes(scopes: [["role:DISTRICT_OFFICER"], ["role:MINISTRY"]])
}

type Mutation {
  renameEnterprise(id: ID!, name: String!): Enterprise
    @requiresScopes(scopes: [["role:DISTRICT_OFFICER"]])
}

type Enterprise @key(fields: "id") {
  id: ID!
  name: String!
  region: String!
  nik: String @policy(policies: [["personal_data"]])
  owner: Owner
}

type Owner @policy(policies: [["personal_data"]]) {
  name: String!
  phone: String
}

type AuditEntry {
  id: ID!
  what: String!
}
''', {
    "Query.enterpriseCount": lambda *_: len(ENTERPRISES),
    "Query.enterprises": lambda *_: [_enterprise(e) for e in ENTERPRISES],
    "Query.enterprise": lambda _, __, id: next((_enterprise(e) for e in ENTERPRISES if e["id"] == id), None),
    "Query.auditTrail": lambda *_: [{"id": "a1", "what": "read e1.nik"}],
    "Mutation.renameEnterprise": lambda _, __, id, name: {**_enterprise(ENTERPRISES[0]), "name": name},
}, {"Enterprise": lambda rep: next((_enterprise(e) for e in ENTERPRISES if e["id"] == rep["id"]), None)})

MENTORING = (LINK + '''
type Query {
  "A bulk export: needs the MINISTRY role and the export:read scope."
  exportAll: String @requiresScopes(scopes: [["role:MINISTRY", "export:read"]])
}

type Enterprise @key(fields: "id") {
  id: ID!
  notes: [String!]! @requiresScopes(scopes: [["role:FACILITATOR"], ["role:DISTRICT_OFFICER"]])
  "Nullable, so a caller refused it gets null there and the rest of the answer."
  visits: Int @requiresScopes(scopes: [["role:FACILITATOR"], ["role:DISTRICT_OFFICER"]])
  mentored: Boolean!
}
''', {
    "Query.exportAll": lambda *_: "id,name\ne1,Keripik Bu Sri\ne2,Batik Laras",
}, {"Enterprise": lambda rep: {"__typename": "Enterprise", "id": rep["id"], "notes": [f"visit {rep['id']}"],
                               "visits": 3, "mentored": True}})

GUARDED_SUBGRAPHS = {"directory": DIRECTORY, "mentoring": MENTORING}
