"""The reporting subgraph's schema (Apollo Federation v2)."""

from __future__ import annotations

from services.reporting.graphql.home_industry import HomeIndustry
from services.reporting.graphql.query import Query
from services.reporting.graphql.region import Region
from siir.graphql import DomainErrorMasking, SubgraphSchema

schema = SubgraphSchema(
    query=Query,
    types=[Region, HomeIndustry],
    federation_version="2.7",
    extensions=[DomainErrorMasking],
)
