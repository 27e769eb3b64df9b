"""Audit-logging reads of personal data: one INSERT per operation, after it ran.

Resolvers of personal fields note each read (``PersonalRecord.disclose``); this extension names
the operation before execution and appends the notes when it ends. If the audit trail cannot be
written the answer is withheld: personal data is never returned unlogged.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

from strawberry.extensions import SchemaExtension

from siir.errors import DomainError

logger = logging.getLogger("siir.registry.audit")


class AuditUnavailable(DomainError):
    code = "INTERNAL_SERVER_ERROR"


class AuditReads(SchemaExtension):
    async def on_execute(self) -> AsyncIterator[None]:  # type: ignore[override]
        execution = self.execution_context
        context = execution.context
        kind = execution.operation_type.value if execution.operation_type else "query"
        context.operation = f"{kind} {execution.operation_name or '(anonymous)'}"[:200]
        yield
        try:
            await context.reads.flush(context.engine, context.actor())
        except Exception:
            logger.exception("could not append reads to the audit trail")
            raise AuditUnavailable("the audit trail could not be written, so no personal data is returned") from None
