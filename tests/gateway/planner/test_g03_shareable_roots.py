"""Group 3: @shareable root fields whose selection spans subgraphs (``viewer``-style): one
root fetch per subgraph, merged (fixture: subgraphs/groups/g03_shareable_roots.py)."""

from __future__ import annotations

import pytest

from gw_differential import Case

GROUP = "g03_shareable_roots"

CASES = [
    Case("{ viewer { name theme } }"),
    Case("{ viewer { id name theme account { plan quota } } version }"),
    Case("{ me: viewer { n: name t: theme a: account { id quota } } }"),
    Case("query($t: Boolean!) { viewer { name theme @include(if: $t) account { quota @skip(if: $t) } } }", {"t": True}),
    Case("query($t: Boolean!) { viewer { name theme @include(if: $t) account { quota @skip(if: $t) } } }", {"t": False}),
    Case("{ viewer { ... on Viewer { account { plan ... { quota } } } } }"),
]


@pytest.mark.parametrize("case", CASES, ids=[f"case{i}" for i in range(len(CASES))])
def test_same_answer_as_hive_gateway(world, case: Case) -> None:  # type: ignore[no-untyped-def]
    world.plan(case.query)
    body = world.assert_same_as_hive(case)
    assert "errors" not in body


def test_one_root_fetch_per_subgraph_in_one_stage(world) -> None:  # type: ignore[no-untyped-def]
    plan = world.plan("{ viewer { id name theme account { plan quota } } version }")
    (stage,) = plan.stages
    assert sorted((f.graph, f.operation) for f in stage) == [
        ("PREFS", "query { viewer { id theme account { quota } } }"),
        ("PROFILE", "query { viewer { name account { plan } } version }"),
    ]


def test_answer_is_merged(world) -> None:  # type: ignore[no-untyped-def]
    assert world.ours_answer(CASES[1])[1] == {"data": {
        "viewer": {"id": "v1", "name": "Sri", "theme": "dark", "account": {"plan": "gold", "quota": 7}},
        "version": "p-1"}}
