"""Demo data: realistic, deterministic home industries with their assessment history.

``seed_demo_data(url, count=N, seed=S)`` writes N home industries (IR) spread over real villages
of a few hundred regencies, each with one to several assessments between 2016 and 2026 whose
criteria evolve, so that classes move (mostly up: Pemula → Berkembang → Maju), some IR close
(gulung tikar) and a few Maju small-enterprise candidates graduate. Every assessment is classified
by the stored rule set with ``classify`` (never by a shortcut), and every change publishes its
outbox event, so the reporting service sees demo data exactly as it sees real data.

Around the IR: the national team, a team for every province and for every regency/city with IR
(Tim Pengelola, renewed every five years, with a coordinator who sometimes changes mid-term),
facilitators (pendamping) assigned village by village as IR appear, who carry out the assessments,
a dozen partner institutions of each kind with programmes, and interventions between assessments,
given more often before a move up than before none (``network.py``).

Same seed and count → byte-identical rows in an empty registry: one ``random.Random(seed)``,
fixed dates, no clock. A completed run is recorded in ``registry.demo_seed_runs``; running it again
does nothing. Rows are generated in chunks in a worker thread while the previous chunk is loaded
with binary COPY, so Python and PostgreSQL work at the same time.
"""

from __future__ import annotations

import asyncio
import bisect
import datetime as dt
import json
import math
import operator
import random
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Sequence

import asyncpg
import orjson

from services.registry_demo import network
from services.registry_demo import institutions
from services.registry_demo import vocabulary as vocab
from services.registry.domain.classification import (
    CapitalSource,
    Criteria,
    IrClass,
    ProductionPattern,
    ProductionTechnology,
    RuleSet,
    classify,
)
from services.registry.domain.events import (
    AGGREGATE_FACILITATOR,
    AGGREGATE_HOME_INDUSTRY,
    AGGREGATE_INTERVENTION,
    AGGREGATE_MENTORING_NOTE,
    ASSESSMENT_RECORDED,
    FACILITATOR_ASSIGNED,
    FACILITATOR_REGISTERED,
    MENTORING_NOTE_RECORDED,
    HOME_INDUSTRY_CLOSED,
    HOME_INDUSTRY_GRADUATED,
    HOME_INDUSTRY_REGISTERED,
    INTERVENTION_RECORDED,
    assessment_payload,
    event_payload,
    facilitator_assignment_payload,
    facilitator_payload,
    intervention_payload,
    mentoring_note_payload,
)
from services.registry.domain.graduation import GraduationThresholds, is_small_enterprise_candidate
from services.registry.domain.registration import registration_number
from siir.database import asyncpg_dsn

#: The rule set and thresholds the demo history is classified with.
RULE_SET_CODE = "PERMEN_PPPA_2_2016"
RULE_SET_VERSION = 1
GRADUATION_THRESHOLDS_CODE = "UU_20_2008"

#: The demo history runs from the programme's start to a fixed day (never "today": determinism).
HISTORY_START = dt.date(2016, 1, 4)
HISTORY_END = dt.date(2026, 10, 30)

#: Registrations per year, relative: the model-regency years, the pandemic dip, the roll-out.
REGISTRATIONS_BY_YEAR: dict[int, float] = {
    2016: 5, 2017: 7, 2018: 8, 2019: 9, 2020: 5, 2021: 7, 2022: 10, 2023: 11, 2024: 11, 2025: 11, 2026: 8,
}

#: How many regencies/cities take part in the demo (of 514).
PARTICIPATING_REGENCIES = 300

#: Events and changes happen during office hours in western Indonesia.
JAKARTA = dt.timezone(dt.timedelta(hours=7), "WIB")
OFFICE_HOUR = dt.time(9, 0, tzinfo=JAKARTA)

#: IR generated (and loaded) per chunk: bounds memory, keeps COPY batches large.
CHUNK_SIZE = 10_000
#: Above this many IR, secondary indexes and foreign keys are dropped and rebuilt around the load.
BIG_LOAD = 100_000

def legal_form_of(home_industry_id: int, current_class: str | None, nib: str | None) -> str:
    """The demo IR's legal form (bentuk badan usaha), from what it already is, without drawing from the
    generator (so every other value of the demo data stays as it was): most IR are unincorporated; one
    Maju IR with a NIB in four is a cooperative or a limited company, one IR in thirty a joint business
    group (kelompok usaha bersama)."""
    if current_class == "MAJU" and nib:
        return ("COOPERATIVE", "LIMITED_COMPANY", "INDIVIDUAL", "INDIVIDUAL", "INDIVIDUAL", "INDIVIDUAL",
                "PARTNERSHIP", "INDIVIDUAL")[home_industry_id % 8]
    return "JOINT_BUSINESS_GROUP" if home_industry_id % 30 == 7 else "INDIVIDUAL"


#: pg_advisory_xact_lock key serialising seed runs (two `siir up` at once must not both seed).
SEED_LOCK_KEY = 0x5EED_D3A0

HOME_INDUSTRY_COLUMNS: tuple[str, ...] = (
    "id", "registration_number", "regency_code", "village_code", "business_name", "business_category",
    "owner_name", "owner_nik", "owner_sex", "owner_birth_year", "owner_education",
    "owner_is_female_head_of_household", "owner_phone", "address", "latitude", "longitude",
    "business_started_on", "registered_on", "nib", "pirt_number", "halal_certificate_number", "legal_form", "products",
    "monthly_gross_income", "infrastructure", "workers_female", "workers_male", "workforce",
    "marketing_channels", "constraints", "hopes", "assistance_received", "consent_to_share",
    "consent_recorded_on", "status", "status_changed_on", "status_reason", "current_class",
    "current_score", "last_assessed_on", "version", "created_at", "updated_at",
)
ASSESSMENT_COLUMNS: tuple[str, ...] = (
    "id", "home_industry_id", "assessed_on", "worker_count", "production_technology", "capital_source",
    "capital_amount", "business_started_on", "business_age_months", "production_pattern",
    "assets_excluding_land_and_buildings", "annual_turnover", "worker_level", "technology_level",
    "capital_source_level", "capital_amount_level", "business_age_level", "production_pattern_level",
    "score", "ir_class", "rule_set_code", "rule_set_version", "graduation_thresholds_code",
    "small_enterprise_candidate", "assessor", "notes", "created_at", "facilitator_id",
)
#: Position of each column in an assessment record.
_ASSESSMENT = {name: index for index, name in enumerate(ASSESSMENT_COLUMNS)}
OUTBOX_COLUMNS: tuple[str, ...] = ("aggregate_type", "aggregate_id", "event_type", "occurred_at", "payload")
FACILITATOR_COLUMNS: tuple[str, ...] = (
    "id", "regency_code", "person_name", "sex", "organisation", "phone", "email", "subject", "active_from",
    "active_until", "version", "created_at", "updated_at",
)
ASSIGNMENT_COLUMNS: tuple[str, ...] = (
    "id", "facilitator_id", "village_code", "home_industry_id", "active_from", "active_until", "created_at",
)
INTERVENTION_COLUMNS: tuple[str, ...] = (
    "id", "home_industry_id", "type", "topic", "partner_id", "programme_id", "provider_kind", "provider_name",
    "started_on", "ended_on", "value", "outcome_notes", "version", "created_at", "updated_at",
)
NOTE_COLUMNS: tuple[str, ...] = ("id", "home_industry_id", "facilitator_id", "noted_on", "notes", "created_at")
#: Chance of a facilitator's mentoring note between two assessments (and after the last one).
MENTORING_NOTE_CHANCE = 0.2
_INTERVENTION_TYPES = tuple(name for name, _, _ in institutions.INTERVENTION_TYPES)
_INTERVENTION_CUMULATIVE = tuple(
    sum(weight for _, weight, _ in institutions.INTERVENTION_TYPES[: i + 1]) for i in range(len(institutions.INTERVENTION_TYPES))
)
_INTERVENTION_VALUES = {name: value for name, _, value in institutions.INTERVENTION_TYPES}
_CLASS_RANK = {"PEMULA": 1, "BERKEMBANG": 2, "MAJU": 3}
#: Chance of an intervention between two assessments, when the second shows a move up / does not.
INTERVENTION_BEFORE_MOVE_UP = 0.8
INTERVENTION_OTHERWISE = 0.3

#: JSON-valued columns of a home_industries row (COPY takes them as text).
_JSON_COLUMNS = ("products", "workforce", "assistance_received")
#: A home_industries row dict → its COPY record, in column order.
_home_industry_record = operator.itemgetter(*HOME_INDUSTRY_COLUMNS)

_TECHNOLOGIES = tuple(ProductionTechnology)
_SOURCES = tuple(CapitalSource)
_PATTERNS = tuple(ProductionPattern)
# Their stored strings, looked up once (Enum.value is a descriptor call, millions of times).
_TECHNOLOGY_VALUES = tuple(t.value for t in _TECHNOLOGIES)
_SOURCE_VALUES = tuple(s.value for s in _SOURCES)
_PATTERN_VALUES = tuple(p.value for p in _PATTERNS)
#: Cumulative weights of the starting criteria and of the number of assessments (about 3).
_WORKERS_AT_START = (34, 64, 78, 87, 92, 97, 100)
_TECHNOLOGY_AT_START = (60, 94, 100)
_SOURCE_AT_START = (64, 88, 100)
_PATTERN_AT_START = (46, 86, 100)
_PLANNED_ASSESSMENTS = (10, 29, 53, 73, 86, 95, 100)
_PHONE_PREFIXES = ("0811", "0812", "0813", "0821", "0822", "0852", "0853", "0857", "0858", "0877",
                   "0878", "0881", "0895", "0896", "0898")


@dataclass(frozen=True, slots=True)
class SeedReport:
    """What a seed run did."""

    home_industries: int
    assessments: int
    seconds: float
    skipped: bool
    interventions: int = 0
    facilitators: int = 0
    teams: int = 0


@dataclass(frozen=True, slots=True)
class DemoRegency:
    """A participating regency/city: where its IR live and how many it gets, relatively."""

    code: str
    villages: tuple[str, ...]
    latitude: float
    longitude: float
    spread: float


@dataclass(slots=True)
class SeedContext:
    """What the generator needs from the database, read once before generating."""

    rule_set: RuleSet
    thresholds: GraduationThresholds
    regencies: list[DemoRegency]
    regency_cumulative_weights: list[float]
    counters: dict[str, int]
    first_home_industry_id: int
    first_assessment_id: int
    first_facilitator_id: int
    first_assignment_id: int
    first_intervention_id: int
    first_note_id: int
    regency_names: dict[str, str]
    #: Demo partners by kind: (id, kind, name, programme ids).
    partners: dict[str, list[tuple[int, str, str, tuple[int, ...]]]]
    used_niks: set[str] = field(default_factory=set)


@dataclass(slots=True)
class Chunk:
    """Rows of one chunk, ready for COPY."""

    home_industries: list[tuple[Any, ...]]
    assessments: list[tuple[Any, ...]]
    outbox: list[tuple[Any, ...]]
    facilitators: list[tuple[Any, ...]] = field(default_factory=list)
    assignments: list[tuple[Any, ...]] = field(default_factory=list)
    interventions: list[tuple[Any, ...]] = field(default_factory=list)
    notes: list[tuple[Any, ...]] = field(default_factory=list)


def _at_office_hour(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, OFFICE_HOUR)


def _json(value: Any) -> str:
    return orjson.dumps(value).decode()


class DemoGenerator:
    """Generates IR one after another from one seeded ``random.Random``.

    Not thread-safe, and need not be: one worker thread calls ``chunk`` repeatedly, so the
    sequence of random draws, and therefore the data, depends only on seed and count.
    """

    def __init__(self, context: SeedContext, *, count: int, seed: int) -> None:
        self.context = context
        self.rng = random.Random(seed)
        self._random = self.rng.random
        self.count = count
        self.produced = 0
        self.next_home_industry_id = context.first_home_industry_id
        self.next_assessment_id = context.first_assessment_id
        self.assessments_written = 0
        self.next_facilitator_id = context.first_facilitator_id
        self.next_assignment_id = context.first_assignment_id
        self.next_intervention_id = context.first_intervention_id
        self.next_note_id = context.first_note_id
        self.interventions_written = 0
        self.facilitators_written = 0
        #: village → (facilitator id, name); regency → [facilitator id, name, service start, villages left]
        self.village_facilitator: dict[str, tuple[int, str]] = {}
        self.regency_facilitator: dict[str, list[Any]] = {}
        #: The first registration day of each regency that got IR (its team is set up around then).
        self.first_registration: dict[str, dt.date] = {}
        # Registration dates first, sorted, so that ids and each regency's registration numbers
        # follow the order in which IR were registered, as they would in the field.
        self.registration_days = self._registration_days(count)
        self._category_names = list(vocab.CATEGORY_WEIGHTS)
        self._category_cumulative = _cumulative(list(vocab.CATEGORY_WEIGHTS.values()))
        self._education_names = [name for name, _ in vocab.EDUCATION_LEVELS]
        self._education_cumulative = _cumulative([w for _, w in vocab.EDUCATION_LEVELS])

    # Draws built on ``random()`` alone: several times faster than ``randint``/``choice`` (which
    # loop on ``getrandbits``), and just as deterministic.

    def _between(self, least: int, most: int) -> int:
        """An integer in [least, most]."""
        return least + int(self._random() * (most - least + 1))

    def _pick(self, items: Sequence[Any]) -> Any:
        return items[int(self._random() * len(items))]

    def _sample(self, items: Sequence[Any], k: int) -> list[Any]:
        """``k`` distinct items in random order (a partial Fisher–Yates shuffle)."""
        pool = list(items)
        size = len(pool)
        for index in range(k):
            other = index + int(self._random() * (size - index))
            pool[index], pool[other] = pool[other], pool[index]
        return pool[:k]

    def _weighted(self, items: Sequence[Any], cumulative: Sequence[float]) -> Any:
        return items[bisect.bisect_right(cumulative, self._random() * cumulative[-1])]

    def _registration_days(self, count: int) -> list[dt.date]:
        rng = self.rng
        years = list(REGISTRATIONS_BY_YEAR)
        cumulative = _cumulative(list(REGISTRATIONS_BY_YEAR.values()))
        ordinals = []
        for _ in range(count):
            year = years[bisect.bisect_right(cumulative, rng.random() * cumulative[-1])]
            first = max(dt.date(year, 1, 1), HISTORY_START).toordinal()
            last = min(dt.date(year, 12, 31), HISTORY_END).toordinal()
            ordinals.append(self._between(first, last))
        ordinals.sort()
        return [dt.date.fromordinal(o) for o in ordinals]

    def chunk(self, size: int) -> Chunk | None:
        """The next ``size`` IR (fewer at the end), or None when all are produced."""
        if self.produced >= self.count:
            return None
        chunk = Chunk([], [], [])
        for _ in range(min(size, self.count - self.produced)):
            self._home_industry(chunk, self.registration_days[self.produced])
            self.produced += 1
        return chunk

    # -- one home industry -------------------------------------------------------------------

    def _home_industry(self, chunk: Chunk, registered_on: dt.date) -> None:
        rng = self.rng
        context = self.context
        hi_id = self.next_home_industry_id
        self.next_home_industry_id += 1

        regency = context.regencies[
            bisect.bisect_right(context.regency_cumulative_weights, rng.random() * context.regency_cumulative_weights[-1])
        ]
        village = self._pick(regency.villages)
        self.first_registration.setdefault(regency.code, registered_on)
        facilitator_id, facilitator_name = self._facilitator_for(chunk, regency.code, village, registered_on)
        number = context.counters.get(regency.code, 0) + 1
        context.counters[regency.code] = number

        # About two in three owners are women (DOMAIN.md: 60–70%); ~60% of them head their
        # household (seed 003: 8,552 KRTP of 14,327 IR in Malang).
        female = rng.random() < 0.66
        krtp = female and rng.random() < 0.6
        given = self._pick(vocab.WOMEN_GIVEN_NAMES if female else vocab.MEN_GIVEN_NAMES)
        owner_name = given if rng.random() < vocab.ONE_NAME_SHARE else f"{given} {self._pick(vocab.SECOND_NAMES)}"
        birth_year = self._between(max(1955, registered_on.year - 70), registered_on.year - 19)
        nik = self._nik(village, female, birth_year)

        category = self._category_names[bisect.bisect_right(self._category_cumulative, rng.random() * self._category_cumulative[-1])]
        kinds = vocab.PRODUCTS[category]
        # The first product kinds are the common ones: a triangular draw favours them.
        main = kinds[int(rng.triangular(0, len(kinds), 0))]
        products = [main] + [k for k in self._sample(kinds, min(len(kinds), self._pick((0, 0, 1, 1, 2)))) if k is not main]
        business_name = self._business_name(main, given, female)

        # Business age at registration: some start with the programme, most existed before.
        months_before = self._pick((self._between(0, 11), self._between(0, 11), self._between(12, 24), self._between(25, 120), self._between(25, 240)))
        business_started_on = min(registered_on, _months_before(registered_on, months_before, self._between(1, 28)))

        history = self._assessments(hi_id, registered_on, business_started_on, female, facilitator_id, facilitator_name)
        assessments = [row for row, _ in history]
        latest = assessments[-1]
        latest_class = IrClass(latest[_ASSESSMENT["ir_class"]])

        status, status_changed_on, status_reason = "ACTIVE", None, None
        last_day = latest[_ASSESSMENT["assessed_on"]]
        if latest[_ASSESSMENT["small_enterprise_candidate"]] and rng.random() < 0.5:
            status, status_reason = "GRADUATED", vocab.GRADUATION_REASON
            status_changed_on = last_day + dt.timedelta(days=self._between(30, 200))
        elif rng.random() < (0.15 if latest_class is IrClass.PEMULA else 0.06):
            status, status_reason = "CLOSED", self._pick(vocab.CLOSURE_REASONS)
            status_changed_on = last_day + dt.timedelta(days=self._between(30, 400))
        if status_changed_on is not None and status_changed_on > HISTORY_END:
            status, status_changed_on, status_reason = "ACTIVE", None, None

        regency_digits = regency.code.replace(".", "")
        more_formal = {IrClass.PEMULA: 0.0, IrClass.BERKEMBANG: 0.2, IrClass.MAJU: 0.4}[latest_class]
        nib = f"{self._between(10**12, 10**13 - 1)}" if rng.random() < 0.35 + more_formal else None
        food = category == "FOOD_AND_BEVERAGE" or category == "HERBAL_AND_COSMETIC"
        pirt = (
            f"P-IRT {self._between(1, 9)}{self._between(1, 16):02d}{regency_digits}{self._between(1, 99):02d}"
            f"{self._between(1, 9999):04d}{(registered_on.year + 5) % 100:02d}"
            if food and rng.random() < 0.4 + more_formal else None
        )
        halal = f"ID{regency_digits}{self._between(10**10, 10**11 - 1)}" if food and rng.random() < 0.2 + more_formal else None

        workers_female, workers_male = history[-1][1]
        monthly_income = latest[_ASSESSMENT["annual_turnover"]] // 12
        product_json = [
            {
                "name": kind.name,
                "monthlyVolume": round(self._between(*kind.monthly_volume) * (1 + 0.3 * (latest[_ASSESSMENT["worker_count"]] - 1))),
                "unit": kind.unit,
                "rawMaterials": list(kind.raw_materials),
            }
            for kind in products
        ]
        workforce = self._workforce(latest[_ASSESSMENT["worker_count"]])
        channels = [name for name, share in vocab.MARKETING_CHANNELS if rng.random() < share + 0.1 * (latest[_ASSESSMENT["score"]] > 12)] or ["DIRECT"]
        constraints = self._sample(vocab.CONSTRAINTS, self._between(1, 3))
        hopes = self._sample(vocab.HOPES, self._between(1, 3))
        assistance = self._assistance(registered_on, last_day)
        consent = rng.random() < 0.5
        consent_on = self._pick([row[_ASSESSMENT["assessed_on"]] for row in assessments]) if consent else None
        latitude = max(-11.0, min(6.0, regency.latitude + rng.gauss(0, regency.spread)))
        longitude = max(95.0, min(141.0, regency.longitude + rng.gauss(0, regency.spread)))
        last_change = status_changed_on or last_day

        row = {
            "id": hi_id,
            "registration_number": registration_number(regency.code, number),
            "regency_code": regency.code,
            "village_code": village,
            "business_name": business_name,
            "business_category": category,
            "owner_name": owner_name,
            "owner_nik": nik,
            "owner_sex": "FEMALE" if female else "MALE",
            "owner_birth_year": birth_year,
            "owner_education": self._education_names[
                bisect.bisect_right(self._education_cumulative, rng.random() * self._education_cumulative[-1])
            ],
            "owner_is_female_head_of_household": krtp,
            "owner_phone": f"{self._pick(_PHONE_PREFIXES)}{self._between(10**6, 10**8 - 1)}" if rng.random() < 0.88 else None,
            "address": f"{self._pick(vocab.STREET_WORDS)} No. {self._between(1, 120)}, RT {self._between(1, 12):02d}/RW {self._between(1, 8):02d}",
            "latitude": round(latitude, 6),
            "longitude": round(longitude, 6),
            "business_started_on": business_started_on,
            "registered_on": registered_on,
            "nib": nib,
            "pirt_number": pirt,
            "halal_certificate_number": halal,
            "products": product_json,
            "monthly_gross_income": monthly_income,
            "infrastructure": self._sample(vocab.INFRASTRUCTURE, self._between(1, 4)),
            "workers_female": workers_female,
            "workers_male": workers_male,
            "workforce": workforce,
            "marketing_channels": channels,
            "constraints": constraints,
            "hopes": hopes,
            "assistance_received": assistance,
            "consent_to_share": consent,
            "consent_recorded_on": consent_on,
            "status": status,
            "status_changed_on": status_changed_on,
            "status_reason": status_reason,
            "current_class": latest[_ASSESSMENT["ir_class"]],
            "current_score": latest[_ASSESSMENT["score"]],
            "last_assessed_on": last_day,
            "version": 1,
            "created_at": _at_office_hour(registered_on),
            "updated_at": _at_office_hour(last_change),
        }
        row["legal_form"] = legal_form_of(hi_id, row["current_class"], nib)
        record = dict(row)
        for column in _JSON_COLUMNS:
            record[column] = _json(record[column])
        chunk.home_industries.append(_home_industry_record(record))
        chunk.assessments.extend(assessments)
        self._events(chunk, row, history)
        self._interventions(chunk, row, history)
        self._mentoring_notes(chunk, row, history, facilitator_id)

    def _nik(self, village: str, female: bool, birth_year: int) -> str:
        """A structurally valid NIK issued in the village's district: PPKKCC DDMMYY SSSS."""
        rng = self.rng
        district = village.replace(".", "")[:6]
        while True:
            month = self._between(1, 12)
            day = self._between(1, 28) + (40 if female else 0)
            nik = f"{district}{day:02d}{month:02d}{birth_year % 100:02d}{self._between(1, 9999):04d}"
            if nik not in self.context.used_niks:
                self.context.used_niks.add(nik)
                return nik

    def _business_name(self, kind: vocab.ProductKind, given: str, female: bool) -> str:
        rng = self.rng
        pattern = self._pick(vocab.BUSINESS_NAME_PATTERNS)
        if "Mbak" in pattern and not female:
            pattern = "{product} Mas {name}"
        return pattern.format(
            product=kind.business_word,
            honorific="Bu" if female else "Pak",
            name=given.split()[-1],
            brand=self._pick(vocab.BRAND_WORDS),
        )

    def _workforce(self, worker_count: int) -> dict[str, Any]:
        rng = self.rng
        education: dict[str, int] = {}
        for _ in range(max(0, worker_count - 1)):
            level = self._education_names[
                bisect.bisect_right(self._education_cumulative, rng.random() * self._education_cumulative[-1])
            ]
            education[level] = education.get(level, 0) + 1
        return {
            "education": dict(sorted(education.items())),
            "averageMonthlyWage": 500_000 + 50_000 * self._between(0, 49) if worker_count > 1 else 0,
            "weeklyHours": self._between(15, 56),
            "protection": [p for p in vocab.WORKER_PROTECTION if rng.random() < 0.15],
            "trainingsAttended": self._sample(vocab.TRAININGS, self._between(0, 3)),
            "trainingsWanted": self._sample(vocab.TRAININGS, self._between(1, 2)),
        }

    def _assistance(self, registered_on: dt.date, last_day: dt.date) -> list[dict[str, Any]]:
        rng = self.rng
        received = []
        for _ in range(self._pick((0, 0, 1, 1, 1, 2, 3))):
            kind = self._pick(tuple(vocab.PROVIDERS))
            received.append({
                "type": self._pick(vocab.ASSISTANCE_TYPES_BY_PROVIDER[kind]),
                "provider": self._pick(vocab.PROVIDERS[kind]),
                "providerKind": kind,
                "year": self._between(registered_on.year, last_day.year),
            })
        received.sort(key=lambda a: a["year"])
        return received

    def _assessments(
        self, hi_id: int, registered_on: dt.date, started_on: dt.date, female_owner: bool,
        facilitator_id: int, facilitator_name: str,
    ) -> list[tuple[tuple[Any, ...], tuple[int, int]]]:
        """The IR's assessments in date order, each with its (women, men) worker split.

        Criteria drift: most IR grow (more workers, more capital, better tools and a steadier
        production), some stagnate, some decline; business age grows by itself. Classes follow
        from ``classify``, so moves up and down are whatever the rule makes of the criteria.
        """
        rng = self.rng
        context = self.context
        workers = self._weighted((1, 2, 3, 4, 5, 6, 8), _WORKERS_AT_START)
        technology = self._weighted((0, 1, 2), _TECHNOLOGY_AT_START)
        source = self._weighted((0, 1, 2), _SOURCE_AT_START)
        pattern = self._weighted((0, 1, 2), _PATTERN_AT_START)
        capital = math.exp(rng.gauss(14.8, 0.9))  # median about Rp 2.7 million
        # One to seven assessments, about three on average, roughly yearly, never after the end.
        planned = self._weighted((1, 2, 3, 4, 5, 6, 7), _PLANNED_ASSESSMENTS)
        day = registered_on
        previous_class: IrClass | None = None
        history = []
        for index in range(planned):
            if index:
                day = day + dt.timedelta(days=self._between(200, 480))
                if day > HISTORY_END:
                    break
                trend = rng.random()
                if trend < 0.13:  # a bad year: lost workers, spent capital, irregular production
                    workers = max(1, workers - self._pick((1, 1, 2)))
                    capital *= rng.uniform(0.35, 0.8)
                    pattern = max(0, pattern - (rng.random() < 0.5))
                    source = max(0, source - (rng.random() < 0.2))
                elif trend < 0.40:
                    capital *= rng.uniform(0.95, 1.2)
                else:  # growth, helped by mentoring and assistance
                    workers += self._pick((0, 1, 1, 2, 3))
                    capital *= rng.uniform(1.2, 2.2)
                    technology = min(2, technology + (rng.random() < 0.4))
                    source = min(2, source + (rng.random() < 0.4))
                    pattern = min(2, pattern + (rng.random() < 0.45))
            capital_amount = int(capital) // 50_000 * 50_000
            criteria = Criteria(
                worker_count=workers,
                production_technology=_TECHNOLOGIES[technology],
                capital_source=_SOURCES[source],
                capital_amount=capital_amount,
                business_started_on=started_on,
                production_pattern=_PATTERNS[pattern],
            )
            result = classify(criteria, day, context.rule_set)
            assets = int(capital_amount * rng.uniform(0.8, 2.6)) // 10_000 * 10_000
            turnover = int(capital_amount * rng.uniform(1.5, 7.0) * (1 + 0.5 * pattern)) // 100_000 * 100_000
            candidate = is_small_enterprise_candidate(result.ir_class, assets, turnover, context.thresholds)
            women = 1 if female_owner else 0
            women += sum(rng.random() < 0.7 for _ in range(workers - 1))
            notes = None
            if previous_class is not None and result.ir_class is not previous_class:
                notes = f"kelas berubah dari {previous_class.value} ke {result.ir_class.value}"
            previous_class = result.ir_class
            levels = result.levels
            history.append((
                (
                    self.next_assessment_id, hi_id, day, workers, _TECHNOLOGY_VALUES[technology],
                    _SOURCE_VALUES[source], capital_amount, started_on, result.business_age_months,
                    _PATTERN_VALUES[pattern], assets, turnover, levels.worker_count,
                    levels.production_technology, levels.capital_source, levels.capital_amount,
                    levels.business_age, levels.production_pattern, result.score, result.ir_class.value,
                    result.rule_set_code, result.rule_set_version, context.thresholds.code, candidate,
                    facilitator_name, notes, _at_office_hour(day), facilitator_id,
                ),
                (women, workers - women),
            ))
            self.next_assessment_id += 1
        self.assessments_written += len(history)
        return history

    # -- facilitators and interventions ------------------------------------------------------

    def _facilitator_for(self, chunk: Chunk, regency: str, village: str, day: dt.date) -> tuple[int, str]:
        """The facilitator of a village: the first IR there gets it one, from the regency's
        current facilitator while she has room (two to six villages each), else a new one."""
        found = self.village_facilitator.get(village)
        if found is not None:
            return found
        current = self.regency_facilitator.get(regency)
        if current is None or current[3] == 0:
            current = self._new_facilitator(chunk, regency, day)
            self.regency_facilitator[regency] = current
        current[3] -= 1
        since = max(current[2], day - dt.timedelta(days=self._between(0, 60)))
        assignment = (self.next_assignment_id, current[0], village, None, since, None, _at_office_hour(since))
        self.next_assignment_id += 1
        chunk.assignments.append(assignment)
        chunk.outbox.append((
            AGGREGATE_FACILITATOR, str(current[0]), FACILITATOR_ASSIGNED, _at_office_hour(since),
            _json(facilitator_assignment_payload(dict(zip(ASSIGNMENT_COLUMNS, assignment)))),
        ))
        self.village_facilitator[village] = (current[0], current[1])
        return current[0], current[1]

    def _new_facilitator(self, chunk: Chunk, regency: str, day: dt.date) -> list[Any]:
        rng = self.rng
        female = rng.random() < 0.8
        given = self._pick(vocab.WOMEN_GIVEN_NAMES if female else vocab.MEN_GIVEN_NAMES)
        name = f"{given} {self._pick(vocab.SECOND_NAMES)}"
        since = day - dt.timedelta(days=self._between(0, 90))
        facilitator_id = self.next_facilitator_id
        self.next_facilitator_id += 1
        self.facilitators_written += 1
        row = {
            "id": facilitator_id, "regency_code": regency, "person_name": name, "sex": "FEMALE" if female else "MALE",
            "organisation": self._pick(institutions.FACILITATOR_ORGANISATIONS),
            "phone": f"+62{self._pick(_PHONE_PREFIXES)[1:]}{self._between(10**6, 10**8 - 1)}",
            # A login subject per facilitator, so `siir token --role FACILITATOR --sub pendamping-<id>` tries one.
            "email": None, "subject": f"pendamping-{facilitator_id}", "active_from": since, "active_until": None, "version": 1,
            "created_at": _at_office_hour(since), "updated_at": _at_office_hour(since),
        }
        chunk.facilitators.append(tuple(row[c] for c in FACILITATOR_COLUMNS))
        chunk.outbox.append((AGGREGATE_FACILITATOR, str(facilitator_id), FACILITATOR_REGISTERED,
                             _at_office_hour(since), _json(facilitator_payload(row))))
        return [facilitator_id, name, since, self._between(2, 6)]

    def _interventions(
        self, chunk: Chunk, row: dict[str, Any], history: list[tuple[tuple[Any, ...], tuple[int, int]]]
    ) -> None:
        """Interventions between assessments: likelier, and more of them, before a move up."""
        rng = self.rng
        day_at, class_at = _ASSESSMENT["assessed_on"], _ASSESSMENT["ir_class"]
        spans: list[tuple[dt.date, dt.date | None, str, bool]] = []
        for earlier, later in zip(history, history[1:]):
            before, after = earlier[0][class_at], later[0][class_at]
            spans.append((earlier[0][day_at], later[0][day_at], before, _CLASS_RANK[after] > _CLASS_RANK[before]))
        if row["status"] == "ACTIVE":
            last = history[-1][0]
            spans.append((last[day_at], None, last[class_at], False))
        for start, end, class_before, moved_up in spans:
            chance = INTERVENTION_BEFORE_MOVE_UP if moved_up else INTERVENTION_OTHERWISE
            if end is None:
                chance = 0.25
            if rng.random() >= chance:
                continue
            for _ in range(1 + (moved_up and rng.random() < 0.4)):
                self._intervention(chunk, row, start, end, class_before)

    def _mentoring_notes(
        self, chunk: Chunk, row: dict[str, Any], history: list[tuple[tuple[Any, ...], tuple[int, int]]],
        facilitator_id: int,
    ) -> None:
        """Some visits of the village's facilitator between assessments get a note."""
        rng = self.rng
        day_at = _ASSESSMENT["assessed_on"]
        days = [assessment[day_at] for assessment, _ in history]
        last = row["status_changed_on"] or HISTORY_END
        for start, end in zip(days, days[1:] + [last]):
            if (end - start).days < 2 or rng.random() >= MENTORING_NOTE_CHANCE:
                continue
            noted_on = start + dt.timedelta(days=self._between(1, (end - start).days - 1))
            note = (self.next_note_id, row["id"], facilitator_id, noted_on, self._pick(institutions.MENTORING_NOTES),
                    _at_office_hour(noted_on))
            self.next_note_id += 1
            chunk.notes.append(note)
            chunk.outbox.append((
                AGGREGATE_MENTORING_NOTE, str(note[0]), MENTORING_NOTE_RECORDED, note[5],
                _json(mentoring_note_payload(dict(zip(NOTE_COLUMNS, note)))),
            ))

    def _intervention(
        self, chunk: Chunk, row: dict[str, Any], after: dt.date, before: dt.date | None, class_before: str
    ) -> None:
        rng = self.rng
        kind = _INTERVENTION_TYPES[bisect.bisect_right(_INTERVENTION_CUMULATIVE, rng.random() * _INTERVENTION_CUMULATIVE[-1])]
        last_start = (before - dt.timedelta(days=20)) if before is not None else min(after + dt.timedelta(days=300), HISTORY_END)
        if last_start <= after:
            return
        started = after + dt.timedelta(days=self._between(1, (last_start - after).days))
        length = self._between(90, 365) if kind == "MENTORING" else self._between(0, 45)
        ended: dt.date | None = started + dt.timedelta(days=length)
        if before is not None:
            ended = min(ended, before - dt.timedelta(days=1))  # type: ignore[type-var]
        elif ended > HISTORY_END or rng.random() < 0.3:  # type: ignore[operator]
            ended = None  # still running
        partner_id = programme_id = None
        provider_kind = self._pick(institutions.PARTNER_KINDS_BY_TYPE[kind])
        partners = self.context.partners.get(provider_kind)
        if provider_kind == "GOVERNMENT_OFFICE" and rng.random() < 0.7 or not partners:
            provider_kind = "GOVERNMENT_OFFICE"
            regency_name = self.context.regency_names.get(row["regency_code"], row["regency_code"])
            provider_name = f"{self._pick(institutions.REGIONAL_OFFICES)} {regency_name}"
        else:
            partner_id, _, provider_name, programmes = self._pick(partners)
            if programmes and rng.random() < 0.6:
                programme_id = self._pick(programmes)
        bounds = _INTERVENTION_VALUES[kind]
        value = self._between(*bounds) // 50_000 * 50_000 if bounds is not None else None
        outcome = self._pick(institutions.OUTCOMES) if ended is not None and rng.random() < 0.6 else None
        intervention = (
            self.next_intervention_id, row["id"], kind, self._pick(institutions.INTERVENTION_TOPICS[kind]), partner_id,
            programme_id, provider_kind, provider_name, started, ended, value, outcome, 1,
            _at_office_hour(started), _at_office_hour(ended or started),
        )
        self.next_intervention_id += 1
        self.interventions_written += 1
        chunk.interventions.append(intervention)
        chunk.outbox.append((
            AGGREGATE_INTERVENTION, str(intervention[0]), INTERVENTION_RECORDED, _at_office_hour(started),
            _json(intervention_payload(dict(zip(INTERVENTION_COLUMNS, intervention)), row, class_before)),
        ))

    def _events(
        self, chunk: Chunk, row: dict[str, Any], history: list[tuple[tuple[Any, ...], tuple[int, int]]]
    ) -> None:
        """The outbox events of one IR, with the IR as it was after each change.

        ``event_payload`` builds the registration's payload from the row; later events change
        only what an assessment or a status change changes in that snapshot (a dict merge is
        ten times cheaper than rebuilding it, which matters at four million events). The tests
        check that the last payload equals ``event_payload`` of the stored row.
        """
        aggregate_id = str(row["id"])
        state = dict(row, status="ACTIVE", status_changed_on=None, status_reason=None, current_class=None,
                     current_score=None, last_assessed_on=None)
        state["workers_female"], state["workers_male"] = history[0][1]
        registered = event_payload(state)
        snapshot = registered["homeIndustry"]
        outbox = chunk.outbox
        outbox.append((AGGREGATE_HOME_INDUSTRY, aggregate_id, HOME_INDUSTRY_REGISTERED,
                       _at_office_hour(row["registered_on"]), _json(registered)))
        for assessment, (women, men) in history:
            assessment_row = dict(zip(ASSESSMENT_COLUMNS, assessment))
            snapshot = {
                **snapshot,
                "currentClass": assessment_row["ir_class"],
                "lastAssessedOn": assessment_row["assessed_on"].isoformat(),
                "workersFemale": women,
                "workersMale": men,
            }
            payload = {**registered, "homeIndustry": snapshot, "assessment": assessment_payload(assessment_row)}
            outbox.append((AGGREGATE_HOME_INDUSTRY, aggregate_id, ASSESSMENT_RECORDED,
                           assessment_row["created_at"], _json(payload)))
        if row["status"] != "ACTIVE":
            snapshot = {**snapshot, "status": row["status"], "statusChangedOn": row["status_changed_on"].isoformat()}
            event_type = HOME_INDUSTRY_CLOSED if row["status"] == "CLOSED" else HOME_INDUSTRY_GRADUATED
            payload = {**registered, "homeIndustry": snapshot, "reason": row["status_reason"]}
            outbox.append((AGGREGATE_HOME_INDUSTRY, aggregate_id, event_type,
                           _at_office_hour(row["status_changed_on"]), _json(payload)))


def _cumulative(weights: Sequence[float]) -> list[float]:
    total, out = 0.0, []
    for weight in weights:
        total += weight
        out.append(total)
    return out


def _months_before(day: dt.date, months: int, day_of_month: int) -> dt.date:
    index = day.year * 12 + day.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, min(day_of_month, 28))


# -- reading what the generator needs ------------------------------------------------------------


async def _participating_regencies(connection: asyncpg.Connection, rng: random.Random) -> tuple[list[DemoRegency], list[float]]:
    """A few hundred regencies weighted by province, the field reports' regencies always in.

    Within each, IR cluster in a subset of villages (sentra: a village known for its krupuk or
    its batik), not spread evenly over every village.
    """
    villages_by_regency: dict[str, list[str]] = {}
    for record in await connection.fetch(
        "SELECT code FROM registry.regions WHERE level = 4 ORDER BY code"
    ):
        code = record["code"]
        villages_by_regency.setdefault(code[:5], []).append(code)
    if not villages_by_regency:
        raise RuntimeError("registry.regions is empty: load the region reference (load_regions) before seeding")
    codes = sorted(villages_by_regency)
    # Weighted sampling without replacement (Efraimidis–Spirakis): key = u ** (1 / weight).
    keyed = sorted(
        codes,
        key=lambda c: rng.random() ** (1.0 / vocab.PROVINCE_WEIGHTS.get(c[:2], 0.5)),
        reverse=True,
    )
    chosen = set(keyed[:PARTICIPATING_REGENCIES]) | {c for c in vocab.MODEL_REGENCIES if c in villages_by_regency}
    regencies, weights = [], []
    for code in sorted(chosen):
        villages = villages_by_regency[code]
        cluster = sorted(rng.sample(villages, max(1, min(len(villages), round(len(villages) * rng.uniform(0.2, 0.6))))))
        lat, lon, spread = vocab.PROVINCE_CENTRES.get(code[:2], (-2.5, 118.0, 1.0))
        regencies.append(DemoRegency(
            code=code,
            villages=tuple(cluster),
            latitude=lat + rng.uniform(-spread, spread),
            longitude=lon + rng.uniform(-spread, spread),
            spread=max(0.03, spread / 6),
        ))
        weight = vocab.PROVINCE_WEIGHTS.get(code[:2], 0.5) * rng.lognormvariate(0, 0.5)
        weights.append(weight * vocab.MODEL_REGENCIES.get(code, 1.0))
    return regencies, _cumulative(weights)


_next_id = network.next_id


async def _load_context(connection: asyncpg.Connection, seed: int) -> SeedContext:
    rule = await connection.fetchrow(
        "SELECT code, version, definition FROM registry.rule_sets WHERE code = $1 AND version = $2",
        RULE_SET_CODE, RULE_SET_VERSION,
    )
    thresholds = await connection.fetchrow(
        "SELECT code, assets_over, turnover_over FROM registry.graduation_thresholds WHERE code = $1",
        GRADUATION_THRESHOLDS_CODE,
    )
    if rule is None or thresholds is None:
        raise RuntimeError("rule set or graduation thresholds missing: run the migrations before seeding")
    definition = rule["definition"]
    rule_set = RuleSet.from_definition(
        rule["code"], rule["version"], json.loads(definition) if isinstance(definition, str) else definition
    )
    regencies, cumulative = await _participating_regencies(connection, random.Random(f"regions:{seed}"))
    counters = {
        r["regency_code"]: r["last_number"]
        for r in await connection.fetch("SELECT regency_code, last_number FROM registry.registration_counters")
    }
    used_niks = {r["owner_nik"] for r in await connection.fetch("SELECT owner_nik FROM registry.home_industries")}
    regency_names = {r["code"]: r["name"] for r in await connection.fetch("SELECT code, name FROM registry.regions WHERE level = 2")}
    return SeedContext(
        rule_set=rule_set,
        thresholds=GraduationThresholds(thresholds["code"], thresholds["assets_over"], thresholds["turnover_over"]),
        regencies=regencies,
        regency_cumulative_weights=cumulative,
        counters=counters,
        first_home_industry_id=await _next_id(connection, "registry.home_industries"),
        first_assessment_id=await _next_id(connection, "registry.assessments"),
        first_facilitator_id=await _next_id(connection, "registry.facilitators"),
        first_assignment_id=await _next_id(connection, "registry.facilitator_assignments"),
        first_intervention_id=await _next_id(connection, "registry.interventions"),
        first_note_id=await _next_id(connection, "registry.mentoring_notes"),
        regency_names=regency_names,
        partners=await network.ensure_partners(connection),
        used_niks=used_niks,
    )


# -- loading -------------------------------------------------------------------------------------


async def _drop_secondary_structures(connection: asyncpg.Connection) -> list[str]:
    """Drop non-unique indexes and foreign keys of the two big tables; return how to rebuild them.

    Maintaining a trigram GIN index and checking millions of foreign keys row by row costs more
    than building the index once and validating each key with one join afterwards. Read from the
    catalogue, so whatever indexes the migrations define are the ones rebuilt.
    """
    tables = ("registry.home_industries", "registry.assessments", "registry.interventions")
    rebuild: list[str] = []
    for record in await connection.fetch(
        """
        SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS definition
        FROM pg_index i
        WHERE i.indrelid = ANY($1::regclass[]) AND NOT i.indisunique AND NOT i.indisprimary
        ORDER BY 1
        """,
        list(tables),
    ):
        await connection.execute(f"DROP INDEX {record['name']}")
        rebuild.append(record["definition"])
    for record in await connection.fetch(
        """
        SELECT conrelid::regclass::text AS table_name, conname, pg_get_constraintdef(oid) AS definition
        FROM pg_constraint
        WHERE contype = 'f' AND conrelid = ANY($1::regclass[])
        ORDER BY 1, 2
        """,
        list(tables),
    ):
        await connection.execute(f'ALTER TABLE {record["table_name"]} DROP CONSTRAINT "{record["conname"]}"')
        rebuild.append(f'ALTER TABLE {record["table_name"]} ADD CONSTRAINT "{record["conname"]}" {record["definition"]}')
    return rebuild


async def _copy_chunk(connection: asyncpg.Connection, chunk: Chunk) -> None:
    # Referenced rows first: foreign keys are live below BIG_LOAD.
    if chunk.facilitators:
        await connection.copy_records_to_table(
            "facilitators", schema_name="registry", columns=list(FACILITATOR_COLUMNS), records=chunk.facilitators
        )
    if chunk.assignments:
        await connection.copy_records_to_table(
            "facilitator_assignments", schema_name="registry", columns=list(ASSIGNMENT_COLUMNS), records=chunk.assignments
        )
    await connection.copy_records_to_table(
        "home_industries", schema_name="registry", columns=list(HOME_INDUSTRY_COLUMNS), records=chunk.home_industries
    )
    await connection.copy_records_to_table(
        "assessments", schema_name="registry", columns=list(ASSESSMENT_COLUMNS), records=chunk.assessments
    )
    if chunk.notes:
        await connection.copy_records_to_table(
            "mentoring_notes", schema_name="registry", columns=list(NOTE_COLUMNS), records=chunk.notes
        )
    if chunk.interventions:
        await connection.copy_records_to_table(
            "interventions", schema_name="registry", columns=list(INTERVENTION_COLUMNS), records=chunk.interventions
        )
    await connection.copy_records_to_table(
        "outbox", schema_name="registry", columns=list(OUTBOX_COLUMNS), records=chunk.outbox
    )


async def _generate_and_copy(connection: asyncpg.Connection, generator: DemoGenerator) -> None:
    """Generate chunk k+1 in a worker thread while chunk k streams into PostgreSQL."""
    loop = asyncio.get_running_loop()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="demo-seed") as worker:
        pending = loop.run_in_executor(worker, generator.chunk, CHUNK_SIZE)
        while (chunk := await pending) is not None:
            pending = loop.run_in_executor(worker, generator.chunk, CHUNK_SIZE)
            await _copy_chunk(connection, chunk)


async def _advance_sequences(connection: asyncpg.Connection, generator: DemoGenerator) -> None:
    """Identity sequences continue after the seeded ids, so the next real IR does not collide."""
    for table, last in (
        ("registry.home_industries", generator.next_home_industry_id - 1),
        ("registry.assessments", generator.next_assessment_id - 1),
        ("registry.facilitators", generator.next_facilitator_id - 1),
        ("registry.facilitator_assignments", generator.next_assignment_id - 1),
        ("registry.interventions", generator.next_intervention_id - 1),
        ("registry.mentoring_notes", generator.next_note_id - 1),
    ):
        if last >= 1:
            await connection.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), $1::bigint)", last
            )


async def _save_counters(connection: asyncpg.Connection, counters: dict[str, int]) -> None:
    """Upsert each regency's last registration number (real registrations may have moved it)."""
    await connection.executemany(
        """
        INSERT INTO registry.registration_counters (regency_code, last_number) VALUES ($1, $2)
        ON CONFLICT (regency_code) DO UPDATE
            SET last_number = greatest(registry.registration_counters.last_number, excluded.last_number)
        """,
        sorted(counters.items()),
    )


async def seed_demo_data(database_url: str, *, count: int, seed: int) -> SeedReport:
    """Write ``count`` demo home industries generated from ``seed``, once.

    The whole run is one transaction: an interrupted seed leaves nothing behind, and the marker
    in ``registry.demo_seed_runs`` commits with the data it describes.
    """
    if count < 0:
        raise ValueError("count must not be negative")
    started = time.perf_counter()
    connection = await asyncpg.connect(**asyncpg_dsn(database_url), server_settings={"application_name": "siir-seed"})
    try:
        async with connection.transaction():
            await connection.execute("SELECT pg_advisory_xact_lock($1)", SEED_LOCK_KEY)
            if await connection.fetchval(
                "SELECT 1 FROM registry.demo_seed_runs WHERE seed = $1 AND count = $2", seed, count
            ):
                return SeedReport(0, 0, time.perf_counter() - started, skipped=True)
            # Writers wait (ids and registration counters are allocated here); readers do not,
            # except during a big load, which drops indexes and so takes the tables over from
            # the start rather than upgrading its lock half-way (a deadlock risk).
            mode = "ACCESS EXCLUSIVE" if count > BIG_LOAD else "SHARE ROW EXCLUSIVE"
            await connection.execute(
                "LOCK TABLE registry.home_industries, registry.assessments, registry.registration_counters,"
                f" registry.interventions IN {mode} MODE"
            )
            # Ids of the smaller tables are allocated here too: their writers wait.
            await connection.execute(
                "LOCK TABLE registry.facilitators, registry.facilitator_assignments, registry.teams,"
                " registry.team_members, registry.partners, registry.partner_programmes, registry.mentoring_notes"
                " IN SHARE ROW EXCLUSIVE MODE"
            )
            context = await _load_context(connection, seed)
            generator = DemoGenerator(context, count=count, seed=seed)
            rebuild: list[str] = []
            if count > BIG_LOAD:
                await connection.execute("SET LOCAL maintenance_work_mem = '512MB'")
                rebuild = await _drop_secondary_structures(connection)
            await _generate_and_copy(connection, generator)
            for statement in rebuild:
                await connection.execute(statement)
            await _advance_sequences(connection, generator)
            await _save_counters(connection, context.counters)
            teams = await network.seed_teams(connection, seed, generator.first_registration)
            seconds = time.perf_counter() - started
            await connection.execute(
                """
                INSERT INTO registry.demo_seed_runs
                    (seed, count, home_industries, assessments, first_home_industry_id, seconds)
                VALUES ($1, $2, $3, $4, $5, $6)
                """,
                seed, count, count, generator.assessments_written,
                context.first_home_industry_id if count else None, seconds,
            )
        # Fresh statistics at every size, or the first queries plan for empty tables (a partner's
        # scope on stale statistics planned a scan of every match: see BENCHMARKS.md).
        await connection.execute(
            "ANALYZE registry.home_industries, registry.assessments, registry.interventions, registry.outbox,"
            " registry.facilitators, registry.facilitator_assignments, registry.partners, registry.partner_programmes"
        )
        return SeedReport(
            count, generator.assessments_written, time.perf_counter() - started, skipped=False,
            interventions=generator.interventions_written, facilitators=generator.facilitators_written, teams=teams,
        )
    finally:
        await connection.close()
