"""The registry subgraph's schema (Apollo Federation v2)."""

from __future__ import annotations

from services.registry.graphql.home_industry import HomeIndustry
from services.registry.graphql.mutation import Mutation
from services.registry.graphql.query import Query
from services.registry.graphql.read_audit import AuditReads
from services.registry.graphql.region import Region
from siir.graphql import DomainErrorMasking, SubgraphSchema

schema = SubgraphSchema(
    query=Query,
    mutation=Mutation,
    types=[Region, HomeIndustry],
    federation_version="2.7",
    extensions=[AuditReads, DomainErrorMasking],
)
