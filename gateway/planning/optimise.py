"""Stage 3: optimise the fetch graph into stages.

- Fetches that ended up selecting nothing are dropped.
- Each fetch runs in the stage after the last of its dependencies, so independent fetches run
  in parallel (the executor gathers a stage's fetches concurrently).
- Entity fetches to one subgraph in one stage become one request (one part per merge path),
  so a subgraph gets one batched call per plan step.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gateway.planning.errors import PlanningError
from gateway.planning.fetch_graph import FetchGraph, FetchNode


@dataclass
class Step:
    """One request of the plan: a root fetch, or merged entity fetches to one subgraph."""

    id: int
    graph: str
    members: list[FetchNode]
    depends_on: tuple[int, ...] = ()
    entity: bool = field(default=False)


def _levels(nodes: list[FetchNode]) -> dict[int, int]:
    levels: dict[int, int] = {}

    def level(node: FetchNode, seen: frozenset[int] = frozenset()) -> int:
        if node.id not in levels:
            if node.id in seen:
                raise PlanningError("cyclic dependency between fetches")
            levels[node.id] = 1 + max((level(d, seen | {node.id}) for d in node.deps), default=-1)
        return levels[node.id]

    for node in nodes:
        level(node)
    return levels


def optimise(graph: FetchGraph) -> list[list[Step]]:
    """The fetch graph's requests, stage by stage."""
    levels = _levels(graph.nodes)
    kept = [n for n in graph.nodes if not n.selection.is_empty()]
    kept_ids = {n.id for n in kept}
    merged: dict[tuple[int, str], list[FetchNode]] = {}
    for node in kept:
        if node.entity:
            merged.setdefault((levels[node.id], node.graph), []).append(node)
    owner = {member.id: members[0].id for members in merged.values() for member in members}
    stages: dict[int, list[Step]] = {}
    for node in kept:
        members = merged[(levels[node.id], node.graph)] if node.entity else [node]
        if members[0] is not node:
            continue  # merged into the first entity fetch of this subgraph and stage
        deps = {owner.get(d.id, d.id) for m in members for d in m.deps if d.id in kept_ids}
        stages.setdefault(levels[node.id], []).append(
            Step(node.id, node.graph, members, tuple(sorted(deps - {node.id})), node.entity))
    return [stages[k] for k in sorted(stages)]
