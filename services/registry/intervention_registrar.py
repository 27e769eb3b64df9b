"""Recording interventions given to an IR, each one transaction.

The provider is a registered partner (its kind and name are copied onto the intervention, so a
renamed partner does not rewrite history) or a government office (SKPD) named in words.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from services.registry.data import home_industries as home_industry_data
from services.registry.data import interventions as intervention_data
from services.registry.data import audit
from services.registry.data import partners as partner_data
from services.registry.domain import events
from services.registry.domain.access import RecordScope
from services.registry.unit_of_work import Target, UnitOfWork, unit_of_work
from siir.errors import InvalidInput, NotFound


async def _provider(connection: AsyncConnection, values: dict[str, Any]) -> dict[str, Any]:
    """Resolve ``partner_id``/``programme_id`` or the government office into the provider columns."""
    partner_id = values.pop("partner_id", None)
    programme_id = values.pop("programme_id", None)
    office = values.pop("government_office", None)
    if partner_id is None:
        if programme_id is not None:
            raise InvalidInput("input.programmeId", "needs the partner that runs the programme (partnerId)")
        if office is None:
            raise InvalidInput("input.partnerId", "give the partner, or the government office (governmentOffice) that provided it")
        return {**values, "partner_id": None, "programme_id": None, "provider_kind": "GOVERNMENT_OFFICE", "provider_name": office}
    if office is not None:
        raise InvalidInput("input.governmentOffice", "give either a partner or a government office, not both")
    partner = (await partner_data.partners_by_ids(connection, [partner_id])).get(partner_id)
    if partner is None:
        raise InvalidInput("input.partnerId", f"no partner with id {partner_id}")
    if programme_id is not None:
        programme = (await partner_data.programmes_by_ids(connection, [programme_id])).get(programme_id)
        if programme is None or programme["partner_id"] != partner_id:
            raise InvalidInput("input.programmeId", f"partner {partner_id} has no programme with id {programme_id}")
    return {
        **values, "partner_id": partner_id, "programme_id": programme_id,
        "provider_kind": partner["kind"], "provider_name": partner["name"],
    }


def _check_dates(home_industry: RowMapping, started_on: dt.date, ended_on: dt.date | None) -> None:
    if started_on < home_industry["registered_on"]:
        raise InvalidInput(
            "input.startedOn", f"is before the IR was registered ({home_industry['registered_on'].isoformat()})"
        )
    if ended_on is not None and ended_on < started_on:
        raise InvalidInput("input.endedOn", "is before the intervention started")
    if home_industry["status"] != "ACTIVE" and started_on > home_industry["status_changed_on"]:
        raise InvalidInput(
            "input.startedOn",
            f"is after the IR was {home_industry['status'].lower()} ({home_industry['status_changed_on'].isoformat()})",
        )


def _record(row: RowMapping, home_industry: RowMapping) -> audit.Record:
    return audit.Record("Intervention", row["id"], home_industry["regency_code"], home_industry["id"])


async def _lock_in_scope(work: UnitOfWork, home_industry_id: int, scope: RecordScope) -> RowMapping:
    """The IR, locked; one outside the caller's scope is as missing as one that does not exist."""
    return await work.lock(
        home_industry_data.lock_home_industry, home_industry_id, scope.admits, f"no home industry with id {home_industry_id}"
    )


async def record_intervention(
    engine: Target, home_industry_id: int, values: dict[str, Any], scope: RecordScope, actor: audit.Actor
) -> RowMapping:
    """Record an intervention; answers the row with ``class_before``/``class_after``."""
    async with unit_of_work(engine, actor) as work:
        connection = work.connection
        home_industry = await _lock_in_scope(work, home_industry_id, scope)
        _check_dates(home_industry, values["started_on"], values.get("ended_on"))
        values = await _provider(connection, dict(values))
        row = await intervention_data.insert_intervention(connection, {**values, "home_industry_id": home_industry_id})
        class_before = await intervention_data.class_on(connection, home_industry_id, row["started_on"])
        await work.changed(
            None, row, events.INTERVENTION_RECORDED, events.intervention_payload(row, home_industry, class_before),
            aggregate_type=events.AGGREGATE_INTERVENTION, record=_record(row, home_industry),
        )
        return (await intervention_data.interventions_by_ids(connection, [row["id"]]))[row["id"]]


async def update_intervention(
    engine: Target, intervention_id: int, expected_version: int, values: dict[str, Any], scope: RecordScope,
    actor: audit.Actor,
) -> RowMapping:
    """Change an intervention (typically: its end date, value and outcome once it is over)."""
    async with unit_of_work(engine, actor) as work:
        connection = work.connection
        current = await intervention_data.intervention_row(connection, intervention_id)
        if current is None:
            raise NotFound(f"no intervention with id {intervention_id}")
        home_industry = await home_industry_data.lock_home_industry(connection, current["home_industry_id"])
        assert home_industry is not None, "home_industry_id is a foreign key"
        if not scope.admits(home_industry):
            raise NotFound(f"no intervention with id {intervention_id}")
        if any(key in values for key in ("partner_id", "programme_id", "government_office")):
            # A new provider replaces the old one as a whole: partner (and programme) or office.
            provider = {key: values.pop(key, None) for key in ("partner_id", "programme_id", "government_office")}
            values.update(await _provider(connection, provider))
        merged = {**current, **values}
        _check_dates(home_industry, merged["started_on"], merged["ended_on"])
        row = await intervention_data.update_intervention(connection, intervention_id, expected_version, values)
        if row is None:
            latest = await intervention_data.intervention_row(connection, intervention_id)
            assert latest is not None
            raise UnitOfWork.stale(
                f"intervention {intervention_id}", latest["version"], expected_version, f"no intervention with id {intervention_id}"
            )
        class_before = await intervention_data.class_on(connection, row["home_industry_id"], row["started_on"])
        await work.changed(
            current, row, events.INTERVENTION_UPDATED, events.intervention_payload(row, home_industry, class_before),
            aggregate_type=events.AGGREGATE_INTERVENTION, record=_record(row, home_industry),
        )
        return (await intervention_data.interventions_by_ids(connection, [row["id"]]))[row["id"]]
