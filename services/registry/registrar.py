"""The registry's changes: register, update, assess, close, graduate, merge duplicates.

Each function takes an engine (it is then its own transaction) or a ``UnitOfWork`` a caller opened
(it then joins that transaction, so several changes commit together: see ``unit_of_work``).

Inputs arrive validated field by field (``graphql/inputs.py``); here are the rules that need the
database (the village exists, the version matches) and the writes, with the outbox event of each
change in the same transaction, so nothing is half-written and nothing is published that did not
happen.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from services.registry.data import assessments as assessment_data
from services.registry.data import audit
from services.registry.data import home_industries as home_industry_data
from services.registry.data import duplicates as duplicate_data
from services.registry.data import interventions as intervention_data
from services.registry.data import regions
from services.registry.domain import duplicates, events
from services.registry.facilitator_registrar import require_facilitator_in_service
from services.registry.domain.access import RecordScope
from services.registry.domain.classification import ClassificationError, Criteria, RuleSet, classify
from services.registry.domain.graduation import GraduationThresholds, is_small_enterprise_candidate
from services.registry.domain.registration import regency_of, registration_number
from services.registry.unit_of_work import Target, UnitOfWork, unit_of_work
from siir.errors import Conflict, InvalidInput


@dataclass(frozen=True, slots=True)
class Registration:
    """One IR to register, checked field by field (``graphql/inputs.py``): its column values (with
    ``registered_on``, None for today), its first assessment, and why a second business of the owner."""

    values: dict[str, Any]
    assessment: tuple[Criteria, dict[str, Any]]
    additional_business_reason: str | None = None
    prefix: str = "input"


async def _require_village(connection: AsyncConnection, field: str, code: str) -> None:
    found = await regions.regions_by_codes(connection, [code])
    region = found.get(code)
    if region is None:
        raise InvalidInput(field, f"{code} is not a Kemendagri region code")
    if region["level"] != 4:
        raise InvalidInput(field, f"{code} is not a village (desa/kelurahan) code")


#: The village check of every write that places an IR (registration, update, transfer).
require_village = _require_village


async def _write_assessment(
    connection: AsyncConnection,
    home_industry: RowMapping,
    criteria: Criteria,
    values: dict[str, Any],
    rule_set: RuleSet,
    thresholds: GraduationThresholds,
    field: str,
) -> tuple[RowMapping, RowMapping]:
    """Classify, store the assessment, refresh the IR's current class; returns (IR, assessment)."""
    assessed_on: dt.date = values["assessed_on"]
    if assessed_on < home_industry["business_started_on"]:
        raise InvalidInput(f"{field}.assessedOn", "is before the business started")
    if values.get("facilitator_id") is not None:
        await require_facilitator_in_service(connection, values["facilitator_id"], assessed_on, f"{field}.facilitatorId")
    try:
        result = classify(criteria, assessed_on, rule_set)
    except ClassificationError as error:
        raise InvalidInput(f"{field}.{error.field}", str(error)) from None
    row = await assessment_data.insert_assessment(
        connection,
        {
            **values,
            "home_industry_id": home_industry["id"],
            "worker_count": criteria.worker_count,
            "production_technology": criteria.production_technology.value,
            "capital_source": criteria.capital_source.value,
            "capital_amount": criteria.capital_amount,
            "business_started_on": criteria.business_started_on,
            "business_age_months": result.business_age_months,
            "production_pattern": criteria.production_pattern.value,
            "worker_level": result.levels.worker_count,
            "technology_level": result.levels.production_technology,
            "capital_source_level": result.levels.capital_source,
            "capital_amount_level": result.levels.capital_amount,
            "business_age_level": result.levels.business_age,
            "production_pattern_level": result.levels.production_pattern,
            "score": result.score,
            "ir_class": result.ir_class.value,
            "rule_set_code": result.rule_set_code,
            "rule_set_version": result.rule_set_version,
            "graduation_thresholds_code": thresholds.code,
            "small_enterprise_candidate": is_small_enterprise_candidate(
                result.ir_class,
                values["assets_excluding_land_and_buildings"],
                values["annual_turnover"],
                thresholds,
            ),
        },
    )
    # The current class is the newest assessment's: a back-dated one may not change it.
    latest = (await assessment_data.latest_assessments(connection, [home_industry["id"]]))[home_industry["id"]]
    updated = await home_industry_data.update_home_industry(
        connection,
        home_industry["id"],
        None,
        {
            "current_class": latest["ir_class"],
            "current_score": latest["score"],
            "last_assessed_on": latest["assessed_on"],
        },
        bump_version=False,
    )
    assert updated is not None
    return updated, row


async def register(
    target: Target,
    values: dict[str, Any],
    assessment: tuple[Criteria, dict[str, Any]],
    rule_set: RuleSet,
    thresholds: GraduationThresholds,
    today: dt.date,
    actor: audit.Actor,
    *,
    scope: RecordScope | None = None,
    additional_business_reason: str | None = None,
) -> RowMapping:
    """Register an IR with its first assessment (the caller checked the village is in its scope).

    Refused with CONFLICT when the owner's NIK already has an active IR, unless the caller gives
    ``additional_business_reason`` (audited) and the business names are not near-identical; the
    answer names the other IR only as far as ``scope`` (None: everything) reaches.
    """
    async with unit_of_work(target, actor) as work:
        connection = work.connection
        await _require_village(connection, "input.villageCode", values["village_code"])
        regency = regency_of(values["village_code"])
        await _refuse_duplicate(connection, values, regency, scope, additional_business_reason)
        sequence = await home_industry_data.next_registration_sequence(connection, regency)
        registered_on = values.pop("registered_on", None) or today
        if registered_on < values["business_started_on"]:
            raise InvalidInput("input.registeredOn", "is before the business started")
        row = await home_industry_data.insert_home_industry(
            connection,
            {
                **values,
                "regency_code": regency,
                "registration_number": registration_number(regency, sequence),
                "registered_on": registered_on,
            },
        )
        await work.publish(events.HOME_INDUSTRY_REGISTERED, row["id"], events.event_payload(row))
        criteria, assessment_values = assessment
        row, assessment_row = await _write_assessment(
            connection, row, criteria, assessment_values, rule_set, thresholds, "input.firstAssessment"
        )
        return await work.changed(
            None, row, events.ASSESSMENT_RECORDED, events.event_payload(row, assessment=assessment_row),
            added={"firstAssessment": assessment_row}
            | ({"additionalBusiness": {"reason": additional_business_reason}} if additional_business_reason else {}),
        )


async def _refuse_duplicate(
    connection: AsyncConnection, values: dict[str, Any], regency: str, scope: RecordScope | None, reason: str | None
) -> None:
    """CONFLICT when the owner already has an active IR (see ``domain/duplicates``)."""
    await duplicate_data.lock_owner(connection, values["owner_nik"])
    rows = await duplicate_data.active_of_owner(connection, values["owner_nik"], values["business_name"])
    existing = [
        duplicates.ActiveRegistration(
            id=row["id"],
            registration_number=row["registration_number"],
            regency_code=row["regency_code"],
            business_name_similarity=float(row["business_name_similarity"]),
            in_scope=scope is None or scope.admits(row),
        )
        for row in rows
    ]
    refused = duplicates.refusal(existing, regency, reason)
    if refused is not None:
        field, message = refused
        raise Conflict(f"{field}: {message}", field=field)


async def _lock_in_scope(work: UnitOfWork, home_industry_id: int, scope: RecordScope) -> RowMapping:
    """The IR, locked; one outside the caller's scope is as missing as one that does not exist."""
    return await work.lock(
        home_industry_data.lock_home_industry, home_industry_id, scope.admits, f"no home industry with id {home_industry_id}"
    )


async def _missing_or_conflict(connection: AsyncConnection, home_industry_id: int, expected_version: int) -> Exception:
    current = (await home_industry_data.home_industries_by_ids(connection, [home_industry_id])).get(home_industry_id)
    return UnitOfWork.stale(
        f"home industry {home_industry_id}",
        None if current is None else current["version"],
        expected_version,
        f"no home industry with id {home_industry_id}",
    )


async def update(
    target: Target,
    home_industry_id: int,
    expected_version: int,
    values: dict[str, Any],
    scope: RecordScope,
    actor: audit.Actor,
) -> RowMapping:
    """Change an IR record if nobody changed it since ``expected_version``."""
    async with unit_of_work(target, actor) as work:
        connection = work.connection
        before = await _lock_in_scope(work, home_industry_id, scope)
        if "village_code" in values:
            await _require_village(connection, "input.villageCode", values["village_code"])
            # Checked before the UPDATE: the table's CHECK (regency_code = left(village_code, 5))
            # would refuse it anyway, but as an internal error instead of this answer.
            if regency_of(values["village_code"]) != before["regency_code"]:
                raise InvalidInput(
                    "input.villageCode",
                    "moves the IR to another regency/city: close it there and register it with the new office",
                )
        row = await home_industry_data.update_home_industry(connection, home_industry_id, expected_version, values)
        if row is None:
            raise await _missing_or_conflict(connection, home_industry_id, expected_version)
        # Checks on the updated row: raising here rolls the whole change back.
        if row["last_assessed_on"] is not None and row["business_started_on"] > row["last_assessed_on"]:
            raise InvalidInput("input.businessStartedOn", "is after the IR's latest assessment")
        return await work.changed(before, row, events.HOME_INDUSTRY_UPDATED, events.event_payload(row))


async def record_assessment(
    target: Target,
    home_industry_id: int,
    build: Any,
    rule_set: RuleSet,
    thresholds: GraduationThresholds,
    scope: RecordScope,
    actor: audit.Actor,
) -> tuple[RowMapping, RowMapping]:
    """Record a (re-)assessment. ``build(business_started_on)`` returns (criteria, values)."""
    async with unit_of_work(target, actor) as work:
        connection = work.connection
        home_industry = await _lock_in_scope(work, home_industry_id, scope)
        if home_industry["status"] != "ACTIVE":
            raise InvalidInput("homeIndustryId", f"the IR is {home_industry['status']}; only active IR are assessed")
        criteria, values = build(home_industry["business_started_on"])
        row, assessment_row = await _write_assessment(
            connection, home_industry, criteria, values, rule_set, thresholds, "input"
        )
        await work.changed(
            home_industry, row, events.ASSESSMENT_RECORDED, events.event_payload(row, assessment=assessment_row),
            added={"assessment": assessment_row},
        )
        return row, assessment_row


async def change_status(
    target: Target,
    home_industry_id: int,
    status: str,
    on: dt.date,
    reason: str | None,
    event_type: str,
    scope: RecordScope,
    actor: audit.Actor,
) -> RowMapping:
    """Close an IR (gulung tikar, moved away) or record its graduation to small enterprise."""
    async with unit_of_work(target, actor) as work:
        connection = work.connection
        current = await _lock_in_scope(work, home_industry_id, scope)
        if current["status"] != "ACTIVE":
            raise Conflict(f"home industry {home_industry_id} is already {current['status']}")
        if on < current["registered_on"]:
            raise InvalidInput("on", "is before the IR was registered")
        if status == "GRADUATED":
            latest = (await assessment_data.latest_assessments(connection, [home_industry_id])).get(home_industry_id)
            if latest is None or not latest["small_enterprise_candidate"]:
                raise InvalidInput(
                    "id", "only an IR whose latest assessment makes it a small-enterprise candidate can graduate"
                )
        row = await home_industry_data.update_home_industry(
            connection,
            home_industry_id,
            None,
            {"status": status, "status_changed_on": on, "status_reason": reason},
        )
        assert row is not None
        return await work.changed(current, row, event_type, events.event_payload(row, reason=reason))


async def merge(
    target: Target,
    keep_id: int,
    drop_id: int,
    reason: str,
    today: dt.date,
    scope: RecordScope,
    actor: audit.Actor,
) -> RowMapping:
    """Merge two registrations of one business into ``keep_id``; one transaction (the caller's unit if given).

    The dropped IR's assessments, interventions and mentoring notes move to the kept one, whose
    registration and business start become the earlier of the two and whose class follows the
    newest assessment of both; the dropped IR is closed as a duplicate of the kept one. Events:
    the kept IR updated, each moved assessment recorded on it, each moved intervention updated,
    the dropped IR closed with the assessments it no longer has (so reporting drops them there).
    """
    if keep_id == drop_id:
        raise InvalidInput("drop", "is the IR to keep: name two different IR")
    async with unit_of_work(target, actor) as work:
        connection = work.connection
        locked = {pk: await _lock_in_scope(work, pk, scope) for pk in sorted((keep_id, drop_id))}  # id order: no deadlock
        keep, drop = locked[keep_id], locked[drop_id]
        for field, row in (("keep", keep), ("drop", drop)):
            if row["status"] != "ACTIVE":
                raise Conflict(f"{field}: home industry {row['id']} is already {row['status']}", field=field)
        if keep["regency_code"] != drop["regency_code"]:
            raise InvalidInput("drop", "is registered in another regency/city: only IR of one office are merged")
        moved = await duplicate_data.move_records(connection, drop_id, keep_id)
        values: dict[str, Any] = {
            "registered_on": min(keep["registered_on"], drop["registered_on"]),
            "business_started_on": min(keep["business_started_on"], drop["business_started_on"]),
        }
        latest = (await assessment_data.latest_assessments(connection, [keep_id])).get(keep_id)
        if latest is not None:
            values |= {
                "current_class": latest["ir_class"], "current_score": latest["score"], "last_assessed_on": latest["assessed_on"]
            }
        kept = await home_industry_data.update_home_industry(connection, keep_id, None, values)
        assert kept is not None
        await work.publish(events.HOME_INDUSTRY_UPDATED, keep_id, events.event_payload(kept))
        moved_assessments = set(moved["assessments"])
        history = (await assessment_data.assessments_of(connection, [keep_id])).get(keep_id, [])
        for assessment in (row for row in history if row["id"] in moved_assessments):
            await work.publish(events.ASSESSMENT_RECORDED, keep_id, events.event_payload(kept, assessment=assessment))
        interventions = await intervention_data.interventions_by_ids(connection, moved["interventions"])
        for intervention_id in moved["interventions"]:
            row = interventions[intervention_id]
            class_before = await intervention_data.class_on(connection, keep_id, row["started_on"])
            await work.publish(
                events.INTERVENTION_UPDATED, intervention_id, events.intervention_payload(row, kept, class_before),
                aggregate_type=events.AGGREGATE_INTERVENTION,
            )
        merged = {"drop": drop_id, "dropRegistrationNumber": drop["registration_number"], "reason": reason, **moved}
        await work.audit(keep, kept, added={"merged": merged})
        closure = f"{duplicates.CLOSED_AS_DUPLICATE} {keep['registration_number']}: {reason}"
        dropped = await home_industry_data.update_home_industry(
            connection, drop_id, None,
            # Its assessments are the kept IR's now: no current class of its own.
            {"status": "CLOSED", "status_changed_on": today, "status_reason": closure,
             "current_class": None, "current_score": None, "last_assessed_on": None},
        )
        assert dropped is not None
        payload = events.event_payload(dropped, reason=closure)
        payload |= {"duplicateOf": str(keep_id), "assessmentsMovedAway": [str(pk) for pk in moved["assessments"]]}
        await work.changed(drop, dropped, events.HOME_INDUSTRY_CLOSED, payload)
        return kept
