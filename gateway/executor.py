"""The executor: runs a QueryPlan against the subgraphs and shapes the client response.

Fetch results are merged into one tree of plain dicts; entity fetches read their
representations from it and merge their answers back in place. The final response is then
produced by graphql-core over that tree with the client's own operation, which gives spec
behaviour for aliases, fragments, @skip/@include, abstract types, introspection and null
propagation.
"""

from __future__ import annotations

import asyncio
import logging
from functools import lru_cache
from typing import Any

import orjson
from graphql import (
    ExecutionResult,
    FieldNode,
    GraphQLResolveInfo,
    NameNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableDefinitionNode,
    VariableNode,
    execute,
    parse,
    print_ast,
)
from graphql.language import Visitor, visit

from gateway.operation import PreparedOperation
from gateway.plan import ContextRead, EntityPart, Fetch, RepField
from gateway.subgraph_client import SubgraphClient, SubgraphError
from gateway.supergraph import Supergraph
from siir.outages import RETRY_AFTER_SECONDS

logger = logging.getLogger("gateway")


def _resolve_field(source: Any, info: GraphQLResolveInfo, **_: Any) -> Any:
    # The merged tree is keyed by response keys (the client's aliases), not field names.
    return source.get(info.path.key) if isinstance(source, dict) else None


def _resolve_type(value: Any, info: GraphQLResolveInfo, abstract: Any) -> str | None:
    typename = value.get("__typename") if isinstance(value, dict) else None
    if typename is not None and typename == getattr(abstract, "name", None):
        # An @interfaceObject's answer whose concrete type the selection does not need (the
        # planner looks it up otherwise): any possible type shapes it the same.
        possible = info.schema.get_possible_types(abstract)
        return possible[0].name if possible else None
    return typename


def merge(target: dict[str, Any], source: dict[str, Any]) -> None:
    """Deep-merge ``source`` into ``target`` (objects by key, lists item by item)."""
    for key, value in source.items():
        current = target.get(key)
        if isinstance(current, dict) and isinstance(value, dict):
            merge(current, value)
        elif isinstance(current, list) and isinstance(value, list) and len(current) == len(value):
            for i, item in enumerate(value):
                if isinstance(current[i], dict) and isinstance(item, dict):
                    merge(current[i], item)
                else:
                    current[i] = item
        else:
            target[key] = value


def _objects_at(data: Any, path: tuple[str, ...], prefix: list[str | int], out: list[tuple[dict, list]]) -> None:
    """Collect (object, concrete path) pairs at ``path`` (``"@"`` = every list item)."""
    if data is None:
        return
    if not path:
        if isinstance(data, dict):
            out.append((data, prefix))
        return
    head, rest = path[0], path[1:]
    if head == "@":
        if isinstance(data, list):
            for i, item in enumerate(data):
                _objects_at(item, rest, prefix + [i], out)
        return
    if isinstance(data, dict):
        _objects_at(data.get(head), rest, prefix + [head], out)


def _representation(obj: dict[str, Any], fields: tuple[RepField, ...]) -> dict[str, Any] | None:
    rep: dict[str, Any] = {}
    typename = obj.get("__typename")
    for f in fields:
        if f.on is not None and typename is not None and typename not in f.on:
            continue  # inside a type condition that does not hold for this object
        if f.response_key not in obj:
            if f.name == "__typename":
                continue  # a concrete nested type: its type conditions hold
            return None  # the parent fetch failed or the object is partial
        value = obj[f.response_key]
        if f.children and value is not None:
            if isinstance(value, list):
                value = [_representation(v, f.children) if isinstance(v, dict) else v for v in value]
            else:
                value = _representation(value, f.children)
                if value is None:
                    return None
        rep[f.name] = value
    return rep


def _context_values(data: dict[str, Any], path: list[str | int], reads: tuple[ContextRead, ...]) -> dict[str, Any]:
    """The @fromContext variables of the entity at ``path``: each read on the nearest ancestor
    that sets its context (null when none does)."""
    out: dict[str, Any] = {}
    for read in reads:
        value = None
        for source in read.sources:
            ancestor: Any = data
            for step in path[:source.depth]:
                ancestor = ancestor[step] if isinstance(ancestor, (dict, list)) else None
            if not isinstance(ancestor, dict):
                continue
            typename = ancestor.get("__typename")
            if typename is not None and typename not in source.on:
                continue
            field = next((f for f in source.fields if f.response_key in ancestor
                          and (f.on is None or typename is None or typename in f.on)), None)
            if field is None:
                break  # the nearest ancestor setting the context has no value (its fetch failed): null
            value = ancestor[field.response_key]
            if field.children and isinstance(value, list):
                value = [_representation(v, field.children) if isinstance(v, dict) else v for v in value]
            elif field.children and isinstance(value, dict):
                value = _representation(value, field.children)
            break
        out[read.variable] = value
    return out


class _Renamer(Visitor):
    def __init__(self, names: dict[str, str]) -> None:
        super().__init__()
        self.names = names

    def enter_variable(self, node: VariableNode, *_: object) -> VariableNode | None:
        name = self.names.get(node.name.value)
        return VariableNode(name=NameNode(value=name)) if name is not None else None


@lru_cache(maxsize=512)
def contextual_operation(operation: str, copies: tuple[tuple[str, str, tuple[str, ...], int], ...]) -> str:
    """``operation`` with the ``_entities`` field of each (alias, representations variable,
    context variables, n) in ``copies`` sent n times (none, or once per distinct set of context
    values): copy i is aliased ``<alias>_<i>`` and reads ``$<variable>_<i>`` and its own context
    variables, so entities whose ancestors give different values get different arguments."""
    op = parse(operation, no_location=True).definitions[0]
    assert isinstance(op, OperationDefinitionNode)
    by_alias = {alias: (variable, contexts, n) for alias, variable, contexts, n in copies}
    fields, renamed = [], {}
    for node in op.selection_set.selections:
        assert isinstance(node, FieldNode)  # an entity fetch selects _entities fields only
        key = node.alias.value if node.alias else node.name.value
        spec = by_alias.get(key)
        if spec is None:
            fields.append(node)
            continue
        variable, contexts, n = spec
        for name in (variable, *contexts):
            renamed[name] = [f"{name}_{i}" for i in range(n)]
        for i in range(n):
            copy = visit(node, _Renamer({name: f"{name}_{i}" for name in (variable, *contexts)}))
            fields.append(FieldNode(alias=NameNode(value=f"{key}_{i}"),
                                    name=copy.name, arguments=copy.arguments, directives=copy.directives,
                                    selection_set=copy.selection_set))
    definitions: list[VariableDefinitionNode] = []
    for vd in op.variable_definitions or ():
        names = renamed.get(vd.variable.name.value)
        if names is None:
            definitions.append(vd)
            continue
        definitions.extend(VariableDefinitionNode(variable=VariableNode(name=NameNode(value=name)), type=vd.type,
                                                  default_value=vd.default_value, directives=())
                           for name in names)
    return print_ast(OperationDefinitionNode(operation=op.operation, variable_definitions=tuple(definitions),
                                             directives=(), selection_set=SelectionSetNode(selections=tuple(fields))))


def _related(a: tuple, b: tuple) -> bool:
    """Whether one response path is the other or inside it."""
    n = min(len(a), len(b))
    return a[:n] == b[:n]


class Executor:
    """Runs plans over HTTP with a shared pooled client."""

    def __init__(self, supergraph: Supergraph, client: SubgraphClient) -> None:
        self.supergraph = supergraph
        self.client = client
        self.urls = {name: g.url for name, g in supergraph.graphs.items()}
        self.subgraph_names = {name: g.name for name, g in supergraph.graphs.items()}

    async def execute(self, prepared: PreparedOperation, variables: dict[str, Any],
                      coerced: dict[str, Any] | None = None, headers: bytes = b"") -> dict[str, Any]:
        """Run the plan and return the GraphQL response as a dict.

        ``variables`` are the client's (forwarded to subgraphs as sent); ``coerced`` are the
        same after input coercion with defaults (for @skip/@include), when the caller has them.
        ``headers`` are sent with every subgraph request (see ``propagated_headers``).
        """
        data: dict[str, Any] = {}
        errors: list[dict[str, Any]] = []
        for stage in prepared.plan.stages:
            if len(stage) == 1:
                await self._run(stage[0], data, variables, errors, headers)
            else:
                await asyncio.gather(*(self._run(f, data, variables, errors, headers) for f in stage))
        if prepared.shaper is not None:
            shaped_data, shaped = prepared.shaper.shape(data, variables if coerced is None else coerced)
        else:
            result: ExecutionResult = execute(
                self.supergraph.api_schema, prepared.document, root_value=data, variable_values=variables,
                operation_name=prepared.operation.name.value if prepared.operation.name else None,
                field_resolver=_resolve_field, type_resolver=_resolve_type, hide_suggestions=True,
            )  # type: ignore[assignment]
            shaped_data, shaped = result.data, [e.formatted for e in result.errors or ()]
        # Every error a client sees carries a code: a value the API cannot represent, or a null where
        # the schema promises a value that no subgraph error explains (those are dropped below).
        shaped = [e if (e.get("extensions") or {}).get("code") else
                  {**e, "extensions": {**(e.get("extensions") or {}), "code": "INTERNAL_SERVER_ERROR"}} for e in shaped]
        response: dict[str, Any] = {}
        if errors and shaped:
            # A null already explained by a subgraph error needs no second "cannot return null": the
            # error is at that field, inside it (the subgraph's null propagated up to it) or above it.
            known = {tuple(e.get("path") or ()) for e in errors}
            shaped = [e for e in shaped if not any(_related(tuple(e.get("path") or ()), k) for k in known if k)]
        all_errors = errors + shaped
        if all_errors:
            response["errors"] = all_errors
        response["data"] = shaped_data
        return response

    async def _run(self, fetch: Fetch, data: dict[str, Any], variables: dict[str, Any], errors: list[dict],
                   headers: bytes) -> None:
        subgraph_vars = {n: variables[n] for n in fetch.variable_names if n in variables}
        if not fetch.is_entity_fetch:
            try:
                payload = await self.client.request(self.urls[fetch.graph], fetch.operation, subgraph_vars, headers,
                                                   subgraph=self.subgraph_names[fetch.graph])
            except SubgraphError as error:
                root_keys = dict(fetch.failure_keys).get("", ())
                errors.extend(self._fetch_error(fetch, error, [k]) for k in root_keys)
                return
            if isinstance(payload.get("data"), dict):
                merge(data, payload["data"])
            for e in payload.get("errors") or ():
                errors.append(self._subgraph_error(fetch, e, None))
            return
        # Per part: the distinct representations and the objects each one answers for; per
        # distinct set of @fromContext values when the part has some (each its own _entities).
        batches: list[tuple[EntityPart, str, list[dict[str, Any]], list[list[tuple[dict, list]]]]] = []
        request_vars = dict(subgraph_vars)
        copies = []
        for part in fetch.parts:
            objects: list[tuple[dict, list]] = []
            _objects_at(data, part.path, [], objects)
            single: tuple[dict[str, Any], list[dict[str, Any]], list[list[tuple[dict, list]]], dict[bytes, int]] = \
                ({}, [], [], {})
            groups = {} if part.contexts else {b"": single}
            by_type = {t: (sent, fields) for t, sent, fields in part.representations}
            for obj, path in objects:
                spec = by_type.get(obj.get("__typename"))  # type: ignore[arg-type]
                if spec is None:
                    continue
                rep = _representation(obj, spec[1])
                if rep is None:
                    continue
                rep = {"__typename": spec[0], **rep}
                group = single
                if part.contexts:
                    values = _context_values(data, path, part.contexts)
                    group_key = orjson.dumps(values, option=orjson.OPT_SORT_KEYS)
                    group = groups.get(group_key) or groups.setdefault(group_key, (values, [], [], {}))
                _, reps, targets, index = group
                # One representation per distinct entity: the subgraph resolves each once.
                key = orjson.dumps(rep, option=orjson.OPT_SORT_KEYS)
                i = index.get(key)
                if i is None:
                    i = index[key] = len(reps)
                    reps.append(rep)
                    targets.append([])
                targets[i].append((obj, path))
            if not part.contexts or len(groups) == 1:
                values, reps, targets, _ = next(iter(groups.values()))
                batches.append((part, part.alias, reps, targets))
                request_vars[part.variable] = reps
                request_vars.update(values)
                continue
            copies.append((part.alias, part.variable, tuple(c.variable for c in part.contexts), len(groups)))
            for i, (values, reps, targets, _) in enumerate(groups.values()):
                batches.append((part, f"{part.alias}_{i}", reps, targets))
                request_vars[f"{part.variable}_{i}"] = reps
                request_vars.update({f"{name}_{i}": value for name, value in values.items()})
        if not any(reps for _, _, reps, _ in batches):
            return
        operation = contextual_operation(fetch.operation, tuple(copies)) if copies else fetch.operation
        try:
            payload = await self.client.request(self.urls[fetch.graph], operation, request_vars, headers,
                                               subgraph=self.subgraph_names[fetch.graph])
        except SubgraphError as error:
            # Like Hive Gateway: one error per entity left without its fields.
            for part, _, _, targets in batches:
                keys = dict(part.failure_keys)
                for group in targets:
                    for obj, path in group:
                        first = keys.get(obj.get("__typename"), ())[:1]  # type: ignore[arg-type]
                        errors.append(self._fetch_error(fetch, error, path + list(first)))
            return
        data_part = payload.get("data")
        answer: dict[str, Any] = data_part if isinstance(data_part, dict) else {}
        by_alias = {}
        for part, alias, _, targets in batches:
            by_alias[alias] = targets
            entities = answer.get(alias)
            if not isinstance(entities, list):
                continue
            keep_typename = any(t != sent for t, sent, _ in part.representations)
            for i, entity in enumerate(entities[: len(targets)]):
                if isinstance(entity, dict):
                    if keep_typename:
                        # @interfaceObject answers say the interface, not the object type.
                        entity = {k: v for k, v in entity.items() if k != "__typename"}
                    for obj, _ in targets[i]:
                        merge(obj, entity)
        for e in payload.get("errors") or ():
            errors.append(self._subgraph_error(fetch, e, by_alias))

    def _fetch_error(self, fetch: Fetch, error: SubgraphError, path: list[str | int]) -> dict[str, Any]:
        # The cause (host, port, connection details) goes to the log, never to the client.
        name = self.subgraph_names[fetch.graph]
        logger.warning("subgraph %s request failed: %s", name, error)
        if error.timeout:
            return {"message": f"Subgraph '{name}' did not answer in time.", "path": path,
                    "extensions": {"code": "GATEWAY_TIMEOUT", "serviceName": name}}
        return {"message": f"Subgraph '{name}' is unavailable; retry in {RETRY_AFTER_SECONDS} s.", "path": path,
                "extensions": {"code": "SERVICE_UNAVAILABLE", "serviceName": name, "retryAfter": RETRY_AFTER_SECONDS}}

    def _subgraph_error(self, fetch: Fetch, error: Any,
                        by_alias: dict[str, list[list[tuple[dict, list]]]] | None) -> dict[str, Any]:
        out = dict(error) if isinstance(error, dict) else {"message": str(error)}
        out.pop("locations", None)  # locations point into the subgraph query, not the client's
        name = self.subgraph_names[fetch.graph]
        raw_extensions = out.get("extensions")
        extensions = dict(raw_extensions) if isinstance(raw_extensions, dict) else {}
        # The one rule for a subgraph error without a code (the SIIR subgraphs code every error).
        if not isinstance(extensions.get("code"), str) or not extensions["code"]:
            extensions["code"] = "DOWNSTREAM_SERVICE_ERROR"
        extensions.setdefault("serviceName", name)
        out["extensions"] = extensions
        path = out.get("path")
        if by_alias is not None:
            # [alias, i, ...rest] → the client path of entity i of that part, then rest.
            targets = by_alias.get(path[0]) if isinstance(path, list) and path and isinstance(path[0], str) else None
            if targets is not None and isinstance(path, list) and len(path) >= 2 and isinstance(path[1], int) \
                    and 0 <= path[1] < len(targets) and targets[path[1]]:
                out["path"] = list(targets[path[1]][0][1]) + list(path[2:])
            else:
                out.pop("path", None)
        return out
