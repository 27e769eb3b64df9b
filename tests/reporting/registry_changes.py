"""Random registry changes made through the registry's own write functions (``registrar``).

Registrations, assessments that move classes up and down (some back-dated), record updates
(owner's sex, KRTP, workforce, village within the regency), closures and graduations, each its
own transaction with its outbox event, as the GraphQL mutations make them. With ``facilitators``,
facilitators are engaged, assigned villages and single IR, re-assigned, their assignments ended,
their login subjects changed and their service ended (``facilitator_registrar``), with their own
random stream, so the IR changes of a seed stay what they were.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from dataclasses import dataclass, field

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from services.registry import facilitator_registrar, registrar
from services.registry.data.audit import Actor
from services.registry.data.rule_sets import load_graduation_thresholds, load_rule_set
from services.registry.domain import events
from services.registry.domain.classification import CapitalSource, Criteria, ProductionPattern, ProductionTechnology
from services.registry.domain.access import RecordScope
from siir.errors import DomainError

#: The changes are made as a national clerk would make them (scope and audit as in production).
ANYWHERE = RecordScope(region=None)
_OWNER_SERIAL = itertools.count(1)
ACTOR = Actor("test-random-changes", "DISTRICT_OFFICER", None, None, "mutation RandomRegistryChanges")

TODAY = dt.date(2026, 11, 20)
#: Regencies the changes happen in: Kota Semarang, Kab. Malang, Kota Banda Aceh.
REGENCIES = ("33.74", "35.07", "11.71")


@dataclass
class ChangeLog:
    registered: int = 0
    assessed: int = 0
    updated: int = 0
    closed: int = 0
    graduated: int = 0
    refused: int = 0
    facilitator_changes: int = 0
    ids: list[int] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.registered + self.assessed + self.updated + self.closed + self.graduated


class RegistryChanges:
    def __init__(self, engine: AsyncEngine, seed: int, *, facilitators: bool = False) -> None:
        self.engine = engine
        self.seed = seed
        self.rng = random.Random(seed)
        self.log = ChangeLog()
        self.villages: dict[str, list[str]] = {}
        self.facilitator_rng = random.Random(seed + 1_000_003) if facilitators else None
        self.facilitators: list[tuple[int, str]] = []  # (id, regency)

    async def prepare(self) -> None:
        async with self.engine.connect() as connection:
            self.rule_set = await load_rule_set(connection, "PERMEN_PPPA_2_2016")
            self.thresholds = await load_graduation_thresholds(connection, "UU_20_2008")
            for regency in REGENCIES:
                rows = await connection.execute(
                    text("SELECT code FROM registry.regions WHERE level = 4 AND code LIKE :p ORDER BY code"),
                    {"p": regency + ".%"},
                )
                codes = [r[0] for r in rows]
                # A few sub-districts and villages each, so small regions get several IR.
                self.villages[regency] = codes[:: max(1, len(codes) // 12)][:12]

    def _date_between(self, first: dt.date, last: dt.date) -> dt.date:
        return first + dt.timedelta(days=self.rng.randint(0, max(0, (last - first).days)))

    def _assessment(self, started: dt.date, on: dt.date, *, maju: bool = False) -> tuple[Criteria, dict[str, object]]:
        rng = self.rng
        level = 2 if maju else rng.choice((0, 0, 1, 1, 2))
        criteria = Criteria(
            worker_count=rng.choice(((1, 2), (3, 4, 5), (6, 8, 12))[level]) if rng.random() < 0.8 else rng.randint(1, 12),
            production_technology=list(ProductionTechnology)[level if rng.random() < 0.8 else rng.randint(0, 2)],
            capital_source=list(CapitalSource)[level if rng.random() < 0.8 else rng.randint(0, 2)],
            capital_amount=(rng.randint(5, 49) * 100_000, rng.randint(50, 249) * 100_000, rng.randint(250, 900) * 100_000)[level],
            business_started_on=started,
            production_pattern=list(ProductionPattern)[level if rng.random() < 0.8 else rng.randint(0, 2)],
        )
        turnover = rng.choice((None, 50_000_000, 150_000_000, 450_000_000 if level == 2 else 90_000_000))
        return criteria, {"assessed_on": on, "assets_excluding_land_and_buildings": None, "annual_turnover": turnover,
                          "assessor": "Pendamping Uji", "notes": None}

    async def register(self) -> None:
        rng = self.rng
        regency = rng.choice(REGENCIES)
        village = rng.choice(self.villages[regency])
        female = rng.random() < 0.66
        started = self._date_between(dt.date(2012, 1, 1), dt.date(2024, 6, 1))
        registered = self._date_between(max(started, dt.date(2016, 1, 1)), TODAY)
        first = self._date_between(started, TODAY) if rng.random() < 0.2 else registered
        values = {
            "village_code": village,
            "business_name": f"Usaha Uji {self.log.registered}",
            "business_category": rng.choice(("FOOD_AND_BEVERAGE", "CRAFT", "TEXTILE_AND_FASHION")),
            "owner_name": "Pemilik Uji",
            # One NIK holds one active IR: the last six digits are a running number of the process,
            # so two runs with one seed (two test modules) register different owners.
            "owner_nik": f"{rng.randint(10**15, 10**16 - 1)}"[:10] + f"{next(_OWNER_SERIAL) % 10**6:06d}",
            "owner_sex": "FEMALE" if female else "MALE",
            "owner_is_female_head_of_household": female and rng.random() < 0.6,
            "business_started_on": started,
            "registered_on": registered,
            "workers_female": rng.randint(0, 4),
            "workers_male": rng.randint(0, 3),
            "constraints": rng.sample(["modal", "pemasaran", "bahan baku", "perizinan"], rng.randint(0, 2)),
            "hopes": rng.sample(["pelatihan", "alat produksi", "akses pasar"], rng.randint(0, 2)),
            "products": [{"name": rng.choice(("Keripik", "Batik", "Anyaman", "Jamu"))}],
            "assistance_received": [{"type": "TRAINING", "provider": "Dinas PPPA", "providerKind": "GOVERNMENT_OFFICE", "year": 2020}]
            if rng.random() < 0.4 else [],
        }
        row = await registrar.register(self.engine, values, self._assessment(started, first), self.rule_set,
                                       self.thresholds, TODAY, ACTOR)
        self.log.registered += 1
        self.log.ids.append(row["id"])

    async def assess(self) -> None:
        rng = self.rng
        pk = rng.choice(self.log.ids)
        maju = rng.random() < 0.15

        def build(started: dt.date) -> tuple[Criteria, dict[str, object]]:
            # Mostly forward in time; one in five back-dated into the IR's past.
            on = self._date_between(dt.date(2023, 1, 1), TODAY) if rng.random() < 0.8 else self._date_between(started, TODAY)
            return self._assessment(started, max(on, started), maju=maju)

        try:
            await registrar.record_assessment(self.engine, pk, build, self.rule_set, self.thresholds, ANYWHERE, ACTOR)
            self.log.assessed += 1
        except DomainError:
            self.log.refused += 1  # closed or graduated IR are not assessed

    async def update(self) -> None:
        rng = self.rng
        pk = rng.choice(self.log.ids)
        async with self.engine.connect() as connection:
            row = (await connection.execute(
                text("SELECT version, regency_code, owner_sex FROM registry.home_industries WHERE id = :id"), {"id": pk}
            )).mappings().one()
        female = rng.random() < 0.5
        values: dict[str, object] = rng.choice([
            {"workers_female": rng.randint(0, 6), "workers_male": rng.randint(0, 6)},
            {"owner_sex": "FEMALE" if female else "MALE", "owner_is_female_head_of_household": female and rng.random() < 0.5},
            {"village_code": rng.choice(self.villages[row["regency_code"]])},
            {"constraints": ["modal"], "hopes": ["akses pasar", "pelatihan"]},
        ])
        try:
            await registrar.update(self.engine, pk, row["version"], values, ANYWHERE, ACTOR)
            self.log.updated += 1
        except DomainError:
            self.log.refused += 1

    async def close_or_graduate(self) -> None:
        rng = self.rng
        pk = rng.choice(self.log.ids)
        async with self.engine.connect() as connection:
            row = (await connection.execute(
                text("SELECT registered_on, last_assessed_on FROM registry.home_industries WHERE id = :id"), {"id": pk}
            )).mappings().one()
        on = self._date_between(row["registered_on"], TODAY)
        try:
            await registrar.change_status(self.engine, pk, "GRADUATED", on, "naik ke usaha kecil", events.HOME_INDUSTRY_GRADUATED,
                                          ANYWHERE, ACTOR)
            self.log.graduated += 1
            return
        except DomainError:
            pass
        if rng.random() < 0.5:
            try:
                await registrar.change_status(self.engine, pk, "CLOSED", on, "gulung tikar", events.HOME_INDUSTRY_CLOSED,
                                              ANYWHERE, ACTOR)
                self.log.closed += 1
            except DomainError:
                self.log.refused += 1

    async def run(self, changes: int) -> ChangeLog:
        """About ``changes`` random changes (a quarter registrations first, then a mix)."""
        if not self.villages:
            await self.prepare()
        for _ in range(max(1, changes // 5)):
            await self.register()
        while self.log.total < changes:
            pick = self.rng.random()
            if pick < 0.15:
                await self.register()
            elif pick < 0.75:
                await self.assess()
            elif pick < 0.88:
                await self.update()
            else:
                await self.close_or_graduate()
            if self.facilitator_rng is not None and self.facilitator_rng.random() < 0.3:
                await self.facilitator_change()
        return self.log

    # -- facilitators (their own random stream) ------------------------------------------------------

    async def facilitator_change(self) -> None:
        rng = self.facilitator_rng
        assert rng is not None
        pick = rng.random()
        try:
            if not self.facilitators or pick < 0.2:
                await self._engage_facilitator(rng)
            elif pick < 0.55:
                await self._assign(rng)
            elif pick < 0.8:
                await self._end_assignment(rng)
            else:
                await self._update_facilitator(rng)
            self.log.facilitator_changes += 1
        except DomainError:
            self.log.refused += 1  # an overlapping assignment, a period outside her service, …

    def _subject(self, rng: random.Random) -> str | None:
        # Most have a login; a few none (reporting then finds no facilitator for any token).
        return None if rng.random() < 0.1 else f"pendamping-uji-{self.seed}-{rng.randrange(10**9)}"

    async def _engage_facilitator(self, rng: random.Random) -> None:
        regency = rng.choice(REGENCIES)
        start = self._date_between(dt.date(2016, 1, 1), dt.date(2025, 6, 1))
        values = {"regency_code": regency, "person_name": "Pendamping Uji", "sex": rng.choice(("FEMALE", "MALE")),
                  "organisation": None, "phone": None, "email": None, "subject": self._subject(rng),
                  "active_from": start, "active_until": None}
        first = [{"village_code": rng.choice(self.villages[regency])}] if rng.random() < 0.7 else []
        row = await facilitator_registrar.register_facilitator(self.engine, values, first, ACTOR)
        self.facilitators.append((row["id"], regency))

    async def _assign(self, rng: random.Random) -> None:
        facilitator_id, regency = rng.choice(self.facilitators)
        async with self.engine.connect() as connection:
            service = (await connection.execute(text(
                "SELECT active_from, active_until FROM registry.facilitators WHERE id = :id"), {"id": facilitator_id})).one()
            ids = [r[0] for r in await connection.execute(text(
                "SELECT id FROM registry.home_industries WHERE regency_code = :r ORDER BY id"), {"r": regency})]
        start = self._date_between(service.active_from, service.active_until or TODAY)
        end = None if rng.random() < 0.6 else self._date_between(start, service.active_until or dt.date(2027, 12, 31))
        values: dict[str, object] = {"active_from": start, "active_until": end}
        if ids and rng.random() < 0.4:
            values["home_industry_id"] = rng.choice(ids)
        else:
            values["village_code"] = rng.choice(self.villages[regency])
        await facilitator_registrar.assign(self.engine, facilitator_id, values, lambda code: True, ACTOR)

    async def _end_assignment(self, rng: random.Random) -> None:
        """End an open assignment (sometimes before today: she no longer looks after it; then, often, another
        facilitator of the regency takes the village or IR over: a re-assignment)."""
        async with self.engine.connect() as connection:
            open_ones = (await connection.execute(text(
                "SELECT a.id, a.facilitator_id, a.village_code, a.home_industry_id, a.active_from, f.regency_code"
                " FROM registry.facilitator_assignments a JOIN registry.facilitators f ON f.id = a.facilitator_id"
                " WHERE a.active_until IS NULL AND f.id = ANY(:ids) ORDER BY a.id"),
                {"ids": [i for i, _ in self.facilitators]})).all()
        if not open_ones:
            return
        chosen = rng.choice(open_ones)
        until = self._date_between(chosen.active_from, TODAY)
        await facilitator_registrar.end_assignment(self.engine, chosen.id, until, lambda code: True, ACTOR)
        successors = [i for i, regency in self.facilitators if regency == chosen.regency_code and i != chosen.facilitator_id]
        if successors and rng.random() < 0.6:
            values = {"village_code": chosen.village_code, "home_industry_id": chosen.home_industry_id,
                      "active_from": until + dt.timedelta(days=1), "active_until": None}
            await facilitator_registrar.assign(self.engine, rng.choice(successors), values, lambda code: True, ACTOR)

    async def _update_facilitator(self, rng: random.Random) -> None:
        facilitator_id, _ = rng.choice(self.facilitators)
        async with self.engine.connect() as connection:
            current = (await connection.execute(text(
                "SELECT version, active_from, active_until FROM registry.facilitators WHERE id = :id"),
                {"id": facilitator_id})).one()
        if rng.random() < 0.6:
            values: dict[str, object] = {"subject": self._subject(rng)}  # a new login (or none)
        else:  # her service ends, and with it her open assignments
            values = {"active_until": self._date_between(max(current.active_from, dt.date(2023, 1, 1)), TODAY)}
        await facilitator_registrar.update_facilitator(self.engine, facilitator_id, current.version, values,
                                                        lambda code: True, ACTOR)
