"""Everything the gateway builds from one supergraph, as one value that a reload swaps whole.

A request reads ``Gateway.schema`` once and uses that value to the end, so a reload
(gateway/supergraph_reload.py) never mixes two supergraphs in one request and never drops one
in flight: the old value lives on until its last request finishes.
"""

from __future__ import annotations

from gateway.authorization import check_policies_known
from gateway.executor import Executor
from gateway.limits import Limits
from gateway.operation import OperationCache
from gateway.override_labels import OverrideLabels
from gateway.subgraph_client import SubgraphClient
from gateway.supergraph import Supergraph


class ServedSchema:
    """A supergraph with its operation cache (plans), override labels and executor."""

    def __init__(self, supergraph: Supergraph, client: SubgraphClient, limits: Limits) -> None:
        check_policies_known(supergraph)
        self.supergraph = supergraph
        self.operations = OperationCache(supergraph, limits=limits)
        self.labels = OverrideLabels(supergraph.override_labels)
        self.executor = Executor(supergraph, client)
