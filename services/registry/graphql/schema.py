"""The registry subgraph's schema (Apollo Federation v2)."""

from __future__ import annotations

from strawberry.tools import merge_types

from services.registry.graphql.context import OneSnapshotPerQuery
from services.registry.graphql.facilitator import Facilitator
from services.registry.graphql.facilitator_mutation import FacilitatorMutation
from services.registry.graphql.home_industry import HomeIndustry
from services.registry.graphql.intervention import Intervention
from services.registry.graphql.intervention_mutation import InterventionMutation
from services.registry.graphql.mutation import Mutation
from services.registry.graphql.partner import Partner
from services.registry.graphql.partner_mutation import PartnerMutation
from services.registry.graphql.query import Query
from services.registry.graphql.read_audit import AuditReads
from services.registry.graphql.region import Region
from services.registry.graphql.team import Team
from services.registry.graphql.team_mutation import TeamMutation
from siir.graphql import DomainErrorMasking, SubgraphSchema

schema = SubgraphSchema(
    query=Query,
    mutation=merge_types("Mutation", (Mutation, TeamMutation, FacilitatorMutation, PartnerMutation, InterventionMutation)),
    types=[Region, HomeIndustry, Team, Facilitator, Partner, Intervention],
    federation_version="2.7",
    extensions=[OneSnapshotPerQuery, AuditReads, DomainErrorMasking],
)
