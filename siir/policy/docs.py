"""``docs/roles.md``: the policies as a page, generated (``siir export-schema`` writes it; a test
fails when it drifts), so the roles table people read is the one the services enforce."""

from __future__ import annotations

from collections.abc import Iterable

from siir.auth.identity import Role
from siir.policy.rules import Disclosure, Policy, When

_SHORT = {Role.MINISTRY: "MIN", Role.PROVINCE_OFFICER: "PROV", Role.DISTRICT_OFFICER: "DIST",
          Role.FACILITATOR: "FAC", Role.PARTNER: "PART", Role.ANALYST: "ANL"}
_CELL = {Disclosure.FULL: "full", Disclosure.MASKED: "masked", Disclosure.GENERALISED: "generalised",
         Disclosure.WITHHELD: "withheld", Disclosure.FORBIDDEN: "—"}


def _cell(decision: Disclosure | When) -> str:
    if isinstance(decision, When):
        return f"{_CELL[decision.then]} if {decision.condition}, else {_CELL[decision.otherwise]}"
    return _CELL[decision]


def roles_page(policies: Iterable[Policy]) -> str:
    lines = [
        "# Who reaches what: the access policies",
        "",
        "Generated from `services/registry/policy.py` and `services/reporting/policy.py` by `siir export-schema`;",
        "do not edit by hand. Each row is a schema coordinate (`Type.field`, or `Type` for an entity type",
        "resolved through `_entities`); each cell what a role is given: full, masked, generalised, withheld",
        "(the role reaches the record, never this value) or — (refused). *Personal* fields are audited on",
        "every read and never carried by an event. The row scope names which records a field returns",
        "(enforced in SQL; its definition follows each table). A field missing here is refused to everyone.",
    ]
    roles = " | ".join(_SHORT[r] for r in Role)
    for policy in policies:
        lines += ["", f"## {policy.service}", "", f"| coordinate | {roles} | row scope | personal |",
                  "|---|" + "---|" * len(Role) + "---|---|"]
        for coordinate in sorted(policy.table):
            rule = policy.table[coordinate]
            cells = " | ".join(_cell(rule.decision(r)) for r in Role)
            lines.append(f"| `{coordinate}` | {cells} | {rule.scope or ''} | {'yes' if rule.personal else ''} |")
        lines += ["", "Row scopes:", ""]
        lines += [f"- `{name}`: {text}" for name, text in sorted(policy.scopes.items())]
    return "\n".join(lines) + "\n"
