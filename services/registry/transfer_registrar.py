"""Transfers of an IR between regencies/cities: propose, accept, decline, withdraw, or move directly.

Each function takes an engine (its own transaction) or a ``UnitOfWork`` a caller opened (see
``unit_of_work``). Who may do what is ``domain/transfers.py``; the policy (``policy.py``) lets only
the offices and the ministry reach these mutations at all. A move keeps the IR's id, history,
assessments and interventions, gives it the receiving regency's next registration number and keeps
the old one in the transfer row (``homeIndustryByRegistrationNumber`` finds the IR by it).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.engine import RowMapping

from services.registry.data import audit
from services.registry.data import home_industries as home_industry_data
from services.registry.data import transfers as transfer_data
from services.registry.data.facilitators import end_assignment
from services.registry.domain import events, transfers
from services.registry.domain.access import RecordScope
from services.registry.domain.registration import regency_of, registration_number
from services.registry.registrar import require_village
from services.registry.unit_of_work import Target, UnitOfWork, unit_of_work
from siir.auth.identity import Identity
from siir.errors import Conflict, Forbidden, InvalidInput, NotFound

TRANSFER = "HomeIndustryTransfer"


def _record(row: RowMapping, region: str) -> audit.Record:
    return audit.Record(TRANSFER, row["id"], region, row["home_industry_id"])


def _missing(transfer_id: int) -> NotFound:
    return NotFound(f"id: no home industry transfer with id {transfer_id}", field="id")


async def _move(work: UnitOfWork, home_industry: RowMapping, transfer: RowMapping, on: dt.date) -> RowMapping:
    """Move the (locked, active) IR; returns the transfer row, now ACCEPTED with the new number."""
    connection = work.connection
    to_regency = transfer["to_regency_code"]
    number = registration_number(to_regency, await home_industry_data.next_registration_sequence(connection, to_regency))
    # Address and coordinates described the old home: the receiving office records the new ones.
    moved = await home_industry_data.update_home_industry(
        connection, home_industry["id"], None,
        {"village_code": transfer["to_village_code"], "regency_code": to_regency, "registration_number": number,
         "address": None, "latitude": None, "longitude": None},
    )
    assert moved is not None
    ended: dict[str, Any] = {}
    for assignment in await transfer_data.assignments_running_on(connection, home_industry["id"], on):
        until = max(assignment["active_from"], on - dt.timedelta(days=1))
        row = await end_assignment(connection, assignment["id"], until)
        assert row is not None
        ended[f"assignment {row['id']} activeUntil"] = {"active_until": row["active_until"]}
        await work.publish(events.FACILITATOR_ASSIGNMENT_ENDED, str(row["facilitator_id"]),
                           events.facilitator_assignment_payload(row), aggregate_type=events.AGGREGATE_FACILITATOR)
    accepted = await transfer_data.decide(
        connection, transfer["id"], transfer["version"],
        {"status": transfers.ACCEPTED, "to_registration_number": number, "transferred_on": on,
         "decided_by": work.actor.subject, "decided_role": work.actor.role},
    )
    assert accepted is not None
    await work.publish(events.HOME_INDUSTRY_TRANSFERRED, moved["id"], events.transfer_payload(moved, accepted))
    await work.audit(home_industry, moved, added={"transfer": accepted, **ended})
    return accepted


async def propose(
    target: Target,
    identity: Identity,
    home_industry_id: int,
    expected_version: int,
    village_code: str,
    reason: str,
    today: dt.date,
    scope: RecordScope,
    actor: audit.Actor,
) -> RowMapping:
    """Propose moving an IR (the sending regency office) or move it at once (province office, ministry)."""
    async with unit_of_work(target, actor) as work:
        connection = work.connection
        ir = await home_industry_data.lock_home_industry(connection, home_industry_id)
        if ir is None or not scope.admits(ir):
            raise NotFound(f"id: no home industry with id {home_industry_id}", field="id")
        if ir["version"] != expected_version:
            raise Conflict(f"expectedVersion: home industry {home_industry_id} is at version {ir['version']}, not "
                           f"{expected_version}: reload it and propose again", field="expectedVersion",
                           currentVersion=ir["version"])
        await require_village(connection, "villageCode", village_code)
        from_regency, to_regency = ir["regency_code"], regency_of(village_code)
        refused = transfers.proposal_refusal(ir["status"], from_regency, to_regency)
        if refused is not None:
            field, message = refused
            if field == "id":
                raise Conflict(f"id: {message}", field="id")
            raise InvalidInput(field, message)
        directly = transfers.records_directly(identity, from_regency, to_regency)
        if not directly and not transfers.proposes(identity, from_regency):
            raise Forbidden("a transfer between provinces is proposed by the sending regency/city office and accepted "
                            "by the receiving one, or recorded by the ministry", field="villageCode")
        pending = await transfer_data.pending_of(connection, home_industry_id)
        if pending is not None:
            raise Conflict(f"id: a transfer of this IR is already pending (transfer {pending['id']}): "
                           "withdraw it or wait for the receiving office", field="id")
        row = await transfer_data.insert_transfer(connection, {
            "home_industry_id": home_industry_id, "status": transfers.PENDING,
            "from_regency_code": from_regency, "from_village_code": ir["village_code"],
            "from_registration_number": ir["registration_number"],
            "to_regency_code": to_regency, "to_village_code": village_code, "reason": reason,
            "proposed_by": actor.subject, "proposed_role": actor.role,
        })
        if directly:
            return await _move(work, ir, row, today)
        await work.audit(None, row, record=_record(row, from_regency))
        return row


async def _lock_transfer(work: UnitOfWork, identity: Identity, transfer_id: int) -> RowMapping:
    row = await transfer_data.lock_transfer(work.connection, transfer_id)
    if row is None or not transfers.sees(identity, row["from_regency_code"], row["to_regency_code"]):
        raise _missing(transfer_id)
    return row


def _check_pending(row: RowMapping, expected_version: int) -> None:
    if row["version"] != expected_version:
        raise Conflict(f"expectedVersion: transfer {row['id']} is at version {row['version']}, not {expected_version}: "
                       "reload it", field="expectedVersion", currentVersion=row["version"])
    if row["status"] != transfers.PENDING:
        raise Conflict(f"id: the transfer is already {row['status']}", field="id")


async def accept(
    target: Target, identity: Identity, transfer_id: int, expected_version: int, today: dt.date, actor: audit.Actor
) -> RowMapping:
    """The receiving regency office accepts: the IR moves today."""
    async with unit_of_work(target, actor) as work:
        row = await _lock_transfer(work, identity, transfer_id)
        if not transfers.decides(identity, row["to_regency_code"]):
            raise Forbidden("only the receiving regency/city office accepts a transfer", field="id")
        _check_pending(row, expected_version)
        ir = await home_industry_data.lock_home_industry(work.connection, row["home_industry_id"])
        assert ir is not None
        if ir["status"] != "ACTIVE":
            raise Conflict(f"id: the IR is {ir['status']} since the proposal; only an active IR is transferred",
                           field="id")
        return await _move(work, ir, row, today)


async def decline(
    target: Target, identity: Identity, transfer_id: int, expected_version: int, note: str, actor: audit.Actor
) -> RowMapping:
    """The receiving regency office declines, saying why: the IR stays where it is."""
    return await _close(target, identity, transfer_id, expected_version, transfers.DECLINED, note, actor)


async def withdraw(
    target: Target, identity: Identity, transfer_id: int, expected_version: int, note: str | None, actor: audit.Actor
) -> RowMapping:
    """The sending regency office withdraws its pending proposal."""
    return await _close(target, identity, transfer_id, expected_version, transfers.WITHDRAWN, note, actor)


async def _close(
    target: Target, identity: Identity, transfer_id: int, expected_version: int, status: str, note: str | None,
    actor: audit.Actor,
) -> RowMapping:
    async with unit_of_work(target, actor) as work:
        row = await _lock_transfer(work, identity, transfer_id)
        if status == transfers.DECLINED and not transfers.decides(identity, row["to_regency_code"]):
            raise Forbidden("only the receiving regency/city office declines a transfer", field="id")
        if status == transfers.WITHDRAWN and not transfers.proposes(identity, row["from_regency_code"]):
            raise Forbidden("only the sending regency/city office withdraws a transfer", field="id")
        _check_pending(row, expected_version)
        closed = await transfer_data.decide(
            work.connection, transfer_id, expected_version,
            {"status": status, "decision_note": note, "decided_by": actor.subject, "decided_role": actor.role},
        )
        assert closed is not None
        await work.audit(row, closed, record=_record(closed, row["from_regency_code"]))
        return closed
