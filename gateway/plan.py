"""Query plans: plain values the planner produces and the executor runs.

A plan is a list of stages; fetches in one stage run concurrently, stages run in order.
``str(plan)`` prints it for tests and debugging.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class RepField:
    """One field of an entity representation: ``name`` read from ``response_key``."""

    name: str
    response_key: str
    children: tuple["RepField", ...] = ()
    on: frozenset[str] | None = None  # inside a type condition: the object types it holds for


Representation = tuple[str, str, tuple[RepField, ...]]  # (object type, sent __typename, fields)


@dataclass(frozen=True)
class ContextSource:
    """Where a contextual argument's value may come from: the ancestor ``depth`` steps down the
    entity's response path (its first ``depth`` path steps), when that object is one of
    ``on``; the value is the first of ``fields`` (one per type condition of the
    ``@fromContext`` selection) that holds for it."""

    depth: int
    on: frozenset[str]
    fields: tuple[RepField, ...]


@dataclass(frozen=True)
class ContextRead:
    """A ``@fromContext`` argument's value for each entity: ``$variable`` takes the value of the
    first of ``sources`` (nearest ancestor first) that holds; null when none does."""

    variable: str
    sources: tuple[ContextSource, ...]


@dataclass(frozen=True)
class EntityPart:
    """The objects at one ``path`` (``"@"`` steps into lists) sent to one ``_entities`` field.

    Objects are picked by ``__typename`` (a key of ``representations``); the field is
    ``alias`` in the subgraph operation and gets its representations in ``$variable``.
    ``contexts``: the ``@fromContext`` arguments its fields take (``$variable`` each). Entities
    whose ancestors give different values are sent in separate copies of the ``_entities``
    field, one per distinct set of values (see ``gateway.executor``).
    """

    path: tuple[str, ...]
    representations: tuple[Representation, ...]
    failure_keys: tuple[tuple[str, tuple[str, ...]], ...] = ()
    alias: str = "_entities"
    variable: str = "representations"
    contexts: tuple[ContextRead, ...] = ()


@dataclass(frozen=True)
class Fetch:
    """One subgraph request.

    Root fetches have no ``parts``; ``failure_keys`` names the root fields that get an error
    when the request fails. Entity fetches have one part per path: fetches to the same
    subgraph in the same stage are merged into one request, each path an aliased
    ``_entities`` field, so a subgraph gets one batched call per plan step.
    """

    id: int
    graph: str
    operation: str
    variable_names: tuple[str, ...]
    depends_on: tuple[int, ...] = ()
    failure_keys: tuple[tuple[str, tuple[str, ...]], ...] = ()
    parts: tuple[EntityPart, ...] = ()

    @property
    def is_entity_fetch(self) -> bool:
        """Whether this fetch goes through ``_entities``."""
        return bool(self.parts)

    @property
    def path(self) -> tuple[str, ...]:
        """The merge path of the first part (``()`` for a root fetch)."""
        return self.parts[0].path if self.parts else ()

    @property
    def representations(self) -> tuple[Representation, ...]:
        """The representation specs of every part."""
        return tuple(r for part in self.parts for r in part.representations)


@dataclass(frozen=True)
class QueryPlan:
    """Stages of fetches, plus whether the operation needs introspection only."""

    kind: str
    stages: tuple[tuple[Fetch, ...], ...] = field(default_factory=tuple)

    @property
    def fetches(self) -> list[Fetch]:
        """All fetches in run order."""
        return [f for stage in self.stages for f in stage]

    def __str__(self) -> str:
        lines = [f"QueryPlan({self.kind}) {{"]
        for n, stage in enumerate(self.stages):
            lines.append(f"  Stage {n} {{")
            for f in stage:
                head = f"Fetch#{f.id}({f.graph}"
                if f.is_entity_fetch:
                    head += ", entities " + " + ".join(
                        f"{','.join(t for t, _, _ in p.representations)} at {'.'.join(p.path)}" for p in f.parts)
                head += f", after {list(f.depends_on)}" if f.depends_on else ""
                lines.append(f"    {head}) {{ {f.operation} }}")
            lines.append("  }")
        lines.append("}")
        return "\n".join(lines)
