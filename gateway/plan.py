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


@dataclass(frozen=True)
class Fetch:
    """One subgraph request.

    Root fetches have ``path == ()`` and no representations. Entity fetches collect the
    objects at ``path`` (``"@"`` steps into lists) whose ``__typename`` is a key of
    ``representations``, send them to ``_entities`` in one call, and merge the answers back.
    """

    id: int
    graph: str
    operation: str
    variable_names: tuple[str, ...]
    path: tuple[str, ...] = ()
    representations: tuple[tuple[str, str, tuple[RepField, ...]], ...] = ()  # (type, sent __typename, fields)
    depends_on: tuple[int, ...] = ()
    # Response keys that get an error when this fetch fails: per entity type ("" for root).
    failure_keys: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @property
    def is_entity_fetch(self) -> bool:
        """Whether this fetch goes through ``_entities``."""
        return bool(self.representations)


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
                where = ".".join(f.path) or "<root>"
                kinds = ",".join(t for t, _, _ in f.representations)
                head = f"Fetch#{f.id}({f.graph}"
                head += f", entities {kinds} at {where}" if f.is_entity_fetch else ""
                head += f", after {list(f.depends_on)}" if f.depends_on else ""
                lines.append(f"    {head}) {{ {f.operation} }}")
            lines.append("  }")
        lines.append("}")
        return "\n".join(lines)
