"""Group 12: client aliases colliding with key or required fields inside nested and compound
keys (fixture: subgraphs/groups/g12_alias_collisions.py)."""

from __future__ import annotations

import pytest

from gw_differential import Case

GROUP = "g12_alias_collisions"

CASES = [
    Case("{ items { maker { c: code } m: maker { code: name } stock } }"),
    Case("{ items { sku maker { code name } stock shipping } }"),
]

# Hive Gateway sends store the client's alias and the key or required field it needs under
# one response key (``maker { code: name code }``, ``sku: weight sku``), which store rejects:
# Hive answers that validation error and no data. The answers, from the fixture's data:
HIVE_WRONG = [
    ("{ items { maker { code: name } stock } }",
     [{"maker": {"code": "Batik Sri"}, "stock": 5}, {"maker": {"code": "Kopi Jaya"}, "stock": 5}]),
    ("{ items { sku: weight stock } }", [{"sku": 3, "stock": 5}, {"sku": 7, "stock": 5}]),
    ("{ items { weight: sku shipping } }",
     [{"weight": "A", "shipping": "3kg/10cm"}, {"weight": "B", "shipping": "7kg/20cm"}]),
    ("{ items { size { width: depth } shipping } }",
     [{"size": {"width": 4}, "shipping": "3kg/10cm"}, {"size": {"width": 9}, "shipping": "7kg/20cm"}]),
    ("{ items { maker: size { width } shipping stock } }",
     [{"maker": {"width": 10}, "shipping": "3kg/10cm", "stock": 5},
      {"maker": {"width": 20}, "shipping": "7kg/20cm", "stock": 5}]),
]


@pytest.mark.parametrize("case", CASES, ids=[f"case{i}" for i in range(len(CASES))])
def test_same_answer_as_hive_gateway(world, case: Case) -> None:  # type: ignore[no-untyped-def]
    world.plan(case.query)
    body = world.assert_same_as_hive(case)
    assert "errors" not in body


@pytest.mark.parametrize("query,items", HIVE_WRONG, ids=[f"hive_wrong{i}" for i in range(len(HIVE_WRONG))])
def test_answer_written_down(world, query: str, items: list) -> None:  # type: ignore[no-untyped-def]
    world.plan(query)
    assert world.ours_answer(Case(query)) == (200, {"data": {"items": items}})
    assert "errors" in world.hive_answer(Case(query))[1]  # still wrong there: compare instead when this fails


def test_nested_key_field_read_from_its_alias(world) -> None:  # type: ignore[no-untyped-def]
    root, extra = world.plan("{ items { maker { code: name } stock } }").fetches
    assert root.operation == "query { items { maker { code: name _code_fed: code } __typename sku } }"
    ((_, _, fields),) = extra.representations
    assert [(f.name, f.response_key, [(c.name, c.response_key) for c in f.children]) for f in fields] == [
        ("sku", "sku", []), ("maker", "maker", [("code", "_code_fed")])]
