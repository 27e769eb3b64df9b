"""Group 13: Federation 2.8 ``@context``/``@fromContext`` and 2.9 ``@cost``/``@listSize``
(fixture: subgraphs/groups/g13_context_cost.py).

``@cost`` and ``@listSize`` reach the cost estimate; the contextual argument stays out of the
API schema. A field with ``@fromContext`` arguments is fetched through ``_entities`` (as Apollo
Router does): the context's selection is added, under aliases of its own, where the nearest
ancestor that sets the context was selected (through another entity fetch when that subgraph
does not resolve it), and each entity gets its ancestor's value as a ``contextualArgument_*``
variable; entities whose ancestors differ are sent in separate copies of ``_entities``.

Hive Gateway 2.15 is wrong on every ``@fromContext`` field: its planner ignores
``contextArguments`` and calls the field without the argument, so the subgraph answers as if
no context were set (``fee m1 ?``), with no error. The expected answers are written down from
the fixture's data, and the test checks that Hive's differ from them only there."""

from __future__ import annotations

import re
from typing import Any

import pytest

from gw_differential import Case

GROUP = "g13_context_cost"

CASES = [
    Case("{ teams(first: 1) { id currency members { name } } }"),
    Case('{ team(id: "t2") { members { id name } } }'),
    Case("{ teams { id } }"),
    Case("{ holders { ... on Club { id dues members { name } } ... on Team { region } } }"),
]


@pytest.mark.parametrize("case", CASES, ids=[f"case{i}" for i in range(len(CASES))])
def test_same_answer_as_hive_gateway(world, case: Case) -> None:  # type: ignore[no-untyped-def]
    world.plan(case.query)
    body = world.assert_same_as_hive(case)
    assert "errors" not in body


def _member(mid: str, **fields: str) -> dict[str, Any]:
    return {"id": mid, **fields}


HIVE_WRONG = [
    # The context's field is in the subgraph that returned the ancestor.
    ('{ team(id: "t1") { members { id fee } } }',
     {"team": {"members": [_member("m1", fee="fee m1 IDR"), _member("m2", fee="fee m2 IDR")]}}),
    # A list of ancestors; m1 belongs to both teams: one entity, two different arguments.
    ("{ teams { id members { id name fee tax } } }",
     {"teams": [{"id": "t1", "members": [_member("m1", name="Sari", fee="fee m1 IDR", tax="tax m1 Jawa"),
                                         _member("m2", name="Budi", fee="fee m2 IDR", tax="tax m2 Jawa")]},
                {"id": "t2", "members": [_member("m3", name="Ayu", fee="fee m3 USD", tax="tax m3 Bali"),
                                         _member("m1", name="Sari", fee="fee m1 USD", tax="tax m1 Bali")]}]}),
    # The ancestor comes from ``fees``; its ``region`` only from ``teams`` (an entity jump first).
    ("{ featured { id members { id tax fee } } }",
     {"featured": {"id": "t2", "members": [_member("m3", tax="tax m3 Bali", fee="fee m3 USD"),
                                           _member("m1", tax="tax m1 Bali", fee="fee m1 USD")]}}),
    # An abstract list: Team and Club both set the context; ``levy`` reads a type condition each.
    ("{ holders { ... on Team { id members { id levy fee } } ... on Club { id members { id levy tax } } } }",
     {"holders": [{"id": "t1", "members": [_member("m1", levy="levy m1 IDR", fee="fee m1 IDR"),
                                           _member("m2", levy="levy m2 IDR", fee="fee m2 IDR")]},
                  {"id": "c1", "members": [_member("m2", levy="levy m2 5000", tax="tax m2 Lombok")]},
                  {"id": "t2", "members": [_member("m3", levy="levy m3 USD", fee="fee m3 USD"),
                                           _member("m1", levy="levy m1 USD", fee="fee m1 USD")]}]}),
    # Client aliases and a client variable named like ours.
    ('query($contextualArgument_1_0: ID!) { team(id: $contextualArgument_1_0) '
     '{ currency: id members { id fee: tax tax: fee } } }',
     {"team": {"currency": "t2", "members": [_member("m3", fee="tax m3 Bali", tax="fee m3 USD"),
                                             _member("m1", fee="tax m1 Bali", tax="fee m1 USD")]}}),
]


def _without_context(value: Any) -> Any:
    """``expected`` as Hive Gateway answers it: every contextual value unset (``?``)."""
    if isinstance(value, dict):
        return {k: _without_context(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_context(v) for v in value]
    if isinstance(value, str) and re.fullmatch(r"(fee|tax|levy) m\d \S+", value):
        return value.rsplit(" ", 1)[0] + " ?"
    return value


@pytest.mark.parametrize("query, expected", HIVE_WRONG, ids=[f"hive-wrong{i}" for i in range(len(HIVE_WRONG))])
def test_from_context_where_hive_gateway_is_wrong(world, query: str, expected: dict) -> None:  # type: ignore[no-untyped-def]
    world.plan(query)
    case = Case(query, {"contextualArgument_1_0": "t2"} if "$contextualArgument_1_0" in query else None)
    assert world.ours_answer(case) == (200, {"data": expected})
    # Hive agrees on everything but the contextual arguments, which it never sends.
    assert world.hive_answer(case) == (200, {"data": _without_context(expected)})


def test_the_context_is_fetched_with_its_ancestor_and_sent_as_a_variable(world) -> None:  # type: ignore[no-untyped-def]
    teams, fees = world.plan('{ team(id: "t1") { members { id fee } } }').fetches
    assert teams.operation == ('query { team(id: "t1") { members { id __typename } __typename '
                               '_currency_ctx1_0: currency } }')
    assert fees.operation == ("query($representations: [_Any!]!, $contextualArgument_1_0: String) "
                              "{ _entities(representations: $representations) "
                              "{ ... on Member { fee(currency: $contextualArgument_1_0) } } }")
    (part,) = fees.parts
    (read,) = part.contexts
    assert read.variable == "contextualArgument_1_0"
    assert [(s.depth, s.on, [f.response_key for f in s.fields]) for s in read.sources] == \
        [(1, frozenset({"Team"}), ["_currency_ctx1_0"])]


def test_a_context_field_of_another_subgraph_is_fetched_first(world) -> None:  # type: ignore[no-untyped-def]
    plan = world.plan("{ featured { members { tax } } }")
    assert [[f.graph for f in stage] for stage in plan.stages] == [["FEES"], ["TEAMS"], ["FEES"]]
    featured, region, tax = plan.fetches
    assert featured.operation == "query { featured { members { __typename id } __typename id } }"
    assert region.operation == ("query($representations: [_Any!]!) { _entities(representations: $representations) "
                                "{ ... on Team { _region_ctx1_0: region } } }")
    assert tax.depends_on == (featured.id, region.id)


def test_type_conditions_of_the_context_selection_are_kept(world) -> None:  # type: ignore[no-untyped-def]
    holders, _ = world.plan("{ holders { ... on Team { members { levy } } ... on Club { members { levy } } } }").fetches
    assert holders.operation == ("query { holders { __typename ... on Team { members { __typename id } "
                                 "_currency_ctx1_0: currency } ... on Club { _dues_ctx1_0: dues "
                                 "members { __typename id } } } }")


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


def test_entities_are_sent_once_per_distinct_context() -> None:
    """Two sets of context values: two copies of that part's ``_entities``, each with its own
    representations and arguments; a part whose entities have no ancestor left is not sent."""
    from gateway.executor import contextual_operation

    operation = ("query($r0: [_Any!]!, $r1: [_Any!]!, $contextualArgument_2_0: String!) "
                 "{ _e0: _entities(representations: $r0) { ... on Team { id } } "
                 "_e1: _entities(representations: $r1) { ... on Member { fee(currency: $contextualArgument_2_0) } } }")
    two = contextual_operation(operation, (("_e1", "r1", ("contextualArgument_2_0",), 2),))
    assert " ".join(two.split()) == (
        "query ($r0: [_Any!]!, $r1_0: [_Any!]!, $r1_1: [_Any!]!, $contextualArgument_2_0_0: String!, "
        "$contextualArgument_2_0_1: String!) { _e0: _entities(representations: $r0) { ... on Team { id } } "
        "_e1_0: _entities(representations: $r1_0) { ... on Member { fee(currency: $contextualArgument_2_0_0) } } "
        "_e1_1: _entities(representations: $r1_1) { ... on Member { fee(currency: $contextualArgument_2_0_1) } } }")
    none = contextual_operation(operation, (("_e1", "r1", ("contextualArgument_2_0",), 0),))
    assert " ".join(none.split()) == ("query ($r0: [_Any!]!) { _e0: _entities(representations: $r0) "
                                      "{ ... on Team { id } } }")


def test_the_nearest_ancestor_decides_even_without_a_value() -> None:
    """An entity's context is its nearest ancestor's; when that ancestor's value could not be
    fetched, the argument is null, never a farther ancestor's value."""
    from gateway.executor import _context_values
    from gateway.plan import ContextRead, ContextSource, RepField

    read = ContextRead("v", (ContextSource(3, frozenset({"Team"}), (RepField("currency", "_c"),)),
                             ContextSource(1, frozenset({"Team"}), (RepField("currency", "_c"),))))
    outer = {"__typename": "Team", "_c": "IDR", "sub": [{"__typename": "Team", "members": [{"id": "m1"}]}]}
    data = {"org": outer}
    assert _context_values(data, ["org", "sub", 0, "members", 0], (read,)) == {"v": None}
    outer["sub"][0]["_c"] = "USD"
    assert _context_values(data, ["org", "sub", 0, "members", 0], (read,)) == {"v": "USD"}
    outer["sub"][0]["__typename"] = "Club"  # a nearer ancestor that does not set the context
    assert _context_values(data, ["org", "sub", 0, "members", 0], (read,)) == {"v": "IDR"}
