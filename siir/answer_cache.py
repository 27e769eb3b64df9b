"""Answers of repeated query operations, served again while they are still the answer (issue 16).

Why: a portal asks the same page, report or IR again and again, and most of what a subgraph spends
on it (graphql-core and strawberry walking hundreds of fields, SQL, rows) buys the same answer as
last time. One mechanism for both subgraphs; each says, in a subclass of ``ServeCachedAnswers``,
which root fields may be kept and how it knows an answer is still the answer:

- registry (``services/registry/graphql/answer_cache.py``): no write that could change it has
  committed since the snapshot it was computed on (a change log kept by triggers);
- reporting (``services/reporting/graphql/answer_cache.py``): the projection has not moved on since
  (the consumer's cursor, which every batch moves in the transaction that changes the projection).

What is kept: the answer of a query operation whose root fields are all in the subclass's ``roots``,
that had no error and that the subclass could date (``token``). Key: the document, the operation's
name, the variables, what a caller's answers depend on (``caller_key``: role, region, partner, scopes,
and a facilitator's own subject) and today's date (WIB). Callers with the same key get the same answer
by construction (policy and scope are functions of these), so the key never lets one caller's
disclosure reach another. An entry older than ``MAX_AGE`` is dropped.

Requests asking the same while it is being computed wait for that computation, then check it as any
kept answer: a burst costs one computation, and no answer is older than the request that gets it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections import OrderedDict
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, ClassVar

import orjson
from graphql import ExecutionResult, FieldNode, FragmentSpreadNode, InlineFragmentNode, OperationDefinitionNode
from prometheus_client import Counter
from strawberry.extensions import SchemaExtension

from siir.auth.identity import Identity, Role

logger = logging.getLogger("siir.answer_cache")

#: An entry older than this is not served (the registry's change log keeps rows for at least as long).
MAX_AGE = 300.0


@dataclass(frozen=True, slots=True)
class Entry:
    data: dict[str, Any]
    #: What the service checks the answer against (``ServeCachedAnswers.token``).
    token: Any
    #: ``time.monotonic()`` when its computation started (before anything it read).
    started: float
    #: What the service replays at each serving (``ServeCachedAnswers.kept_with``).
    extra: Any = None


def caller_key(identity: Identity) -> tuple[Any, ...]:
    """What a caller's answers depend on, of her identity: callers alike here get the same answers."""
    subject = identity.subject if identity.role is Role.FACILITATOR else None
    return (identity.role, identity.region, identity.partner, identity.scopes, subject)


def asks_roots_only(document: Any, operation_name: str | None, roots: frozenset[str]) -> bool:
    """Whether the operation is a query whose root fields (through fragments) are all in ``roots``."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is not None:
        operations = [d for d in operations if d.name is not None and d.name.value == operation_name]
    if len(operations) != 1 or operations[0].operation.value != "query":
        return False
    fragments = {d.name.value: d for d in document.definitions if not isinstance(d, OperationDefinitionNode)}

    def only_roots(selections: Any, seen: frozenset[str]) -> bool:
        for selection in selections:
            if isinstance(selection, FieldNode):
                if selection.name.value != "__typename" and selection.name.value not in roots:
                    return False
            elif isinstance(selection, InlineFragmentNode):
                if not only_roots(selection.selection_set.selections, seen):
                    return False
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if name in seen or name not in fragments or not only_roots(fragments[name].selection_set.selections,
                                                                           seen | {name}):
                    return False
            else:
                return False
        return True

    return only_roots(operations[0].selection_set.selections, frozenset())


class AnswerCache:
    """A bounded LRU of ``Entry`` per key and the computations in flight; one per process."""

    def __init__(self, size: int = 1000, max_age: float = MAX_AGE) -> None:
        self.size = size
        self.max_age = max_age
        self._entries: OrderedDict[tuple[Any, ...], Entry] = OrderedDict()
        self._computing: dict[tuple[Any, ...], asyncio.Future[Entry | None]] = {}

    def fresh(self, key: tuple[Any, ...]) -> Entry | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if time.monotonic() - entry.started >= self.max_age:
            del self._entries[key]
            return None
        self._entries.move_to_end(key)
        return entry

    async def kept_or_computing(self, key: tuple[Any, ...]) -> Entry | None:
        """The kept entry, or the one a request computing the same key is about to keep (None if it fails)."""
        entry = self.fresh(key)
        if entry is None and key in self._computing:
            entry = await asyncio.shield(self._computing[key])
        return entry

    def computing(self, key: tuple[Any, ...]) -> asyncio.Future[Entry | None] | None:
        """Claim the computation of ``key`` (None: another request holds it; compute without keeping)."""
        if key in self._computing:
            return None
        self._entries.pop(key, None)  # changed: requests arriving meanwhile wait for the new one
        future: asyncio.Future[Entry | None] = asyncio.get_running_loop().create_future()
        self._computing[key] = future
        return future

    def computed(self, key: tuple[Any, ...], future: asyncio.Future[Entry | None], entry: Entry | None) -> None:
        del self._computing[key]
        if entry is not None:
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        future.set_result(entry)


class ServeCachedAnswers(SchemaExtension):
    """Serves a kept answer while it is still the answer, keeps new ones (``AnswerCache`` on the context
    as ``answer_cache``); a service subclasses it with its roots, its outcome counter and its check."""

    #: Query fields whose answers may be kept; any other root is answered afresh.
    roots: ClassVar[frozenset[str]] = frozenset()
    #: Operations by outcome: hit, miss, stale (a kept answer had changed), bypass (not cacheable).
    outcomes: ClassVar[Counter]

    def today(self) -> dt.date:
        """The caller's day (WIB): answers about "today" end at midnight."""
        raise NotImplementedError

    async def before(self) -> Any:
        """Read before the answer is computed (reporting: the projection's position); default nothing."""
        return None

    async def token(self, before: Any) -> Any:
        """What the computed answer is checked against later; None: it is not kept."""
        raise NotImplementedError

    async def still_the_answer(self, entry: Entry) -> bool:
        raise NotImplementedError

    def kept_with(self) -> Any:
        """What to keep with a computed answer for ``served`` (the registry: the personal fields it showed)."""
        return None

    def served(self, entry: Entry) -> None:
        """A kept answer is being served to this request (the registry logs its reads here)."""

    async def _checked(self, entry: Entry) -> bool:
        try:
            return await self.still_the_answer(entry)
        except Exception:  # the database is away: answer afresh, which reports it properly
            logger.warning("could not check a kept answer", exc_info=True)
            return False

    def _key(self, cache: AnswerCache | None) -> tuple[Any, ...] | None:
        """The operation's key in ``cache``; None when it is not to be kept (no cache, not cacheable)."""
        execution = self.execution_context
        if cache is None or cache.size <= 0 or execution.graphql_document is None \
                or not asks_roots_only(execution.graphql_document, execution.operation_name, self.roots):
            return None
        identity = getattr(execution.context, "identity", None)
        if identity is None:
            return None
        try:
            variables = orjson.dumps(execution.variables, option=orjson.OPT_SORT_KEYS)
        except TypeError:
            return None
        return (execution.query, execution.operation_name, variables, caller_key(identity), self.today())

    async def on_execute(self) -> AsyncIterator[None]:  # type: ignore[override]
        execution = self.execution_context
        cache: AnswerCache | None = getattr(execution.context, "answer_cache", None)
        key = self._key(cache)
        if cache is None or key is None:
            self.outcomes.labels("bypass").inc()
            yield
            return
        entry = await cache.kept_or_computing(key)
        stale = entry is not None
        future = None
        for _ in range(3):  # a kept answer, else the one another request is computing, else compute it here
            if entry is not None and await self._checked(entry):
                self.outcomes.labels("hit").inc()
                self.served(entry)
                execution.result = ExecutionResult(data=entry.data, errors=None)
                yield
                return
            newer = cache.fresh(key)
            if newer is not None and newer is not entry:  # another request kept a new answer while this one checked
                entry = newer
                continue
            future = cache.computing(key)
            if future is not None:
                break
            entry = await cache.kept_or_computing(key)  # another request is computing it: wait for that
            if entry is None:
                break
        self.outcomes.labels("stale" if stale else "miss").inc()
        started = time.monotonic()
        kept: Entry | None = None
        try:
            try:
                before, dated = await self.before(), True
            except Exception:  # the answer is computed (and reports an outage properly), only not kept
                logger.warning("could not date an answer to keep", exc_info=True)
                before, dated = None, False
            yield
            result = execution.result
            if dated and future is not None and isinstance(result, ExecutionResult) and not result.errors \
                    and result.data is not None:
                try:
                    token = await self.token(before)
                except Exception:  # the answer stands; it is only not kept
                    logger.warning("could not date an answer to keep", exc_info=True)
                    token = None
                if token is not None:
                    kept = Entry(data=result.data, token=token, started=started, extra=self.kept_with())
        finally:
            if future is not None:
                cache.computed(key, future, kept)
