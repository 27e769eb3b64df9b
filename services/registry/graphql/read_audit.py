"""Audit-logging reads of personal data and denied attempts: one INSERT per operation, after it ran.

Resolvers of personal fields note each read (``PersonalRecord.disclose``); every FORBIDDEN a
resolver raised is noted from the operation's errors, so no refusal escapes the trail whichever
resolver raised it and whether or not the rest of the operation succeeded. This extension names
the operation before execution and appends the notes when it ends. If the audit trail cannot be
written the answer is withheld: personal data is never returned unlogged.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence

from graphql.error import GraphQLError
from strawberry.extensions import SchemaExtension

from services.registry.data.audit import Denial, ReadLog, Record
from siir.errors import DomainError, Forbidden

logger = logging.getLogger("siir.registry.audit")


class AuditUnavailable(DomainError):
    code = "INTERNAL_SERVER_ERROR"


def note_denials(reads: ReadLog, errors: Sequence[GraphQLError]) -> None:
    """One denial per FORBIDDEN error, with the path of the refused field."""
    for error in errors:
        refusal = error.original_error
        if not isinstance(refusal, Forbidden):
            continue
        path = ".".join(str(part) for part in error.path or ()) or "(operation)"
        record = refusal.record if isinstance(refusal.record, Record) else None
        reads.deny(Denial(path=path[:1000], reason=refusal.message[:1000], record=record, region_code=refusal.region))


class AuditReads(SchemaExtension):
    async def on_execute(self) -> AsyncIterator[None]:  # type: ignore[override]
        execution = self.execution_context
        context = execution.context
        kind = execution.operation_type.value if execution.operation_type else "query"
        context.operation = f"{kind} {execution.operation_name or '(anonymous)'}"[:200]
        yield
        if execution.result is not None and execution.result.errors:
            note_denials(context.reads, execution.result.errors)
        try:
            await context.reads.flush(context.engine, context.actor())
        except Exception:
            logger.exception("could not append reads and denials to the audit trail")
            raise AuditUnavailable("the audit trail could not be written, so no personal data is returned") from None
