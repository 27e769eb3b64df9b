"""The registry subgraph's schema (Apollo Federation v2)."""

from __future__ import annotations

import strawberry

from services.registry.graphql.home_industry import HomeIndustry
from services.registry.graphql.mutation import Mutation
from services.registry.graphql.query import Query
from services.registry.graphql.region import Region
from siir.graphql import DomainErrorMasking

schema = strawberry.federation.Schema(
    query=Query,
    mutation=Mutation,
    types=[Region, HomeIndustry],
    federation_version="2.7",
    extensions=[DomainErrorMasking()],
)
