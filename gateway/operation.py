"""Prepared operations: parse + validate + plan once per (document, operation name).

The cache is what makes the hot path cheap: a repeated query costs one dict lookup.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    GraphQLError,
    OperationDefinitionNode,
    OperationType,
    parse,
    validate,
)

from gateway.plan import QueryPlan
from gateway.planner import Planner
from gateway.shaper import Shaper, compile_shaper
from gateway.supergraph import Supergraph


class RequestError(Exception):
    """A request that fails before execution (GraphQL over HTTP: no ``data`` key).

    ``well_formed`` False means the HTTP request itself is not a GraphQL request (bad JSON,
    no query): 400 whatever the media type. ``code`` goes into each error's extensions,
    with the codes Apollo Router and Hive Gateway use.
    """

    def __init__(self, errors: list[GraphQLError], status: int = 400, *, code: str = "BAD_REQUEST",
                 well_formed: bool = True) -> None:
        super().__init__("; ".join(e.message for e in errors))
        self.errors = [
            e if e.extensions else GraphQLError(e.message, e.nodes, e.source, e.positions, e.path,
                                                e.original_error, {"code": code})
            for e in errors
        ]
        self.status = status
        self.well_formed = well_formed


@dataclass(frozen=True)
class PreparedOperation:
    """A validated operation with its plan."""

    document: DocumentNode
    operation: OperationDefinitionNode
    plan: QueryPlan
    shaper: Shaper | None  # None: shaped by graphql-core (introspection, conditional fragments)

    @property
    def kind(self) -> OperationType:
        """query, mutation or subscription."""
        return self.operation.operation


class OperationCache:
    """LRU of prepared operations keyed by query text and operation name."""

    def __init__(self, supergraph: Supergraph, size: int = 1024) -> None:
        self.supergraph = supergraph
        self.planner = Planner(supergraph)
        self.size = size
        # Refused documents are cached too: a client repeating a bad query costs a lookup.
        self._entries: OrderedDict[tuple[str, str | None, frozenset[str]], PreparedOperation | RequestError] = \
            OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, query: str, operation_name: str | None, labels: frozenset[str] = frozenset()) -> PreparedOperation:
        """Return the prepared operation, preparing and caching it on first use.

        ``labels``: progressive @override labels in force (plans differ by them).
        """
        key = (query, operation_name, labels)
        entry = self._entries.get(key)
        if entry is None:
            try:
                entry = self.prepare(query, operation_name, labels)
            except RequestError as error:
                entry = error
            self._entries[key] = entry
            if len(self._entries) > self.size:
                self._entries.popitem(last=False)
        else:
            self._entries.move_to_end(key)
        if isinstance(entry, RequestError):
            raise entry.with_traceback(None)  # a fresh traceback each time, not a growing one
        return entry

    def prepare(self, query: str, operation_name: str | None, labels: frozenset[str] = frozenset()) -> PreparedOperation:
        """Parse, validate, select the operation and plan it (raises RequestError)."""
        try:
            document = parse(query)
        except GraphQLError as error:
            raise RequestError([error], code="GRAPHQL_PARSE_FAILED") from None
        errors = validate(self.supergraph.api_schema, document)
        if errors:
            raise RequestError(errors, code="GRAPHQL_VALIDATION_FAILED")
        operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        if operation_name is None:
            if len(operations) != 1:
                raise RequestError([GraphQLError("Must provide operation name if query contains multiple operations.")],
                                   code="OPERATION_RESOLUTION_FAILURE")
            operation = operations[0]
        else:
            found = [o for o in operations if o.name is not None and o.name.value == operation_name]
            if not found:
                raise RequestError([GraphQLError(f"Unknown operation named '{operation_name}'.")],
                                   code="OPERATION_RESOLUTION_FAILURE")
            operation = found[0]
        if operation.operation == OperationType.SUBSCRIPTION:
            raise RequestError([GraphQLError("Subscriptions are not supported by this gateway.")])
        fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
        try:
            plan = self.planner.plan(operation, fragments, labels)
            shaper = compile_shaper(self.supergraph.api_schema, operation, fragments)
        except RecursionError:
            # Planning and shaping recurse per selection level: refuse absurd depths cleanly.
            raise RequestError([GraphQLError("The operation is nested too deeply.")], code="BAD_REQUEST") from None
        return PreparedOperation(document, operation, plan, shaper)
