"""Fuzzing through the gateway: operations generated from the schema (hypothesis-graphql, a fixed
seed) over every root field, queries and mutations, as a regency office and as the ministry. Every
answer: no 5xx, every error coded from docs/errors.md (and none INTERNAL_SERVER_ERROR), no internal
text. The longer run is ``bench/fuzz.py``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.gateway.fuzzing import api_schema, fuzz, problems, world

#: Operations per role, spread evenly over the root fields: about 1,100 in all (at least 1,000 are
#: asserted), about a minute and a half on two cores.
PER_ROLE = 550


@pytest.fixture(scope="module")
def fuzz_world(admin_url: str, tokens: Any, trusted_key_file: Path,
               tmp_path_factory: pytest.TempPathFactory) -> Any:
    with world(admin_url, tokens, tokens.verifier, trusted_key_file, tokens.ISSUER, tokens.AUDIENCE,
               tmp_path_factory.mktemp("fuzz")) as started:
        yield started


def test_generated_operations_get_coded_answers_without_internal_text(fuzz_world: Any) -> None:
    url, role_tokens = fuzz_world
    tally = fuzz(url, role_tokens, PER_ROLE)
    print(tally.summary())
    assert tally.operations >= 1000
    assert tally.failures == [], tally.summary()
    # The run reached the subgraphs, not only the gateway's refusals.
    assert tally.clean >= tally.operations // 10, tally.summary()
    assert {"BAD_USER_INPUT", "GRAPHQL_VALIDATION_FAILED"} <= set(tally.codes), tally.summary()
    schema = api_schema()
    roots = set(schema.query_type.fields) | set(schema.mutation_type.fields)  # type: ignore[union-attr]
    assert roots - set(tally.root_fields) == set(), "root fields never fuzzed"


@pytest.mark.parametrize("status,text,expected", [
    (200, '{"data":{"a":1}}', []),
    (500, '{"errors":[{"message":"x","extensions":{"code":"INTERNAL_SERVER_ERROR"}}]}', ["HTTP 500", "INTERNAL_SERVER_ERROR"]),
    (200, '{"errors":[{"message":"Cannot return null for non-nullable field"}],"data":null}', ["code None"]),
    (200, '{"errors":[{"message":"cannot connect to 127.0.0.1:4002","extensions":{"code":"SERVICE_UNAVAILABLE"}}]}',
     ["internal text '127.0.0.1:4002'"]),
    (400, '{"errors":[{"message":"<Foo object at 0x7f>","extensions":{"code":"BAD_REQUEST"}}]}',
     ["internal text 'object at 0x'"]),
    (200, '{"errors":[{"message":"duplicate key: INSERT INTO registry.x","extensions":{"code":"CONFLICT"}}]}',
     ["internal text 'INSERT INTO'"]),
    (502, "Bad Gateway", ["HTTP 502", "not JSON"]),
])
def test_the_fuzz_checks_catch_what_they_are_for(status: int, text: str, expected: list[str]) -> None:
    codes = {"INTERNAL_SERVER_ERROR", "SERVICE_UNAVAILABLE", "BAD_REQUEST", "CONFLICT"}
    assert problems(status, text, codes) == expected
