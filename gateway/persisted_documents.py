"""Trusted documents: the operations a portal registers, by id, for the gateway to execute.

A portal's build extracts its operations into a manifest in the format Apollo's and Hive's tools
write (``generate-persisted-query-manifest``)::

    {"format": "apollo-persisted-query-manifest", "version": 1,
     "operations": [{"id": "<sha256 of body>", "name": "HomeIndustries", "type": "query", "body": "query …"}]}

``siir register-documents MANIFEST`` checks it (each body parses to the one operation it names and
validates against the supergraph; an id that looks like a SHA-256 is the body's) and stores every
operation: in Redis when ``SIIR_REDIS_URL`` is set (shared by every replica), else as one file per
id under ``SIIR_PERSISTED_DOCUMENTS_DIR``. Registered ids never change their text, so the gateway
caches what it finds. With ``SIIR_GATEWAY_PERSISTED_DOCUMENTS_ONLY`` the gateway executes nothing
else (gateway/document_lookup.py).
"""

from __future__ import annotations

import asyncio
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import orjson
from graphql import GraphQLError, GraphQLSchema, OperationDefinitionNode, parse, validate
from redis.asyncio import Redis

from gateway.shared_store import shared_redis
from gateway.supergraph import Supergraph
from siir.settings import Settings

MANIFEST_FORMAT = "apollo-persisted-query-manifest"
#: An id is a file name and a Redis key: no path separators, no leading dot.
DOCUMENT_ID = re.compile(r"[A-Za-z0-9_~:@+-][A-Za-z0-9_.~:@+-]{0,199}")
SHA256_HEX = re.compile(r"[0-9a-f]{64}")


class ManifestError(ValueError):
    """A manifest the gateway will not register; the message names the entry and field."""


@dataclass(frozen=True, slots=True)
class PersistedOperation:
    id: str
    name: str | None
    type: str
    body: str


def parse_manifest(raw: bytes | str, schema: GraphQLSchema | None = None) -> list[PersistedOperation]:
    """The operations of a manifest, each checked (and validated against ``schema`` when given)."""
    try:
        manifest = orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        raise ManifestError(f"the manifest is not JSON: {error}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != MANIFEST_FORMAT:
        raise ManifestError(f'format: expected "{MANIFEST_FORMAT}"')
    if manifest.get("version") != 1:
        raise ManifestError("version: expected 1")
    entries = manifest.get("operations")
    if not isinstance(entries, list):
        raise ManifestError("operations: expected a list")
    operations, seen = [], {}
    for index, entry in enumerate(entries):
        operation = _operation(entry, f"operations[{index}]", schema)
        if seen.get(operation.id, operation.body) != operation.body:
            raise ManifestError(f"operations[{index}].id: {operation.id} is given to two different bodies")
        seen[operation.id] = operation.body
        operations.append(operation)
    return operations


def _operation(entry: Any, where: str, schema: GraphQLSchema | None) -> PersistedOperation:
    if not isinstance(entry, dict):
        raise ManifestError(f"{where}: expected an object with id, name, type and body")
    ident, name, kind, body = entry.get("id"), entry.get("name"), entry.get("type"), entry.get("body")
    if not isinstance(ident, str) or not DOCUMENT_ID.fullmatch(ident):
        raise ManifestError(f"{where}.id: expected up to 200 letters, digits or _.~:@+- (not starting with a dot)")
    if not isinstance(body, str) or not body.strip():
        raise ManifestError(f"{where}.body: expected the operation's GraphQL text")
    if SHA256_HEX.fullmatch(ident) and hashlib.sha256(body.encode()).hexdigest() != ident:
        raise ManifestError(f"{where}.id: {ident} is not the SHA-256 of its body")
    try:
        document = parse(body)
    except GraphQLError as error:
        raise ManifestError(f"{where}.body: {error.message}") from None
    defined = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if len(defined) != 1:
        raise ManifestError(f"{where}.body: expected exactly one operation, found {len(defined)}")
    actual_kind = defined[0].operation.value
    if kind != actual_kind:
        raise ManifestError(f"{where}.type: the body is a {actual_kind}, not {kind!r}")
    actual_name = defined[0].name.value if defined[0].name else None
    if name is not None and name != actual_name:
        raise ManifestError(f"{where}.name: the body's operation is named {actual_name!r}, not {name!r}")
    if schema is not None:
        errors = validate(schema, document)
        if errors:
            raise ManifestError(f"{where}.body: {errors[0].message}")
    return PersistedOperation(ident, actual_name, actual_kind, body)


class DocumentStore(Protocol):
    """Where registered documents live."""

    async def get(self, ident: str) -> str | None: ...

    async def put(self, operations: list[PersistedOperation]) -> None: ...


class RedisDocuments:
    """One key per id under the deployment's prefix; no expiry (a registered document stays)."""

    def __init__(self, redis: Redis, prefix: str) -> None:
        self.redis = redis
        self.prefix = f"{prefix}doc:"

    async def get(self, ident: str) -> str | None:
        raw = await self.redis.get(self.prefix + ident)
        return raw.decode() if raw is not None else None

    async def put(self, operations: list[PersistedOperation]) -> None:
        if operations:
            await self.redis.mset({self.prefix + o.id: o.body.encode() for o in operations})


class DirectoryDocuments:
    """One ``<id>.graphql`` file per document (a shared volume serves several replicas)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    async def get(self, ident: str) -> str | None:
        try:
            return (self.directory / f"{ident}.graphql").read_text()
        except FileNotFoundError:
            return None

    async def put(self, operations: list[PersistedOperation]) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        for operation in operations:
            # Written beside, then renamed: a gateway never reads half a document.
            target = self.directory / f"{operation.id}.graphql"
            partial = target.with_suffix(".partial")
            partial.write_text(operation.body)
            partial.replace(target)


def valid_id(ident: str) -> bool:
    """Whether a requested id could name a registered document (anything else is not looked up)."""
    return DOCUMENT_ID.fullmatch(ident) is not None


def document_store(settings: Settings, redis: Redis | None) -> DocumentStore:
    """Redis when the deployment has one (every replica sees a registration at once), else the directory."""
    if redis is not None:
        return RedisDocuments(redis, settings.redis_prefix)
    return DirectoryDocuments(settings.persisted_documents_dir)


def register_manifest(manifest: Path, settings: Settings, supergraph: Path | None) -> tuple[int, str]:
    """Check a manifest (against ``supergraph`` when given) and store its operations: how many, and where."""
    schema = Supergraph.parse(supergraph.read_text()).api_schema if supergraph is not None else None
    operations = parse_manifest(manifest.read_bytes(), schema)

    async def put() -> None:
        redis = shared_redis(settings.redis_url) if settings.redis_url else None
        try:
            await document_store(settings, redis).put(operations)
        finally:
            if redis is not None:
                await redis.aclose()

    asyncio.run(put())
    where = f"Redis (prefix {settings.redis_prefix!r})" if settings.redis_url else str(settings.persisted_documents_dir)
    return len(operations), where
