"""Planner unit tests: the plan for a given supergraph and operation, as printed values."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.limits import Limits
from gateway.operation import OperationCache
from gateway.planner import Planner
from gateway.supergraph import Supergraph

# Planning and shaping are tested here, not abuse limits: introspection on, deep queries allowed.
PLANNING_LIMITS = Limits(max_depth=50, max_aliases=500, max_tokens=50_000, max_cost=10**9, introspection=True)


@pytest.fixture(scope="module")
def operations(supergraph_file: Path) -> OperationCache:
    return OperationCache(Supergraph.parse(supergraph_file.read_text()), limits=PLANNING_LIMITS)


def plan_text(operations: OperationCache, query: str) -> str:
    return str(operations.get(query, None).plan)


def test_entity_jump_adds_key_to_parent_fetch(operations: OperationCache) -> None:
    assert plan_text(operations, "{ topProducts { name reviews { body } } }") == """QueryPlan(query) {
  Stage 0 {
    Fetch#0(PRODUCTS) { query { topProducts { name __typename upc } } }
  }
  Stage 1 {
    Fetch#1(REVIEWS, entities Product at topProducts.@, after [0]) { query($representations: [_Any!]!) { _entities(representations: $representations) { ... on Product { reviews { body } } } } }
  }
}"""


def test_provides_and_shareable_stay_in_one_fetch(operations: OperationCache) -> None:
    # username is @external in reviews but @provides'd on Review.author; Product.name is
    # @shareable and resolvable in reviews: no hop needed.
    plan = operations.get("{ latestReviews { author { username } product { name } } }", None).plan
    assert [[f.graph for f in stage] for stage in plan.stages] == [["REVIEWS"]]


def test_nested_compound_key_reached_through_another_subgraph(operations: OperationCache) -> None:
    assert plan_text(operations, "{ me { favoriteProduct { deliveryDays } } }") == """QueryPlan(query) {
  Stage 0 {
    Fetch#0(ACCOUNTS) { query { me { favoriteProduct { __typename upc } } } }
  }
  Stage 1 {
    Fetch#2(PRODUCTS, entities Product at me.favoriteProduct, after [0]) { query($representations: [_Any!]!) { _entities(representations: $representations) { ... on Product { sku pkg { id } } } } }
  }
  Stage 2 {
    Fetch#1(SHIPPING, entities Product at me.favoriteProduct, after [0, 2]) { query($representations: [_Any!]!) { _entities(representations: $representations) { ... on Product { deliveryDays } } } }
  }
}"""


def test_requires_fields_are_fetched_first_and_sent_in_representations(operations: OperationCache) -> None:
    plan = operations.get("{ topProducts { shippingEstimate } }", None).plan
    root, entity = plan.fetches
    assert root.operation == "query { topProducts { __typename upc price weight } }"
    (rep_type, sent, fields), = entity.representations
    assert (rep_type, sent, [f.name for f in fields]) == ("Product", "Product", ["upc", "price", "weight"])


def test_requires_with_arguments(operations: OperationCache) -> None:
    plan = operations.get("{ topProducts { volumeNote } }", None).plan
    assert plan.fetches[0].operation == 'query { topProducts { __typename upc dimension(unit: "cm") } }'
    assert [f.name for f in plan.fetches[1].representations[0][2]] == ["upc", "dimension"]


def test_mutations_are_sequential_with_their_entity_fetches(operations: OperationCache) -> None:
    plan = operations.get('mutation { a: addProduct(upc: "9", name: "x") { inStock } '
                          'b: addReview(upc: "1", body: "y") { id } }', None).plan
    assert [[(f.graph, f.operation.split(" ")[0]) for f in s] for s in plan.stages] == [
        [("PRODUCTS", "mutation")], [("INVENTORY", "query($representations:")], [("REVIEWS", "mutation")]]
    assert plan.stages[2][0].depends_on == (0, 1)


def test_override_routes_to_the_new_owner(operations: OperationCache) -> None:
    plan = operations.get("{ users { nickname } }", None).plan
    assert [f.graph for f in plan.fetches] == ["ACCOUNTS", "REVIEWS"]


def test_non_resolvable_key_is_never_a_target(operations: OperationCache) -> None:
    plan = operations.get("{ me { favoriteProduct { upc name } } }", None).plan
    assert [f.graph for f in plan.fetches] == ["ACCOUNTS", "PRODUCTS"]
    assert plan.fetches[0].operation == "query { me { favoriteProduct { upc __typename } } }"


def test_abstract_types_expand_per_possible_type_and_interface_objects(operations: OperationCache) -> None:
    plan = operations.get("{ media { title popularity ... on Book { reviewCount } } }", None).plan
    root, *entities = plan.fetches
    assert root.operation == ("query { media { __typename ... on Book { title __typename id } "
                              "... on Movie { title __typename id } } }")
    by_graph = {f.graph: f for f in entities}
    # ratings knows Media as an @interfaceObject: representations say "Media".
    assert [(t, sent) for t, sent, _ in by_graph["RATINGS"].representations] == [("Book", "Media"), ("Movie", "Media")]
    assert "... on Media { popularity }" in by_graph["RATINGS"].operation
    assert [t for t, _, _ in by_graph["REVIEWS"].representations] == ["Book"]


def test_variables_and_conditions_are_forwarded(operations: OperationCache) -> None:
    plan = operations.get("query($z: String = \"far\", $i: Boolean!) { topProducts { "
                          "... @include(if: $i) { deliveryDays(zone: $z) } } }", None).plan
    shipping = plan.fetches[-1]
    assert shipping.graph == "SHIPPING"
    assert shipping.variable_names == ("i", "z")
    assert '$z: String = "far"' in shipping.operation and "$i: Boolean!" in shipping.operation
    assert "... @include(if: $i) { deliveryDays(zone: $z) }" in shipping.operation


def test_introspection_only_needs_no_fetch(operations: OperationCache) -> None:
    assert operations.get("{ __typename __schema { queryType { name } } }", None).plan.stages == ()


def test_plans_are_cached_per_document_and_operation_name(operations: OperationCache) -> None:
    doc = "query A { me { name } } query B { users { nickname } }"
    a = operations.get(doc, "A")
    assert operations.get(doc, "A") is a
    b = operations.get(doc, "B")
    assert b is not a and [f.graph for f in b.plan.fetches] == ["ACCOUNTS", "REVIEWS"]


def test_planning_is_pure(operations: OperationCache) -> None:
    prepared = operations.get("{ latestReviews { product { deliveryDays inStock } } }", None)
    planner = Planner(operations.supergraph)
    fragments: dict = {}
    assert planner.plan(prepared.operation, fragments) == planner.plan(prepared.operation, fragments) == prepared.plan


def _leaf_query(schema: object, root: object, depth: int = 3) -> list[str]:
    """One operation per root field selecting every field down to ``depth`` (args as variables)."""
    from graphql import get_named_type, is_abstract_type, is_leaf_type, is_non_null_type

    def selection(gql_type: object, level: int, var_defs: list[str]) -> str:
        named = get_named_type(gql_type)
        if is_leaf_type(named):
            return ""
        if level >= depth:
            return "{ __typename }"
        if is_abstract_type(named):
            parts = ["__typename"]
            for obj in schema.get_possible_types(named):  # type: ignore[attr-defined]
                parts.append(f"... on {obj.name} {selection(obj, level, var_defs)}")
            return "{ " + " ".join(parts) + " }"
        parts = []
        for name, field in named.fields.items():  # type: ignore[attr-defined]
            args = []
            for arg_name, arg in field.args.items():
                if is_non_null_type(arg.type):
                    var = f"v{len(var_defs)}"
                    var_defs.append(f"${var}: {arg.type}")
                    args.append(f"{arg_name}: ${var}")
            arg_text = f"({', '.join(args)})" if args else ""
            parts.append(f"{name}{arg_text} {selection(field.type, level + 1, var_defs)}".strip())
        return "{ " + " ".join(parts) + " }"

    out = []
    for name, field in root.fields.items():  # type: ignore[attr-defined]
        var_defs: list[str] = []
        args = []
        for arg_name, arg in field.args.items():
            if is_non_null_type(arg.type):
                var = f"v{len(var_defs)}"
                var_defs.append(f"${var}: {arg.type}")
                args.append(f"{arg_name}: ${var}")
        body = f"{name}{'(' + ', '.join(args) + ')' if args else ''} {selection(field.type, 1, var_defs)}"
        out.append(f"query{'(' + ', '.join(var_defs) + ')' if var_defs else ''} {{ {body} }}")
    return out


def test_every_root_field_of_every_supergraph_plans(operations: OperationCache) -> None:
    # The fixture supergraph and the project's own supergraph (when composed).
    supergraphs = [operations.supergraph]
    project = Path(__file__).resolve().parents[2] / "schema" / "supergraph.graphql"
    if project.exists():
        supergraphs.append(Supergraph.parse(project.read_text()))
    count = 0
    for sg in supergraphs:
        cache = OperationCache(sg, limits=PLANNING_LIMITS)
        for root in (sg.api_schema.query_type, sg.api_schema.mutation_type):
            if root is None:
                continue
            for query in _leaf_query(sg.api_schema, root):
                query = query.replace("query", "mutation", 1) if root is sg.api_schema.mutation_type else query
                plan = cache.get(query, None).plan
                assert plan.stages, query
                count += 1
    assert count > 20


def test_entity_fetches_to_one_subgraph_in_one_stage_are_merged(operations: OperationCache) -> None:
    plan = operations.get('{ topProducts { inStock } product(upc: "1") { inStock } }', None).plan
    (root,), (inventory,) = plan.stages
    assert [p.path for p in inventory.parts] == [("topProducts", "@"), ("product",)]
    assert inventory.operation == (
        "query($r0: [_Any!]!, $r1: [_Any!]!) { _e0: _entities(representations: $r0) { ... on Product { inStock } } "
        "_e1: _entities(representations: $r1) { ... on Product { inStock } } }")


def test_refused_documents_are_cached_too(operations: OperationCache) -> None:
    from gateway.operation import RequestError

    with pytest.raises(RequestError) as first:
        operations.get("{ nope }", None)
    with pytest.raises(RequestError) as second:
        operations.get("{ nope }", None)
    assert first.value is second.value
    assert first.value.errors[0].extensions == {"code": "GRAPHQL_VALIDATION_FAILED"}


def test_shareable_field_goes_where_its_siblings_go(operations: OperationCache) -> None:
    # Product.name is @shareable in products and reviews; reviews also has Product.reviews:
    # one entity fetch to reviews answers both.
    plan = operations.get("{ me { favoriteProduct { name reviews { body } } } }", None).plan
    assert [f.graph for f in plan.fetches] == ["ACCOUNTS", "REVIEWS"]
    plan = operations.get("{ me { favoriteProduct { name price } } }", None).plan
    assert [f.graph for f in plan.fetches] == ["ACCOUNTS", "PRODUCTS"]


def test_plans_differ_by_progressive_override_labels(operations: OperationCache) -> None:
    query = "{ users { tier } }"
    off = operations.get(query, None, frozenset())
    on = operations.get(query, None, frozenset({"percent(100)"}))
    assert [f.graph for f in off.plan.fetches] == ["ACCOUNTS"]
    assert [f.graph for f in on.plan.fetches] == ["ACCOUNTS", "REVIEWS"]
    assert operations.get(query, None, frozenset({"percent(100)"})) is on
