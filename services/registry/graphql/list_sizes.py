"""The most items each list field of the registry can answer (see ``siir.list_sizes``).

One entry per list field, by type. The gateway's cost estimate multiplies by these numbers, so each
is a true maximum: input lists are refused past ``validation.MAX_LIST`` items, enum lists hold each
value once, audit events list one record's fields and columns, connections (``siir.connections``:
root lists, a team's members, a region's children, …) refuse a ``first`` above their page maximum,
and an IR's or facilitator's own capped history answers the first ``first`` items the caller asks
for (``First``). docs/connections.md says which lists are which. A test fails when a list field of
the schema has no entry.
"""

from __future__ import annotations

from services.registry.domain import validation
from services.registry.graphql import (audit_trail, enums, facilitator, hand_over, home_industry, partner, query, reassessment,
                                       region, team)
from services.registry.graphql.hand_over import HandOverPackage
from services.registry.graphql.import_job import ImportJob
from services.registry.domain import offline_sync
from services.registry.graphql.offline_sync import OfflineSyncMutation, OfflineSyncResult
from services.registry.graphql import duplicates, transfer
from services.registry.graphql.duplicates import DuplicateReason, PossibleDuplicate
from services.registry.graphql.audit_trail import AuditEvent
from services.registry.graphql.facilitator import Facilitator
from services.registry.graphql.home_industry import HomeIndustry, Product, Workforce
from services.registry.graphql.partner import EligibilityRule, Partner
from services.registry.graphql.query import Query
from services.registry.graphql.region import Region
from services.registry.graphql.team import Team
from siir.list_sizes import AtMost, First, ListBound, SlicedBy, declare_list_sizes

#: Lists a client writes (products, constraints, programmes, …): refused on input past this.
INPUT_LIST = AtMost(validation.MAX_LIST)
#: Children of one Kemendagri region: 108 villages in the largest sub-district (95.06.03), 51
#: sub-districts in the largest regency, 38 provinces; a test checks the reference list against it.
CHILD_REGIONS = AtMost(150)
#: A connection's page: ``first`` bounds its ``edges`` and ``nodes`` (``siir.connections``).
PAGE = ("edges", "nodes")
#: Facilitators of a team's or region's offices, a page at a time.
REGION_FACILITATORS = SlicedBy("first", team.MAX_FACILITATORS_PAGE, PAGE)

LIST_SIZES: dict[type, dict[str, ListBound]] = {
    Query: {
        "regions": SlicedBy("first", query.MAX_REGIONS, PAGE),
        "home_industries": SlicedBy("first", query.MAX_PAGE, PAGE),
        "teams": SlicedBy("first", query.MAX_LIST_PAGE, PAGE),
        "facilitators": SlicedBy("first", query.MAX_LIST_PAGE, PAGE),
        "partners": SlicedBy("first", query.MAX_LIST_PAGE, PAGE),
        "audit_trail": SlicedBy("first", audit_trail.MAX_PAGE, PAGE),
        "reassessment_worklist": SlicedBy("first", reassessment.MAX_PAGE, PAGE),
        "possible_duplicates": SlicedBy("first", duplicates.MAX_PAGE, PAGE),
        "pending_home_industry_transfers": SlicedBy("first", transfer.MAX_PAGE, PAGE),
    },
    AuditEvent: {
        "fields": AtMost(50),  # personal fields of one record read in one request
        "changes": AtMost(100),  # columns of one row (home_industries has 42) and the rows created with it
    },
    EligibilityRule: {
        "classes": AtMost(len(enums.IrClass)),
        "statuses": AtMost(len(enums.HomeIndustryStatus)),
        "region_codes": INPUT_LIST,
    },
    Facilitator: {
        "assignments": First(20, most=200),  # current and past, newest first
        "villages": First(20, most=200),  # the assignments' villages of today
        "home_industries": SlicedBy("first", facilitator.MAX_HOME_INDUSTRIES_PAGE, PAGE),
    },
    HomeIndustry: {
        "products": INPUT_LIST,
        "infrastructure": INPUT_LIST,
        "marketing_channels": AtMost(len(enums.MarketingChannel)),
        "constraints": INPUT_LIST,
        "hopes": INPUT_LIST,
        "assistance_received": INPUT_LIST,
        "assessments": First(20, most=100),  # newest first
        "registration_number_history": First(20, most=100),  # oldest first, one more per transfer
        "facilitators": First(10, most=50),
        "interventions": SlicedBy("first", home_industry.MAX_INTERVENTIONS_PAGE, PAGE),  # oldest first
        "mentoring_notes": SlicedBy("first", home_industry.MAX_NOTES_PAGE, PAGE),  # newest first
    },
    Partner: {"programmes": SlicedBy("first", partner.MAX_PROGRAMMES_PAGE, PAGE)},
    Product: {"raw_materials": INPUT_LIST},
    Region: {"children": SlicedBy("first", region.MAX_CHILDREN_PAGE, PAGE), "facilitators": REGION_FACILITATORS},
    Team: {"members": SlicedBy("first", team.MAX_MEMBERS_PAGE, PAGE), "facilitators": REGION_FACILITATORS},
    Workforce: {
        "by_education": AtMost(len(enums.Education)),
        "protection": INPUT_LIST,
        "trainings_attended": INPUT_LIST,
        "trainings_wanted": INPUT_LIST,
    },
    HandOverPackage: {"home_industries": SlicedBy("first", hand_over.MAX_PACKAGE_PAGE, PAGE)},
    PossibleDuplicate: {"reasons": AtMost(len(DuplicateReason))},
    # One answer per item sent (a batch holds at most MAX_ITEMS); an IR record has 42 columns.
    OfflineSyncMutation: {"sync_offline_work": AtMost(offline_sync.MAX_ITEMS)},
    OfflineSyncResult: {"differing_fields": AtMost(100)},
    # The problems of a job's first 1,000 refused rows (a row's cells: at most 60 columns).
    ImportJob: {"problems": First(100, most=1_000)},
}

declare_list_sizes(LIST_SIZES)
