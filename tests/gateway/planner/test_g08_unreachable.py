"""Group 8: a field no plan can reach fails the plan with a clear error naming it; it is
never silently dropped (fixture: subgraphs/groups/g08_unreachable.py)."""

from __future__ import annotations

import pytest

from gateway.planner import Planner, PlanningError
from gw_differential import Case
from groups.g08_unreachable import UNREACHABLE_EDIT

GROUP = "g08_unreachable"
SUPERGRAPH_EDIT = UNREACHABLE_EDIT


def test_planning_fails_naming_the_field(world) -> None:  # type: ignore[no-untyped-def]
    from graphql import parse

    document = parse("{ notes { id extra } }")
    with pytest.raises(PlanningError, match=r"cannot reach Note\.extra from subgraph NOTES"):
        Planner(world.supergraph).plan(document.definitions[0], {})


def test_reachable_fields_still_plan(world) -> None:  # type: ignore[no-untyped-def]
    body = world.assert_same_as_hive(Case("{ notes { id text } firstNote { text } }"))
    assert body == {"data": {"notes": [{"id": "n1", "text": "first"}, {"id": "n2", "text": "second"}],
                             "firstNote": {"text": "first"}}}


@pytest.mark.parametrize("query", ["{ notes { id extra } }", "{ firstNote { text extra } notes { id } }",
                                   "{ notes { ... on Note { extra } } }"])
def test_the_client_gets_an_error_not_a_partial_answer(world, query: str) -> None:  # type: ignore[no-untyped-def]
    """Hive Gateway is wrong here: it answers 200 with ``extra: null`` and no error (the field
    silently dropped), or a CRITICAL_ERROR without a code for the fragment. The expected
    answer: the operation is refused as unplannable (the gateway's failure, so 500), the field
    named, no partial data."""
    status, body = world.ours_answer(Case(query))
    assert status == 500 and "data" not in body, body
    (error,) = body["errors"]
    assert error["extensions"] == {"code": "QUERY_PLANNING_FAILED"}
    assert error["message"] == "Cannot plan operation: cannot reach Note.extra from subgraph NOTES"
