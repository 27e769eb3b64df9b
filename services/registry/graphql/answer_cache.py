"""Answers of repeated portal queries, served again until a write that could change them commits (issue 16).

Why: a regency office's page of 50 IR costs about 25 ms of the registry's CPU (graphql-core and
strawberry walking 750 fields, SQL, rows), and the same page is asked again and again while nothing in
the regency changes. Served from here it costs one SQL statement and the audit row.

What is kept: the answer of a query operation whose root fields are all in ``CACHED_ROOTS``, that
read from the database and had no error. Key: the document, the operation's name, the variables,
what a caller's answers depend on (role, region, partner, scopes, and a facilitator's own subject:
her assignments) and today's date (WIB). Callers with the same key get the same answer by
construction (the policy and the scope are functions of these), so the key never lets one caller's
disclosure reach another.

When it is served again: only if no write that could change it committed after the snapshot it was
computed on (``data/data_changes.py``, one statement): a change in the caller's region, or a change
noted as '' (tables that reach across regencies). That the region is enough holds because every IR
reaches a caller through her record scope (``RegistryContext.record_scope``: the loaders and lists
filter by it) and the IR's own rows through the IR; the roots below answer nothing else from IR
data. An entry older than ``MAX_AGE`` is dropped (what lets the change log be pruned).

Every serving is audit-logged as a read by the caller served (the personal fields the answer
discloses, kept with it), through ``AuditReads`` like any other answer. Requests asking the same while
it is being computed wait for that computation, then check it as above: a burst costs one
computation, and no answer is older than the request that gets it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import orjson
from graphql import ExecutionResult, FieldNode, FragmentSpreadNode, InlineFragmentNode, OperationDefinitionNode
from prometheus_client import Counter
from sqlalchemy.ext.asyncio import AsyncEngine
from strawberry.extensions import SchemaExtension

from services.registry.data import data_changes
from services.registry.data.audit import Record
from siir.auth.identity import Identity, Role

logger = logging.getLogger("siir.registry.answer_cache")

#: Query fields whose answers may be kept: each reads IR only through the caller's record scope, and
#: otherwise reference rows whose changes are noted as ''. Not here (answered afresh): the audit trail
#: and import jobs (their tables are not in the change log), possible duplicates and pending transfers
#: (they show IR of other regencies), the map and worklists (not portal pages measured for it), and
#: federation's ``_entities``/``_service``. A field added to the schema is answered afresh until it is
#: added here on the same grounds.
CACHED_ROOTS = frozenset({
    "homeIndustries", "homeIndustry", "homeIndustryByRegistrationNumber", "intervention",
    "region", "regions", "facilitators", "facilitator",
})

#: An entry older than this is not served; the change log keeps rows for at least as long.
MAX_AGE = 300.0

#: Region-scoped roles: their answers depend on their region only. Others (MINISTRY, PARTNER) on the country.
_REGIONAL_ROLES = frozenset({Role.PROVINCE_OFFICER, Role.DISTRICT_OFFICER, Role.FACILITATOR})

OUTCOMES = Counter("siir_registry_answer_cache", "Query operations by what the answer cache did: hit (served a kept "
                   "answer), miss (computed and kept it), stale (a kept answer had changed, recomputed), bypass "
                   "(not cacheable: a root outside CACHED_ROOTS, a mutation, an error, no read).", ["outcome"])


@dataclass(frozen=True, slots=True)
class Entry:
    data: dict[str, Any]
    #: The personal fields the answer discloses, per record (``ReadLog.fields``), logged again at each serving.
    disclosed: dict[Record, dict[str, str]]
    #: The ``pg_snapshot`` the answer was computed on.
    snapshot: str
    #: The region its data lie in (None: the country), for the change check.
    region: str | None
    #: ``time.monotonic()`` when its computation started (before its snapshot was taken).
    started: float


def region_of(identity: Identity) -> str | None:
    """The region a caller's answers draw their IR data from (None: any)."""
    return identity.region if identity.role in _REGIONAL_ROLES else None


def caller_key(identity: Identity) -> tuple[Any, ...]:
    """What a caller's answers depend on, of her identity: callers alike here get the same answers."""
    subject = identity.subject if identity.role is Role.FACILITATOR else None
    return (identity.role, identity.region, identity.partner, identity.scopes, subject)


def asks_cached_roots_only(document: Any, operation_name: str | None) -> bool:
    """Whether the operation is a query whose root fields (through fragments) are all in ``CACHED_ROOTS``."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is not None:
        operations = [d for d in operations if d.name is not None and d.name.value == operation_name]
    if len(operations) != 1 or operations[0].operation.value != "query":
        return False
    fragments = {d.name.value: d for d in document.definitions if not isinstance(d, OperationDefinitionNode)}

    def only_cached(selections: Any, seen: frozenset[str]) -> bool:
        for selection in selections:
            if isinstance(selection, FieldNode):
                if selection.name.value != "__typename" and selection.name.value not in CACHED_ROOTS:
                    return False
            elif isinstance(selection, InlineFragmentNode):
                if not only_cached(selection.selection_set.selections, seen):
                    return False
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if name in seen or name not in fragments or not only_cached(fragments[name].selection_set.selections,
                                                                            seen | {name}):
                    return False
            else:
                return False
        return True

    return only_cached(operations[0].selection_set.selections, frozenset())


class AnswerCache:
    """A bounded LRU of ``Entry`` per key, the computations in flight, and the change log's pruning."""

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

    async def prune_changes(self, engine: AsyncEngine) -> None:
        """Forever: every ``max_age``, forget the change-log rows every live entry's snapshot already saw.

        The horizon is the oldest running transaction as of ``max_age`` ago: every entry still served
        started after that, so its snapshot saw every transaction below it (and so does every replica's,
        whose entries age alike).
        """
        horizon: str | None = None
        while True:
            try:
                if horizon is not None:
                    await data_changes.prune(engine, horizon)
                horizon = await data_changes.oldest_running(engine)
            except Exception:  # an outage: try again next round
                logger.warning("could not prune the change log", exc_info=True)
            await asyncio.sleep(self.max_age)


class ServeCachedAnswers(SchemaExtension):
    """Serves a kept answer when it is still the answer, keeps new ones (``AnswerCache``).

    Runs inside ``OneSnapshotPerQuery`` (the snapshot is still open when the answer is kept) and
    ``AuditReads`` (which logs what a served answer discloses, like any answer).
    """

    async def _still_the_answer(self, entry: Entry) -> bool:
        try:
            return not await data_changes.changed_since(self.execution_context.context.engine, entry.snapshot, entry.region)
        except Exception:  # the database is away: answer afresh, which reports it properly
            logger.warning("could not check a kept answer", exc_info=True)
            return False

    def _key(self, cache: AnswerCache | None) -> tuple[Any, ...] | None:
        """The operation's key in ``cache``; None when it is not to be kept (no cache, not cacheable)."""
        execution = self.execution_context
        if cache is None or cache.size <= 0 or execution.graphql_document is None \
                or not asks_cached_roots_only(execution.graphql_document, execution.operation_name):
            return None
        try:
            variables = orjson.dumps(execution.variables, option=orjson.OPT_SORT_KEYS)
        except TypeError:
            return None
        context = execution.context
        return (execution.query, execution.operation_name, variables, caller_key(context.identity), context.today())

    async def on_execute(self) -> AsyncIterator[None]:  # type: ignore[override]
        execution = self.execution_context
        context = execution.context
        cache: AnswerCache | None = getattr(context, "answer_cache", None)
        key = self._key(cache)
        if cache is None or key is None:
            OUTCOMES.labels("bypass").inc()
            yield
            return
        entry = await cache.kept_or_computing(key)
        stale = entry is not None
        future = None
        for _ in range(3):  # a kept answer, else the one another request is computing, else compute it here
            if entry is not None and await self._still_the_answer(entry):
                OUTCOMES.labels("hit").inc()
                for record, fields in entry.disclosed.items():
                    for name, disclosure in fields.items():
                        context.reads.note(record, name, disclosure)
                execution.result = ExecutionResult(data=entry.data, errors=None)
                yield
                return
            future = cache.computing(key)
            if future is not None:
                break
            entry = await cache.kept_or_computing(key)  # another request is computing it: wait for that
            if entry is None:
                break
        OUTCOMES.labels("stale" if stale else "miss").inc()
        started = time.monotonic()
        kept: Entry | None = None
        try:
            yield
            result = execution.result
            if future is not None and isinstance(result, ExecutionResult) and not result.errors and result.data is not None:
                try:
                    snapshot = await context.snapshot.seen()
                except Exception:  # the answer stands; it is only not kept
                    logger.warning("could not read the snapshot of an answer to keep", exc_info=True)
                    snapshot = None
                if snapshot is not None:
                    kept = Entry(data=result.data, snapshot=snapshot, region=region_of(context.identity), started=started,
                                 disclosed={record: dict(fields) for record, fields in context.reads.fields.items()})
        finally:
            if future is not None:
                cache.computed(key, future, kept)
