"""Comparing our gateway's answers with Hive Gateway's on the same request."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson


@dataclass(frozen=True)
class Case:
    """One request of the differential suite.

    ``messages``: compare error messages too (only where both gateways word them alike,
    e.g. subgraph errors passed through); paths and presence are always compared.
    ``path_indices`` and ``unordered`` relax the comparison where Hive Gateway's output is
    lossy or order is unspecified (see the fields).
    """

    query: str
    variables: dict[str, Any] | None = None
    operation_name: str | None = None
    messages: bool = True
    # Hive Gateway drops (or misnumbers) list indices in errors from entity fetches, where
    # ours gives the full path like Apollo Router; such cases compare paths without indices.
    path_indices: bool = True
    # Introspection lists come in Hive's internal merge order; compare them as sets.
    unordered: bool = False
    # Hive Gateway answers 504 to a timed-out subgraph even with partial data; the
    # GraphQL-over-HTTP spec requires 2xx when data is present, which is what we send.
    compare_status: bool = True
    extra: dict[str, Any] = field(default_factory=dict)


def post(http: httpx.Client, url: str, case: Case) -> tuple[int, dict[str, Any]]:
    body: dict[str, Any] = {"query": case.query}
    if case.variables is not None:
        body["variables"] = case.variables
    if case.operation_name is not None:
        body["operationName"] = case.operation_name
    r = http.post(url, content=orjson.dumps(body),
                  headers={"content-type": "application/json", "accept": "application/graphql-response+json"})
    return r.status_code, r.json()


def _canonical(value: Any) -> Any:
    """Lists sorted (recursively) so that order does not matter."""
    if isinstance(value, dict):
        return {k: _canonical(v) for k, v in sorted(value.items())}
    if isinstance(value, list):
        return sorted((_canonical(v) for v in value), key=lambda v: orjson.dumps(v, option=orjson.OPT_SORT_KEYS))
    return value


def _errors(response: dict[str, Any], case: Case) -> list[tuple]:
    out = []
    for e in response.get("errors") or ():
        path = [p for p in e.get("path") or () if case.path_indices or not isinstance(p, int)]
        item: tuple = (tuple(path),)
        messages = case.messages
        if messages:
            item += (e.get("message"),)
        out.append(item)
    return sorted(out, key=repr)


def assert_same(ours: tuple[int, dict[str, Any]], hive: tuple[int, dict[str, Any]], case: Case) -> None:
    """Data (with field order), error paths and, where asked, messages must agree."""
    (our_status, our_body), (hive_status, hive_body) = ours, hive
    detail = f"\nquery: {case.query}\nours: {our_body}\nhive: {hive_body}"
    if case.compare_status:
        assert our_status == hive_status, f"status {our_status} != {hive_status}{detail}"
    else:
        assert our_status == 200, f"status {our_status}{detail}"
    assert ("data" in our_body) == ("data" in hive_body), detail
    if case.unordered:
        assert _canonical(our_body.get("data")) == _canonical(hive_body.get("data")), detail
    else:
        assert orjson.dumps(our_body.get("data")) == orjson.dumps(hive_body.get("data")), detail
    assert _errors(our_body, case) == _errors(hive_body, case), detail
