"""The most items each list field of reporting can answer (see ``siir.list_sizes``).

One entry per list field, by type; each a true maximum (the gateway's cost estimate multiplies by
it). A test fails when a list field of the schema has no entry.
"""

from __future__ import annotations

from services.reporting import reports
from services.reporting.graphql import report_types
from services.reporting.graphql.figures import IrStanding
from services.reporting.graphql.home_industry import Progress
from services.reporting.graphql.query import Query
from services.reporting.graphql.report_types import AnnualReport, ClassDistribution, ClassNeeds, ClassTransitions, NeedsAnalysis
from siir.list_sizes import AtMost, First, ListBound, SlicedBy, declare_list_sizes

#: Children of one Kemendagri region (108 villages in the largest sub-district; a test checks).
CHILD_REGIONS = AtMost(150)
#: A connection's page: ``first`` bounds its ``edges`` and ``nodes`` (``siir.connections``).
PAGE = ("edges", "nodes")
#: A report's child regions, a page at a time (one page holds them all by default).
CHILD_PAGE = SlicedBy("first", report_types.MAX_CHILDREN_PAGE, PAGE)
#: One entry per (from, to) pair: ``from`` any standing or null (newly registered), ``to`` any standing.
MOVES = AtMost((len(IrStanding) + 1) * len(IrStanding))
#: The needs table's top items per class.
TOP_ITEMS = AtMost(reports.NEEDS_TOP)

LIST_SIZES: dict[type, dict[str, ListBound]] = {
    Query: {"small_business_candidates": SlicedBy("first", reports.MAX_CANDIDATES, PAGE)},
    ClassDistribution: {"children": CHILD_PAGE},
    ClassTransitions: {"moves": MOVES, "children": CHILD_PAGE},
    AnnualReport: {"moves": MOVES, "children": CHILD_PAGE},
    NeedsAnalysis: {"classes": AtMost(3)},  # PEMULA, BERKEMBANG, MAJU
    ClassNeeds: {name: TOP_ITEMS for name in ("products", "needs", "constraints", "assistance_received", "providers")},
    Progress: {"history": First(20, most=200)},  # oldest first; one period per change of standing
}

declare_list_sizes(LIST_SIZES)
