"""The gateway's cost estimate is an upper bound of what an operation answers.

Every list field of both subgraphs declares its most items (``@listSize``, from
``services/*/graphql/list_sizes.py``), the gateway multiplies by them, and the subgraphs never
answer more. Checked three ways: every list field of the schemas carries ``@listSize``; the region
reference list fits the children bound; and, on the real registry and reporting services over
demo data, each root field run at the deepest depth the gateway allows (6) with every field the
caller may select and the largest page sizes answers no more fields (nor objects) than the
gateway estimated.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import asyncpg
import httpx
import pytest
import strawberry
from graphql import (
    GraphQLObjectType,
    get_named_type,
    is_leaf_type,
    is_non_null_type,
    parse,
)
from graphql.language import ListTypeNode, NonNullTypeNode, ObjectTypeDefinitionNode, ObjectTypeExtensionNode
from strawberry.utils.str_converters import to_camel_case

from gateway.authorization import requirement_of
from gateway.limits import Limits, estimate_cost
from gateway.supergraph import Supergraph
from services.registry.graphql.list_sizes import CHILD_REGIONS
from services.registry.graphql.list_sizes import LIST_SIZES as REGISTRY_SIZES
from services.registry.graphql.query import Query
from services.reporting.graphql.list_sizes import CHILD_REGIONS as REPORTING_CHILD_REGIONS
from services.reporting.graphql.list_sizes import LIST_SIZES as REPORTING_SIZES
from siir.auth.identity import Identity
from siir.database import asyncpg_dsn
from siir.list_sizes import AtMost, First, SlicedBy, declared
from siir.regions import kemendagri_regions
from siir.settings import PROJECT_ROOT, Settings
from tests.conftest import ServerThread, Tokens, create_database, drop_database

SCHEMAS = PROJECT_ROOT / "schema"
MAX_DEPTH = Limits().max_depth


def _list_fields(sdl: str) -> Iterator[tuple[str, str, bool]]:
    """(type, field, has @listSize) of every list-typed field of a subgraph SDL."""
    for definition in parse(sdl).definitions:
        if not isinstance(definition, (ObjectTypeDefinitionNode, ObjectTypeExtensionNode)):
            continue
        for field in definition.fields or ():
            node = field.type.type if isinstance(field.type, NonNullTypeNode) else field.type
            if isinstance(node, ListTypeNode):
                yield definition.name.value, field.name.value, any(d.name.value == "listSize" for d in field.directives or ())


def _sized_fields(sdl: str) -> set[str]:
    """Names a connection's ``@listSize(sizedFields:)`` bounds (``edges``)."""
    names = set()
    for definition in parse(sdl).definitions:
        for field in getattr(definition, "fields", None) or ():
            for directive in field.directives or ():
                for argument in directive.arguments or ():
                    if directive.name.value == "listSize" and argument.name.value == "sizedFields":
                        names |= {v.value for v in argument.value.values}  # type: ignore[attr-defined]
    return names


@pytest.mark.parametrize("subgraph", ["registry", "reporting"])
def test_every_list_field_declares_its_most_items(subgraph: str) -> None:
    sdl = (SCHEMAS / f"{subgraph}.graphql").read_text()
    sized = _sized_fields(sdl)
    missing = [f"{t}.{f}" for t, f, has in _list_fields(sdl)
               if not has and f not in sized and (t, f) != ("Query", "_entities")]
    assert missing == [], f"list fields without @listSize (declare them in services/{subgraph}/graphql/list_sizes.py)"
    assert "edges" in sized or subgraph == "reporting"


def test_the_supergraph_keeps_the_list_sizes() -> None:
    supergraph = Supergraph.parse((SCHEMAS / "supergraph.graphql").read_text())
    costs = supergraph.field_costs
    for table in (REGISTRY_SIZES, REPORTING_SIZES):
        for type_name, name, bound in declared(table):
            size = costs[type_name][to_camel_case(name)].list_size
            assert size is not None
            if isinstance(bound, AtMost):
                assert size.assumed_size == bound.most and size.slicing_arguments == ()
            else:
                expected = "first" if isinstance(bound, First) else bound.argument
                assert size.slicing_arguments == (expected,) and size.assumed_size is None


def test_no_region_list_is_longer_than_declared() -> None:
    regions = kemendagri_regions()
    children = Counter(parent for _, _, _, _, parent in regions)
    assert max(children.values()) <= min(CHILD_REGIONS.most, REPORTING_CHILD_REGIONS.most)
    assert children[None] == 38  # the nation's provinces, the reporting nation's children
    # ``regions`` answers the children of one region or one whole level above sub-districts.
    by_level = Counter(level for _, _, level, _, _ in regions)
    assert max(max(children.values()), by_level[1], by_level[2]) <= REGISTRY_SIZES[Query]["regions"].most


# -- the live check --------------------------------------------------------------------------


def _most_by_field() -> dict[tuple[str, str], int]:
    """(type, GraphQL field) → the largest page size the subgraph accepts (slicing arguments only)."""
    out = {}
    for table in (REGISTRY_SIZES, REPORTING_SIZES):
        for type_name, name, bound in declared(table):
            if isinstance(bound, (First, SlicedBy)):
                out[(type_name, to_camel_case(name))] = bound.most
    return out


@dataclass
class Live:
    gateway: str
    supergraph: Supergraph
    tokens: Tokens
    client: httpx.Client
    regency: str  # the demo regency with the most IR
    ids: dict[str, str]  # root field → an id or number to look up


def _caught_up(client: httpx.Client, reporting: str, tokens: Tokens, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        answer = client.post(reporting, json={"query": "{ reportingStatus { lagEvents eventsApplied } }"},
                             headers=tokens.headers("MINISTRY")).json()
        status = (answer.get("data") or {}).get("reportingStatus") or {}
        if status.get("lagEvents") == 0 and status.get("eventsApplied"):
            return
        time.sleep(0.2)
    raise AssertionError("the reporting consumer did not catch up")


async def _demo_ids(url: str) -> tuple[str, dict[str, str]]:
    pg = await asyncpg.connect(**asyncpg_dsn(url))
    try:
        regency = await pg.fetchval("SELECT regency_code FROM registry.home_industries GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1")
        ir = await pg.fetchrow("""SELECT h.id, h.registration_number FROM registry.home_industries h
                                  WHERE h.regency_code = $1 ORDER BY (SELECT count(*) FROM registry.interventions i
                                  WHERE i.home_industry_id = h.id) DESC, h.id LIMIT 1""", regency)
        facilitator = await pg.fetchval("SELECT id FROM registry.facilitators WHERE regency_code = $1 ORDER BY id LIMIT 1", regency)
        team = await pg.fetchval("SELECT id FROM registry.teams WHERE region_code = $1 ORDER BY id LIMIT 1", regency)
        partner = await pg.fetchval("SELECT partner_id FROM registry.partner_programmes GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1")
        intervention = await pg.fetchval("SELECT id FROM registry.interventions WHERE home_industry_id = $1 ORDER BY id LIMIT 1", ir["id"])
        sub_district = await pg.fetchval("SELECT left(village_code, 8) FROM registry.home_industries WHERE regency_code = $1 "
                                         "GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1", regency)
    finally:
        await pg.close()
    return regency, {"subDistrict": sub_district, "homeIndustry": str(ir["id"]),
                     "homeIndustryByRegistrationNumber": ir["registration_number"], "facilitator": str(facilitator),
                     "team": str(team), "partner": str(partner), "intervention": str(intervention)}


@pytest.fixture(scope="module")
def live(admin_url: str, tokens: Tokens) -> Iterator[Live]:
    from gateway.app import build_app as build_gateway
    from services.registry.app import build_app as build_registry
    from services.registry_demo.seeding import seed_demo_data
    from services.reporting.app import build_app as build_reporting
    from siirctl.preparation import prepare_database

    url = create_database(admin_url, "siir_cost")
    try:
        prepare_database(url)
        asyncio.run(seed_demo_data(url, count=250, seed=2016))
        regency, ids = asyncio.run(_demo_ids(url))
        sdl = (SCHEMAS / "supergraph.graphql").read_text()
        with ServerThread(build_registry(url, verifier=tokens.verifier)) as registry, \
                ServerThread(build_reporting(url, Settings(reporting_poll_interval=0.1), run_consumer=True,
                                             verifier=tokens.verifier)) as reporting:
            # The depth limit stays; the other limits are lifted so that the widest operation runs.
            limits = Limits(max_cost=10**30, max_tokens=10**6, max_aliases=10**4, max_directives=10**4,
                            rate_limit=1e9, rate_burst=10**9)
            gateway_app = build_gateway(sdl, verifier=tokens.verifier, limits=limits, subgraph_timeout=600,
                                        subgraph_urls={"registry": registry.url + "/graphql",
                                                       "reporting": reporting.url + "/graphql"})
            with ServerThread(gateway_app) as gateway, httpx.Client(timeout=600) as client:
                _caught_up(client, reporting.url + "/graphql", tokens)
                yield Live(gateway.url + "/graphql", Supergraph.parse(sdl), tokens, client, regency, ids)
    finally:
        drop_database(admin_url, url)


class WidestOperation:
    """The operation selecting, under one root field, every field the caller may select down to the
    depth limit, each list at its largest page size."""

    def __init__(self, supergraph: Supergraph, identity: Identity, values: dict[str, Any]) -> None:
        self.supergraph = supergraph
        self.schema = supergraph.api_schema
        self.identity = identity
        self.values = values  # argument name → literal, for required arguments and filters
        self.most = _most_by_field()

    def allowed(self, parent: str, field: str, returns: str) -> bool:
        types = self.supergraph.types
        parts = [types[parent].auth, types[parent].fields[field].auth if field in types[parent].fields else {}]
        if returns in types:
            parts.append(types[returns].auth)
        return all(r is None or r.allows(self.identity) for r in map(requirement_of, parts))

    def arguments(self, parent: str, name: str, definition: Any) -> str | None:
        given = []
        for arg_name, arg in definition.args.items():
            most = self.most.get((parent, name))
            if most is not None and arg_name == "first":
                given.append(f"first: {most}")
            elif arg_name in self.values:
                given.append(f"{arg_name}: {self.values[arg_name]}")
            elif is_non_null_type(arg.type) and (arg.ast_node is None or arg.ast_node.default_value is None):
                return None  # a required argument this test has no value for: not selected
        return f"({', '.join(given)})" if given else ""

    def selection(self, parent: GraphQLObjectType, depth: int) -> str | None:
        parts = []
        for name, definition in parent.fields.items():
            returns = get_named_type(definition.type)
            if name.startswith("__") or not self.allowed(parent.name, name, returns.name):
                continue
            arguments = self.arguments(parent.name, name, definition)
            if arguments is None:
                continue
            if is_leaf_type(returns):
                parts.append(name + arguments)
            elif depth > 1:
                inner = self.selection(returns, depth - 1)  # type: ignore[arg-type]
                if inner is not None:
                    parts.append(f"{name}{arguments} {inner}")
        return "{ " + " ".join(parts) + " }" if parts else None

    def operation(self, root: str, root_values: dict[str, Any]) -> str | None:
        query = self.schema.query_type
        assert query is not None
        values, self.values = self.values, {**self.values, **root_values}
        try:
            definition = query.fields[root]
            returns = get_named_type(definition.type)
            if not self.allowed("Query", root, returns.name):
                return None
            arguments = self.arguments("Query", root, definition)
            if arguments is None:
                return None
            if is_leaf_type(returns):
                return "{ " + root + arguments + " }"
            inner = self.selection(returns, MAX_DEPTH - 1)  # type: ignore[arg-type]
            return "{ " + f"{root}{arguments} {inner}" + " }" if inner else None
        finally:
            self.values = values


def answered(value: Any) -> tuple[int, int]:
    """(fields, objects) of an answer, counted as the estimate counts: each field 1, a list's
    items each 1 plus their fields; objects include the answer itself."""
    fields = objects = 0
    if isinstance(value, dict):
        objects += 1
        for item in value.values():
            if isinstance(item, list):
                for element in item:
                    f, o = answered(element)
                    fields, objects = fields + 1 + f, objects + o
            else:
                f, o = answered(item)
                fields, objects = fields + 1 + f, objects + o
    return fields, objects


def _caller(role: str, region: str | None = None) -> Identity:
    claims = {"sub": role.lower(), "role": role, "exp": 0, **({"region": region} if region else {})}
    return Identity.from_claims(claims, token="")


CALLERS = {
    "MINISTRY": lambda regency: _caller("MINISTRY"),
    "DISTRICT_OFFICER": lambda regency: _caller("DISTRICT_OFFICER", regency),
    "ANALYST": lambda regency: _caller("ANALYST"),
}


@pytest.mark.parametrize("role", sorted(CALLERS))
def test_no_root_field_answers_more_than_its_estimate(live: Live, role: str) -> None:
    identity = CALLERS[role](live.regency)
    today = dt.date.today()
    values = {"regionCode": f'"{live.regency}"', "code": f'"{live.regency}"', "groupByChildren": "true",
              "from": '"2016-01-01"', "to": f'"{today.isoformat()}"', "year": str(today.year - 1)}
    widest = WidestOperation(live.supergraph, identity, values)
    # ``regions`` under one of the regency's sub-districts: its villages, each with their whole subtree.
    root_values = {"regions": {"parentCode": f'"{live.ids["subDistrict"]}"'},
                   "homeIndustryByRegistrationNumber": {"number": f'"{live.ids["homeIndustryByRegistrationNumber"]}"'},
                   **{root: {"id": f'"{live.ids[root]}"'} for root in
                      ("homeIndustry", "facilitator", "team", "partner", "intervention")}}
    headers = live.tokens.headers(role, identity.region)
    checked = []
    for root in live.supergraph.api_schema.query_type.fields:  # type: ignore[union-attr]
        query = widest.operation(root, root_values.get(root, {}))
        if query is None:
            continue
        document = parse(query)
        operation = document.definitions[0]
        estimate = estimate_cost(live.supergraph.api_schema, operation, {}, Limits(), {},  # type: ignore[arg-type]
                                 live.supergraph.field_costs)
        response = live.client.post(live.gateway, json={"query": query}, headers=headers)
        assert response.status_code == 200, (root, response.text[:500])
        body = response.json()
        assert body.get("data") is not None, (root, body)
        assert all(e["extensions"]["code"] in ("FORBIDDEN", "NOT_FOUND") for e in body.get("errors", ())), (root, body["errors"][:3])
        fields, objects = answered(body["data"])
        assert objects - 1 <= fields <= estimate, (root, fields, estimate)
        checked.append((root, fields, estimate))
    # The answers are not empty: the bound is checked on data (lists with items), not on nulls.
    assert len(checked) >= 5 and sum(f for _, f, _ in checked) > 1000, checked


# -- the mechanism, on a toy schema ------------------------------------------------------------


@strawberry.type
class Shelf:
    labels: list[str]  # a plain attribute: bounded where it is made, declared only

    @strawberry.field
    def books(self) -> list[int]:
        return list(range(10))

    @strawberry.field
    def notes(self) -> list[int]:
        return list(range(10))


@strawberry.type
class ShelfQuery:
    @strawberry.field
    def shelf(self) -> Shelf:
        return Shelf(labels=["a", "b"])


def test_a_declared_list_is_cut_or_paged_and_says_so_in_the_schema() -> None:
    from siir.graphql import SubgraphSchema
    from siir.list_sizes import declare_list_sizes

    declare_list_sizes({Shelf: {"labels": AtMost(2), "books": AtMost(3), "notes": First(4, most=6)}})
    schema = SubgraphSchema(query=ShelfQuery, federation_version="2.9")
    sdl = schema.as_str()
    assert "labels: [String!]! @listSize(assumedSize: 2)" in sdl
    assert "books: [Int!]! @listSize(assumedSize: 3)" in sdl
    assert "first: Int! = 4" in sdl and '@listSize(slicingArguments: ["first"], requireOneSlicingArgument: false)' in sdl

    answer = schema.execute_sync("{ shelf { labels books notes more: notes(first: 6) } }")
    assert answer.errors is None and answer.data == {
        "shelf": {"labels": ["a", "b"], "books": [0, 1, 2], "notes": [0, 1, 2, 3], "more": [0, 1, 2, 3, 4, 5]}}
    refused = schema.execute_sync("{ shelf { notes(first: 7) } }")
    assert refused.errors and refused.errors[0].message == "first: must be between 0 and 6"
    assert refused.errors[0].extensions == {"code": "BAD_USER_INPUT", "field": "first"}
