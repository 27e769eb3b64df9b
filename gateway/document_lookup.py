"""Which GraphQL text a request executes: its own, a registered persisted document, or an APQ hash's.

- ``documentId`` (GraphQL over HTTP; ``sha256:<hex>`` or a manifest's id): a registered document,
  else (APQ on) a query this gateway cached under that hash.
- ``extensions.persistedQuery.sha256Hash`` (Apollo's APQ) without the query: the same look-up;
  with the query: the hash is checked against it, and once the operation has passed validation and
  the limits (``remember``, as Apollo Server does) the text is cached for the next request: only
  valid documents of at most ``SIIR_GATEWAY_MAX_TOKENS`` tokens take room in the cache.
- ``query`` alone: executed as sent.

A miss answers ``PERSISTED_QUERY_NOT_FOUND`` (the code Apollo's clients react to by sending the
text). In production mode (``only_registered``) only registered documents run: free text answers
``PERSISTED_QUERY_ID_REQUIRED``, a hash never registers anything, and when the store cannot be read
the request is refused (503) rather than run unchecked.
"""

from __future__ import annotations

import logging

from redis.exceptions import RedisError

from gateway.apq import ApqCache, sha256_hex
from gateway.http_request import GraphQLParams
from gateway.operation import RequestError
from gateway.persisted_documents import DocumentStore, valid_id

logger = logging.getLogger("gateway.documents")

#: Registered documents kept in this process once found (their text never changes).
LOCAL_SIZE = 5000


class DocumentLookup:
    """Resolves a request's parameters to the text to execute."""

    def __init__(self, *, apq: ApqCache | None, store: DocumentStore | None, only_registered: bool = False) -> None:
        self.apq = None if only_registered else apq
        self.store = store
        self.only_registered = only_registered
        self.found: dict[str, str] = {}
        self.store_down = False  # logged once per outage, not once per request

    async def text(self, params: GraphQLParams) -> tuple[str, str | None]:
        """The text to execute, and the APQ hash to ``remember`` it under once it has been prepared."""
        ident = params.document_id
        if ident is not None and ident.startswith("sha256:"):
            ident = ident[len("sha256:"):].lower()
        ident = ident or params.persisted_hash
        if ident is None:
            if self.only_registered:
                raise RequestError.of("This gateway executes only registered persisted documents: send the "
                                      "operation's documentId (or extensions.persistedQuery), not its text.",
                                      "PERSISTED_QUERY_ID_REQUIRED")
            assert params.query is not None
            return params.query, None
        if params.query is not None and params.persisted_hash is not None and not self.only_registered:
            return self._checked(params.query, params.persisted_hash), params.persisted_hash
        text = await self._registered(ident)
        if text is None and self.apq is not None:
            text = await self.apq.get(ident)
        if text is None:
            if self.apq is None and self.store is None:
                raise RequestError.of("Persisted queries are not enabled on this gateway; send the query text.",
                                      "PERSISTED_QUERY_NOT_SUPPORTED")
            raise RequestError.of("PersistedQueryNotFound", "PERSISTED_QUERY_NOT_FOUND")
        return text, None

    async def remember(self, sha: str, query: str) -> None:
        """Cache a checked query under its hash (after it was prepared without error)."""
        assert self.apq is not None
        await self.apq.put(sha, query)

    def _checked(self, query: str, sha: str) -> str:
        if self.apq is None:
            raise RequestError.of("Automatic persisted queries are turned off on this gateway; send the "
                                  "query without extensions.persistedQuery.", "PERSISTED_QUERY_NOT_SUPPORTED")
        if sha256_hex(query) != sha:
            raise RequestError.of("extensions.persistedQuery.sha256Hash is not the SHA-256 of the query.",
                                  "PERSISTED_QUERY_HASH_MISMATCH")
        return query

    async def _registered(self, ident: str) -> str | None:
        text = self.found.get(ident)
        if text is not None or self.store is None or not valid_id(ident):
            return text
        try:
            text = await self.store.get(ident)
        except (RedisError, OSError) as error:
            if not self.store_down:
                logger.warning("persisted documents: the store cannot be read (%s)", error)
            self.store_down = True
            if self.only_registered:
                raise RequestError.of("Registered documents cannot be read right now; retry shortly.",
                                      "PERSISTED_DOCUMENTS_UNAVAILABLE", 503, headers={"retry-after": "1"}) from None
            return None
        if self.store_down:
            logger.warning("persisted documents: the store can be read again")
            self.store_down = False
        if text is not None:
            if len(self.found) >= LOCAL_SIZE:
                self.found.clear()
            self.found[ident] = text
        return text
