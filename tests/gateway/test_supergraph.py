"""The supergraph model and the API schema."""

from __future__ import annotations

from pathlib import Path

from graphql import print_schema

from gateway.compose import compose_services
from gateway.supergraph import Supergraph

LINK = ('extend schema @link(url: "https://specs.apollo.dev/federation/v2.6", import: '
        '["@key", "@inaccessible", "@tag", "@authenticated", "@requiresScopes", "@policy", "@shareable"])\n')


def test_join_metadata(supergraph_file: Path) -> None:
    sg = Supergraph.parse(supergraph_file.read_text(), environ={})
    product = sg.types["Product"]
    assert {(k.graph, k.fields, k.resolvable) for k in product.keys} >= {
        ("PRODUCTS", "upc", True), ("PRODUCTS", "sku pkg { id }", True), ("ACCOUNTS", "upc", False)}
    assert sg.field_graphs("Product", "shippingEstimate") == ["INVENTORY"]
    assert sg.field_join("Product", "shippingEstimate", "INVENTORY").requires is not None
    assert sg.field_join("Review", "author", "REVIEWS").provides is not None
    assert sg.field_graphs("User", "nickname") == ["REVIEWS"]
    assert sg.field_join("User", "nickname", "REVIEWS").override == "accounts"
    assert sg.types["Media"].interface_object_graphs == {"RATINGS"}
    assert sg.possible_types_in("SearchResult", "MEDIA") == ["Book", "Movie"]
    assert sg.possible_types_in("SearchResult", "ACCOUNTS") == ["User"]
    assert sg.graphs["PRODUCTS"].name == "products"


def test_api_schema_hides_machinery_and_inaccessible(supergraph_file: Path) -> None:
    api = print_schema(Supergraph.parse(supergraph_file.read_text()).api_schema)
    for hidden in ("join__", "link__", "@link", "secret", "_entities", "_Any"):
        assert hidden not in api
    assert "type Product" in api and "shippingEstimate: Int" in api


def test_subgraph_urls_from_environment_and_arguments(supergraph_file: Path) -> None:
    sdl = supergraph_file.read_text()
    sg = Supergraph.parse(sdl, environ={"SIIR_SUBGRAPH_REVIEWS_URL": "http://reviews:9/graphql"})
    assert sg.graphs["REVIEWS"].url == "http://reviews:9/graphql"
    assert sg.graphs["PRODUCTS"].url.endswith("/products/graphql")
    sg = Supergraph.parse(sdl, {"reviews": "http://arg/graphql"}, environ={"SIIR_SUBGRAPH_REVIEWS_URL": "http://env"})
    assert sg.graphs["REVIEWS"].url == "http://arg/graphql"


def test_authorization_directives_and_tags_are_carried(node_modules: Path) -> None:
    sdl = compose_services([
        {"name": "a", "url": "http://a/graphql", "sdl": LINK + '''
type Query { doc(id: ID!): Doc @authenticated hidden: Int @inaccessible }
type Doc @key(fields: "id") @policy(policies: [["owner"]]) {
  id: ID!
  title: String @tag(name: "public")
  salary: Int @requiresScopes(scopes: [["hr:read"]])
}
enum Level { LOW HIGH SECRET @inaccessible }
type Other { level: Level @shareable }
'''},
    ])
    sg = Supergraph.parse(sdl)
    assert "authenticated" in sg.types["Query"].fields["doc"].auth
    assert sg.types["Doc"].fields["salary"].auth["requiresScopes"] == {"scopes": [["hr:read"]]}
    assert sg.types["Doc"].auth["policy"] == {"policies": [["owner"]]}
    assert sg.types["Query"].fields["hidden"].inaccessible
    assert sg.types["Doc"].fields["title"].tags == ("public",)
    api = print_schema(sg.api_schema)
    assert "hidden" not in api and "SECRET" not in api and "salary: Int" in api
    # The scalars the @policy and @requiresScopes specs bring in are composition data too.
    assert "policy__" not in api and "requiresScopes__" not in api


def test_progressive_override_labels(supergraph_file: Path) -> None:
    from gateway.override_labels import OverrideLabels

    sg = Supergraph.parse(supergraph_file.read_text())
    assert sg.override_labels == {"percent(100)", "percent(0)"}
    assert sg.field_graphs("User", "tier") == ["ACCOUNTS"]
    assert sg.field_graphs("User", "tier", frozenset({"percent(100)"})) == ["REVIEWS"]
    labels = OverrideLabels(sg.override_labels | {"beta", "gamma"}, enabled=["beta"])
    assert all(labels.draw() == {"percent(100)", "beta"} for _ in range(50))
    import random

    half = OverrideLabels(["percent(50)"], enabled=[], rng=random.Random(7))
    drawn = [bool(half.draw()) for _ in range(1000)]
    assert 400 < sum(drawn) < 600
