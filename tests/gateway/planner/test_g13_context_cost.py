"""Group 13: Federation 2.8 ``@context``/``@fromContext`` and 2.9 ``@cost``/``@listSize``
(fixture: subgraphs/groups/g13_context_cost.py).

The pinned composer accepts all four and the gateway serves the supergraph: ``@cost`` and
``@listSize`` reach the cost estimate, the contextual argument stays out of the API schema.
Planning a field with ``@fromContext`` arguments (the ancestor's value sent per
representation) is not done yet: such an operation is refused naming the field, never
answered as if the context were unset (the subgraph would say "10 ?")."""

from __future__ import annotations

import pytest

from gw_differential import Case

GROUP = "g13_context_cost"

CASES = [
    Case("{ teams(first: 1) { id currency members { name } } }"),
    Case('{ team(id: "t2") { members { id name } } }'),
    Case("{ teams { id } }"),
]


@pytest.mark.parametrize("case", CASES, ids=[f"case{i}" for i in range(len(CASES))])
def test_same_answer_as_hive_gateway(world, case: Case) -> None:  # type: ignore[no-untyped-def]
    world.plan(case.query)
    body = world.assert_same_as_hive(case)
    assert "errors" not in body


def test_cost_and_list_size_are_carried_through(world) -> None:  # type: ignore[no-untyped-def]
    costs = world.supergraph.field_costs
    assert costs["Team"]["members"].weight == 3
    size = costs["Query"]["teams"].list_size
    assert size.assumed_size == 10 and size.slicing_arguments == ("first",)


def test_the_contextual_argument_is_not_in_the_api(world) -> None:  # type: ignore[no-untyped-def]
    fee = world.supergraph.api_schema.get_type("Member").fields["fee"]
    assert fee.args == {}
    status, body = world.ours_answer(Case('{ team(id: "t1") { members { fee(currency: "EUR") } } }'))
    assert status == 400 and body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


def test_a_from_context_field_is_refused_by_name(world) -> None:  # type: ignore[no-untyped-def]
    status, body = world.ours_answer(Case('{ team(id: "t1") { members { id fee } } }'))
    assert status == 500 and "data" not in body, body
    (error,) = body["errors"]
    assert error["extensions"] == {"code": "QUERY_PLANNING_FAILED"}
    assert "Member.fee takes @fromContext arguments (currency)" in error["message"]
