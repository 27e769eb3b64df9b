"""The rule types a service's policy is written in, and the policy as a table of them."""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from siir.auth.identity import Role
from siir.errors import Forbidden

ALL_ROLES: frozenset[Role] = frozenset(Role)


class Disclosure(enum.StrEnum):
    """How much of a field's value a role is given."""

    #: The value as stored.
    FULL = "FULL"
    #: Part of it (lokal-id's partial masks: ``3374********0001``, ``0812****7890``, ``Jl. ***``).
    MASKED = "MASKED"
    #: A coarser value (coordinates cut to 0.1°, about 11 km).
    GENERALISED = "GENERALISED"
    #: The role reaches the record but never this value: asking for it is refused (FORBIDDEN, naming
    #: the field), and other surfaces (the audit trail) show it as withheld.
    WITHHELD = "WITHHELD"
    #: The role does not reach the field at all (the gateway refuses it before planning).
    FORBIDDEN = "FORBIDDEN"


#: What a role is given of a value, from the least to the most.
ORDER = (Disclosure.FORBIDDEN, Disclosure.WITHHELD, Disclosure.GENERALISED, Disclosure.MASKED, Disclosure.FULL)


@dataclass(frozen=True, slots=True)
class When:
    """A disclosure that depends on the row: ``then`` when the service's named ``condition`` holds for
    the object the field belongs to (the owner consented; the team lies in the caller's region),
    else ``otherwise``."""

    condition: str
    then: Disclosure
    otherwise: Disclosure

    def least(self) -> Disclosure:
        return min(self.then, self.otherwise, key=ORDER.index)

    def most(self) -> Disclosure:
        return max(self.then, self.otherwise, key=ORDER.index)


Decision = Disclosure | When


class PolicyError(ValueError):
    """A policy that contradicts itself or names what the service does not define (refused at build)."""


@dataclass(frozen=True, slots=True)
class FieldRule:
    """Who reaches one schema coordinate, and how much of its value each role is given."""

    #: ``Type.field``, or ``Type`` for an entity type (who may resolve it through ``_entities``).
    coordinate: str
    #: Role → disclosure; a role not named is FORBIDDEN (default deny).
    roles: Mapping[Role, Decision]
    #: The named row scope that limits which records the field returns or belongs to (enforced in SQL
    #: by the service's ``data/``); None for fields that return no records.
    scope: str | None = None
    #: Personal data (UU 27/2022): masked or generalised by the mechanism as declared, every read
    #: reported to the service's audit trail, never carried by an event or an error message.
    personal: bool = False
    #: The masker (by the service's name for it) MASKED and GENERALISED apply.
    mask: str | None = None
    #: The field's name in the audit trail; default the GraphQL field name.
    name: str | None = None

    def decision(self, role: Role) -> Decision:
        return self.roles.get(role, Disclosure.FORBIDDEN)

    @property
    def reach(self) -> frozenset[Role]:
        """Roles that may select the field (everything but FORBIDDEN in every case)."""
        return frozenset(
            role for role, d in self.roles.items()
            if (d.most() if isinstance(d, When) else d) is not Disclosure.FORBIDDEN
        )

    @property
    def field_name(self) -> str:
        return self.name or self.coordinate.rpartition(".")[2]


def grant(
    type_name: str,
    fields: str,
    roles: Mapping[Role, Decision] | Iterable[Role],
    *,
    scope: str | None = None,
    personal: bool = False,
    mask: str | None = None,
    name: str | None = None,
) -> list[FieldRule]:
    """One rule per field named (space-separated; ``""`` is the type itself), with the same roles.

    ``roles`` given as a set of roles grants each FULL.
    """
    decisions = dict(roles) if isinstance(roles, Mapping) else {role: Disclosure.FULL for role in roles}
    names = fields.split() or [""]
    return [
        FieldRule(f"{type_name}.{f}" if f else type_name, decisions, scope=scope, personal=personal, mask=mask, name=name)
        for f in names
    ]


#: ``condition(context, type_name, source)``: whether a ``When`` holds for one object (may be async).
Condition = Callable[[Any, str, Any], bool | Awaitable[bool]]


@dataclass
class Policy:
    """A service's whole policy: every coordinate of its schema, and the service's named scopes,
    maskers and conditions its rules refer to."""

    service: str
    rules: Iterable[FieldRule]
    #: Scope name → what it admits, in words (the SQL lives in the service's ``data/``).
    scopes: Mapping[str, str] = field(default_factory=dict)
    maskers: Mapping[str, Callable[[Any], Any]] = field(default_factory=dict)
    conditions: Mapping[str, Condition] = field(default_factory=dict)
    #: ``on_read(context, type_name, source, rule, disclosure)``: a personal value was given out.
    on_read: Callable[[Any, str, Any, FieldRule, Disclosure], None] | None = None
    #: ``concerning(type_name, source)``: the record a refusal is about, for the audit trail (or None).
    concerning: Callable[[str, Any], Any] | None = None
    #: (row scope, role) → why the role is refused every field of that scope, in words the caller can act
    #: on; otherwise a refusal names the coordinate and the roles it is for.
    explanations: Mapping[tuple[str, Role], str] = field(default_factory=dict)
    table: dict[str, FieldRule] = field(init=False)

    def __post_init__(self) -> None:
        self.table = {}
        for rule in self.rules:
            if rule.coordinate in self.table:
                raise PolicyError(f"{self.service}: {rule.coordinate} is declared twice")
            self.table[rule.coordinate] = rule
            for role, d in rule.roles.items():
                if not isinstance(role, Role):
                    raise PolicyError(f"{rule.coordinate}: {role!r} is not a role")
                for each in (d.then, d.otherwise) if isinstance(d, When) else (d,):
                    if each in (Disclosure.MASKED, Disclosure.GENERALISED) and rule.mask not in self.maskers:
                        raise PolicyError(f"{rule.coordinate}: {each} for {role} needs a masker")
                if isinstance(d, When) and d.condition not in self.conditions:
                    raise PolicyError(f"{rule.coordinate}: no condition named {d.condition!r}")
            if rule.scope is not None and rule.scope not in self.scopes:
                raise PolicyError(f"{rule.coordinate}: no row scope named {rule.scope!r}")

    def rule(self, coordinate: str) -> FieldRule | None:
        return self.table.get(coordinate)

    def decision(self, coordinate: str, role: Role) -> Decision:
        """FORBIDDEN for a coordinate with no entry: default deny."""
        rule = self.table.get(coordinate)
        return rule.decision(role) if rule is not None else Disclosure.FORBIDDEN

    def personal(self) -> list[FieldRule]:
        return [rule for rule in self.table.values() if rule.personal]

    def require(self, role: Role | None, coordinate: str) -> None:
        """FORBIDDEN unless ``role`` reaches ``coordinate``: for entry points outside GraphQL (exports),
        which answer exactly as the field they render would."""
        rule = self.table.get(coordinate)
        if role is None or rule is None or role not in rule.reach:
            raise Forbidden(self.refusal_message(rule, coordinate, role, False), coordinate=coordinate)

    def refusal_message(self, rule: FieldRule | None, coordinate: str, role: Role | None, withheld: bool) -> str:
        """What a refused caller is told: the coordinate and the roles it is for, never a value."""
        if rule is None:
            return f"{coordinate} has no access policy, so it is refused to everyone"
        if withheld:
            return f"{role} may not read {rule.field_name}"
        if role is not None and rule.scope is not None and (rule.scope, role) in self.explanations:
            return self.explanations[(rule.scope, role)]
        allowed = ", ".join(r for r in Role if r in rule.reach) or "nobody"
        return f"{coordinate} is for {allowed}; you are {role or 'unauthenticated'}"

