"""Changes to facilitators (pendamping), their assignments and mentoring notes, each one transaction.

A regency/city office engages a facilitator and assigns her villages or single IR of its own
regency; mentoring lasts at least three years (BAB V), so assignments are periods, ended rather
than deleted, and the history stays.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy.engine import RowMapping
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from services.registry.data import facilitators as facilitator_data
from services.registry.data import home_industries as home_industry_data
from services.registry.data import audit, regions
from services.registry.data.constraints import violated_constraint
from services.registry.domain import events
from services.registry.domain.access import RecordScope
from services.registry.domain.periods import Period
from services.registry.unit_of_work import Target, UnitOfWork, unit_of_work
from siir.errors import Conflict, InvalidInput, NotFound


#: Whether the caller's office reaches a facilitator engaged by this regency/city.
Reach = Callable[[str], bool]


def _facilitator_record(row: RowMapping) -> audit.Record:
    return audit.Record("Facilitator", row["id"], row["regency_code"])


def _assignment_record(facilitator: RowMapping, row: RowMapping) -> audit.Record:
    return audit.Record("FacilitatorAssignment", row["id"], facilitator["regency_code"], row["home_industry_id"])


def _describe(period: Period) -> str:
    return f"{period.start.isoformat()} – {period.end.isoformat() if period.end else 'open'}"


async def _check_regency(connection: AsyncConnection, code: str, field: str) -> None:
    region = (await regions.regions_by_codes(connection, [code])).get(code)
    if region is None:
        raise InvalidInput(field, f"{code} is not a Kemendagri region code")
    if region["level"] != 2:
        raise InvalidInput(field, f"{code} is not a regency/city code")


def _subject_conflict(error: IntegrityError) -> Conflict:
    if violated_constraint(error) == "facilitators_subject_key":
        return Conflict("input.subject: another facilitator already has this login subject", field="input.subject")
    raise error


async def require_facilitator_in_service(
    connection: AsyncConnection, facilitator_id: int, day: dt.date, field: str
) -> RowMapping:
    """The facilitator, refusing an unknown one or one not in service on ``day``."""
    row = (await facilitator_data.facilitators_by_ids(connection, [facilitator_id])).get(facilitator_id)
    return facilitator_in_service(row, facilitator_id, day, field)


def facilitator_in_service(row: RowMapping | None, facilitator_id: int, day: dt.date, field: str) -> RowMapping:
    """``row`` (the facilitator ``facilitator_id`` as read, None when unknown), refusing an unknown
    one or one not in service on ``day``: the check of one assessment, for rows read in bulk."""
    if row is None:
        raise InvalidInput(field, f"no facilitator with id {facilitator_id}")
    period = Period(row["active_from"], row["active_until"])
    if not period.includes(day):
        raise InvalidInput(field, f"the facilitator was not in service on {day.isoformat()} ({_describe(period)})")
    return row


async def _assign(
    work: UnitOfWork, facilitator: RowMapping, values: dict[str, Any], field: str
) -> RowMapping:
    connection = work.connection
    values = {
        **values,
        "active_from": values.get("active_from") or facilitator["active_from"],
        "active_until": values.get("active_until") or facilitator["active_until"],
    }
    service = Period(facilitator["active_from"], facilitator["active_until"])
    if values["active_until"] is not None and values["active_until"] < values["active_from"]:
        # Only when the end was defaulted to her service's (an input period is checked whole before):
        # an assignment starting after her service ended.
        raise InvalidInput(f"{field}.activeFrom", f"the facilitator's service {_describe(service)} ends before it")
    period = Period(values["active_from"], values["active_until"])
    if not service.contains(period):
        raise InvalidInput(
            f"{field}.activeFrom" if period.start < service.start else f"{field}.activeUntil",
            f"the assignment {_describe(period)} is not inside the facilitator's service {_describe(service)}",
        )
    regency = facilitator["regency_code"]
    if values.get("village_code") is not None:
        code = values["village_code"]
        village = (await regions.regions_by_codes(connection, [code])).get(code)
        if village is None or village["level"] != 4:
            raise InvalidInput(f"{field}.villageCode", f"{code} is not a village (desa/kelurahan) code")
        if not code.startswith(regency + "."):
            raise InvalidInput(f"{field}.villageCode", f"{code} is outside the facilitator's regency/city {regency}")
    else:
        ir_id = values["home_industry_id"]
        ir = (await home_industry_data.home_industries_by_ids(connection, [ir_id])).get(ir_id)
        if ir is None:
            raise InvalidInput(f"{field}.homeIndustryId", f"no home industry with id {ir_id}")
        if ir["regency_code"] != regency:
            raise InvalidInput(f"{field}.homeIndustryId", f"the IR is outside the facilitator's regency/city {regency}")
    try:
        async with connection.begin_nested():
            row = await facilitator_data.insert_assignment(connection, {**values, "facilitator_id": facilitator["id"]})
    except IntegrityError as error:
        if violated_constraint(error) == "facilitator_assignments_no_overlap":
            raise Conflict(
                f"{field}: the facilitator is already assigned there in an overlapping period", field=field
            ) from None
        raise
    await work.publish(events.FACILITATOR_ASSIGNED, str(facilitator["id"]), events.facilitator_assignment_payload(row),
        aggregate_type=events.AGGREGATE_FACILITATOR,
    )
    return row


async def register_facilitator(
    engine: Target, values: dict[str, Any], assignments: list[dict[str, Any]], actor: audit.Actor
) -> RowMapping:
    """Engage a facilitator with her first villages and IR."""
    async with unit_of_work(engine, actor) as work:
        connection = work.connection
        await _check_regency(connection, values["regency_code"], "input.regencyCode")
        try:
            async with connection.begin_nested():
                row = await facilitator_data.insert_facilitator(connection, values)
        except IntegrityError as error:
            raise _subject_conflict(error) from None
        await work.publish(events.FACILITATOR_REGISTERED, str(row["id"]), events.facilitator_payload(row),
            aggregate_type=events.AGGREGATE_FACILITATOR,
        )
        added = {}
        for index, assignment in enumerate(assignments):
            added[f"assignments[{index}]"] = await _assign(work, row, assignment, f"input.assignments[{index}]")
        await work.audit(None, row, added=added, record=_facilitator_record(row))
        return row


async def _lock_in_reach(connection: AsyncConnection, facilitator_id: int, reach: Reach) -> RowMapping:
    """The facilitator, locked; one outside the caller's region is as missing as one that does not exist."""
    row = await facilitator_data.lock_facilitator(connection, facilitator_id)
    if row is None or not reach(row["regency_code"]):
        raise NotFound(f"no facilitator with id {facilitator_id}")
    return row


async def update_facilitator(
    engine: Target, facilitator_id: int, expected_version: int, values: dict[str, Any], reach: Reach,
    actor: audit.Actor,
) -> RowMapping:
    """Change a facilitator's details or service period (ending it ends her open assignments)."""
    async with unit_of_work(engine, actor) as work:
        connection = work.connection
        current = await _lock_in_reach(connection, facilitator_id, reach)
        if current["version"] != expected_version:
            raise Conflict(
                f"facilitator {facilitator_id} is at version {current['version']}, not {expected_version}",
                currentVersion=current["version"],
            )
        merged = {**current, **values}
        if merged["active_until"] is not None and merged["active_until"] < merged["active_from"]:
            raise InvalidInput("input.activeUntil", "is before the facilitator's start")
        service = Period(merged["active_from"], merged["active_until"])
        assignments = (await facilitator_data.assignments_of(connection, [facilitator_id]))[facilitator_id]
        for assignment in assignments:
            if assignment["active_from"] < service.start:
                raise InvalidInput("input.activeFrom", f"assignment {assignment['id']} starts before it")
            if service.end is not None and assignment["active_from"] > service.end:
                raise InvalidInput("input.activeUntil", f"assignment {assignment['id']} starts after it")
        try:
            async with connection.begin_nested():
                row = await facilitator_data.update_facilitator(connection, facilitator_id, expected_version, values)
        except IntegrityError as error:
            raise _subject_conflict(error) from None
        assert row is not None
        await work.publish(events.FACILITATOR_UPDATED, str(row["id"]), events.facilitator_payload(row),
            aggregate_type=events.AGGREGATE_FACILITATOR,
        )
        ended_assignments = {}
        for assignment in assignments:
            if service.end is not None and (assignment["active_until"] is None or assignment["active_until"] > service.end):
                ended = await facilitator_data.end_assignment(connection, assignment["id"], service.end)
                assert ended is not None
                ended_assignments[f"assignment {assignment['id']} activeUntil"] = {"active_until": ended["active_until"]}
                await work.publish(events.FACILITATOR_ASSIGNMENT_ENDED, str(row["id"]),
                    events.facilitator_assignment_payload(ended), aggregate_type=events.AGGREGATE_FACILITATOR,
                )
        await work.audit(current, row, added=ended_assignments, record=_facilitator_record(row))
        return row


async def assign(
    engine: Target, facilitator_id: int, values: dict[str, Any], reach: Reach, actor: audit.Actor
) -> RowMapping:
    """Assign a village or an IR to a facilitator for a period (defaults to her service)."""
    async with unit_of_work(engine, actor) as work:
        connection = work.connection
        facilitator = await _lock_in_reach(connection, facilitator_id, reach)
        row = await _assign(work, facilitator, values, "input")
        await work.audit(None, row, record=_assignment_record(facilitator, row))
        return row


async def end_assignment(
    engine: Target, assignment_id: int, until: dt.date, reach: Reach, actor: audit.Actor
) -> RowMapping:
    """End an assignment on ``until`` (the last day she looks after the village or IR)."""
    async with unit_of_work(engine, actor) as work:
        connection = work.connection
        current = (await facilitator_data.assignments_by_ids(connection, [assignment_id])).get(assignment_id)
        if current is None:
            raise NotFound(f"no facilitator assignment with id {assignment_id}")
        facilitator = await facilitator_data.lock_facilitator(connection, current["facilitator_id"])
        if facilitator is None or not reach(facilitator["regency_code"]):
            raise NotFound(f"no facilitator assignment with id {assignment_id}")
        if until < current["active_from"]:
            raise InvalidInput("endedOn", f"is before the assignment started ({current['active_from'].isoformat()})")
        if current["active_until"] is not None and current["active_until"] < until:
            raise InvalidInput("endedOn", f"is after the assignment already ended ({current['active_until'].isoformat()})")
        row = await facilitator_data.end_assignment(connection, assignment_id, until)
        assert row is not None
        await work.publish(events.FACILITATOR_ASSIGNMENT_ENDED, str(row["facilitator_id"]),
            events.facilitator_assignment_payload(row), aggregate_type=events.AGGREGATE_FACILITATOR,
        )
        await work.audit(current, row, record=_assignment_record(facilitator, row))
        return row


async def record_mentoring_note(
    engine: Target, home_industry_id: int, values: dict[str, Any], scope: RecordScope, actor: audit.Actor
) -> tuple[RowMapping, str]:
    """A facilitator's note of a mentoring visit (pendampingan) to an IR of her scope; (note, IR's regency)."""
    async with unit_of_work(engine, actor) as work:
        connection = work.connection
        ir = (await home_industry_data.home_industries_by_ids(connection, [home_industry_id], scope)).get(home_industry_id)
        if ir is None:
            raise NotFound(f"no home industry with id {home_industry_id}")
        if values["noted_on"] < ir["registered_on"]:
            raise InvalidInput("input.notedOn", f"is before the IR was registered ({ir['registered_on'].isoformat()})")
        await require_facilitator_in_service(connection, values["facilitator_id"], values["noted_on"], "input.facilitatorId")
        row = await facilitator_data.insert_note(connection, {**values, "home_industry_id": home_industry_id})
        # Its own aggregate: HomeIndustry events carry the IR's snapshot, this one only ids and a date.
        await work.publish(events.MENTORING_NOTE_RECORDED, str(row["id"]), events.mentoring_note_payload(row),
            aggregate_type=events.AGGREGATE_MENTORING_NOTE,
        )
        await work.audit(
            None, row, record=audit.Record("MentoringNote", row["id"], ir["regency_code"], ir["id"])
        )
        return row, ir["regency_code"]
