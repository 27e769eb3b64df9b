"""Changes to partner institutions and their programmes, each one transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import RowMapping
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from services.registry.data import audit, regions
from services.registry.data import partners as partner_data
from services.registry.data.constraints import violated_constraint
from services.registry.domain import events
from services.registry.unit_of_work import Target, UnitOfWork, unit_of_work
from siir.errors import Conflict, InvalidInput, NotFound


async def _check_region(connection: AsyncConnection, code: str | None, field: str) -> None:
    if code is None:
        return
    if code not in await regions.regions_by_codes(connection, [code]):
        raise InvalidInput(field, f"{code} is not a Kemendagri region code")


async def _check_programme_regions(connection: AsyncConnection, values: dict[str, Any], field: str) -> None:
    codes = values["eligibility"].get("regionCodes") or []
    found = await regions.regions_by_codes(connection, codes)
    for index, code in enumerate(codes):
        if code not in found:
            raise InvalidInput(f"{field}.eligibility.regionCodes[{index}]", f"{code} is not a Kemendagri region code")


def _name_conflict(error: IntegrityError, field: str) -> Conflict:
    name = violated_constraint(error)
    if name == "partners_name":
        return Conflict(f"{field}: a partner with this name is already registered", field=field)
    if name == "partner_programmes_partner_id_name_key":
        return Conflict(f"{field}: the partner already has a programme with this name", field=field)
    raise error


async def _add_programme(work: UnitOfWork, partner: RowMapping, values: dict[str, Any], field: str) -> RowMapping:
    connection = work.connection
    await _check_programme_regions(connection, values, field)
    try:
        async with connection.begin_nested():
            row = await partner_data.insert_programme(connection, {**values, "partner_id": partner["id"]})
    except IntegrityError as error:
        raise _name_conflict(error, f"{field}.name") from None
    await work.publish(events.PARTNER_PROGRAMME_SAVED, str(partner["id"]), events.programme_payload(row),
        aggregate_type=events.AGGREGATE_PARTNER,
    )
    return row


def _partner_record(row: RowMapping) -> audit.Record:
    # Partners are national agreements (recorded by MINISTRY): no region, whatever their seat.
    return audit.Record("Partner", row["id"], None)


def _programme_record(row: RowMapping) -> audit.Record:
    return audit.Record("PartnerProgramme", row["id"], None)


async def register_partner(
    engine: Target, values: dict[str, Any], programmes: list[dict[str, Any]], actor: audit.Actor
) -> RowMapping:
    async with unit_of_work(engine, actor) as work:
        connection = work.connection
        await _check_region(connection, values.get("region_code"), "input.regionCode")
        try:
            async with connection.begin_nested():
                row = await partner_data.insert_partner(connection, values)
        except IntegrityError as error:
            raise _name_conflict(error, "input.name") from None
        await work.publish(events.PARTNER_REGISTERED, str(row["id"]), events.partner_payload(row),
            aggregate_type=events.AGGREGATE_PARTNER,
        )
        added = {}
        for index, programme in enumerate(programmes):
            added[f"programmes[{index}]"] = await _add_programme(work, row, programme, f"input.programmes[{index}]")
        await work.audit(None, row, added=added, record=_partner_record(row))
        return row


async def update_partner(
    engine: Target, partner_id: int, expected_version: int, values: dict[str, Any], actor: audit.Actor
) -> RowMapping:
    async with unit_of_work(engine, actor) as work:
        connection = work.connection
        await _check_region(connection, values.get("region_code"), "input.regionCode")
        before = (await partner_data.partners_by_ids(connection, [partner_id])).get(partner_id)
        try:
            async with connection.begin_nested():
                row = await partner_data.update_partner(connection, partner_id, expected_version, values)
        except IntegrityError as error:
            raise _name_conflict(error, "input.name") from None
        if row is None:
            current = (await partner_data.partners_by_ids(connection, [partner_id])).get(partner_id)
            if current is None:
                raise NotFound(f"no partner with id {partner_id}")
            raise Conflict(
                f"partner {partner_id} is at version {current['version']}, not {expected_version}",
                currentVersion=current["version"],
            )
        await work.publish(events.PARTNER_UPDATED, str(row["id"]), events.partner_payload(row),
            aggregate_type=events.AGGREGATE_PARTNER,
        )
        await work.audit(before, row, record=_partner_record(row))
        return row


async def add_programme(engine: Target, partner_id: int, values: dict[str, Any], actor: audit.Actor) -> RowMapping:
    async with unit_of_work(engine, actor) as work:
        connection = work.connection
        partner = (await partner_data.partners_by_ids(connection, [partner_id])).get(partner_id)
        if partner is None:
            raise NotFound(f"no partner with id {partner_id}")
        row = await _add_programme(work, partner, values, "input")
        await work.audit(None, row, record=_programme_record(row))
        return row


async def update_programme(engine: Target, programme_id: int, values: dict[str, Any], actor: audit.Actor) -> RowMapping:
    async with unit_of_work(engine, actor) as work:
        connection = work.connection
        current = (await partner_data.programmes_by_ids(connection, [programme_id])).get(programme_id)
        if current is None:
            raise NotFound(f"no partner programme with id {programme_id}")
        merged = {**current, **values}
        if merged["active_until"] is not None and merged["active_until"] < merged["active_from"]:
            raise InvalidInput("input.activeUntil", "is before the programme's start")
        if "eligibility" in values:
            await _check_programme_regions(connection, values, "input")
        try:
            async with connection.begin_nested():
                row = await partner_data.update_programme(connection, programme_id, values)
        except IntegrityError as error:
            raise _name_conflict(error, "input.name") from None
        assert row is not None
        await work.publish(events.PARTNER_PROGRAMME_SAVED, str(row["partner_id"]), events.programme_payload(row),
            aggregate_type=events.AGGREGATE_PARTNER,
        )
        await work.audit(current, row, record=_programme_record(row))
        return row
