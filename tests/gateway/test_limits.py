"""The abuse limits as pure functions: the cost model by example, the shape measures, and the
rate limiter in one process (the HTTP behaviour is in tests/security/test_gateway_attacks.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import FragmentDefinitionNode, OperationDefinitionNode, parse

from gateway.authorization import check_policies_known
from gateway.limits import Limits, VariableDependent, estimate_cost, measure_shape
from gateway.policies import UnknownPolicy
from gateway.rate_limit import LocalWindows, RateLimiter, redis_storage
from gateway.supergraph import Supergraph


@pytest.fixture(scope="module")
def supergraph(supergraph_file: Path) -> Supergraph:
    return Supergraph.parse(supergraph_file.read_text())


def _split(query: str) -> tuple[OperationDefinitionNode, dict[str, FragmentDefinitionNode]]:
    document = parse(query)
    operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    return operation, {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}


# The cost model: a field costs 1 plus its selections; a list field multiplies that by its page
# size (its first/last/limit argument, else its schema default, else default_page_size = 10).
COSTS = [
    ("{ me { id name } }", 3),                                   # me + id + name
    ("{ topProducts { upc } }", (1 + 1) * 3),                    # topProducts(first: Int = 3)
    ("{ topProducts(first: 4) { upc name } }", (1 + 2) * 4),
    ("{ topProducts(first: 4) { reviews { body } } }", 4 * (1 + 10 * (1 + 1))),  # reviews: default 10
    ("{ me { __typename id } }", 2),                             # __typename is free
    ("{ a: me { id } b: me { id } }", 4),                        # aliases count each time
    ("{ me { ...U } } fragment U on User { id reviews { body } }", 1 + 1 + 10 * 2),
    ("{ topProducts(first: 0) { upc } }", 0),
]


@pytest.mark.parametrize("query,cost", COSTS, ids=[q for q, _ in COSTS])
def test_the_cost_model(supergraph: Supergraph, query: str, cost: int) -> None:
    operation, fragments = _split(query)
    assert estimate_cost(supergraph.api_schema, operation, fragments, Limits(), None) == cost


def test_a_page_size_variable_is_costed_with_the_requests_value(supergraph: Supergraph) -> None:
    operation, fragments = _split("query($n: Int) { topProducts(first: $n) { upc } }")
    with pytest.raises(VariableDependent):
        estimate_cost(supergraph.api_schema, operation, fragments, Limits(), None)
    assert estimate_cost(supergraph.api_schema, operation, fragments, Limits(), {"n": 50}) == 100
    # Not given: the argument's schema default.
    assert estimate_cost(supergraph.api_schema, operation, fragments, Limits(), {}) == 6


def test_shape_counts_depth_by_fields_and_aliases_and_directives_per_spread() -> None:
    operation, fragments = _split("query { a: me { ... on User { x: id @skip(if: false) } ...F ...F } } "
                                  "fragment F on User { y: reviews { body @include(if: true) } }")
    shape = measure_shape(operation.selection_set, fragments, skip_introspection=False)
    assert (shape.depth, shape.aliases, shape.directives) == (3, 1 + 1 + 2, 1 + 2)


def test_introspection_is_not_counted_in_depth_when_it_is_allowed() -> None:
    operation, fragments = _split("{ __schema { types { fields { type { ofType { name } } } } } }")
    assert measure_shape(operation.selection_set, fragments, skip_introspection=True).depth == 0
    assert measure_shape(operation.selection_set, fragments, skip_introspection=False).depth == 6


def test_the_shape_of_a_fragment_explosion_is_measured_without_expanding_it() -> None:
    fragments = " ".join(f"fragment F{i} on User {{ ...F{i + 1} ...F{i + 1} }}" for i in range(60))
    operation, parsed = _split("{ me { ...F0 } } " + fragments + " fragment F60 on User { a: id }")
    assert measure_shape(operation.selection_set, parsed, skip_introspection=False).aliases == 2 ** 60


def test_settings_reach_the_limits() -> None:
    from siir.settings import Settings

    limits = Limits.from_settings(Settings(gateway_max_depth=9, gateway_introspection=True, gateway_rate_limit=0))
    assert (limits.max_depth, limits.introspection, limits.rate_limit, limits.max_aliases) == (9, True, 0, 15)


def test_the_defaults_are_no_looser_than_graphql_armor_but_for_the_national_indicator_table() -> None:
    limits = Limits.from_settings(__import__("siir.settings", fromlist=["Settings"]).Settings())
    assert (limits.max_depth, limits.max_aliases, limits.max_tokens, limits.max_directives) == (6, 15, 1000, 50)
    # Armor's 5,000 would refuse the ministry's Tabel 3 table with its 38 provinces (estimated ≈ 5,400;
    # tests/reporting/test_programme_indicators.py asks it with these defaults): twice Armor's, no more.
    assert limits.max_cost == 10_000
    assert not limits.introspection and not limits.field_suggestions and limits.rate_limit > 0


async def test_a_subject_gets_its_burst_then_waits_for_the_window() -> None:
    limiter = RateLimiter(rate=2.0, burst=3)          # 3 in any 2 seconds
    assert [await limiter.take("ana") for _ in range(3)] == [0.0, 0.0, 0.0]
    wait = await limiter.take("ana")
    assert 0 < wait <= 2.0                            # until the first of the three leaves the window
    assert await limiter.take("budi") == 0.0          # another subject, another window


def test_the_local_window_moves_and_forgets_idle_subjects() -> None:
    """This process's windows: 3 in any 2 seconds, counted from each admitted request's time."""
    windows = LocalWindows(burst=3, window_s=2.0)
    assert [windows.take("ana", now=t) for t in (10.0, 10.5, 11.0)] == [0.0, 0.0, 0.0]
    assert windows.take("ana", now=11.5) == pytest.approx(0.5)   # the one of 10.0 leaves at 12.0
    assert windows.take("ana", now=12.0) == 0.0                  # it has left: one more
    assert windows.take("ana", now=12.1) == pytest.approx(0.4)   # refused requests are not counted
    assert windows.take("budi", now=20.0) == 0.0                 # a sweep: ana idle for a whole window
    assert set(windows.admitted) == {"budi"}
    assert [windows.take("ana", now=20.0 + i / 10) for i in range(4)][3] > 0  # a fresh window for ana


async def test_a_rate_of_zero_disables_the_limit() -> None:
    limiter = RateLimiter(rate=0, burst=1)
    assert all([await limiter.take("x") == 0.0 for _ in range(1000)])


async def test_redis_unreachable_fails_open_to_this_process_limit(caplog: pytest.LogCaptureFixture) -> None:
    """A configured Redis that does not answer: each replica still limits on its own, with one warning."""
    limiter = RateLimiter(rate=1.0, burst=2, shared=redis_storage("redis://127.0.0.1:1/0", "siir-test:"))
    with caplog.at_level("WARNING", logger="gateway.rate_limit"):
        taken = [await limiter.take("ana") for _ in range(3)]
    assert taken[:2] == [0.0, 0.0] and taken[2] > 0
    assert len(caplog.records) == 1 and "Redis unreachable" in caplog.records[0].message


def test_a_supergraph_naming_an_unknown_policy_is_refused_at_startup(guarded_supergraph_file: Path) -> None:
    sdl = guarded_supergraph_file.read_text()
    check_policies_known(Supergraph.parse(sdl))
    with pytest.raises(UnknownPolicy, match="'everything'"):
        check_policies_known(Supergraph.parse(sdl.replace('[["records"]]', '[["everything"]]', 1)))


# @listSize and @cost (IBM GraphQL Cost Directive), composed by the real composer: the sizes the
# subgraph declares replace the page-size guess; a connection's size goes to its sizedFields.
DECLARED_SDL = """
extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@cost", "@listSize"])
type Query {
  shelf(first: Int! = 5): Shelf @listSize(slicingArguments: ["first"], sizedFields: ["books"], requireOneSlicingArgument: false)
  tags: [String!]! @listSize(assumedSize: 7)
  heavy: Int @cost(weight: 20)
  authors(limit: Int = 3): [Author!]! @listSize(slicingArguments: ["limit"], requireOneSlicingArgument: false)
  loose: [Author!]!
}
type Shelf { books: [Book!]! total: Int }
type Book { title: String notes: [String!]! @listSize(assumedSize: 2) }
type Author { name: String }
"""
DECLARED_COSTS = [
    ("{ tags }", 7),
    ("{ heavy }", 20),
    ("{ shelf { total books { title } } }", 1 + 1 + 5 * (1 + 1)),
    ("{ shelf(first: 2) { books { notes } } }", 1 + 2 * (1 + 2)),
    ("{ authors { name } }", 3 * 2),
    ("{ authors(limit: 9) { name } }", 9 * 2),
    ("{ loose { name } }", 10 * 2),  # undeclared: the default page size, an estimate only
]


@pytest.fixture(scope="module")
def declared_supergraph(node_modules: Path) -> Supergraph:
    from gateway.compose import compose_services

    sdl = compose_services([{"name": "books", "url": "http://books/graphql", "sdl": DECLARED_SDL}])
    assert '@link(url: "https://specs.apollo.dev/cost/v0.1"' in sdl  # the composer keeps the directives
    return Supergraph.parse(sdl)


@pytest.mark.parametrize("query,cost", DECLARED_COSTS, ids=[q for q, _ in DECLARED_COSTS])
def test_declared_list_sizes_and_weights_are_the_cost(declared_supergraph: Supergraph, query: str, cost: int) -> None:
    operation, fragments = _split(query)
    assert estimate_cost(declared_supergraph.api_schema, operation, fragments, Limits(), {},
                         declared_supergraph.field_costs) == cost


def test_a_declared_slicing_argument_from_a_variable_is_costed_per_request(declared_supergraph: Supergraph) -> None:
    operation, fragments = _split("query($n: Int!) { shelf(first: $n) { books { title } } }")
    with pytest.raises(VariableDependent):
        estimate_cost(declared_supergraph.api_schema, operation, fragments, Limits(), None, declared_supergraph.field_costs)
    assert estimate_cost(declared_supergraph.api_schema, operation, fragments, Limits(), {"n": 4},
                         declared_supergraph.field_costs) == 1 + 4 * 2


def test_a_connections_edges_add_no_depth() -> None:
    """``edges { node { … } }`` is one level, as ``nodes { … }`` is: paging a list costs no depth."""
    by_edges, fragments = _split("{ teams { edges { node { members { edges { node { personName } } } } } } }")
    by_nodes, _ = _split("{ teams { nodes { members { nodes { personName } } } } }")
    assert measure_shape(by_edges.selection_set, fragments, skip_introspection=False).depth == 5
    assert measure_shape(by_nodes.selection_set, fragments, skip_introspection=False).depth == 5


def test_our_connections_are_costed_by_their_page_size() -> None:
    """``@listSize(slicingArguments: ["first"], sizedFields: ["edges", "nodes"])`` on every connection of our
    supergraph: ``first`` multiplies what is inside ``edges`` and ``nodes``, not the connection's own fields."""
    ours = Supergraph.parse((Path(__file__).parents[2] / "schema" / "supergraph.graphql").read_text())

    def cost(query: str) -> int:
        operation, fragments = _split(query)
        return estimate_cost(ours.api_schema, operation, fragments, Limits(), None, ours.field_costs)

    # teams + totalCount + pageInfo { hasNextPage } + 7 × (a node and its name)
    assert cost("{ teams(first: 7) { totalCount pageInfo { hasNextPage } nodes { name } } }") == 1 + 1 + 2 + 7 * 2
    assert cost("{ teams(first: 7) { edges { node { name } } } }") == 1 + 7 * (1 + 2)
    # nested: 7 teams × (a node + its members connection + 3 × (a member and its name))
    assert cost("{ teams(first: 7) { nodes { members(first: 3) { nodes { personName } } } } }") == 1 + 7 * (1 + 1 + 3 * 2)
    # the defaults when no page size is given: teams 50, members 50
    assert cost("{ teams { nodes { members { nodes { personName } } } } }") == 1 + 50 * (1 + 1 + 50 * 2)
