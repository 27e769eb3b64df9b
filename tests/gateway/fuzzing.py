"""Property-based fuzzing of the whole API through the gateway (hypothesis-graphql).

Shared by ``tests/gateway/test_fuzz.py`` (a bounded run in the suite) and ``bench/fuzz.py`` (a longer
run a maintainer starts by hand): the world (a seeded database, the registry and reporting subgraphs
over real HTTP, the gateway as its own process), the operations (every root field, queries and
mutations, mostly valid by the schema and some with one violation) and what every answer must be
(no 5xx, every error coded from docs/errors.md, no internal text).
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from graphql import FieldNode, GraphQLError, GraphQLSchema, parse, print_schema
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st
from hypothesis_graphql import Mode, nodes
from hypothesis_graphql import strategies as gql

from gateway.supergraph import Supergraph

ROOT = Path(__file__).resolve().parents[2]
SUPERGRAPH = ROOT / "schema" / "supergraph.graphql"

#: The callers: a regency office (Dinas PPPA Kota Semarang) and the ministry.
ROLES = {"DISTRICT_OFFICER": "33.74", "MINISTRY": None}

#: What no answer may contain: a host and port, a traceback, a Python repr, SQL or the driver's name.
INTERNAL_TEXT = re.compile(
    r"\b\d{1,3}(?:\.\d{1,3}){3}:\d+|localhost:\d+|Traceback|File \"/|object at 0x"
    r"|\b(?:SELECT|INSERT INTO|UPDATE \w+ SET|DELETE FROM)\b|asyncpg|sqlalchemy|psycopg|\bSQLSTATE\b",
)


def documented_codes() -> set[str]:
    """The codes of docs/errors.md's table."""
    return set(re.findall(r"^\| `([A-Z_]+)` \|", (ROOT / "docs" / "errors.md").read_text(), re.MULTILINE))


def _scalar_values() -> dict[str, st.SearchStrategy[Any]]:
    """Custom scalars: mostly values their specification accepts, some it refuses."""
    text = st.text(max_size=12).map(nodes.String)
    dates = st.dates().map(lambda d: nodes.String(d.isoformat()))
    return {
        "Date": st.one_of(dates, dates, dates, text, st.integers().map(nodes.Int)),
        "DateTime": st.one_of(st.datetimes().map(lambda d: nodes.String(d.isoformat())), text),
        "Rupiah": st.one_of(st.integers(min_value=-10, max_value=10**12).map(nodes.Int),
                            st.integers().map(lambda i: nodes.String(str(i))), text),
    }


def api_schema() -> GraphQLSchema:
    return Supergraph.parse(SUPERGRAPH.read_text()).api_schema


def operations(schema: GraphQLSchema) -> dict[str, st.SearchStrategy[str]]:
    """By root field (queries and mutations), operations selecting that one field (so each is
    reached, rather than most documents being refused by the cost limit), valid by the schema nine
    times in ten."""
    sdl = print_schema(schema)
    scalars = _scalar_values()
    strategies = {}
    for root, build in ((schema.query_type, gql.queries), (schema.mutation_type, gql.mutations)):
        for name in sorted(root.fields) if root is not None else ():
            positive = build(sdl, fields=[name], custom_scalars=scalars)
            if not root.fields[name].args:  # nothing to violate at the root: valid operations only
                strategies[name] = positive
                continue
            negative = build(sdl, fields=[name], custom_scalars=scalars, mode=Mode.NEGATIVE)
            strategies[name] = st.integers(0, 9).flatmap(lambda i, p=positive, n=negative: n if i == 0 else p)
    return strategies


def problems(status: int, text: str, codes: set[str]) -> list[str]:
    """What is wrong with one answer; nothing when it is as docs/errors.md promises."""
    found = []
    if status >= 500:
        found.append(f"HTTP {status}")
    try:
        import orjson

        body = orjson.loads(text)
    except ValueError:
        return [*found, "not JSON"]
    for error in body.get("errors") or () if isinstance(body, dict) else ["not an object"]:
        code = (error.get("extensions") or {}).get("code") if isinstance(error, dict) else None
        if code not in codes:
            found.append(f"code {code!r}")
        elif code == "INTERNAL_SERVER_ERROR":
            found.append("INTERNAL_SERVER_ERROR")
    match = INTERNAL_TEXT.search(text)
    if match:
        found.append(f"internal text {match.group(0)!r}")
    return found


@dataclass
class Tally:
    """What a run sent and received."""

    operations: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    codes: Counter[str] = field(default_factory=Counter)
    clean: int = 0  # answers without errors
    root_fields: Counter[str] = field(default_factory=Counter)  # the root fields the operations selected
    failures: list[tuple[str, str, list[str], str]] = field(default_factory=list)  # role, query, problems, answer
    seconds: float = 0.0

    def record(self, role: str, query: str, status: int, text: str, codes: set[str]) -> None:
        import orjson

        self.operations += 1
        self.statuses[status] += 1
        with contextlib.suppress(GraphQLError):
            for definition in parse(query).definitions:
                for selection in getattr(getattr(definition, "selection_set", None), "selections", ()):
                    if isinstance(selection, FieldNode):
                        self.root_fields[selection.name.value] += 1
        try:
            body = orjson.loads(text)
        except ValueError:
            body = {}
        errors = body.get("errors") if isinstance(body, dict) else None
        if not errors:
            self.clean += 1
        for error in errors or ():
            self.codes[str(((error or {}).get("extensions") or {}).get("code"))] += 1
        found = problems(status, text, codes)
        if found:
            self.failures.append((role, query, found, text[:600]))

    def summary(self) -> str:
        lines = [f"{self.operations} operations in {self.seconds:.1f} s ({self.operations / max(self.seconds, 1e-9):.0f}/s); "
                 f"{self.clean} answered without errors",
                 "HTTP: " + ", ".join(f"{k} x{v}" for k, v in sorted(self.statuses.items())),
                 "errors by code: " + ", ".join(f"{k} x{v}" for k, v in self.codes.most_common())]
        for role, query, found, answer in self.failures[:10]:
            lines.append(f"FAILED as {role}: {found}\n  {query}\n  -> {answer}")
        return "\n".join(lines)


def fuzz(gateway_url: str, tokens: dict[str, str], count: int, seed: int = 2016) -> Tally:
    """About ``count`` generated operations per role, spread evenly over the root fields (a fixed
    seed), each posted to the gateway."""
    schema = api_schema()
    codes = documented_codes()
    strategies = operations(schema)
    per_field = -(-count // len(strategies))
    tally = Tally()
    started = time.perf_counter()
    with httpx.Client(timeout=60) as client:
        for index, (role, token) in enumerate(tokens.items()):
            headers = {"authorization": f"Bearer {token}", "accept": "application/graphql-response+json"}
            for name, strategy in strategies.items():

                @hypothesis_seed(seed + index)
                @settings(max_examples=per_field, database=None, deadline=None, phases=[Phase.generate],
                          suppress_health_check=list(HealthCheck))
                @given(query=strategy)
                def send(query: str) -> None:
                    response = client.post(gateway_url, json={"query": query}, headers=headers)
                    tally.record(role, query, response.status_code, response.text, codes)

                send()
    tally.seconds = time.perf_counter() - started
    return tally


@contextlib.contextmanager
def world(admin_url: str, issue: Any, verifier: Any, public_key_file: Path, issuer: str, audience: str,
          log_dir: Path, count: int = 300) -> Iterator[tuple[str, dict[str, str]]]:
    """A seeded database, the two subgraphs over real HTTP and the gateway as its own process (its
    default limits, no rate limit); yields the gateway's URL and a token per role (``issue(role,
    region)``)."""
    import os
    import sys

    from services.registry.app import build_app as build_registry
    from services.registry_demo.seeding import seed_demo_data
    from services.reporting.app import build_app as build_reporting
    from siirctl.preparation import prepare_database
    from siir.settings import Settings
    from tests.conftest import ServerThread, create_database, drop_database
    from tests.gateway.conftest import start, stop, free_port

    url = create_database(admin_url, "siir_fuzz")
    try:
        prepare_database(url)
        asyncio.run(seed_demo_data(url, count=count, seed=2016))
        with ServerThread(build_registry(url, Settings(pool_size=4), verifier=verifier)) as registry, \
                ServerThread(build_reporting(url, Settings(pool_size=4, reporting_poll_interval=0.5),
                                             run_consumer=True, verifier=verifier)) as reporting:
            env = {k: v for k, v in os.environ.items() if not k.startswith(("SIIR_GATEWAY_", "SIIR_AUTH_"))}
            env.update({"SIIR_AUTH_PUBLIC_KEYS": str(public_key_file), "SIIR_AUTH_ISSUER": issuer,
                        "SIIR_AUTH_AUDIENCE": audience, "SIIR_GATEWAY_RATE_LIMIT": "0",
                        "SIIR_SUBGRAPH_REGISTRY_URL": registry.url + "/graphql",
                        "SIIR_SUBGRAPH_REPORTING_URL": reporting.url + "/graphql"})
            port = free_port()
            proc = start([sys.executable, "-m", "gateway", "--supergraph", str(SUPERGRAPH), "--port", str(port)],
                         f"http://127.0.0.1:{port}/healthcheck", log_dir / "gateway.log", cwd=ROOT, env=env)
            try:
                yield f"http://127.0.0.1:{port}/graphql", {role: issue(role, region) for role, region in ROLES.items()}
            finally:
                stop(proc)
    finally:
        drop_database(admin_url, url)
