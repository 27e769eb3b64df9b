"""Prepared operations: parse + validate + plan once per (document, operation name).

The cache is what makes the hot path cheap: a repeated query costs one dict lookup.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    GraphQLError,
    Lexer,
    OperationDefinitionNode,
    OperationType,
    Source,
    TokenKind,
    parse,
    validate,
)

from gateway import metrics
from gateway.authorization import Guard, Guards
from gateway.limits import (
    LimitExceeded,
    Limits,
    VariableDependent,
    check_cost,
    check_shape,
    estimate_cost,
    uses_introspection,
)
from gateway.plan import QueryPlan
from gateway.refusals import Withheld, withhold
from gateway.scalars import check_literals
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
                 well_formed: bool = True, headers: dict[str, str] | None = None) -> None:
        super().__init__("; ".join(e.message for e in errors))
        self.errors = [
            e if e.extensions else GraphQLError(e.message, e.nodes, e.source, e.positions, e.path,
                                                e.original_error, {"code": code})
            for e in errors
        ]
        self.status = status
        self.well_formed = well_formed
        self.headers = headers or {}

    @classmethod
    def of(cls, message: str, code: str, status: int = 400, **kwargs: Any) -> "RequestError":
        """One error with its code; ``status`` other than 400 is used whatever the media type."""
        return cls([GraphQLError(message, extensions={"code": code})], status, code=code, **kwargs)


def _more_tokens_than(query: str, limit: int | None) -> bool:
    """Whether the document has more than ``limit`` tokens (counted as the parser's limit counts
    them, comments included): tells a refusal by size from a syntax error without reading messages."""
    if limit is None:
        return False
    lexer = Lexer(Source(query))
    count = 0
    try:
        while count <= limit:
            previous, token = lexer.token, lexer.advance()
            if token.kind == TokenKind.EOF:
                return False
            between = token.prev
            while between is not None and between is not previous:
                count += between.kind == TokenKind.COMMENT
                between = between.prev
            count += 1
    except GraphQLError:
        return False  # not a size refusal: the text itself is not GraphQL
    return True


@dataclass(frozen=True)
class PreparedOperation:
    """A validated operation with its plan."""

    document: DocumentNode
    operation: OperationDefinitionNode
    plan: QueryPlan
    shaper: Shaper | None  # None: shaped by graphql-core (introspection, conditional fragments)
    fragments: dict[str, FragmentDefinitionNode]
    guards: tuple[Guard, ...] = ()  # authorization directives on the selected fields
    cost: int | None = 0  # estimated cost; None: depends on variables, computed per request
    variable_paths: dict[str, str] = field(default_factory=dict)  # variable → the argument path it fills
    withheld: dict[frozenset[str], Withheld] = field(default_factory=dict)  # refused paths → pruned operation

    @property
    def kind(self) -> OperationType:
        """query, mutation or subscription."""
        return self.operation.operation


class OperationCache:
    """LRU of prepared operations keyed by query text and operation name."""

    def __init__(self, supergraph: Supergraph, size: int = 1024, limits: Limits | None = None) -> None:
        self.supergraph = supergraph
        self.planner = Planner(supergraph)
        self.limits = limits if limits is not None else Limits()
        self.guards = Guards(supergraph)
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
            metrics.PLAN_CACHE_MISS.inc()
            try:
                entry = self.prepare(query, operation_name, labels)
            except RequestError as error:
                entry = error
            self._entries[key] = entry
            if len(self._entries) > self.size:
                self._entries.popitem(last=False)
        else:
            metrics.PLAN_CACHE_HIT.inc()
            self._entries.move_to_end(key)
        if isinstance(entry, RequestError):
            raise entry.with_traceback(None)  # a fresh traceback each time, not a growing one
        return entry

    def prepare(self, query: str, operation_name: str | None, labels: frozenset[str] = frozenset()) -> PreparedOperation:
        """Parse, check the limits, validate, select the operation and plan it (raises RequestError).

        The cheap limits run before validation, so an abusive document costs little; the
        cost estimate needs the types and runs after it. All of it before planning.
        """
        limits = self.limits
        try:
            document = parse(query, max_tokens=limits.max_tokens)
        except GraphQLError as error:
            if _more_tokens_than(query, limits.max_tokens):
                raise RequestError.of(f"The operation has more than {limits.max_tokens} tokens; "
                                      "that is the most allowed.", "MAX_TOKENS_EXCEEDED") from None
            raise RequestError([error], code="GRAPHQL_PARSE_FAILED") from None
        fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
        try:
            for definition in document.definitions:
                if isinstance(definition, OperationDefinitionNode):
                    check_shape(definition, fragments, limits)
        except LimitExceeded as error:
            raise RequestError.of(error.message, error.code) from None
        errors = validate(self.supergraph.api_schema, document, hide_suggestions=not limits.field_suggestions)
        if errors:
            raise RequestError(errors, code="GRAPHQL_VALIDATION_FAILED")
        refused, variable_paths = check_literals(self.supergraph.api_schema, document)
        if refused:
            raise RequestError(refused, code="BAD_USER_INPUT")
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
        if not limits.introspection and uses_introspection(operation, fragments):
            raise RequestError.of("Introspection is disabled on this gateway (__schema and __type); "
                                  "the schema is in schema/supergraph.graphql.", "INTROSPECTION_DISABLED")
        cost: int | None
        try:
            cost = estimate_cost(self.supergraph.api_schema, operation, fragments, limits, None,
                                 self.supergraph.field_costs)
            check_cost(cost, limits)
        except VariableDependent:
            cost = None
        except LimitExceeded as error:
            raise RequestError.of(error.message, error.code) from None
        guards = self.guards.collect(operation, fragments)
        try:
            plan = self.planner.plan(operation, fragments, labels)
            shaper = compile_shaper(self.supergraph.api_schema, operation, fragments)
        except RecursionError:
            # Planning and shaping recurse per selection level: refuse absurd depths cleanly.
            raise RequestError([GraphQLError("The operation is nested too deeply.")], code="BAD_REQUEST") from None
        return PreparedOperation(document, operation, plan, shaper, fragments, guards, cost, variable_paths)

    def withheld(self, prepared: PreparedOperation, refused: frozenset[str]) -> Withheld:
        """``prepared`` without the fields at the ``refused`` paths (gateway/refusals.py), remembered
        per operation: one role's callers refused the same fields ask for the same pruned text."""
        found = prepared.withheld.get(refused)
        if found is None:
            if len(prepared.withheld) >= 16:  # a handful of roles; bounded whatever the callers do
                prepared.withheld.pop(next(iter(prepared.withheld)))
            found = prepared.withheld[refused] = withhold(self.supergraph.api_schema, prepared.operation,
                                                          prepared.fragments, refused)
        return found

    def check_variable_cost(self, prepared: PreparedOperation, variables: dict[str, Any]) -> None:
        """The cost of an operation whose page sizes are variables, with this request's values."""
        if prepared.cost is None:
            try:
                check_cost(estimate_cost(self.supergraph.api_schema, prepared.operation, prepared.fragments,
                                         self.limits, variables, self.supergraph.field_costs), self.limits)
            except LimitExceeded as error:
                raise RequestError.of(error.message, error.code) from None
