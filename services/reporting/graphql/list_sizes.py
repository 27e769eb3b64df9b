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
from services.reporting.domain.indicators import Indicator
from services.reporting.graphql.indicators import ProgrammeIndicatorTable, ReassessmentRound, RegionIndicators
from services.reporting.domain.sign_off import SignOffState
from services.reporting.domain.standing import Standing
from services.reporting.graphql import indicators, sign_off
from services.reporting.graphql.sign_off import SignOffDetail, SignOffStatus, SignOffSubmission
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

#: Child regions of the indicator table and the round: provinces or regencies/cities, a page holds them all.
TABLE_CHILDREN = SlicedBy("first", indicators.MOST_TABLE_CHILDREN, PAGE)
#: The figures a sign-off freezes (``sign_offs.report_figures``): the stock by standing, active and total at
#: both ends of the year, six more at its end and five kinds of move.
SIGNED_FIGURES = 2 * (len(Standing) + 2) + 6 + 5

LIST_SIZES: dict[type, dict[str, ListBound]] = {
    Query: {"small_business_candidates": SlicedBy("first", reports.MAX_CANDIDATES, PAGE)},
    ClassDistribution: {"children": CHILD_PAGE},
    ClassTransitions: {"moves": MOVES, "children": CHILD_PAGE},
    AnnualReport: {"moves": MOVES, "children": CHILD_PAGE},
    NeedsAnalysis: {"classes": AtMost(3)},  # PEMULA, BERKEMBANG, MAJU
    ClassNeeds: {name: TOP_ITEMS for name in ("products", "needs", "constraints", "assistance_received", "providers")},
    Progress: {"history": First(20, most=200)},
    ProgrammeIndicatorTable: {"children": TABLE_CHILDREN},
    RegionIndicators: {"figures": AtMost(len(Indicator))},
    ReassessmentRound: {"children": TABLE_CHILDREN},
    SignOffStatus: {"counts": AtMost(len(SignOffState)),
                    "sign_offs": SlicedBy("first", sign_off.MAX_SIGN_OFFS_PAGE, PAGE)},
    SignOffSubmission: {"figures": AtMost(SIGNED_FIGURES)},
    SignOffDetail: {
        "approved_figures": AtMost(SIGNED_FIGURES), "live_figures": AtMost(SIGNED_FIGURES),
        # A figure on one side only counts as a revision too: at most both sides' names.
        "revisions": AtMost(2 * SIGNED_FIGURES),
        "history": SlicedBy("first", sign_off.MAX_HISTORY_PAGE, PAGE),
        "submissions": SlicedBy("first", sign_off.MAX_HISTORY_PAGE, PAGE),
    },
}

declare_list_sizes(LIST_SIZES)
