"""HomeIndustry, extended with its progress through the classes (the registry owns the record)."""

from __future__ import annotations

import datetime as dt

import strawberry

from services.reporting.domain import access
from services.reporting.domain.periods import today_in_jakarta
from services.reporting.domain.standing import is_move_down, is_move_up
from services.reporting.graphql.context import ReportingInfo
from services.reporting.graphql.figures import IrStanding
from siir import identifiers



@strawberry.type(description="A stretch of time in one standing.")
class StandingPeriod:
    standing: IrStanding = strawberry.field(description="The standing held in this period.")
    since: dt.date = strawberry.field(description="First day of the period.")
    until: dt.date | None = strawberry.field(description="The day the next standing began; null while it lasts.")


@strawberry.type(description="An IR's way through the classes (naik kelas), from its assessments and status.")
class Progress:
    current_standing: IrStanding = strawberry.field(description="Where the IR stands today.")
    since: dt.date = strawberry.field(description="When the current standing began.")
    days_in_current_standing: int = strawberry.field(description="Days from `since` to today (Asia/Jakarta).")
    moves_up: int = strawberry.field(
        description="How many times it moved up a class (naik kelas), graduation included."
    )
    moves_down: int = strawberry.field(description="How many times it moved down a class.")
    history: list[StandingPeriod] = strawberry.field(description="Every standing, oldest first.")


@strawberry.federation.type(keys=["id"], description="A home industry (Industri Rumahan, IR), with its progress.")
class HomeIndustry:
    id: strawberry.ID = strawberry.field(description="The IR's registry id.")

    @classmethod
    def resolve_reference(cls, info: ReportingInfo, id: strawberry.ID) -> "HomeIndustry":
        return cls(id=id)

    @strawberry.federation.field(
        description="The class over time, time in the current standing, moves up and down; null until reporting has "
        "received the IR's registration, and for an IR outside your scope (as the registry answers it). Record-level: "
        "FORBIDDEN to PARTNER and ANALYST.",
    )
    async def progress(self, info: ReportingInfo) -> Progress | None:
        scope = access.report_scope(info.context.identity, await info.context.assignment())
        key = identifiers.record_id(self.id)
        if key is None:
            return None
        record = await info.context.loaders.record.load(key)
        # Outside the scope: null, as the registry resolves such an IR, so ids of other regions cannot be probed.
        if record is None or not access.admits(scope, record.village_code, record.id):
            return None
        changes = record.changes()
        # Stretches where only the candidacy changed stay one: the standing is what a report shows.
        merged: list[StandingPeriod] = []
        for change in changes:
            standing = IrStanding(change.after.standing.value)
            if merged and merged[-1].standing == standing:
                continue
            if merged:
                merged[-1].until = change.on
            merged.append(StandingPeriod(standing=standing, since=change.on, until=None))
        ups = sum(1 for c in changes if c.before is not None and is_move_up(c.before.standing, c.after.standing))
        downs = sum(1 for c in changes if c.before is not None and is_move_down(c.before.standing, c.after.standing))
        current = merged[-1]
        return Progress(
            current_standing=current.standing, since=current.since,
            days_in_current_standing=max(0, (today_in_jakarta() - current.since).days),
            moves_up=ups, moves_down=downs, history=merged,
        )
