"""The README's tour as data: its marked GraphQL examples, its shell lines, and a tour that runs them.

A ```graphql block is runnable only when the line before its fence (blank lines skipped) is a marker
naming the caller::

    <!-- as: ROLE [REGION] [sub=SUBJECT] [partner=ID] [expect=CODE] -->

ROLE is one of the roles ``siir token --role`` accepts; REGION a Kemendagri code (the token's region
claim); ``sub=`` the token's subject (a demo facilitator is ``pendamping-<id>``); ``partner=`` a
PARTNER's institution id; ``expect=`` an ``extensions.code`` the answer must carry (a denial shown on
purpose). A block holds exactly one operation. Two placeholders refer to the tour's own writes:
``<registered>`` is the id the first ``registerHomeIndustry`` block answered and ``<version>`` the
latest ``version`` any answer reported for that IR.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import graphql

FENCE = re.compile(r"^\s*```(?P<lang>[\w+-]*)\s*$")
MARKER = re.compile(r"^\s*<!--\s*as:\s*(?P<body>.*?)\s*-->\s*$")
KEYS = frozenset({"sub", "partner", "expect"})
REGISTERED = "<registered>"
VERSION = "<version>"


@dataclass(frozen=True)
class Caller:
    """Who runs an example: the claims of the token it is posted with, and the answer it must give."""

    role: str
    region: str | None = None
    subject: str | None = None
    partner: str | None = None
    expect: str | None = None

    def describe(self) -> str:
        return "-".join(p for p in (self.role, self.region, self.subject, self.partner and f"partner{self.partner}",
                                    self.expect and f"expect{self.expect}") if p)


@dataclass(frozen=True)
class Block:
    """One fenced block of the README: its language, its first line number (the fence) and its text."""

    lang: str
    line: int
    text: str
    marker: str | None = None  # the marker comment's body, when the line before the fence is one


@dataclass(frozen=True)
class Example:
    """A ```graphql block as a test case: its caller and operation, or why it cannot run."""

    line: int
    query: str
    caller: Caller | None
    problem: str | None = None

    @property
    def id(self) -> str:
        return f"line{self.line}-{self.caller.describe() if self.caller else 'unrunnable'}"


def fenced_blocks(text: str) -> list[Block]:
    """Every fenced block of a Markdown text, with the marker comment just before it (if any)."""
    blocks: list[Block] = []
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        if not opening or not opening.group("lang"):
            index += 1
            continue
        end = index + 1
        while end < len(lines) and lines[end].strip() != "```":
            end += 1
        before = index - 1
        while before >= 0 and not lines[before].strip():
            before -= 1
        marker = MARKER.match(lines[before]) if before >= 0 else None
        blocks.append(Block(opening.group("lang"), index + 1, "\n".join(lines[index + 1:end]),
                            marker.group("body") if marker else None))
        index = end + 1
    return blocks


def parse_marker(body: str, roles: frozenset[str]) -> Caller:
    """``ROLE [REGION] [key=value ...]``; raises ValueError naming what is wrong."""
    words = body.split()
    if not words:
        raise ValueError("the marker names no role")
    role, rest = words[0], words[1:]
    if role not in roles:
        raise ValueError(f"unknown role {role!r} (one of {', '.join(sorted(roles))})")
    region = None
    if rest and "=" not in rest[0]:
        region, rest = rest[0], rest[1:]
    options: dict[str, str] = {}
    for word in rest:
        key, sep, value = word.partition("=")
        if not sep or not value:
            raise ValueError(f"{word!r} is not key=value (a region comes right after the role)")
        if key not in KEYS:
            raise ValueError(f"unknown key {key!r} (one of {', '.join(sorted(KEYS))})")
        if key in options:
            raise ValueError(f"{key}= given twice")
        options[key] = value
    return Caller(role, region, options.get("sub"), options.get("partner"), options.get("expect"))


def operation_problem(query: str) -> str | None:
    """Why a block is not one GraphQL operation (placeholders are filled with stand-ins to parse it)."""
    try:
        document = graphql.parse(query.replace(REGISTERED, "1").replace(VERSION, "1"))
    except graphql.GraphQLError as error:
        return f"not GraphQL: {error.message}"
    operations = [d for d in document.definitions if isinstance(d, graphql.OperationDefinitionNode)]
    if len(operations) != 1:
        return f"holds {len(operations)} operations; one example, one operation"
    return None


def graphql_examples(text: str, roles: frozenset[str]) -> list[Example]:
    """The README's ```graphql blocks as examples; an unmarked or malformed one carries its problem."""
    examples: list[Example] = []
    for block in fenced_blocks(text):
        if block.lang != "graphql":
            continue
        if block.marker is None:
            examples.append(Example(block.line, block.text, None,
                                    "no `<!-- as: ROLE [REGION] [key=value] -->` marker on the line before the fence"))
            continue
        try:
            caller = parse_marker(block.marker, roles)
        except ValueError as error:
            examples.append(Example(block.line, block.text, None, f"marker `{block.marker}`: {error}"))
            continue
        examples.append(Example(block.line, block.text, caller, operation_problem(block.text)))
    return examples


def shell_lines(text: str) -> Iterator[tuple[int, str]]:
    """The lines of ```sh / ```bash / ```shell blocks, with their line numbers, comments kept."""
    for block in fenced_blocks(text):
        if block.lang in ("sh", "bash", "shell", "console"):
            for offset, line in enumerate(block.text.splitlines(), start=1):
                if line.strip():
                    yield block.line + offset, line


SUBSTITUTION = re.compile(r"\$\(([^()]*)\)|`([^`]*)`")
SHELL_BREAKS = frozenset(";&|()")


def siir_invocations(line: str) -> Iterator[tuple[str, list[str]]]:
    """Each ``./siirw …`` or ``siir …`` command in a shell line, inside ``$(…)`` and backticks too (quoted or
    not): (program, its arguments up to the next shell operator)."""
    for match in SUBSTITUTION.finditer(line):
        yield from siir_invocations(match.group(1) or match.group(2) or "")
    lexer = shlex.shlex(SUBSTITUTION.sub(" _ ", line), posix=True, punctuation_chars=";&|()")
    lexer.whitespace_split = True
    lexer.commenters = "#"
    words = list(lexer)
    for index, word in enumerate(words):
        program = word.rsplit("/", 1)[-1]
        if program not in ("siirw", "siir"):
            continue
        arguments: list[str] = []
        for argument in words[index + 1:]:
            if set(argument) <= SHELL_BREAKS:
                break
            arguments.append(argument)
        yield program, arguments


@dataclass
class Tour:
    """The state a README run carries from one example to the next: the IR it registered."""

    registered: str | None = None
    version: int | None = None
    wrote: bool = False

    def fill(self, query: str) -> str:
        """The example's text with its placeholders replaced by what earlier examples answered."""
        if REGISTERED in query:
            assert self.registered is not None, \
                f"{REGISTERED} used before any registerHomeIndustry example answered an id (run the whole module)"
            query = query.replace(REGISTERED, self.registered)
        if VERSION in query:
            assert self.version is not None, f"{VERSION} used before any answer reported the registered IR's version"
            query = query.replace(VERSION, str(self.version))
        return query

    def remember(self, query: str, data: Any) -> None:
        """Take the first registerHomeIndustry's id and version, and any later version of that IR."""
        operation = graphql.parse(query).definitions[0]
        if isinstance(operation, graphql.OperationDefinitionNode) and operation.operation is graphql.OperationType.MUTATION:
            self.wrote = True
        if self.registered is None and isinstance(data, dict) and isinstance(data.get("registerHomeIndustry"), dict):
            answer = data["registerHomeIndustry"]
            assert "id" in answer, "the first registerHomeIndustry example must select `id` (later examples use it)"
            self.registered = str(answer["id"])
        if self.registered is not None:
            for found in _objects(data):
                if str(found.get("id")) == self.registered and isinstance(found.get("version"), int):
                    self.version = found["version"]


def _objects(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        yield value
        for item in value.values():
            yield from _objects(item)
    elif isinstance(value, list):
        for item in value:
            yield from _objects(item)


def check_answer(example: Example, status: int, body: Any) -> None:
    """What the README promises: no server error, and data without errors (or the denial it shows)."""
    caller = example.caller
    assert caller is not None
    assert status < 500, f"README line {example.line}: HTTP {status}: {body}"
    assert isinstance(body, dict), f"README line {example.line}: not a JSON object: {body!r}"
    if caller.expect is None:
        assert "errors" not in body, f"README line {example.line} as {caller.describe()}: {body['errors']}"
        data = body.get("data") or {}
        assert any(value not in (None, [], {}) for value in data.values()), \
            f"README line {example.line} as {caller.describe()}: empty data {body}"
    else:
        codes = [(e.get("extensions") or {}).get("code") for e in body.get("errors") or []]
        assert caller.expect in codes, \
            f"README line {example.line} as {caller.describe()}: expected an error {caller.expect}, got {codes}: {body}"
