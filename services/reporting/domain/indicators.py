"""The programme's indicators (Permen PPPA 2/2016, Tabel 3): what each IR counts in, per year.

Each indicator is a count of distinct IR per calendar year (Asia/Jakarta), per region, by the
owner's sex and KRTP (female head of household). An IR counts at most once per indicator and year.

Tabel 3 states its indicators as growth ("tumbuhnya IR-Pemula", "meningkatnya jumlah pemegang SPP
IRT", "jumlah pengguna TIK", "1000 IUMK per daerah tingkat II per tahun", "1000 industri kecil per
tahun"): so every indicator here is a yearly flow (how many IR did it in the year), which is what a
target per year can be set against.

- NEW_PEMULA: IR registered in the year whose first class (first assessment) is Pemula
  ("tumbuhnya IR-Pemula"); counted in the year of registration. Tabel 3 names towns and villages
  apart ("di perkotaan", "di pedesaan"): NEW_PEMULA_IN_TOWNS counts those in a kelurahan, NEW_PEMULA_IN_VILLAGES
  those in a desa (or desa adat), by the Kemendagri village code (fourth part starting 1: kelurahan).
- CLOSED_UNASSESSED / CLOSED_PEMULA / CLOSED_BERKEMBANG / CLOSED_MAJU: IR that closed (gulung
  tikar) in the year, by their class on closing ("rendahnya IR pemula yang gulung tikar").
- PEMULA_TO_BERKEMBANG, BERKEMBANG_TO_MAJU: IR that climbed that step in the year (an IR that
  jumps Pemula → Maju climbed both steps; a fall and a climb back counts once).
- MAJU_TO_SMALL_ENTERPRISE: IR graduated to small enterprise in the year from Maju ("1000 industri
  kecil per tahun"); GRADUATED counts every graduation (from any class: the registry allows a
  graduation of an IR whose last class was not Maju only by a reasoned decision).
- SPP_IRT_OBTAINED, NIB_OBTAINED: IR that first held an SPP-IRT / a NIB (the IUMK's successor) in the
  year. ICT_ADOPTED: IR that first sold online (the registry's marketing channel ONLINE is its only
  record of ICT use), so ONLINE_SELLING and ICT use are one indicator here (see docs/indicators.md).
  The registry keeps no issue date: the day is the registration day for an IR that held it when
  registered, else the day of the change that added it (``milestones``).
- FORMAL_ENTITY_FORMED: IR that became a formal entity in the year, a cooperative (koperasi) or a
  limited company (perseroan terbatas, PT), by the registry's legal form (Tabel 3, Pelahiran Usaha
  Kecil: "Menetapkan status badan usaha koperasi atau perseroan terbatas", target "lembaga formal
  yang terbentuk"). A partnership (CV, firma) or a joint business group is not a legal entity and
  does not count. Dated like the other milestones; a later change from cooperative to PT does not
  count again.
"""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Any, Mapping

from services.reporting.domain.standing import CLASS_RANK, Change, Standing
from siir.errors import Forbidden, InvalidInput


class Indicator(str, Enum):
    NEW_PEMULA = "NEW_PEMULA"
    NEW_PEMULA_IN_TOWNS = "NEW_PEMULA_IN_TOWNS"
    NEW_PEMULA_IN_VILLAGES = "NEW_PEMULA_IN_VILLAGES"
    CLOSED_UNASSESSED = "CLOSED_UNASSESSED"
    CLOSED_PEMULA = "CLOSED_PEMULA"
    CLOSED_BERKEMBANG = "CLOSED_BERKEMBANG"
    CLOSED_MAJU = "CLOSED_MAJU"
    PEMULA_TO_BERKEMBANG = "PEMULA_TO_BERKEMBANG"
    BERKEMBANG_TO_MAJU = "BERKEMBANG_TO_MAJU"
    MAJU_TO_SMALL_ENTERPRISE = "MAJU_TO_SMALL_ENTERPRISE"
    GRADUATED = "GRADUATED"
    SPP_IRT_OBTAINED = "SPP_IRT_OBTAINED"
    NIB_OBTAINED = "NIB_OBTAINED"
    ONLINE_SELLING_STARTED = "ONLINE_SELLING_STARTED"
    FORMAL_ENTITY_FORMED = "FORMAL_ENTITY_FORMED"


#: Milestones: a fact about an IR and the first day reporting saw it hold.
MILESTONES = {
    "SPP_IRT": Indicator.SPP_IRT_OBTAINED,
    "NIB": Indicator.NIB_OBTAINED,
    "ONLINE": Indicator.ONLINE_SELLING_STARTED,
    "FORMAL_ENTITY": Indicator.FORMAL_ENTITY_FORMED,
}

#: The registry's legal forms (``legalForm``) that are legal entities (badan hukum) in Tabel 3's sense.
FORMAL_LEGAL_FORMS = frozenset({"COOPERATIVE", "LIMITED_COMPANY"})

#: The steps up, as (rank from, rank to, indicator).
_STEPS = (
    (CLASS_RANK[Standing.PEMULA], CLASS_RANK[Standing.BERKEMBANG], Indicator.PEMULA_TO_BERKEMBANG),
    (CLASS_RANK[Standing.BERKEMBANG], CLASS_RANK[Standing.MAJU], Indicator.BERKEMBANG_TO_MAJU),
)
_CLOSED_FROM = {
    Standing.UNASSESSED: Indicator.CLOSED_UNASSESSED,
    Standing.PEMULA: Indicator.CLOSED_PEMULA,
    Standing.BERKEMBANG: Indicator.CLOSED_BERKEMBANG,
    Standing.MAJU: Indicator.CLOSED_MAJU,
}


def held_facts(snapshot: Mapping[str, Any]) -> set[str]:
    """The milestone facts an IR snapshot (an outbox payload's ``homeIndustry``) holds."""
    facts = set()
    if snapshot.get("hasPirt"):
        facts.add("SPP_IRT")
    if snapshot.get("hasNib"):
        facts.add("NIB")
    if "ONLINE" in (snapshot.get("marketingChannels") or ()):
        facts.add("ONLINE")
    if snapshot.get("legalForm") in FORMAL_LEGAL_FORMS:
        facts.add("FORMAL_ENTITY")
    return facts


def record_milestones(
    milestones: Mapping[str, str], snapshot: Mapping[str, Any], event_type: str, occurred_on: dt.date
) -> dict[str, str]:
    """The milestones after an event: a fact held for the first time gets the event's day (the
    registration day for the registration event); a fact once reached keeps its first day."""
    out = dict(milestones)
    registered_on = snapshot["registeredOn"]
    day = registered_on if event_type == "HomeIndustryRegistered" else max(occurred_on.isoformat(), registered_on)
    for fact in held_facts(snapshot):
        out.setdefault(fact, day)
    return out


def in_town(village_code: str) -> bool:
    """Whether a village is a kelurahan (urban): its Kemendagri code's fourth part starts with 1 (2: desa,
    3: desa adat)."""
    return village_code.rsplit(".", 1)[-1].startswith("1")


def indicator_years(
    changes: list[Change], first_class: str | None, registered_on: dt.date, milestones: Mapping[str, str],
    village_code: str = "",
) -> set[tuple[Indicator, int]]:
    """Every (indicator, year) one IR counts in."""
    out: set[tuple[Indicator, int]] = set()
    if first_class == Standing.PEMULA.value:
        out.add((Indicator.NEW_PEMULA, registered_on.year))
        where = Indicator.NEW_PEMULA_IN_TOWNS if in_town(village_code) else Indicator.NEW_PEMULA_IN_VILLAGES
        out.add((where, registered_on.year))
    for change in changes:
        if change.before is None:
            continue
        before, after, year = change.before.standing, change.after.standing, change.on.year
        if after is Standing.CLOSED and before in _CLOSED_FROM:
            out.add((_CLOSED_FROM[before], year))
        elif after is Standing.GRADUATED:
            out.add((Indicator.GRADUATED, year))
            if before is Standing.MAJU:
                out.add((Indicator.MAJU_TO_SMALL_ENTERPRISE, year))
        elif before in CLASS_RANK and after in CLASS_RANK:
            for low, high, indicator in _STEPS:
                if CLASS_RANK[before] <= low and CLASS_RANK[after] >= high:
                    out.add((indicator, year))
    for fact, day in milestones.items():
        if fact in MILESTONES:
            out.add((MILESTONES[fact], int(day[:4])))
    return out


def achievement(value: int, target: int | None) -> float | None:
    """The share of the target reached (1.0 = met); None without a target or for a target of 0."""
    if not target:
        return None
    return value / target


#: Region levels the indicators are kept for: the nation, provinces, regencies/cities.
INDICATOR_REGION_LEVELS = (0, 1, 2)
#: How far ahead a target may be set (a province plans the next years' targets).
TARGET_YEARS_AHEAD = 5
#: The earliest year the indicators answer for (the all-time bucket's start; the programme began 2016).
FIRST_YEAR = 1945


def check_year(field: str, year: int, this_year: int) -> int:
    if not FIRST_YEAR <= year <= this_year + TARGET_YEARS_AHEAD:
        raise InvalidInput(field, f"{year} is outside {FIRST_YEAR}..{this_year + TARGET_YEARS_AHEAD}")
    return year


def check_target_setter(role: str, caller_region: str | None, region_code: str) -> None:
    """The ministry sets targets for any region (the nation included); a province for itself and its
    regencies/cities; nobody else (FORBIDDEN)."""
    if role == "MINISTRY":
        return
    if role == "PROVINCE_OFFICER" and caller_region and region_code and (
        region_code == caller_region or region_code.startswith(caller_region + ".")
    ):
        return
    raise Forbidden("targets are set by the ministry (any region) or a province (itself and its regencies/cities)",
                    region=region_code or None)
