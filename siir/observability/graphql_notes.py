"""What a subgraph's GraphQL execution tells the request's notes: the operation's name, and
whether the answer carries errors (strawberry answers those with HTTP 200)."""

from __future__ import annotations

from collections.abc import Iterator

from strawberry.extensions import SchemaExtension

from siir.observability.request import note_graphql_errors, note_operation


class NoteOperation(SchemaExtension):
    """Notes each operation's name and errors for the access line and metrics."""

    def on_operation(self) -> Iterator[None]:
        yield
        context = self.execution_context
        try:
            name = context.operation_name
        except Exception:  # an unparsable document has no operation to name
            name = None
        if context.graphql_document is not None:
            note_operation(name)
        result = context.result
        if context.pre_execution_errors or (result is not None and result.errors):
            note_graphql_errors()
