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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from services.registry.data import assessments as assessment_data
from services.registry.data import audit
from services.registry.data import home_industries as home_industry_data
from services.registry.data import duplicates as duplicate_data
from services.registry.data import facilitators as facilitator_data
from services.registry.data import interventions as intervention_data
from services.registry.data import regions
from services.registry.domain import duplicates, events
from services.registry.facilitator_registrar import facilitator_in_service, require_facilitator_in_service
from services.registry.domain.access import RecordScope
from services.registry.domain.classification import ClassificationError, Criteria, RuleSet, classify
from services.registry.domain.graduation import GraduationThresholds, is_small_enterprise_candidate
from services.registry.domain.registration import regency_of, registration_number
from services.registry.unit_of_work import Target, UnitOfWork, unit_of_work
from siir.errors import Conflict, DomainError, InvalidInput


async def _require_village(connection: AsyncConnection, field: str, code: str) -> None:
    found = await regions.regions_by_codes(connection, [code])
    region = found.get(code)
    if region is None:
        raise InvalidInput(field, f"{code} is not a Kemendagri region code")
    if region["level"] != 4:
        raise InvalidInput(field, f"{code} is not a village (desa/kelurahan) code")


#: The village check of every write that places an IR (registration, update, transfer).
require_village = _require_village


def _refuse_before_start(business_started_on: dt.date, assessed_on: dt.date, field: str) -> None:
    if assessed_on < business_started_on:
        raise InvalidInput(f"{field}.assessedOn", "is before the business started")


def _assessment_columns(
    criteria: Criteria,
    values: dict[str, Any],
    rule_set: RuleSet,
    thresholds: GraduationThresholds,
    field: str,
) -> dict[str, Any]:
    """The stored columns of an assessment but its IR's id, or InvalidInput at ``field`` when the
    criteria do not classify (the date and the facilitator are checked before)."""
    try:
        result = classify(criteria, values["assessed_on"], rule_set)
    except ClassificationError as error:
        raise InvalidInput(f"{field}.{error.field}", str(error)) from None
    return {
        **values,
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
    }


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
    _refuse_before_start(home_industry["business_started_on"], values["assessed_on"], field)
    if values.get("facilitator_id") is not None:
        await require_facilitator_in_service(connection, values["facilitator_id"], values["assessed_on"], f"{field}.facilitatorId")
    columns = _assessment_columns(criteria, values, rule_set, thresholds, field)
    row = await assessment_data.insert_assessment(connection, {**columns, "home_industry_id": home_industry["id"]})
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
    answer names the other IR only as far as ``scope`` (None: everything) reaches. The one-IR case
    of ``register_many``: its refusal is raised.
    """
    registration = Registration(values, assessment, additional_business_reason)
    [outcome] = await register_many(target, [registration], rule_set, thresholds, today, actor, scope=scope)
    if isinstance(outcome, DomainError):
        raise outcome
    assert outcome is not None
    return outcome


@dataclass(frozen=True, slots=True)
class Registration:
    """One IR to register with its first assessment, as ``register_many`` takes it."""

    #: ``record_values(...)`` and ``registered_on`` (None: the day of the registration).
    values: dict[str, Any]
    #: ``assessment_values(...)``, the facilitator resolved.
    assessment: tuple[Criteria, dict[str, Any]]
    additional_business_reason: str | None = None
    #: The input path its refusals name ("input.villageCode"; a survey row its own).
    prefix: str = "input"


#: What ``register_many`` answers per registration: the IR row, None (would pass: dry run), or the refusal.
Outcome = RowMapping | DomainError | None


@dataclass(frozen=True, slots=True)
class _Passed:
    """A registration that passed every check: its IR and assessment columns, and its number."""

    position: int
    regency_code: str
    sequence: int
    columns: dict[str, Any]
    assessment: dict[str, Any]

    @property
    def registration_number(self) -> str:
        return registration_number(self.regency_code, self.sequence)

    def as_found(self) -> dict[str, Any]:
        """The columns the duplicate check reads of an owner's IR, as if this one were registered."""
        return {
            "id": None, "registration_number": self.registration_number, "regency_code": self.regency_code,
            "village_code": self.columns["village_code"], "status": "ACTIVE",
            "consent_to_share": bool(self.columns.get("consent_to_share", False)),
        }


#: Ids given to IR of the same call in the duplicate check: after every stored IR, as they will be.
_NOT_YET_STORED = 1 << 62


async def register_many(
    target: Target,
    registrations: Sequence[Registration],
    rule_set: RuleSet,
    thresholds: GraduationThresholds,
    today: dt.date,
    actor: audit.Actor,
    *,
    scope: RecordScope | None,
    write: bool = True,
) -> list[Outcome]:
    """Register IR, each with its first assessment, audit row and events as ``register`` does; one
    outcome per registration, in order: the registered row, or the ``DomainError`` refusing it.

    A refused registration does not stop the others. With ``write=False`` nothing is written or
    locked and a registration that would pass answers None (a dry run). A constant number of
    statements whatever the number of registrations. Two of the same owner in one call: the later
    is checked against the earlier as if it were already registered.
    """
    outcomes: list[Outcome] = [None] * len(registrations)
    if not registrations:
        return outcomes
    async with unit_of_work(target, actor) as work:
        passed, last_numbers = await _check_all(
            work.connection, registrations, outcomes, rule_set, thresholds, today, scope, lock=write
        )
        if write and passed:
            for position, row in await _write_all(work, registrations, passed, last_numbers):
                outcomes[position] = row
    return outcomes


async def _check_all(
    connection: AsyncConnection,
    registrations: Sequence[Registration],
    outcomes: list[Outcome],
    rule_set: RuleSet,
    thresholds: GraduationThresholds,
    today: dt.date,
    scope: RecordScope | None,
    *,
    lock: bool,
) -> tuple[list[_Passed], dict[str, int]]:
    """Every check ``register`` makes, in its order, for all registrations at once: the refusals go
    into ``outcomes``; returns those that pass, numbered, and each regency's last number used."""
    codes = sorted({registration.values["village_code"] for registration in registrations})
    villages = await regions.regions_by_codes(connection, codes)
    placed: list[int] = []
    for position, registration in enumerate(registrations):
        code = registration.values["village_code"]
        region = villages.get(code)
        if region is None:
            outcomes[position] = InvalidInput(f"{registration.prefix}.villageCode", f"{code} is not a Kemendagri region code")
        elif region["level"] != 4:
            outcomes[position] = InvalidInput(
                f"{registration.prefix}.villageCode", f"{code} is not a village (desa/kelurahan) code"
            )
        else:
            placed.append(position)
    if not placed:
        return [], {}
    owners = [registrations[position].values["owner_nik"] for position in placed]
    names = [registrations[position].values["business_name"] for position in placed]
    if lock:
        await duplicate_data.lock_owners(connection, owners)
    found = await duplicate_data.active_of_owners(connection, list(zip(owners, names)))
    # Each pair of registrations of one owner in this call, earlier first, with their names' similarity.
    pairs: dict[tuple[int, int], int] = {}
    of_owner: dict[str, list[int]] = {}
    for index, owner in enumerate(owners):
        for earlier in of_owner.get(owner, []):
            pairs[(earlier, index)] = len(pairs)
        of_owner.setdefault(owner, []).append(index)
    similarities = await duplicate_data.name_similarities(connection, [(names[a], names[b]) for a, b in pairs])
    regencies = sorted({regency_of(registrations[position].values["village_code"]) for position in placed})
    numbering = home_industry_data.lock_registration_sequences if lock else home_industry_data.registration_sequences
    last_numbers = await numbering(connection, regencies)
    facilitator_ids = sorted({
        registrations[position].assessment[1]["facilitator_id"] for position in placed
        if registrations[position].assessment[1].get("facilitator_id") is not None
    })
    facilitators = await facilitator_data.facilitators_by_ids(connection, facilitator_ids) if facilitator_ids else {}
    passed: list[_Passed] = []
    passed_of_owner: dict[str, list[tuple[int, _Passed]]] = {}
    for index, position in enumerate(placed):
        registration = registrations[position]
        existing = [_active_registration(row, float(row["business_name_similarity"]), scope) for row in found.get(index, [])]
        existing += [
            _active_registration(
                {**earlier.as_found(), "id": _NOT_YET_STORED + earlier.position}, similarities[pairs[(earlier_index, index)]], scope
            )
            for earlier_index, earlier in passed_of_owner.get(owners[index], [])
        ]
        try:
            checked = _check(registration, position, existing, rule_set, thresholds, today, facilitators)
        except DomainError as error:
            outcomes[position] = error
            continue
        regency = regency_of(checked[0]["village_code"])
        last_numbers[regency] += 1
        entry = _Passed(position, regency, last_numbers[regency], *checked)
        passed.append(entry)
        passed_of_owner.setdefault(owners[index], []).append((index, entry))
    return passed, {regency: last_numbers[regency] for regency in {entry.regency_code for entry in passed}}


def _active_registration(row: Mapping[str, Any], similarity: float, scope: RecordScope | None) -> duplicates.ActiveRegistration:
    return duplicates.ActiveRegistration(
        id=row["id"],
        registration_number=row["registration_number"],
        regency_code=row["regency_code"],
        business_name_similarity=similarity,
        in_scope=scope is None or scope.admits(row),
    )


def _check(
    registration: Registration,
    position: int,
    existing: list[duplicates.ActiveRegistration],
    rule_set: RuleSet,
    thresholds: GraduationThresholds,
    today: dt.date,
    facilitators: Mapping[int, RowMapping],
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The checks of one registration after its village's, in ``register``'s order (the owner's
    other IR, the registration date, the assessment's date, facilitator and classification);
    returns its IR columns (but id and number) and its assessment's (but the IR's id)."""
    prefix = registration.prefix
    values = dict(registration.values)
    regency = regency_of(values["village_code"])
    refused = duplicates.refusal(existing, regency, registration.additional_business_reason, prefix)
    if refused is not None:
        field, message = refused
        raise Conflict(f"{field}: {message}", field=field)
    registered_on = values.pop("registered_on", None) or today
    if registered_on < values["business_started_on"]:
        raise InvalidInput(f"{prefix}.registeredOn", "is before the business started")
    criteria, assessment_values = registration.assessment
    field = f"{prefix}.firstAssessment"
    _refuse_before_start(values["business_started_on"], assessment_values["assessed_on"], field)
    facilitator_id = assessment_values.get("facilitator_id")
    if facilitator_id is not None:
        facilitator_in_service(
            facilitators.get(facilitator_id), facilitator_id, assessment_values["assessed_on"], f"{field}.facilitatorId"
        )
    assessment = _assessment_columns(criteria, assessment_values, rule_set, thresholds, field)
    # Its first assessment is its newest: the current class is set with the row, not updated after.
    columns = {
        **values, "regency_code": regency, "registered_on": registered_on,
        "current_class": assessment["ir_class"], "current_score": assessment["score"],
        "last_assessed_on": assessment["assessed_on"],
    }
    return columns, assessment


async def _write_all(
    work: UnitOfWork, registrations: Sequence[Registration], passed: list[_Passed], last_numbers: dict[str, int]
) -> list[tuple[int, RowMapping]]:
    """Store the registrations that passed: IR, assessments, counters, events, audit rows (a few
    multi-row statements); (position, IR row) of each."""
    connection = work.connection
    ids = await home_industry_data.reserve_home_industry_ids(connection, len(passed))
    stored = await home_industry_data.insert_home_industries(
        connection,
        [{**entry.columns, "id": pk, "registration_number": entry.registration_number} for entry, pk in zip(passed, ids)],
    )
    await home_industry_data.set_registration_sequences(connection, last_numbers)
    assessments = await assessment_data.insert_assessments(
        connection, [{**entry.assessment, "home_industry_id": pk} for entry, pk in zip(passed, ids)]
    )
    published: list[tuple[str, Any, dict[str, Any]]] = []
    writes: list[audit.Write] = []
    for entry, pk, assessment in zip(passed, ids, assessments):
        row = stored[pk]
        # The registered event shows the IR before its first assessment, as a reader of the feed
        # would have seen it had the two been written apart.
        unassessed = {**row, "current_class": None, "current_score": None, "last_assessed_on": None}
        published.append((events.HOME_INDUSTRY_REGISTERED, pk, events.event_payload(unassessed)))
        published.append((events.ASSESSMENT_RECORDED, pk, events.event_payload(row, assessment=assessment)))
        reason = registrations[entry.position].additional_business_reason
        added: dict[str, Mapping[str, Any]] = {"firstAssessment": assessment}
        if reason:
            added["additionalBusiness"] = {"reason": reason}
        writes.append(audit.Write(None, row, added))
    await work.publish_all(published)
    await work.audit_all(writes)
    return [(entry.position, stored[pk]) for entry, pk in zip(passed, ids)]


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
