"""The reporting subgraph's schema (Apollo Federation v2), with its access policy applied at build."""

from __future__ import annotations

from services.reporting.graphql.home_industry import HomeIndustry
from services.reporting.graphql.indicators import IndicatorMutations
from services.reporting.graphql.list_sizes import LIST_SIZES  # noqa: F401  (declares @listSize before the schema is built)
from services.reporting.graphql.query import Query
from services.reporting.graphql.region import Region
from services.reporting.policy import POLICY
from siir.graphql import DomainErrorMasking, SubgraphSchema
from siir.policy.schema import build_schema

schema = build_schema(
    lambda: SubgraphSchema(
        query=Query,
        mutation=IndicatorMutations,
        types=[Region, HomeIndustry],
        federation_version="2.9",
        extensions=[DomainErrorMasking],
    ),
    POLICY,
)
