"""Group 7, @interfaceObject: ``accounts`` defines the interface Account (entity, key ``id``)
and its implementations User and Org; ``billing`` models Account as an @interfaceObject with
``plan`` and ``label`` (which @requires the ``name`` owned by ``accounts``), and answers
``overdue`` (Accounts it can only name as ``Account``). The required ``name`` must go into the
representation sent to ``billing``; the concrete type is looked up in ``accounts`` only when the
selection needs it (``__typename`` or a field of User or Org); ``billing`` is never sent a
fragment on User or Org, which it does not know."""

from __future__ import annotations

from typing import Any

LINK = ('extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: '
        '["@key", "@shareable", "@external", "@requires", "@provides", "@interfaceObject"])\n')

ACCOUNTS = {"u1": ("User", "Sari", "sari@example.id"), "o1": ("Org", "Koperasi Maju", 12), "u2": ("User", "Budi", None)}
PLANS = {"u1": "FREE", "o1": "GOLD", "u2": "FREE"}


def _account(aid: str) -> dict[str, Any] | None:
    if aid not in ACCOUNTS:
        return None
    kind, name, extra = ACCOUNTS[aid]
    out: dict[str, Any] = {"__typename": kind, "id": aid, "name": name}
    out["email" if kind == "User" else "members"] = extra
    return out


accounts = (LINK + '''
type Query { accounts: [Account!]! }
interface Account @key(fields: "id") { id: ID! name: String }
type User implements Account @key(fields: "id") { id: ID! name: String email: String }
type Org implements Account @key(fields: "id") { id: ID! name: String members: Int }
''', {"Query.accounts": lambda *_: [_account(a) for a in ACCOUNTS]},
    {"Account": lambda rep: _account(rep["id"]), "User": lambda rep: _account(rep["id"]),
     "Org": lambda rep: _account(rep["id"])})


def _billing(rep: dict[str, Any]) -> dict[str, Any] | None:
    if rep["id"] not in PLANS:
        return None
    out = {"__typename": "Account", "id": rep["id"], "plan": PLANS[rep["id"]]}
    if "name" in rep:  # sent only when `label` is asked (its @requires)
        out["label"] = f"{rep['name']} ({PLANS[rep['id']]})"
    return out


billing = (LINK + '''
type Query { overdue: [Account!]! }
type Account @key(fields: "id") @interfaceObject { id: ID! name: String @external plan: String label: String @requires(fields: "name") }
''', {"Query.overdue": lambda *_: [_billing({"id": "o1"}), _billing({"id": "u2"})]},
    {"Account": _billing})

SUBGRAPHS = {"accounts": accounts, "billing": billing}
