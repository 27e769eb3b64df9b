"""The query planner: supergraph model + validated operation → QueryPlan.

Pure: no I/O, no clock, no request state. Planning runs in four stages, one module each in
``gateway.planning``: normalise the operation, build the fetch graph over the supergraph,
optimise it into stages, emit the printable plan.
"""

from __future__ import annotations

from graphql import FragmentDefinitionNode, GraphQLSchema, OperationDefinitionNode

from gateway.plan import QueryPlan
from gateway.planning.emit import emit
from gateway.planning.errors import PlanningError
from gateway.planning.fetch_graph import Memo, build_fetch_graph
from gateway.planning.normalise import normalise
from gateway.planning.optimise import optimise
from gateway.supergraph import Supergraph

__all__ = ["Planner", "PlanningError"]


class Planner:
    """Plans operations against one supergraph. Holds no per-request state between calls."""

    def __init__(self, supergraph: Supergraph) -> None:
        self.supergraph = supergraph
        self.schema: GraphQLSchema = supergraph.api_schema
        self._memos: dict[frozenset[str], Memo] = {}

    def plan(self, operation: OperationDefinitionNode, fragments: dict[str, FragmentDefinitionNode],
             labels: frozenset[str] = frozenset()) -> QueryPlan:
        """Plan a validated operation (with the document's fragments) for the progressive
        @override ``labels`` in force."""
        normalised = normalise(self.schema, operation, fragments)
        memo = self._memos.get(labels) or self._memos.setdefault(labels, Memo())
        graph = build_fetch_graph(self.supergraph, normalised, labels, memo)
        return emit(graph, optimise(graph))
