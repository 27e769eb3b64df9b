"""The reporting service's access policy: every field of its schema, who reaches it, which row scope
limits it. Reviewed like code; read it as a table (enforced by ``siir.policy`` at schema build, and by
the exports, which ask the entry of the query field they render).

Reporting holds aggregates and non-personal class histories only: no field here is personal. Every
field's row scope is the report region (``domain/access.py``): a region outside the caller's is
FORBIDDEN, an IR outside it resolves to a null ``progress``. Partner-facing counts of 1–4 IR are
withheld by ``domain/disclosure.py``.

Roles: M MINISTRY, P PROVINCE_OFFICER, D DISTRICT_OFFICER, F FACILITATOR, PA PARTNER, AN ANALYST.
"""

from __future__ import annotations

from siir.auth.identity import Role
from siir.connections import connection_rules
from siir.policy import ALL_ROLES, FieldRule, Policy, grant

M, P, D, F, PA, AN = (Role.MINISTRY, Role.PROVINCE_OFFICER, Role.DISTRICT_OFFICER, Role.FACILITATOR, Role.PARTNER,
                      Role.ANALYST)

EVERYONE = ALL_ROLES
#: Record-level figures (one IR's progress, the hand-over list of IR): not PARTNER, not ANALYST.
RECORD_READERS = frozenset({M, P, D, F})
#: The government's reporting line regency → province → ministry, and analysts (not partners: its
#: stock-and-moves identity would let a withheld cell be recomputed).
ANNUAL_REPORT_READERS = RECORD_READERS | {AN}
#: The sign-off of annual reports: the offices of the reporting line regency → province → ministry.
SIGN_OFF_READERS = frozenset({M, P, D})

#: The programme's indicators (Tabel 3): the offices of the reporting line and analysts. Not partners (the
#: government's targets and yearly flows; counts for partners would need the cell-key lattice), not
#: facilitators (indicators are kept for regencies and up, never a village assigned to her).
INDICATOR_READERS = frozenset({M, P, D, AN})
#: Who sets targets: the ministry (any region) and provinces (themselves and their regencies), checked
#: again on the region by domain/indicators.check_target_setter.
TARGET_SETTERS = frozenset({M, P})

SCOPES = {
    "sign-off": "the caller's own region and below for reading (MINISTRY: the nation); who may take a step is the "
                "state machine's (domain/sign_off.py): the region's own office submits, the office directly above "
                "returns, approves or waives.",
    "report-region": "figures of the caller's region and below (MINISTRY, PARTNER: the nation; ANALYST: the nation "
                     "or its region claim); a region outside it is FORBIDDEN, an IR outside it a null progress.",
}

_AGGREGATES = {
    "ClassCounts": "unassessed pemula berkembang maju active closed graduated total suppressed",
    "IrStatistics": "asOf counts femaleOwned maleOwned femaleHeadOfHousehold workers smallEnterpriseCandidates suppressed",
    "WorkersAbsorbed": "women men total",
    "ClassDistribution": "asOf region regionCode regionName counts statistics children",
    "RegionFigures": "region regionCode regionName statistics",
    "ClassTransitions": "from to region regionCode regionName moves summary children",
    "ClassMove": "from to homeIndustries femaleOwned maleOwned",
    "MovesSummary": "newRegistrations movedUp movedDown pemulaToBerkembang berkembangToMaju majuToGraduated closed "
                    "graduated suppressed",
    "RegionMoves": "region regionCode regionName summary",
    "NeedsAnalysis": "region regionCode regionName classes",
    "ClassNeeds": "class homeIndustries products needs constraints assistanceReceived providers",
    "ItemCount": "item homeIndustries",
    "AssistanceCount": "type providerKind homeIndustries",
    "ProviderCount": "provider providerKind homeIndustries",
    "ReportingStatus": "lagEvents lagIsExact lastEventAt lastAppliedAt eventsApplied eventsSkipped position",
}

RULES: list[FieldRule] = [
    *grant("Query", "_entities _service", EVERYONE),
    *grant("_Service", "sdl", EVERYONE),
    *grant("Query", "classDistribution classTransitions needsAnalysis", EVERYONE, scope="report-region"),
    # The lag is operational, not any region's figures.
    *grant("Query", "reportingStatus", EVERYONE),
    # Named, so a refusal names them in ``extensions.field`` as the exports' refusals do.
    *grant("Query", "smallBusinessCandidates", RECORD_READERS, scope="report-region", name="smallBusinessCandidates"),
    *grant("Query", "annualReport", ANNUAL_REPORT_READERS, scope="report-region", name="annualReport"),
    # Entity types (who may resolve one through _entities).
    *grant("Region", "", EVERYONE, scope="report-region"),
    *grant("HomeIndustry", "", EVERYONE, scope="report-region"),
    *grant("Region", "code", EVERYONE),
    *grant("Region", "irStatistics", EVERYONE, scope="report-region"),
    *grant("HomeIndustry", "id", EVERYONE),
    *grant("HomeIndustry", "progress", RECORD_READERS, scope="report-region"),
    *grant("Progress", "currentStanding since daysInCurrentStanding movesUp movesDown history", RECORD_READERS),
    *grant("StandingPeriod", "standing since until", RECORD_READERS),
    *grant("SmallBusinessCandidate", "homeIndustry registrationNumber village businessCategory assessedOn score",
           RECORD_READERS),
    *grant("AnnualReport", "year region regionCode regionName startOfYear endOfYear moves summary children "
           "smallBusinessCandidates needsAnalysis", ANNUAL_REPORT_READERS),
    *grant("AnnualReportLine", "region regionCode regionName startOfYear endOfYear moves", ANNUAL_REPORT_READERS),
    # Sign-off (domain/sign_off.py): the government's reporting line only.
    *grant("Query", "signOffStatus signOff", SIGN_OFF_READERS, scope="sign-off"),
    *grant("Mutation", "submitAnnualReport", {P, D}, scope="sign-off"),
    *grant("Mutation", "returnAnnualReport approveAnnualReport waiveAnnualReport", {M, P}, scope="sign-off"),
    *grant("Mutation", "setSignOffDeadline", {M}),
    *grant("SignOff", "regionCode regionName year level state version deadline late firstSubmittedAt submittedAt "
           "submittedBy decidedAt decidedBy comment", SIGN_OFF_READERS),
    *grant("SignOffStatus", "year regionCode level counts late signOffs", SIGN_OFF_READERS),
    *grant("SignOffStateCount", "state count", SIGN_OFF_READERS),
    *grant("SignOffFigure", "name value", SIGN_OFF_READERS),
    *grant("SignOffRevision", "figure approved live difference", SIGN_OFF_READERS),
    *grant("SignOffNarrative", "achievements problems followUpPlan", SIGN_OFF_READERS),
    *grant("SignOffSubmission", "submittedAt submittedBy narrative figures", SIGN_OFF_READERS),
    *grant("SignOffStep", "action fromState toState actor actorRole actorRegion at comment version", SIGN_OFF_READERS),
    *grant("SignOffDetail", "signOff narrative approvedFigures liveFigures revisions history submissions",
           SIGN_OFF_READERS),
    *grant("Query", "programmeIndicators", INDICATOR_READERS, scope="report-region", name="programmeIndicators"),
    *grant("Mutation", "setIndicatorTarget", TARGET_SETTERS, scope="report-region", name="setIndicatorTarget"),
    *grant("Query", "reassessmentRound", INDICATOR_READERS, scope="report-region", name="reassessmentRound"),
    *grant("ReassessmentRound", "year periodStart periodEnd total children", INDICATOR_READERS),
    *grant("RoundFigures", "region regionCode regionName activeHomeIndustries assessed shareAssessed", INDICATOR_READERS),
    *grant("ProgrammeIndicatorTable", "year region children", INDICATOR_READERS | TARGET_SETTERS),
    *grant("RegionIndicators", "region regionCode regionName figures", INDICATOR_READERS | TARGET_SETTERS),
    *grant("IndicatorFigure", "indicator value femaleOwned maleOwned femaleHeadOfHousehold target targetSetBy achievement",
           INDICATOR_READERS | TARGET_SETTERS),
    *(rule for type_name, fields in _AGGREGATES.items() for rule in grant(type_name, fields, EVERYONE)),
    # Pages of every list (siir.connections): whoever reaches the list reaches its page.
    *grant("PageInfo", "hasNextPage hasPreviousPage startCursor endCursor", EVERYONE),
    *connection_rules("SmallBusinessCandidate", RECORD_READERS),
    *connection_rules("RegionFigures", EVERYONE),
    *connection_rules("RegionMoves", EVERYONE),
    *connection_rules("AnnualReportLine", ANNUAL_REPORT_READERS),
    *connection_rules("RegionIndicators", INDICATOR_READERS | TARGET_SETTERS),
    *connection_rules("RoundFigures", INDICATOR_READERS),
    *connection_rules("SignOff", SIGN_OFF_READERS),
    *connection_rules("SignOffStep", SIGN_OFF_READERS),
    *connection_rules("SignOffSubmission", SIGN_OFF_READERS),
]

POLICY = Policy(service="reporting", rules=RULES, scopes=SCOPES)
