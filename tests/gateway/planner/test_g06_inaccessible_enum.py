"""Group 6: @inaccessible enum values returned by a subgraph become null with an error, never
the hidden value (fixture: subgraphs/groups/g06_inaccessible_enum.py).

Hive Gateway is wrong here: for ``level`` it answers null without any error, and for the list
``levels`` an "Unexpected error." nulling the whole list. The expected answers are what
graphql-js gives for a value its enum cannot serialize: null at that position (propagated
like any null), and the error with its path.
"""

from __future__ import annotations

import pytest

from gw_differential import Case

GROUP = "g06_inaccessible_enum"


def _error(path: list) -> dict:
    return {"message": 'Enum "Level" cannot represent value: "INTERNAL"', "path": path,
            "extensions": {"code": "INTERNAL_SERVER_ERROR"}}


EXPECTED = [
    ("{ teams { id level } }",
     {"errors": [_error(["teams", 1, "level"])],
      "data": {"teams": [{"id": "t1", "level": "NATIONAL"}, {"id": "t2", "level": None}]}}),
    ("{ teams { id l: level } }",
     {"errors": [_error(["teams", 1, "l"])],
      "data": {"teams": [{"id": "t1", "l": "NATIONAL"}, {"id": "t2", "l": None}]}}),
    # List items are non-null ([Level!]): the null propagates to the list.
    ("{ teams { id levels } }",
     {"errors": [_error(["teams", 1, "levels", 1])],
      "data": {"teams": [{"id": "t1", "levels": ["NATIONAL", "PROVINCE"]}, {"id": "t2", "levels": None}]}}),
]


@pytest.mark.parametrize("query,expected", EXPECTED, ids=[f"case{i}" for i in range(len(EXPECTED))])
def test_hidden_value_never_reaches_the_client(world, query: str, expected: dict) -> None:  # type: ignore[no-untyped-def]
    world.plan(query)
    assert world.ours_answer(Case(query)) == (200, expected)
    assert world.hive_answer(Case(query))[1] != expected  # still wrong there: compare instead when this fails


def test_accessible_values_agree_with_hive_gateway(world) -> None:  # type: ignore[no-untyped-def]
    body = world.assert_same_as_hive(Case("{ a: teams { id } }"))
    assert "errors" not in body


def test_also_when_graphql_core_shapes_the_answer(world) -> None:  # type: ignore[no-untyped-def]
    # A conditional fragment is shaped by graphql-core, not the compiled shaper.
    query = "query($b: Boolean!) { teams { id ... @include(if: $b) { level } } }"
    status, body = world.ours_answer(Case(query, {"b": True}))
    assert status == 200 and body["data"] == {"teams": [{"id": "t1", "level": "NATIONAL"}, {"id": "t2", "level": None}]}
    (error,) = body["errors"]
    assert error["path"] == ["teams", 1, "level"] and "INTERNAL" in error["message"]
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
