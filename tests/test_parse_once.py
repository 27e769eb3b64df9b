"""Each distinct operation is parsed and validated once per subgraph process (siir/graphql.py)."""

from __future__ import annotations

import strawberry
import strawberry.schema.schema as strawberry_schema

import siir.graphql as siir_graphql

from siir.graphql import DomainErrorMasking, SubgraphSchema


@strawberry.type
class Query:
    @strawberry.field
    def greeting(self, name: str) -> str:
        return f"halo {name}"


async def test_an_operation_is_parsed_and_validated_once_and_its_variables_still_apply(monkeypatch) -> None:
    schema = SubgraphSchema(query=Query, extensions=[DomainErrorMasking], operation_cache_size=2)
    calls = {"parse": 0, "validate": 0}
    # Validation runs in siir.graphql (without suggestions); strawberry's own is skipped when it has.
    parse, validate, own_validate = strawberry_schema.parse, siir_graphql.validate, strawberry_schema.validate_document

    def counting_parse(*args, **kwargs):
        calls["parse"] += 1
        return parse(*args, **kwargs)

    def counting_validate(*args, **kwargs):
        calls["validate"] += 1
        return validate(*args, **kwargs)

    monkeypatch.setattr(strawberry_schema, "parse", counting_parse)
    monkeypatch.setattr(siir_graphql, "validate", counting_validate)

    def counting_own_validate(*args, **kwargs):
        calls["validate"] += 1
        return own_validate(*args, **kwargs)

    monkeypatch.setattr(strawberry_schema, "validate_document", counting_own_validate)
    operation = "query Greet($name: String!) { greeting(name: $name) }"
    answers = [await schema.execute(operation, variable_values={"name": name}) for name in ("Sri", "Budi", "Wati")]
    assert [a.data for a in answers] == [{"greeting": "halo Sri"}, {"greeting": "halo Budi"}, {"greeting": "halo Wati"}]
    assert calls == {"parse": 1, "validate": 1}

    # A cached invalid operation keeps failing, with its code, every time.
    for _ in range(2):
        result = await schema.execute("{ greeting }")
        assert result.errors and result.errors[0].extensions["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert calls == {"parse": 2, "validate": 2}

    # Bounded: a third distinct text evicts the least recently used one, which is parsed again.
    await schema.execute("{ other: greeting(name: \"x\") }")
    assert len(schema.operation_cache) == 2
    await schema.execute(operation, variable_values={"name": "Sri"})
    assert calls["parse"] == 4


async def test_a_syntax_error_is_answered_and_not_cached() -> None:
    schema = SubgraphSchema(query=Query, extensions=[DomainErrorMasking])
    for _ in range(2):
        result = await schema.execute("{ greeting(name: ")
        assert result.errors and result.errors[0].extensions["code"] == "GRAPHQL_PARSE_FAILED"
    assert len(schema.operation_cache) == 0
