"""Sign-off of annual reports through GraphQL: the steps (mutations), the status and one sign-off in full."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry

from services.reporting import sign_offs
from services.reporting.domain import sign_off as domain
from services.reporting.graphql.context import ReportingInfo
from services.reporting.report_cache import snapshot
from siir.connections import Connection, CursorKey, page_size, slice_after
from siir.enum_values import describe_values
from siir.errors import Conflict, InvalidInput

#: A status lists at most the 514 regencies/cities of the nation; one page holds a province's.
MAX_SIGN_OFFS_PAGE = 100
#: Steps and submissions of one sign-off (a few a year; a page holds them all).
MAX_HISTORY_PAGE = 20
SIGN_OFF_CURSOR = CursorKey("SignOff", str)
STEP_CURSOR = CursorKey("SignOffStep", int)
SUBMISSION_CURSOR = CursorKey("SignOffSubmission", str)


SignOffState = describe_values(strawberry.enum(
    domain.SignOffState, name="SignOffState",
    description="State of a region's annual report for a year (status pengesahan).",
), {
    "NOT_STARTED": "Not submitted yet (belum dikirim).",
    "SUBMITTED": "Submitted by the region's office, awaiting the office above (dikirim).",
    "RETURNED": "Returned by the office above with comments, to be resubmitted (dikembalikan).",
    "APPROVED": "Approved by the office above (disetujui): the figures are signed and the period is locked.",
    "WAIVED": "Waived by the office above with a reason (dibebaskan): not required this year.",
})
SignOffAction = describe_values(strawberry.enum(
    domain.SignOffAction, name="SignOffAction",
    description="A step on a sign-off, as recorded in its history.",
), {
    "SUBMIT": "The region's own office submits its report (a new frozen snapshot).",
    "RETURN": "The office above returns it with comments.",
    "APPROVE": "The office above approves it: the period is locked.",
    "WAIVE": "The office above waives it, with a reason.",
})
SignOffLevel = describe_values(strawberry.enum(
    domain.Level, name="SignOffLevel",
    description="Level that signs off.",
), {
    "REGENCY": "A regency/city (kabupaten/kota): signed by its province.",
    "PROVINCE": "A province (provinsi): signed by the ministry.",
})

#: Inputs that take long free text (siir.argument_rules): the narrative, comments and reasons.
LONG_TEXT = frozenset({
    "SubmitAnnualReportInput.achievements", "SubmitAnnualReportInput.problems", "SubmitAnnualReportInput.followUpPlan",
    "Mutation.returnAnnualReport(comment:)", "Mutation.waiveAnnualReport(reason:)",
})

YearArg = Annotated[int, strawberry.argument(description="The calendar year reported on.")]
RegionArg = Annotated[str, strawberry.argument(description="Kemendagri code of a province or regency/city.")]
VersionArg = Annotated[int | None, strawberry.argument(
    description="The sign-off's `version` as you read it: CONFLICT if somebody acted on it since.")]


@strawberry.type(description="A region's sign-off of its annual report for a year, as the status shows it.")
class SignOff:
    region_code: str = strawberry.field(description="Kemendagri code of the province or regency/city.")
    region_name: str = strawberry.field(description="Its name.")
    year: int = strawberry.field(description="The year reported on.")
    level: SignOffLevel = strawberry.field(description="Regency/city or province.")
    state: SignOffState = strawberry.field(description="Where the report stands.")
    version: int = strawberry.field(description="Moves on with every step (send it back as `expectedVersion`).")
    deadline: dt.date = strawberry.field(description="The deadline for this level and year (the ministry's, or the "
                                                     "default: 31 January for regencies, end of February for provinces).")
    late: bool = strawberry.field(description="First submitted after the deadline, or still not submitted (nor waived) "
                                              "after it (terlambat).")
    first_submitted_at: dt.datetime | None = strawberry.field(description="When it was first submitted.")
    submitted_at: dt.datetime | None = strawberry.field(description="When it was last submitted.")
    submitted_by: str | None = strawberry.field(description="Login subject of whoever last submitted it.")
    decided_at: dt.datetime | None = strawberry.field(description="When the office above last returned, approved or waived it.")
    decided_by: str | None = strawberry.field(description="Login subject of whoever did.")
    comment: str | None = strawberry.field(description="The return's comments or the waiver's reason.")

    @classmethod
    def of(cls, v: sign_offs.SignOffView) -> "SignOff":
        return cls(region_code=v.region_code, region_name=v.region_name, year=v.year, level=v.level, state=v.state,
                   version=v.version, deadline=v.deadline, late=v.late, first_submitted_at=v.first_submitted_at,
                   submitted_at=v.submitted_at, submitted_by=v.submitted_by, decided_at=v.decided_at,
                   decided_by=v.decided_by, comment=v.comment)


@strawberry.type(description="How many sign-offs are in one state.")
class SignOffStateCount:
    state: SignOffState = strawberry.field(description="The state.")
    count: int = strawberry.field(description="How many regions are in it.")


@strawberry.type(description="The sign-off status of every province or regency/city in a region for a year (rekap status).")
class SignOffStatus:
    year: int = strawberry.field(description="The year reported on.")
    region_code: str = strawberry.field(description="The region asked about (\"\" for the nation).")
    level: SignOffLevel = strawberry.field(description="The level listed.")
    counts: list[SignOffStateCount] = strawberry.field(description="Regions per state, every state listed.")
    late: int = strawberry.field(description="How many are late.")
    entries: strawberry.Private[list[SignOff]]

    @strawberry.field(description="Each region's sign-off, by code, a page at a time.")
    def sign_offs(self, first: Annotated[int, strawberry.argument(
                      description=f"Page size: at most {MAX_SIGN_OFFS_PAGE}.")] = MAX_SIGN_OFFS_PAGE,
                  after: Annotated[str | None, strawberry.argument(
                      description="The `endCursor` of the previous page.")] = None) -> Connection[SignOff]:
        return slice_after(self.entries, page_size(first, MAX_SIGN_OFFS_PAGE), after, key=SIGN_OFF_CURSOR,
                           key_of=lambda entry: (entry.region_code,), node_of=lambda entry: entry)


@strawberry.type(description="One figure of the annual report.")
class SignOffFigure:
    name: str = strawberry.field(description="The figure, e.g. `endOfYear.maju` or `moves.movedUp`.")
    value: int = strawberry.field(description="Its value.")


@strawberry.type(description="A figure whose live value differs from the approved one (revisi): the signed value never changes.")
class SignOffRevision:
    figure: str = strawberry.field(description="The figure.")
    approved: int = strawberry.field(description="The value approved (signed).")
    live: int = strawberry.field(description="The value today, from the registry's later changes.")
    difference: int = strawberry.field(description="`live` minus `approved`.")


@strawberry.type(description="The narrative of a submission (narasi laporan).")
class SignOffNarrative:
    achievements: str = strawberry.field(description="Achievements (capaian).")
    problems: str = strawberry.field(description="Problems met (permasalahan).")
    follow_up_plan: str = strawberry.field(description="Follow-up plan (rencana tindak lanjut).")


@strawberry.type(description="One submission: its frozen figures (snapshot) and narrative, kept when later resubmitted.")
class SignOffSubmission:
    submitted_at: dt.datetime = strawberry.field(description="When it was submitted.")
    submitted_by: str = strawberry.field(description="Login subject of whoever submitted it.")
    narrative: SignOffNarrative = strawberry.field(description="Its narrative.")
    figures: list[SignOffFigure] = strawberry.field(description="The figures as they were at submission.")


@strawberry.type(description="One audited step: who, when, what, from which state to which (jejak audit).")
class SignOffStep:
    action: SignOffAction = strawberry.field(description="What was done.")
    from_state: SignOffState = strawberry.field(description="The state before.")
    to_state: SignOffState = strawberry.field(description="The state after.")
    actor: str = strawberry.field(description="Login subject of whoever did it.")
    actor_role: str = strawberry.field(description="Their role.")
    actor_region: str | None = strawberry.field(description="Their office's region code (none for the ministry).")
    at: dt.datetime = strawberry.field(description="When.")
    comment: str | None = strawberry.field(description="Comments of a return, reason of a waiver.")
    version: int = strawberry.field(description="The sign-off's version after the step.")


@strawberry.type(description="One sign-off in full: state, narrative, audit trail, submissions, and once approved the "
                             "signed figures against the live ones (period lock).")
class SignOffDetail:
    sign_off: SignOff = strawberry.field(description="State, dates, lateness.")
    narrative: SignOffNarrative | None = strawberry.field(description="The current submission's narrative.")
    approved_figures: list[SignOffFigure] | None = strawberry.field(
        description="The figures as approved (never change); none until approved.")
    live_figures: list[SignOffFigure] = strawberry.field(description="The same figures computed from today's data.")
    revisions: list[SignOffRevision] = strawberry.field(
        description="Figures whose live value differs from the approved one (empty until approved, or without changes).")
    steps: strawberry.Private[list[SignOffStep]]
    submission_list: strawberry.Private[list[SignOffSubmission]]

    @strawberry.field(description="Every step, oldest first, a page at a time.")
    def history(self, first: Annotated[int, strawberry.argument(
                    description=f"Page size: at most {MAX_HISTORY_PAGE}.")] = MAX_HISTORY_PAGE,
                after: Annotated[str | None, strawberry.argument(
                    description="The `endCursor` of the previous page.")] = None) -> Connection[SignOffStep]:
        return slice_after(self.steps, page_size(first, MAX_HISTORY_PAGE), after, key=STEP_CURSOR,
                           key_of=lambda step: (step.version,), node_of=lambda step: step)

    @strawberry.field(description="Every submission, oldest first, a page at a time.")
    def submissions(self, first: Annotated[int, strawberry.argument(
                        description=f"Page size: at most {MAX_HISTORY_PAGE}.")] = MAX_HISTORY_PAGE,
                    after: Annotated[str | None, strawberry.argument(
                        description="The `endCursor` of the previous page.")] = None) -> Connection[SignOffSubmission]:
        return slice_after(self.submission_list, page_size(first, MAX_HISTORY_PAGE), after, key=SUBMISSION_CURSOR,
                           key_of=lambda submission: (submission.submitted_at,), node_of=lambda submission: submission)


def _figures(values: dict[str, int]) -> list[SignOffFigure]:
    return [SignOffFigure(name=k, value=v) for k, v in sorted(values.items())]


def _narrative(n: domain.Narrative) -> SignOffNarrative:
    return SignOffNarrative(achievements=n.achievements, problems=n.problems, follow_up_plan=n.follow_up_plan)


@strawberry.type
class SignOffQuery:
    @strawberry.federation.field(description="The sign-off status for a year of every province (level PROVINCE) or "
                                             "regency/city (level REGENCY) in a region (default the nation), with counts "
                                             "per state and how many are late.")
    async def sign_off_status(
        self, info: ReportingInfo, year: YearArg, level: Annotated[SignOffLevel, strawberry.argument(
            description="Which level to list.")],
        region_code: Annotated[str | None, strawberry.argument(
            description="A province or regency/city; omitted: the nation.")] = None,
    ) -> SignOffStatus:
        async with snapshot(info.context.engine) as connection:
            view = await sign_offs.status(connection, info.context.identity, year, region_code, level)
        counts = domain.state_counts(e.state for e in view.entries)
        return SignOffStatus(
            year=view.year, region_code=view.region_code, level=view.level,
            counts=[SignOffStateCount(state=s, count=n) for s, n in counts.items()],
            late=sum(e.late for e in view.entries), entries=[SignOff.of(e) for e in view.entries])

    @strawberry.federation.field(description="One region's sign-off for a year in full: its narrative, audit trail, "
                                             "submissions, and the approved figures against the live ones.")
    async def sign_off(self, info: ReportingInfo, year: YearArg, region_code: RegionArg) -> SignOffDetail:
        async with snapshot(info.context.engine) as connection:
            d = await sign_offs.detail(connection, info.context.identity, year, region_code)
        return SignOffDetail(
            sign_off=SignOff.of(d.sign_off),
            narrative=_narrative(d.narrative) if d.narrative else None,
            approved_figures=_figures(d.approved_figures) if d.approved_figures is not None else None,
            live_figures=_figures(d.live_figures),
            revisions=[SignOffRevision(figure=r.figure, approved=r.approved, live=r.live, difference=r.difference)
                       for r in d.revisions],
            steps=[SignOffStep(action=domain.SignOffAction(s["action"]), from_state=domain.SignOffState(s["from_state"]),
                                 to_state=domain.SignOffState(s["to_state"]), actor=s["actor"], actor_role=s["actor_role"],
                                 actor_region=s["actor_region"], at=s["at"], comment=s["comment"], version=s["version"])
                     for s in d.history],
            submission_list=[SignOffSubmission(
                submitted_at=s["submitted_at"], submitted_by=s["submitted_by"],
                narrative=SignOffNarrative(achievements=s["achievements"], problems=s["problems"],
                                           follow_up_plan=s["follow_up_plan"]),
                figures=_figures(sign_offs.snapshot_figures(s))) for s in d.submissions],
        )


@strawberry.input(description="A regency's or province's annual report submitted for sign-off, with its narrative.")
class SubmitAnnualReportInput:
    region_code: str = strawberry.field(description="The office's own province or regency/city.")
    year: int = strawberry.field(description="The year reported on.")
    achievements: str = strawberry.field(description="Achievements (capaian).")
    problems: str = strawberry.field(description="Problems met (permasalahan).")
    follow_up_plan: str = strawberry.field(description="Follow-up plan (rencana tindak lanjut).")
    expected_version: int | None = strawberry.field(default=None, description="The `version` you read: CONFLICT if it moved on.")


#: Where the domain's input names sit in ``submitAnnualReport``'s arguments.
_INPUT_PATHS = {
    "regionCode": "input.regionCode", "year": "input.year", "expectedVersion": "input.expectedVersion",
    "narrative.achievements": "input.achievements", "narrative.problems": "input.problems",
    "narrative.followUpPlan": "input.followUpPlan",
}


@strawberry.type
class SignOffMutation:
    @strawberry.mutation(description="Submit your region's annual report for a year (kirim laporan): its figures are "
                                     "frozen as a snapshot. A province submits once all its regencies are approved or waived.")
    async def submit_annual_report(
        self, info: ReportingInfo,
        input: Annotated[SubmitAnnualReportInput, strawberry.argument(
            description="The region, the year and the narrative (achievements, problems, follow-up plan).")],
    ) -> SignOff:
        narrative = domain.Narrative(input.achievements, input.problems, input.follow_up_plan)
        try:
            return SignOff.of(await sign_offs.act(
                info.context.engine, info.context.identity, "Mutation.submitAnnualReport", domain.SignOffAction.SUBMIT,
                input.region_code, input.year, expected_version=input.expected_version, narrative=narrative))
        except InvalidInput as error:
            # The domain names the narrative's parts and the arguments; here they are fields of `input`.
            raise InvalidInput(_INPUT_PATHS.get(error.field, "input"), error.message.split(": ", 1)[-1]) from None
        except Conflict as error:
            if error.extensions.get("field") == "expectedVersion":
                error.extensions["field"] = "input.expectedVersion"
            raise

    @strawberry.mutation(description="Return a submitted annual report to its office with comments (kembalikan).")
    async def return_annual_report(
        self, info: ReportingInfo, region_code: RegionArg, year: YearArg,
        comment: Annotated[str, strawberry.argument(description="What to correct.")], expected_version: VersionArg = None,
    ) -> SignOff:
        return SignOff.of(await sign_offs.act(
            info.context.engine, info.context.identity, "Mutation.returnAnnualReport", domain.SignOffAction.RETURN,
            region_code, year, expected_version=expected_version, comment=comment))

    @strawberry.mutation(description="Approve a submitted annual report (setujui): its figures are locked.")
    async def approve_annual_report(
        self, info: ReportingInfo, region_code: RegionArg, year: YearArg, expected_version: VersionArg = None,
    ) -> SignOff:
        return SignOff.of(await sign_offs.act(
            info.context.engine, info.context.identity, "Mutation.approveAnnualReport", domain.SignOffAction.APPROVE,
            region_code, year, expected_version=expected_version))

    @strawberry.mutation(description="Waive a region's annual report for a year, with a reason (bebaskan), so its "
                                     "province may submit without it.")
    async def waive_annual_report(
        self, info: ReportingInfo, region_code: RegionArg, year: YearArg,
        reason: Annotated[str, strawberry.argument(description="Why it is waived.")], expected_version: VersionArg = None,
    ) -> SignOff:
        return SignOff.of(await sign_offs.act(
            info.context.engine, info.context.identity, "Mutation.waiveAnnualReport", domain.SignOffAction.WAIVE,
            region_code, year, expected_version=expected_version, comment=reason))

    @strawberry.mutation(description="Set the deadline of a year's reports for one level (batas waktu); late is judged against it.")
    async def set_sign_off_deadline(
        self, info: ReportingInfo, year: YearArg,
        level: Annotated[SignOffLevel, strawberry.argument(description="The level it applies to.")],
        deadline: Annotated[dt.date, strawberry.argument(description="The last day to submit.")],
    ) -> dt.date:
        return await sign_offs.set_deadline(info.context.engine, info.context.identity, year, level, deadline)
