"""The declared policy covers every field of both subgraphs, and its mechanism denies by default.

The first tests walk the built graphql-core schemas (federation's ``_entities``/``_service`` and every
entity type included). The others build a small schema on purpose with a field the policy does not
list, and execute it as each role, to show that such a field is refused, not answered.
"""

from __future__ import annotations

from typing import Any

import pytest
import strawberry
from graphql import GraphQLObjectType

from gateway.policies import POLICIES
from services.registry.graphql.schema import schema as registry_schema
from services.registry.policy import POLICY as REGISTRY
from services.reporting.graphql.schema import schema as reporting_schema
from services.reporting.policy import POLICY as REPORTING
from siir.auth.identity import Identity, Role
from siir.policy import NAMED_POLICIES, Disclosure, Policy, grant
from siir.policy.schema import build_schema, coordinates, missing, unknown

SCHEMAS = [pytest.param(registry_schema, REGISTRY, id="registry"), pytest.param(reporting_schema, REPORTING, id="reporting")]


@pytest.mark.parametrize(("schema", "policy"), SCHEMAS)
def test_every_field_of_the_subgraph_has_a_policy_entry(schema: Any, policy: Policy) -> None:
    assert missing(schema._schema, policy) == []
    found = coordinates(schema._schema)
    assert "Query._entities" in found and "Query._service" in found and "_Service.sdl" in found
    assert len(found) > 100 if policy is REGISTRY else len(found) > 60


@pytest.mark.parametrize(("schema", "policy"), SCHEMAS)
def test_no_policy_entry_names_a_field_the_schema_does_not_have(schema: Any, policy: Policy) -> None:
    assert unknown(schema._schema, policy) == []


@pytest.mark.parametrize(("schema", "policy"), SCHEMAS)
def test_every_field_the_policy_narrows_is_wrapped_and_every_full_field_is_left_alone(schema: Any, policy: Policy) -> None:
    """The ALLOW/FULL path costs nothing: a field every reaching role gets in full keeps strawberry's resolver."""
    reach = schema.policy_reach
    for type_ in schema._schema.type_map.values():
        if not isinstance(type_, GraphQLObjectType) or type_.name.startswith("__"):
            continue
        for name, field in type_.fields.items():
            rule = policy.rule(f"{type_.name}.{name}")
            assert rule is not None
            wrapped = getattr(field.resolve, "__module__", "") == "siir.policy.schema"
            needs = rule.personal or name == "_entities" or any(
                rule.decision(role) is not Disclosure.FULL for role in reach.get(type_.name, ())
            )
            assert wrapped == needs, f"{type_.name}.{name}"


def test_no_personal_field_reaches_an_analyst_and_every_one_is_audited() -> None:
    personal = REGISTRY.personal()
    assert {rule.coordinate for rule in personal} >= {
        "Owner.name", "Owner.nik", "Owner.phone", "HomeIndustry.address", "HomeIndustry.location",
        "MentoringNote.notes", "TeamMember.phone", "TeamMember.email", "Facilitator.phone", "Facilitator.email",
    }
    for rule in personal:
        assert Role.ANALYST not in rule.reach, rule.coordinate
    assert REPORTING.personal() == []  # reporting holds no personal data


def test_the_gateway_policies_are_the_shared_declaration() -> None:
    assert set(POLICIES) == set(NAMED_POLICIES)
    for name, roles in NAMED_POLICIES.items():
        for role in Role:
            identity = Identity(subject="x", role=role, region=None, partner=None, expires_at=0, token="")
            assert POLICIES[name](identity) is (role in roles), (name, role)


# --- default deny, on a schema built on purpose ---------------------------------------------------


@strawberry.type
class Secret:
    listed: str
    unlisted: str


@strawberry.federation.type(keys=["id"])
class Record:
    id: strawberry.ID

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> "Record":
        return cls(id=id)


@strawberry.federation.type(keys=["id"])
class Hidden:
    id: strawberry.ID

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> "Hidden":
        return cls(id=id)


@strawberry.type
class DemoQuery:
    @strawberry.field
    def secret(self) -> Secret:
        return Secret(listed="boleh", unlisted="rahasia")

    @strawberry.field
    def officials_only(self) -> str:
        return "laporan"

    @strawberry.field
    def forgotten(self) -> str:
        return "bocor"


DEMO = Policy(service="demo", rules=[
    *grant("Query", "_entities _service secret", set(Role)),
    *grant("_Service", "sdl", set(Role)),
    *grant("Query", "officialsOnly", {Role.MINISTRY, Role.DISTRICT_OFFICER}),
    *grant("Secret", "listed", set(Role)),
    *grant("Record", "", set(Role)),
    *grant("Record", "id", set(Role)),
    *grant("Hidden", "id", set(Role)),  # the type itself is not listed: _entities refuses it
])
DEMO_SCHEMA = build_schema(lambda: strawberry.federation.Schema(query=DemoQuery, types=[Record, Hidden]), DEMO)


class Context:
    def __init__(self, role: Role) -> None:
        self.identity = Identity(subject="x", role=role, region=None, partner=None, expires_at=0, token="")


async def run(query: str, role: Role, variables: dict[str, Any] | None = None) -> Any:
    return await DEMO_SCHEMA.execute(query, variable_values=variables, context_value=Context(role))


@pytest.mark.parametrize("role", list(Role))
async def test_a_root_field_with_no_entry_is_refused_to_every_role(role: Role) -> None:
    result = await run("{ forgotten }", role)
    assert result.data == {"forgotten": None}  # refusable, so nullable: the refusal nulls only it
    [error] = result.errors
    assert error.path == ["forgotten"] and error.extensions == {"code": "FORBIDDEN", "coordinate": "Query.forgotten"}
    assert "bocor" not in error.message and "no access policy" in error.message


@pytest.mark.parametrize("role", [Role.MINISTRY, Role.ANALYST])
async def test_an_object_field_with_no_entry_is_refused_beside_the_listed_one(role: Role) -> None:
    result = await run("{ secret { listed unlisted } }", role)
    [error] = result.errors
    assert error.path == ["secret", "unlisted"] and error.extensions == {"code": "FORBIDDEN", "coordinate": "Secret.unlisted"}
    assert "rahasia" not in str(result.data) + error.message


async def test_a_role_the_entry_does_not_name_is_refused_and_a_named_one_answered() -> None:
    refused = await run("{ officialsOnly }", Role.PARTNER)
    [error] = refused.errors
    assert error.path == ["officialsOnly"] and error.extensions == {"code": "FORBIDDEN",
                                                                    "coordinate": "Query.officialsOnly"}
    assert "PARTNER" in error.message and "laporan" not in error.message
    assert (await run("{ officialsOnly }", Role.DISTRICT_OFFICER)).data == {"officialsOnly": "laporan"}


async def test_an_entity_type_with_no_entry_is_refused_at_its_index_and_the_others_resolve() -> None:
    query = "query($r: [_Any!]!) { _entities(representations: $r) { ... on Record { id } ... on Hidden { id } } }"
    result = await run(query, Role.MINISTRY, {"r": [{"__typename": "Record", "id": "1"}, {"__typename": "Hidden", "id": "2"}]})
    assert result.data == {"_entities": [{"id": "1"}, None]}
    [error] = result.errors
    assert error.path == ["_entities", 1] and error.extensions["code"] == "FORBIDDEN"


def test_the_unlisted_fields_are_what_the_coverage_check_reports() -> None:
    assert missing(DEMO_SCHEMA._schema, DEMO) == ["Query.forgotten", "Secret.unlisted", "Hidden"]
