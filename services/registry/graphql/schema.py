"""The registry subgraph's schema (Apollo Federation v2), with its access policy applied at build."""

from __future__ import annotations

from strawberry.tools import merge_types

from services.registry.graphql.answer_cache import ServeCachedAnswers
from services.registry.graphql.context import OneSnapshotPerQuery
from services.registry.graphql.facilitator import Facilitator
from services.registry.graphql.facilitator_mutation import FacilitatorMutation
from services.registry.graphql.hand_over import HandOverMutation, HandOverQuery
from services.registry.graphql.home_industry import HomeIndustry
from services.registry.graphql.import_job import ImportJobQuery
from services.registry.graphql.intervention import Intervention
from services.registry.graphql.intervention_mutation import InterventionMutation
from services.registry.graphql.list_sizes import LIST_SIZES  # noqa: F401  (declares @listSize before the schema is built)
from services.registry.graphql.long_text import LONG_TEXT
from services.registry.graphql.map import MapQuery
from services.registry.graphql.mutation import Mutation
from services.registry.graphql.offline_sync import OfflineSyncMutation
from services.registry.graphql.partner import Partner
from services.registry.graphql.partner_mutation import PartnerMutation
from services.registry.graphql.query import Query
from services.registry.graphql.read_audit import AuditReads
from services.registry.graphql.region import Region
from services.registry.graphql.team import Team
from services.registry.graphql.team_mutation import TeamMutation
from services.registry.graphql.transfer import TransferMutation
from services.registry.policy import POLICY
from siir.graphql import DomainErrorMasking, SubgraphSchema
from siir.policy.schema import build_schema

_QUERY = merge_types("Query", (Query, MapQuery, HandOverQuery, ImportJobQuery))
_MUTATION = merge_types("Mutation", (Mutation, TeamMutation, FacilitatorMutation, PartnerMutation, InterventionMutation,
                                     HandOverMutation, TransferMutation, OfflineSyncMutation))
# merge_types drops the descriptions: the merged types keep Query's and Mutation's.
_QUERY.__strawberry_definition__.description = Query.__strawberry_definition__.description
_MUTATION.__strawberry_definition__.description = Mutation.__strawberry_definition__.description

schema = build_schema(
    lambda: SubgraphSchema(
        query=_QUERY,
        mutation=_MUTATION,
        types=[Region, HomeIndustry, Team, Facilitator, Partner, Intervention],
        federation_version="2.9",
        extensions=[OneSnapshotPerQuery, AuditReads, ServeCachedAnswers, DomainErrorMasking],
        long_text=LONG_TEXT,
    ),
    POLICY,
)
