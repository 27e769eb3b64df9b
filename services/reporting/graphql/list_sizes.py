"""The most items each list field of reporting can answer (see ``siir.list_sizes``).

One entry per list field, by type; each a true maximum (the gateway's cost estimate multiplies by
it). A test fails when a list field of the schema has no entry.
"""

from __future__ import annotations

from services.reporting import reports
from services.reporting.graphql.figures import IrStanding
from services.reporting.graphql.home_industry import Progress
from services.reporting.graphql.query import Query
from services.reporting.graphql.report_types import AnnualReport, ClassDistribution, ClassNeeds, ClassTransitions, NeedsAnalysis
from services.reporting.domain.indicators import Indicator
from services.reporting.graphql.indicators import ProgrammeIndicatorTable, ReassessmentRound, RegionIndicators
from siir.list_sizes import AtMost, First, ListBound, SlicedBy, declare_list_sizes

#: Children of one Kemendagri region (108 villages in the largest sub-district; a test checks).
CHILD_REGIONS = AtMost(150)
#: One entry per (from, to) pair: ``from`` any standing or null (newly registered), ``to`` any standing.
MOVES = AtMost((len(IrStanding) + 1) * len(IrStanding))
#: The needs table's top items per class.
TOP_ITEMS = AtMost(reports.NEEDS_TOP)

#: Child regions in the indicator table and the round (only provinces and regencies/cities): 38 provinces,
#: at most 38 regencies/cities in one province (Jawa Timur).
PROVINCES_OR_REGENCIES = AtMost(38)

LIST_SIZES: dict[type, dict[str, ListBound]] = {
    Query: {"small_business_candidates": SlicedBy("first", reports.MAX_CANDIDATES)},
    ClassDistribution: {"children": CHILD_REGIONS},
    ClassTransitions: {"moves": MOVES, "children": CHILD_REGIONS},
    AnnualReport: {"moves": MOVES, "children": CHILD_REGIONS},
    NeedsAnalysis: {"classes": AtMost(3)},  # PEMULA, BERKEMBANG, MAJU
    ClassNeeds: {name: TOP_ITEMS for name in ("products", "needs", "constraints", "assistance_received", "providers")},
    Progress: {"history": First(20, most=200)},
    ProgrammeIndicatorTable: {"children": PROVINCES_OR_REGENCIES},
    RegionIndicators: {"figures": AtMost(len(Indicator))},
    ReassessmentRound: {"children": PROVINCES_OR_REGENCIES},  # oldest first; one period per change of standing
}

declare_list_sizes(LIST_SIZES)
