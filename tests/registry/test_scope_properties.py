"""Row scope has one meaning: the SQL that is enforced and its Python twins give the same answer.

The registry enforces a caller's row scope in SQL (``data/home_industries.scoped`` under every
list, count, look-up by id and by registration number). Two Python twins answer the same question
for rows already in hand: ``RecordScope.admits`` (used by writes and by a facilitator's IR list)
and ``EligibilityRule.admits`` (a partner's programmes). Hypothesis generates identities of every
role (regions at every level, facilitators' assignments of villages and IR ids, partners whose
programmes vary over every criterion a rule has) and IR records (status, class, consent, permits,
village), inserts the records in a transaction that is rolled back, and asserts that the SQL selects
exactly the rows the Python twin admits. Partner rules and facilitator assignments are stored and
read back through the same data functions the request context uses.

Profiles: ``ci`` (default; derandomised, bounded to run in well under a minute) and ``thorough``
for a maintainer: ``SIIR_HYPOTHESIS_PROFILE=thorough .venv/bin/python -m pytest tests/registry/test_scope_properties.py``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from services.registry.data import facilitators as facilitator_data
from services.registry.data import home_industries as home_industry_data
from services.registry.data import partners as partner_data
from services.registry.data.tables import facilitator_assignments, facilitators, home_industries, partner_programmes, partners
from services.registry.domain import access
from services.registry.domain.classification import IrClass
from services.registry.domain.eligibility import STATUSES, EligibilityRule
from siir.auth.identity import Identity, Role
from siir.database import create_engine
from siir.errors import Forbidden

settings.register_profile(
    "ci", max_examples=60, derandomize=True, deadline=None, database=None, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.register_profile(
    "thorough", max_examples=2000, deadline=None, database=None, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
PROFILE = settings.get_profile(os.environ.get("SIIR_HYPOTHESIS_PROFILE", "ci"))

#: Ids far above any the other tests' registrations reach; every example's rows are rolled back.
FIRST_ID = 900_000_000
TODAY = dt.date(2026, 12, 4)


@dataclass(frozen=True)
class Regions:
    """Real Kemendagri codes from registry.regions: two provinces, several regencies, sub-districts
    and villages, so that prefixes nest, neighbour and (33.7 / 33.71 / 33.74) look alike."""

    villages: tuple[str, ...]
    prefixes: tuple[str, ...]  # every ancestor of those villages: provinces, regencies, sub-districts
    regencies: tuple[str, ...]
    provinces: tuple[str, ...]


class Database:
    """The session's test database, driven from synchronous Hypothesis examples on a loop of its own."""

    def __init__(self, url: str) -> None:
        # A loop factory keeps the Runner from replacing (and at close clearing) the thread's current
        # event loop, which pytest-asyncio's session loop uses for the other modules.
        self.runner = asyncio.Runner(loop_factory=asyncio.new_event_loop)
        self.engine: AsyncEngine = self.runner.run(self._engine(url))

    @staticmethod
    async def _engine(url: str) -> AsyncEngine:
        return create_engine(url, pool_size=1)

    def run(self, coroutine: Any) -> Any:
        return self.runner.run(coroutine)

    def close(self) -> None:
        self.runner.run(self.engine.dispose())
        self.runner.close()


@pytest.fixture(scope="module")
def database(database_url: str) -> Iterator[Database]:
    db = Database(database_url)
    yield db
    db.close()


@pytest.fixture(scope="module")
def regions(database: Database) -> Regions:
    async def pick() -> list[str]:
        async with database.engine.connect() as connection:
            result = await connection.execute(text(
                "SELECT code FROM registry.regions WHERE left(code, 5) IN ('33.71', '33.74', '35.07', '35.73') "
                "AND code ~ '^[0-9]{2}[.][0-9]{2}[.][0-9]{2}[.][0-9]{4}$' ORDER BY code"
            ))
            codes = [code for (code,) in result]
        # Three villages in each of the first two sub-districts of each regency.
        chosen: list[str] = []
        for regency in sorted({c[:5] for c in codes}):
            subs = sorted({c[:8] for c in codes if c.startswith(regency + ".")})[:2]
            for sub in subs:
                chosen += [c for c in codes if c.startswith(sub + ".")][:3]
        return chosen

    villages = tuple(database.run(pick()))
    assert len(villages) >= 20, villages
    prefixes = sorted({v[:n] for v in villages for n in (2, 5, 8)})
    return Regions(
        villages=villages,
        prefixes=tuple(prefixes),
        regencies=tuple(p for p in prefixes if len(p) == 5),
        provinces=tuple(p for p in prefixes if len(p) == 2),
    )


# --- what Hypothesis generates -------------------------------------------------------------------

PERMIT = st.sampled_from([None, "", " ", "9120001234567"])


@st.composite
def records(draw: st.DrawFn, regions: Regions) -> list[dict[str, Any]]:
    """1–24 IR rows, varied in everything a scope or an eligibility rule reads."""
    count = draw(st.integers(min_value=1, max_value=24))
    rows = []
    for index in range(count):
        village = draw(st.sampled_from(regions.villages))
        rows.append({
            "id": FIRST_ID + index,
            "registration_number": f"IR-{village[:5]}-{900000 + index:06d}",
            "regency_code": village[:5],
            "village_code": village,
            "business_name": f"Usaha {index}",
            "business_category": "FOOD",
            "owner_name": f"Ibu {index}",
            "owner_nik": f"{3374015507900000 + index:016d}",
            "owner_sex": "FEMALE",
            "business_started_on": dt.date(2020, 1, 1),
            "registered_on": dt.date(2024, 1, 1),
            "consent_to_share": draw(st.booleans()),
            "status": draw(st.sampled_from(STATUSES)),
            "current_class": draw(st.sampled_from([None, *(c.value for c in IrClass)])),
            "nib": draw(PERMIT),
            "pirt_number": draw(PERMIT),
            "halal_certificate_number": draw(PERMIT),
        })
    return rows


def region_codes(regions: Regions) -> st.SearchStrategy[str]:
    """Codes of every level, plus strings a rule could hold that only look like codes (a prefix that is
    not a whole segment, LIKE's wildcards, a trailing dot, empty): no code may match them by accident."""
    odd = st.sampled_from(["33.7", "33.7_", "33.7%", "%", "_", "33.74.", "", "3", "33.74.0"])
    return st.one_of(st.sampled_from(regions.prefixes), st.sampled_from(regions.villages), odd)


@st.composite
def rules(draw: st.DrawFn, regions: Regions) -> EligibilityRule:
    return EligibilityRule(
        classes=draw(st.frozensets(st.sampled_from(IrClass))),
        requires_nib=draw(st.booleans()),
        requires_pirt=draw(st.booleans()),
        requires_halal_certificate=draw(st.booleans()),
        statuses=draw(st.frozensets(st.sampled_from(STATUSES))),
        region_codes=tuple(draw(st.lists(region_codes(regions), max_size=3))),
    )


@dataclass(frozen=True)
class Caller:
    """An identity with what the request context would look up for it."""

    identity: Identity
    villages: tuple[str, ...] = ()  # a facilitator's assigned villages
    home_industry_ids: tuple[int, ...] = ()  # and single IR
    programmes: tuple[EligibilityRule, ...] | None = None  # a partner's running programmes (None: no partner)


def who(role: Role, region: str | None = None, partner: str | None = None) -> Identity:
    return Identity(subject=f"prop-{role.lower()}", role=role, region=region, partner=partner, expires_at=0, token="")


@st.composite
def callers(draw: st.DrawFn, regions: Regions, ids: list[int]) -> Caller:
    role = draw(st.sampled_from(Role))
    match role:
        case Role.MINISTRY | Role.ANALYST:
            return Caller(who(role))
        case Role.PROVINCE_OFFICER:
            return Caller(who(role, draw(st.sampled_from(regions.provinces))))
        case Role.DISTRICT_OFFICER:
            return Caller(who(role, draw(st.sampled_from(regions.regencies))))
        case Role.FACILITATOR:
            regency = draw(st.sampled_from(regions.regencies))
            # Assignments may lie outside her token's regency (an office's mistake): both must hold.
            villages = draw(st.lists(st.sampled_from(regions.villages), unique=True, max_size=4))
            assigned = draw(st.lists(st.sampled_from(ids), unique=True, max_size=4))
            return Caller(who(role, regency), tuple(villages), tuple(assigned))
        case Role.PARTNER:
            programmes = draw(st.none() | st.lists(rules(regions), max_size=3).map(tuple))
            return Caller(who(role, partner="1"), programmes=programmes)
    raise AssertionError(role)


@st.composite
def scopes(draw: st.DrawFn, regions: Regions, ids: list[int]) -> access.RecordScope:
    """Any RecordScope the data layer may be handed, not only those record_scope builds today. Each
    limit is present one time in three, so that many examples still admit some rows."""

    def sometimes(strategy: st.SearchStrategy[Any]) -> Any:
        return draw(strategy) if draw(st.integers(min_value=0, max_value=2)) == 2 else None

    return access.RecordScope(
        region=sometimes(st.sampled_from(regions.prefixes) | st.sampled_from(regions.villages)),
        consented_only=bool(sometimes(st.just(True))),
        statuses=sometimes(st.frozensets(st.sampled_from(STATUSES))),
        villages=sometimes(st.frozensets(st.sampled_from(regions.villages), max_size=8)),
        home_industry_ids=sometimes(st.frozensets(st.sampled_from(ids + [FIRST_ID - 1]), max_size=8)),
        eligibility=sometimes(st.lists(rules(regions), max_size=3).map(tuple)),
    )


# --- the check -----------------------------------------------------------------------------------


async def _insert(connection: AsyncConnection, rows: list[dict[str, Any]]) -> None:
    await connection.execute(insert(home_industries), rows)


async def _store_caller(connection: AsyncConnection, caller: Caller) -> access.RecordScope:
    """The caller's scope as the request context builds it: assignments and programmes read back
    from their tables by the data functions the context uses."""
    identity = caller.identity
    if identity.role is Role.FACILITATOR:
        facilitator_id = (await connection.execute(
            insert(facilitators).values(regency_code=identity.region, person_name="Pendamping", active_from=TODAY,
                                        subject=identity.subject, version=1)
            .returning(facilitators.c.id)
        )).scalar_one()
        assignments = [{"village_code": v, "home_industry_id": None} for v in caller.villages]
        assignments += [{"village_code": None, "home_industry_id": i} for i in caller.home_industry_ids]
        if assignments:
            await connection.execute(
                insert(facilitator_assignments),
                [{**a, "facilitator_id": facilitator_id, "active_from": TODAY} for a in assignments],
            )
        villages, ids = await facilitator_data.assigned_scope(connection, facilitator_id, TODAY)
        assignment = access.Assignment(facilitator_id, identity.region or "", frozenset(villages), frozenset(ids))
        return access.record_scope(identity, assignment=assignment)
    if identity.role is Role.PARTNER:
        if caller.programmes is None:
            return access.record_scope(identity, eligibility=None)  # raises: no registered partner
        partner_id = (await connection.execute(
            insert(partners).values(kind="BANK", name="Bank Uji Properti", version=1).returning(partners.c.id)
        )).scalar_one()
        if caller.programmes:
            await connection.execute(insert(partner_programmes), [
                {"partner_id": partner_id, "name": f"Program {n}", "eligibility": rule.to_json(), "active_from": TODAY}
                for n, rule in enumerate(caller.programmes)
            ])
        stored = tuple(await partner_data.eligibility_rules(connection, partner_id, TODAY))
        assert Counter(stored) == Counter(caller.programmes)  # the JSON round trip loses nothing
        return access.record_scope(identity, eligibility=stored)
    return access.record_scope(identity)


async def _selected(connection: AsyncConnection, rows: list[dict[str, Any]], scope: access.RecordScope) -> None:
    """Every data function that applies ``scoped()`` selects exactly the rows ``admits`` accepts."""
    ids = [row["id"] for row in rows]
    stored = await home_industry_data.home_industries_by_ids(connection, ids)  # unscoped: the rows as PostgreSQL holds them
    admitted = {i for i, row in stored.items() if scope.admits(row)}
    event("admits none" if not admitted else "admits some" if len(admitted) < len(rows) else "admits all")

    by_id = set(await home_industry_data.home_industries_by_ids(connection, ids, scope))
    assert by_id == admitted, _explain(stored, scope, by_id, admitted)

    spec = home_industry_data.HomeIndustryQuery()
    page = await home_industry_data.home_industry_page(connection, spec, scope, first=len(rows) + 1, after_id=FIRST_ID - 1)
    assert {row["id"] for row in page} == admitted, _explain(stored, scope, {row["id"] for row in page}, admitted)

    for row in rows[:4]:  # one look-up each costs a statement: a few suffice, the scope is the same SQL
        found = await home_industry_data.home_industry_by_registration_number(connection, row["registration_number"], scope)
        assert (found is not None) == (row["id"] in admitted), _explain(stored, scope, {row["id"]} if found else set(), admitted)

    # The eligibility rules alone, through the same SQL: each rule's SQL form is its admits().
    for rule in scope.eligibility or ():
        alone = access.RecordScope(region=None, eligibility=(rule,))
        selected = set(await home_industry_data.home_industries_by_ids(connection, ids, alone))
        expected = {i for i, row in stored.items() if rule.admits(row)}
        assert selected == expected, _explain(stored, alone, selected, expected)


def _explain(stored: dict[int, Any], scope: access.RecordScope, sql: set[int], python: set[int]) -> str:
    differing = sorted(sql ^ python)
    return f"scope {scope}\nSQL only: {sorted(sql - python)}, admits only: {sorted(python - sql)}\n" + "\n".join(
        str(dict(stored[i])) for i in differing if i in stored
    )


async def _in_rolled_back_transaction(database: Database, body: Any) -> None:
    async with database.engine.connect() as connection:
        transaction = await connection.begin()
        try:
            await body(connection)
        finally:
            await transaction.rollback()


@PROFILE
@given(data=st.data())
def test_every_callers_sql_scope_selects_what_admits_accepts(database: Database, regions: Regions, data: st.DataObject) -> None:
    rows = data.draw(records(regions), label="records")
    caller = data.draw(callers(regions, [row["id"] for row in rows]), label="caller")

    async def body(connection: AsyncConnection) -> None:
        ours = await connection.begin_nested()
        await _insert(connection, rows)
        try:
            scope = await _store_caller(connection, caller)
        except Forbidden:
            # Only an analyst, and a partner claim naming no registered partner, have no record scope.
            assert caller.identity.role is Role.ANALYST or (
                caller.identity.role is Role.PARTNER and caller.programmes is None
            ), caller
            return
        assert caller.identity.role is not Role.ANALYST
        await _selected(connection, rows, scope)
        # totalCount counts the same rows: with ours it is larger by exactly the admitted ones.
        spec = home_industry_data.HomeIndustryQuery()
        stored = await home_industry_data.home_industries_by_ids(connection, [row["id"] for row in rows])
        admitted = sum(scope.admits(row) for row in stored.values())
        with_ours = await home_industry_data.count_home_industries(connection, spec, scope)
        await ours.rollback()
        assert with_ours - await home_industry_data.count_home_industries(connection, spec, scope) == admitted

    database.run(_in_rolled_back_transaction(database, body))


@PROFILE
@given(data=st.data())
def test_any_record_scope_means_the_same_in_sql_and_in_python(database: Database, regions: Regions, data: st.DataObject) -> None:
    rows = data.draw(records(regions), label="records")
    scope = data.draw(scopes(regions, [row["id"] for row in rows]), label="scope")

    async def body(connection: AsyncConnection) -> None:
        await _insert(connection, rows)
        await _selected(connection, rows, scope)

    database.run(_in_rolled_back_transaction(database, body))


@PROFILE
@given(data=st.data())
def test_a_filter_inside_the_scope_narrows_it_by_the_same_region_rule(
    database: Database, regions: Regions, data: st.DataObject
) -> None:
    """A list's region and status filters use the scope's own prefix rule: a filter the scope allows
    (``check_region_filter``/``check_status_filter`` pass) selects the admitted rows inside it."""
    rows = data.draw(records(regions), label="records")
    scope = data.draw(scopes(regions, [row["id"] for row in rows]), label="scope")
    region = data.draw(st.none() | st.sampled_from(regions.prefixes) | st.sampled_from(regions.villages), label="filter region")
    status = data.draw(st.none() | st.sampled_from(STATUSES), label="filter status")
    try:
        if region is not None:
            access.check_region_filter(scope, region)
        if status is not None:
            access.check_status_filter(scope, status)
    except Forbidden:
        # Refused: nothing is read. A refusal must be for a filter the scope does not wholly reach.
        assert (region is not None and not scope.reaches_region(region)) or (
            status is not None and scope.statuses is not None and status not in scope.statuses
        )
        return
    spec = home_industry_data.HomeIndustryQuery(region_code=region, status=status)

    async def body(connection: AsyncConnection) -> None:
        await _insert(connection, rows)
        stored = await home_industry_data.home_industries_by_ids(connection, [row["id"] for row in rows])
        expected = {
            i for i, row in stored.items()
            if scope.admits(row) and (region is None or access.RecordScope(region=region).admits(row))
            and (status is None or row["status"] == status)
        }
        page = await home_industry_data.home_industry_page(connection, spec, scope, first=len(rows) + 1, after_id=FIRST_ID - 1)
        event("selects none" if not expected else "selects some")
        assert {row["id"] for row in page} == expected, _explain(stored, scope, {row["id"] for row in page}, expected)

    database.run(_in_rolled_back_transaction(database, body))
