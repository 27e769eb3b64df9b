"""The reporting subgraph's schema (Apollo Federation v2), with its access policy applied at build."""

from __future__ import annotations

from strawberry.tools import merge_types

from services.reporting.graphql.answer_cache import ServeCachedAnswers
from services.reporting.graphql.home_industry import HomeIndustry
from services.reporting.graphql.indicators import IndicatorMutations
from services.reporting.graphql.list_sizes import LIST_SIZES  # noqa: F401  (declares @listSize before the schema is built)
from services.reporting.graphql.query import Query as ReportQuery
from services.reporting.graphql.sign_off import LONG_TEXT, SignOffMutation, SignOffQuery
from services.reporting.graphql.region import Region
from services.reporting.policy import POLICY
from siir.graphql import DomainErrorMasking, SubgraphSchema
from siir.policy.schema import build_schema

Query = merge_types("Query", (ReportQuery, SignOffQuery))
Mutation = merge_types("Mutation", (IndicatorMutations, SignOffMutation))
# merge_types drops the descriptions: the merged types keep their own.
Query.__strawberry_definition__.description = ReportQuery.__strawberry_definition__.description
Mutation.__strawberry_definition__.description = ("Reporting's writes: the programme's targets and the sign-off of "
                                                  "annual reports up the structural path.")

schema = build_schema(
    lambda: SubgraphSchema(
        query=Query,
        mutation=Mutation,
        types=[Region, HomeIndustry],
        federation_version="2.9",
        extensions=[ServeCachedAnswers, DomainErrorMasking],
        long_text=LONG_TEXT,
    ),
    POLICY,
)
