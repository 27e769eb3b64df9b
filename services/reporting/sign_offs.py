"""Sign-off of annual reports: the steps (submit, return, approve, waive), the status per level, the
approved snapshot against the live figures. Rules in ``domain/sign_off.py``, SQL in ``data/sign_offs.py``.

Every entry point checks the caller's role against the policy (``services/reporting/policy.py``) and
region scope (``domain/access.py``) before reading; the state machine decides who may act.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from services.reporting import reports
from services.reporting.data import regions as region_data
from services.reporting.data import sign_offs as data
from services.reporting.domain import access
from services.reporting.domain.periods import today_in_jakarta
from services.reporting.domain.reports import Counts
from services.reporting.domain.sign_off import (
    Level,
    Narrative,
    Revision,
    SignOffAction,
    SignOffState,
    default_deadline,
    flatten,
    is_late,
    level_of,
    revisions,
    transition,
    unsettled_children,
)
from services.reporting.domain.standing import Standing
from services.reporting.policy import POLICY
from siir.auth.identity import Identity, Role
from siir.errors import Forbidden, InvalidInput


def _counts(counts: Counts) -> dict[str, int]:
    return {**{s.value.lower(): counts.of(s) for s in Standing}, "active": counts.active, "total": counts.total}


def report_figures(report: reports.AnnualReport) -> dict[str, int]:
    """The figures a sign-off freezes: the stock at both ends of the year, by class, sex and KRTP, the
    workers, and the year's moves (``dotted.name → count``)."""
    end, moves = report.end, report.transitions
    return flatten({
        "startOfYear": _counts(report.start.counts),
        "endOfYear": {
            **_counts(end.counts),
            "femaleOwned": end.female_owned.total, "maleOwned": end.male_owned.total,
            "femaleHeadOfHousehold": end.female_head_of_household.total,
            "workersFemale": end.workers_female or 0, "workersMale": end.workers_male or 0,
            "smallEnterpriseCandidates": end.small_enterprise_candidates or 0,
        },
        "moves": {"newRegistrations": moves.new_registrations, "movedUp": moves.moved_up,
                  "movedDown": moves.moved_down, "closed": moves.closed, "graduated": moves.graduated},
    })


@dataclass(frozen=True, slots=True)
class SignOffView:
    """A sign-off as the status shows it (a region nobody acted on: NOT_STARTED, version 0)."""

    region_code: str
    region_name: str
    year: int
    level: Level
    state: SignOffState
    version: int
    deadline: dt.date
    late: bool
    first_submitted_at: dt.datetime | None
    submitted_at: dt.datetime | None
    submitted_by: str | None
    decided_at: dt.datetime | None
    decided_by: str | None
    comment: str | None
    snapshot_id: int | None
    approved_snapshot_id: int | None


def _view(code: str, name: str, year: int, row: RowMapping | None, deadlines: dict[Level, dt.date],
          today: dt.date) -> SignOffView:
    level = level_of(code)
    deadline = deadlines.get(level) or default_deadline(year, level)
    state = SignOffState(row["state"]) if row else SignOffState.NOT_STARTED
    first = row["first_submitted_at"] if row else None
    first_day = first.astimezone(dt.timezone(dt.timedelta(hours=7))).date() if first else None
    return SignOffView(
        region_code=code, region_name=name, year=year, level=level, state=state,
        version=row["version"] if row else 0, deadline=deadline, late=is_late(deadline, state, first_day, today),
        first_submitted_at=first, submitted_at=row["submitted_at"] if row else None,
        submitted_by=row["submitted_by"] if row else None, decided_at=row["decided_at"] if row else None,
        decided_by=row["decided_by"] if row else None, comment=row["comment"] if row else None,
        snapshot_id=row["snapshot_id"] if row else None,
        approved_snapshot_id=row["approved_snapshot_id"] if row else None,
    )


def _require(identity: Identity | None, coordinate: str) -> Identity:
    access.report_scope(identity)
    assert identity is not None
    POLICY.require(identity.role, coordinate)
    return identity


def _check_year(year: int) -> None:
    if not 2000 <= year <= today_in_jakarta().year:
        raise InvalidInput("year", f"{year} is not a reporting year (2000 to this year)")


async def _sign_off_region(connection: AsyncConnection, region_code: str) -> reports.RegionRef:
    ref = await reports.find_region(connection, region_code)
    level_of(ref.code or "")  # a province or a regency/city only
    return ref


async def act(
    engine: AsyncEngine, identity: Identity | None, coordinate: str, action: SignOffAction, region_code: str, year: int,
    *, expected_version: int | None = None, comment: str | None = None, narrative: Narrative | None = None,
) -> SignOffView:
    """Take one step on the sign-off of (region, year) in one transaction, the row locked while it is checked."""
    caller = _require(identity, coordinate)
    _check_year(year)
    async with engine.begin() as connection:
        ref = await _sign_off_region(connection, region_code)
        level = level_of(ref.code)
        row = await data.lock(connection, ref.code, year, level)
        unsettled: list[str] = []
        if action is SignOffAction.SUBMIT and level is Level.PROVINCE:
            regencies = [r["code"] for r in await region_data.children_of(connection, ref.code)]
            rows = await data.sign_offs(connection, year, regencies)
            unsettled = unsettled_children({c: SignOffState(r["state"]) for c, r in rows.items()}, regencies)
        step = transition(caller, ref.code, year, SignOffState(row["state"]), row["version"], action,
                          expected_version=expected_version, comment=comment, narrative=narrative, unsettled=unsettled)
        snapshot_id = None
        if action is SignOffAction.SUBMIT:
            assert narrative is not None
            report = await reports.annual_report(connection, caller, ref.code, year)
            snapshot_id = await data.add_snapshot(connection, ref.code, year, caller.subject, report_figures(report),
                                                  narrative)
        await data.record(connection, step, caller.region, snapshot_id)
        fresh = (await data.sign_offs(connection, year, [ref.code]))[ref.code]
        return _view(ref.code, ref.name, year, fresh, await data.deadlines(connection, year), today_in_jakarta())


async def set_deadline(engine: AsyncEngine, identity: Identity | None, year: int, level: Level,
                       deadline: dt.date) -> dt.date:
    _require(identity, "Mutation.setSignOffDeadline")
    if not year <= deadline.year <= year + 2:
        raise InvalidInput("deadline", f"a deadline for {year}'s reports lies in {year} to {year + 2}")
    async with engine.begin() as connection:
        await data.set_deadline(connection, year, level, deadline)
    return deadline


@dataclass(frozen=True, slots=True)
class StatusView:
    year: int
    region_code: str
    level: Level
    entries: list[SignOffView]


async def status(connection: AsyncConnection, identity: Identity | None, year: int, region_code: str | None,
                 level: Level) -> StatusView:
    """Every province or regency/city (``level``) inside ``region_code`` (None: the nation) with its sign-off."""
    caller = _require(identity, "Query.signOffStatus")
    _check_year(year)
    scope = await reports.region(connection, region_code, caller)
    if scope.level >= (1 if level is Level.PROVINCE else 2):
        wanted = [(scope.code, scope.name)] if scope.level == (1 if level is Level.PROVINCE else 2) else []
    elif level is Level.PROVINCE:
        wanted = [(r["code"], r["name"]) for r in await region_data.children_of(connection, "")]
    else:
        provinces = [scope.code] if scope.level == 1 else [r["code"] for r in await region_data.children_of(connection, "")]
        kids = await region_data.children_of_many(connection, provinces)
        names = region_data.names_of(list((await region_data.regions_by_codes(
            connection, [c for codes in kids.values() for c in codes])).values()))
        wanted = [(code, names[code]) for p in provinces for code in kids[p]]
    rows = await data.sign_offs(connection, year, [c for c, _ in wanted])
    deadlines, today = await data.deadlines(connection, year), today_in_jakarta()
    return StatusView(year, scope.code, level, [_view(c, n, year, rows.get(c), deadlines, today) for c, n in wanted])


@dataclass(frozen=True, slots=True)
class DetailView:
    sign_off: SignOffView
    narrative: Narrative | None
    approved_figures: dict[str, int] | None
    live_figures: dict[str, int]
    revisions: list[Revision]
    history: list[RowMapping]
    submissions: list[RowMapping]


def snapshot_figures(snapshot: RowMapping) -> dict[str, int]:
    value: Any = snapshot["figures"]
    return {str(k): int(v) for k, v in (json.loads(value) if isinstance(value, str) else value).items()}


async def detail(connection: AsyncConnection, identity: Identity | None, year: int, region_code: str) -> DetailView:
    """One sign-off: its state, narrative, audit trail, submissions, and, once approved, the signed figures
    next to the live ones and their differences (the revisions)."""
    caller = _require(identity, "Query.signOff")
    _check_year(year)
    ref = await reports.region(connection, region_code, caller)
    level_of(ref.code or "")
    if caller.role is Role.ANALYST:
        raise Forbidden("sign-offs are the reporting line's", region=ref.code)
    row = (await data.sign_offs(connection, year, [ref.code])).get(ref.code)
    view = _view(ref.code, ref.name, year, row, await data.deadlines(connection, year), today_in_jakarta())
    history = await data.steps(connection, ref.code, year)
    snapshot_ids = sorted({s["snapshot_id"] for s in history if s["snapshot_id"] is not None})
    snapshots = await data.snapshots(connection, snapshot_ids)
    current = snapshots.get(view.snapshot_id) if view.snapshot_id else None
    narrative = Narrative(current["achievements"], current["problems"], current["follow_up_plan"]) if current else None
    live = report_figures(await reports.annual_report(connection, caller, ref.code, year))
    approved = snapshot_figures(snapshots[view.approved_snapshot_id]) if view.approved_snapshot_id else None
    return DetailView(view, narrative, approved, live, revisions(approved, live) if approved is not None else [],
                      history, [snapshots[i] for i in snapshot_ids])
