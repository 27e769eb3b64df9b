"""The README's tour stays true: every ```graphql example runs, as the caller its marker names, through
our gateway (default limits, introspection on as `siir up` has it) on the real registry and reporting
services over the demo data `siir up` seeds; its shell lines name only commands that exist.

Marker grammar and placeholders: see tests/readme_world.py. ``SIIR_README=path`` checks another file
(a draft) instead of README.md. The examples run in README order in one world: a mutation's effect is
what the next example sees (the reporting consumer is waited for after each write).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import json
import re
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from siirctl.cli import COMMANDS, parser
from siir.settings import PROJECT_ROOT, Settings
from tests.conftest import ServerThread, Tokens, create_database, drop_database
from tests.readme_world import (Caller, Example, Tour, check_answer, fenced_blocks, graphql_examples, operation_problem,
                                parse_marker, shell_lines, siir_invocations)

README = Path(os.environ.get("SIIR_README") or PROJECT_ROOT / "README.md")
SUPERGRAPH = PROJECT_ROOT / "schema" / "supergraph.graphql"
#: The wrapper's own command besides siir's (see ./siirw).
WRAPPER_COMMANDS = frozenset({"test"})


def _token_parser() -> argparse.ArgumentParser:
    subparsers = next(a for a in parser()._actions if isinstance(a, argparse._SubParsersAction))
    return subparsers.choices["token"]


#: The roles `siir token --role` accepts: the marker's first word must be one.
ROLES = frozenset(next(a for a in _token_parser()._actions if a.dest == "role").choices)
EXAMPLES = graphql_examples(README.read_text(), ROLES)


@dataclass
class World:
    """The demo system of `siir up`, on its own database: three real HTTP servers."""

    gateway: str
    reporting: str
    tokens: Tokens
    client: httpx.Client

    def caught_up(self, timeout: float = 60.0) -> None:
        """Wait until the reporting consumer applied every registry event written so far."""
        deadline = time.monotonic() + timeout
        status: Any = None
        while time.monotonic() < deadline:
            status = self.client.post(self.reporting, json={"query": "{ reportingStatus { lagEvents eventsApplied } }"},
                                      headers=self.tokens.headers("MINISTRY")).json()
            answer = (status.get("data") or {}).get("reportingStatus") or {}
            if answer.get("lagEvents") == 0 and answer.get("eventsApplied"):
                return
            time.sleep(0.1)
        raise AssertionError(f"the reporting consumer did not catch up: {status}")

    def run(self, example: Example, tour: Tour) -> dict[str, Any]:
        """Post one example to the gateway as its caller; check and remember the answer."""
        assert example.caller is not None and example.problem is None, example.problem
        if tour.wrote:
            self.caught_up()
        query = tour.fill(example.query)
        caller = example.caller
        headers = self.tokens.headers(caller.role, caller.region, partner=caller.partner, subject=caller.subject)
        response = self.client.post(self.gateway, json={"query": query}, headers=headers)
        body = response.json() if response.headers.get("content-type", "").startswith("application/") else response.text
        check_answer(example, response.status_code, body)
        tour.remember(query, body.get("data"))
        return body


@pytest.fixture(scope="module")
def world(admin_url: str, tokens: Tokens) -> Iterator[World]:
    from gateway.app import build_app as build_gateway
    from gateway.limits import Limits
    from services.registry.app import build_app as build_registry
    from services.registry_demo.seeding import seed_demo_data
    from services.reporting.app import build_app as build_reporting
    from siirctl.preparation import prepare_database

    url = create_database(admin_url, "siir_readme")
    try:
        prepare_database(url)
        asyncio.run(seed_demo_data(url, count=2000, seed=2016))  # as `siir up` does
        with ServerThread(build_registry(url, verifier=tokens.verifier)) as registry, \
                ServerThread(build_reporting(url, Settings(reporting_poll_interval=0.1), run_consumer=True,
                                             verifier=tokens.verifier)) as reporting:
            # A portal developer meets the default limits; `siir up` turns introspection on, nothing else.
            limits = Limits.from_settings(Settings(gateway_introspection=True))
            gateway_app = build_gateway(SUPERGRAPH.read_text(), verifier=tokens.verifier, limits=limits,
                                        subgraph_urls={"registry": registry.url + "/graphql",
                                                       "reporting": reporting.url + "/graphql"})
            with ServerThread(gateway_app) as gateway, httpx.Client(timeout=60) as client:
                world = World(gateway.url + "/graphql", reporting.url + "/graphql", tokens, client)
                world.caught_up()
                yield world
    finally:
        drop_database(admin_url, url)


@pytest.fixture(scope="module")
def tour() -> Tour:
    return Tour()


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.id for e in EXAMPLES])
def test_readme_example(example: Example, world: World, tour: Tour) -> None:
    if example.problem:
        pytest.fail(f"{README.name} line {example.line}: {example.problem}")
    world.run(example, tour)


def import_tour(text: str) -> str:
    """The shell block after ``<!-- import-tour -->``: the bulk import a regency office runs with curl."""
    after = text.split("<!-- import-tour -->", 1)[1]
    return after.split("```sh\n", 1)[1].split("```", 1)[0]


def test_readme_import_tour(world: World, tour: Tour) -> None:
    """The import block runs as written (bash, curl, the sample file in tests/), with the world's gateway and a
    token of its office in place of `siirw token` and port 4000; after the GraphQL tour, so Sri Wahyuni of the
    registration example is registered and her row of the sample file is refused as a duplicate."""
    # Run alone (-k), the tour's registration has not happened: post it (a CONFLICT when it has, either way she is).
    registration = next(e for e in EXAMPLES if "registerHomeIndustry" in e.query and "3374015507900001" in e.query)
    world.client.post(world.gateway, json={"query": registration.query},
                      headers=world.tokens.headers("DISTRICT_OFFICER", "33.74"))
    script = "\n".join(line for line in import_tour(README.read_text()).splitlines()
                       if not line.startswith(("TOKEN=", "GW=")))
    gateway = world.gateway.removesuffix("/graphql")
    token = world.tokens("DISTRICT_OFFICER", "33.74", subject="sri")
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=PROJECT_ROOT, capture_output=True, text=True,
                          env={**os.environ, "TOKEN": token, "GW": gateway}, timeout=180)
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    assert len(lines) == 4, done.stdout  # the dry run, its report, the commit request, the committed job
    validated, report, committing, committed = (json.loads(line) for line in lines)
    assert validated["status"] == "VALIDATED" and validated["errors"] == 2 and validated["valid"] >= 1
    refused = {problem["code"] for row in report["rows"] for problem in row["problems"]}
    assert "CONFLICT" in refused and "BAD_USER_INPUT" in refused
    assert all(problem["pesan"] for row in report["rows"] for problem in row["problems"])
    assert committing["status"] == "COMMITTING"
    assert committed["status"] == "COMMITTED" and committed["registered"] == validated["valid"]
    marked = PROJECT_ROOT / "diperiksa.xlsx"
    assert marked.read_bytes()[:2] == b"PK"
    marked.unlink()


def test_every_graphql_block_is_an_example() -> None:
    """Blocks with a language spelled otherwise (```GraphQL, ```gql) would escape the check."""
    strays = [(b.line, b.lang) for b in fenced_blocks(README.read_text())
              if b.lang.lower() in ("graphql", "gql") and b.lang != "graphql"]
    assert not strays, f"write ```graphql so the example is run: {strays}"


def _wrapper_calls(text: str) -> Iterator[tuple[int, str, list[str]]]:
    for line_number, line in shell_lines(text):
        for program, arguments in siir_invocations(line):
            yield line_number, program, arguments
    # `./siirw seed --count 1` in prose is a command to copy as much as one in a block.
    for line_number, line in enumerate(text.splitlines(), start=1):
        for span in re.findall(r"`((?:\./siirw|siir)\b[^`]*)`", line):
            for program, arguments in siir_invocations(span):
                yield line_number, program, arguments


def unknown_commands(text: str) -> list[str]:
    """``./siirw X`` / ``siir X`` whose X is neither a siir command nor the wrapper's own."""
    wrong = []
    for line_number, program, arguments in _wrapper_calls(text):
        command = arguments[0] if arguments else "up"
        if command.startswith("-"):
            continue  # ./siirw --help
        known = COMMANDS.keys() | (WRAPPER_COMMANDS if program == "siirw" else set())
        if command not in known:
            wrong.append(f"line {line_number}: {program} {command}")
    return wrong


def token_line_problems(text: str, key: Any) -> list[str] | None:
    """What is wrong with each ``siir token …`` line (None: there is none): the real parser's verdict,
    then the claims' (the checks ``siir token`` makes before printing, with a throwaway key)."""
    from siir.auth.identity import InvalidClaims
    from siir.auth.tokens import issue_token

    lines = [(n, a) for n, _, a in _wrapper_calls(text) if a[:1] == ["token"] and len(a) > 1]
    if not lines:
        return None
    problems = []
    for line_number, arguments in lines:
        shown = f"line {line_number}: `siir {' '.join(arguments)}`"
        try:
            args = parser().parse_args(arguments)
        except SystemExit:
            problems.append(f"{shown} does not parse")
            continue
        try:
            issue_token(key, subject=args.sub, role=args.role, region=args.region, partner=args.partner,
                        scope=args.scope, lifetime=args.lifetime, issuer=Tokens.ISSUER, audience=Tokens.AUDIENCE)
        except InvalidClaims as error:
            problems.append(f"{shown}: {error}")
    return problems


def test_shell_lines_name_existing_commands() -> None:
    text = README.read_text()
    assert list(_wrapper_calls(text)), f"{README.name} names no ./siirw command"
    assert not unknown_commands(text), f"commands siir does not have (siirctl/cli.py COMMANDS): {unknown_commands(text)}"


def test_token_lines_parse(tokens: Tokens) -> None:
    """Each `siir token …` line parses with the real CLI parser, and its claims make a valid token."""
    problems = token_line_problems(README.read_text(), tokens.key)
    if problems is None:
        pytest.skip(f"{README.name} has no `siir token` command line yet")
    assert not problems, problems


# The harness itself: what it accepts, what it refuses, and that a wrong example fails.

SCRATCH = '''
Intro.

<!-- as: DISTRICT_OFFICER 33.74 -->
```graphql
query { region(code: "33.74") { name } }
```

<!-- as: FACILITATOR 33.74 sub=pendamping-12 -->

```graphql
{ homeIndustries(first: 1) { totalCount } }
```

```graphql
{ region(code: "33") { name } }
```

<!-- as: PROVINCE_OFFICER 33 expect=FORBIDDEN -->
```graphql
query A { a: region(code: "35") { name } }
query B { b: region(code: "35") { name } }
```

<!-- as: MAYOR 33.74 -->
```graphql
{ region(code: "33") { name } }
```

<!-- as: PARTNER partner=3 colour=red -->
```graphql
{ region(code: "33") { name } }
```

```sh
./siirw up      # the whole system
TOKEN=$(./siirw token --role PARTNER --sub mitra --partner 3) && curl -H "Authorization: Bearer $TOKEN" x
siir token --role MINISTRY --sub kemen-pppa | pbcopy
curl -H "Authorization: Bearer $(./siirw token --role ANALYST --sub a)" http://127.0.0.1:4000/graphql  # not ./siirw bogus
./siirw
```
'''


def test_harness_reads_the_marker_grammar() -> None:
    examples = graphql_examples(SCRATCH, ROLES)
    assert [(e.line, e.caller, e.problem is None) for e in examples[:2]] == [
        (5, Caller("DISTRICT_OFFICER", "33.74"), True),
        (11, Caller("FACILITATOR", "33.74", subject="pendamping-12"), True),
    ]
    problems = [e.problem or "" for e in examples[2:]]
    assert "no `<!-- as:" in problems[0]
    assert "holds 2 operations" in problems[1] and examples[3].caller == Caller("PROVINCE_OFFICER", "33", expect="FORBIDDEN")
    assert "unknown role 'MAYOR'" in problems[2]
    assert "unknown key 'colour'" in problems[3]
    assert parse_marker("PARTNER partner=3", ROLES) == Caller("PARTNER", partner="3")
    assert parse_marker("ANALYST", ROLES) == Caller("ANALYST")
    with pytest.raises(ValueError, match="not key=value"):
        parse_marker("MINISTRY expect=FORBIDDEN 33", ROLES)
    assert operation_problem('mutation { updateHomeIndustry(id: "<registered>", expectedVersion: <version>) { version } }') is None
    calls = [(program, arguments) for _, line in shell_lines(SCRATCH) for program, arguments in siir_invocations(line)]
    assert calls == [("siirw", ["up"]), ("siirw", ["token", "--role", "PARTNER", "--sub", "mitra", "--partner", "3"]),
                     ("siir", ["token", "--role", "MINISTRY", "--sub", "kemen-pppa"]),
                     ("siirw", ["token", "--role", "ANALYST", "--sub", "a"]), ("siirw", [])]


def test_harness_catches_wrong_shell_lines(tokens: Tokens) -> None:
    assert unknown_commands(SCRATCH) == []
    assert token_line_problems(SCRATCH, tokens.key) == []
    wrong = SCRATCH + """
```sh
./siirw frobnicate --all
./siirw token --role PROVINCE_OFFICER --region 33.74 --sub dinas
siir token --role KING --sub raja
```
Or run `./siirw serve` and `siir test`.
"""
    assert unknown_commands(wrong) == ["line 44: siirw frobnicate", "line 48: siirw serve", "line 48: siir test"]
    assert token_line_problems(wrong, tokens.key) == [
        "line 45: `siir token --role PROVINCE_OFFICER --region 33.74 --sub dinas`: "
        "role PROVINCE_OFFICER needs a region claim of its level, got '33.74'",
        "line 46: `siir token --role KING --sub raja` does not parse",
    ]


REGISTER = '''mutation {
  registerHomeIndustry(input: {
    villageCode: "33.74.01.1001", businessName: "Harness Check", businessCategory: FOOD_AND_BEVERAGE
    owner: { name: "Tri Harness", nik: "3374015507900099", isFemaleHeadOfHousehold: false }
    businessStartedOn: "2020-03-01", consent: { granted: true }
    firstAssessment: { assessedOn: "2021-01-10", workerCount: 3, productionTechnology: SEMI_MANUAL,
      capitalSource: OWN, capitalAmount: 7500000, productionPattern: SEMI_CONTINUOUS }
  }) { id version currentClass }
}'''
UPDATE = 'mutation { updateHomeIndustry(id: "<registered>", expectedVersion: <version>, input: { address: "Jl. Uji 1" }) { id version } }'


def test_harness_runs_a_tour_and_catches_a_wrong_example(world: World) -> None:
    """After the README's own: placeholders reach the real API, and a false promise fails the test."""
    tour = Tour()
    register = world.run(Example(1, REGISTER, Caller("DISTRICT_OFFICER", "33.74")), tour)
    assert tour.registered == register["data"]["registerHomeIndustry"]["id"] and tour.version == 1
    world.run(Example(2, UPDATE, Caller("DISTRICT_OFFICER", "33.74")), tour)
    assert tour.version == 2
    stale = world.run(Example(3, UPDATE.replace("<version>", "1"), Caller("DISTRICT_OFFICER", "33.74", expect="CONFLICT")), tour)
    assert stale["errors"]
    counted = world.run(Example(4, '{ classDistribution(regionCode: "33.74") { counts { total } } }',
                                Caller("DISTRICT_OFFICER", "33.74")), tour)
    assert counted["data"]["classDistribution"]["counts"]["total"] > 0
    world.run(Example(5, '{ classDistribution(regionCode: "35") { counts { total } } }',
                      Caller("PROVINCE_OFFICER", "33", expect="FORBIDDEN")), tour)
    with pytest.raises(AssertionError, match="expected an error FORBIDDEN"):
        world.run(Example(6, '{ region(code: "33.74") { name } }', Caller("DISTRICT_OFFICER", "33.74", expect="FORBIDDEN")), tour)
    with pytest.raises(AssertionError, match="Cannot query field"):
        world.run(Example(7, '{ region(code: "33.74") { nosuchfield } }', Caller("DISTRICT_OFFICER", "33.74")), tour)
