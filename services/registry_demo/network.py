"""Demo teams (Tim Pengelola) and partner institutions for ``siir seed`` (see ``seeding.py``).

Both are small (hundreds of teams, sixty partners) and are written with COPY inside the seed's
transaction, with their outbox events. A region and level that already has a team, or a partner
whose name is already registered, is left alone: demo data never collides with real records, and
a second seed with other arguments reuses the partners of the first.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import asyncpg
import orjson

from services.registry_demo import institutions
from services.registry_demo import vocabulary as vocab
from services.registry.domain.events import (
    AGGREGATE_PARTNER,
    AGGREGATE_TEAM,
    PARTNER_PROGRAMME_SAVED,
    PARTNER_REGISTERED,
    TEAM_FORMED,
    TEAM_MEMBER_APPOINTED,
    partner_payload,
    programme_payload,
    team_member_payload,
    team_payload,
)
from services.registry.domain.teams import TeamLevel, default_team_name

JAKARTA = dt.timezone(dt.timedelta(hours=7), "WIB")
PROGRAMME_START = dt.date(2016, 1, 4)
#: A team serves five years (the regulation's stages run five years), then a new decree follows.
TEAM_YEARS = 5

TEAM_COLUMNS = (
    "id", "level", "region_code", "name", "decree_number", "decree_date", "decree_signed_by", "active_from",
    "active_until", "version", "created_at", "updated_at",
)
MEMBER_COLUMNS = (
    "id", "team_id", "person_name", "position", "title", "agency", "phone", "email", "active_from", "active_until",
    "created_at", "updated_at",
)
PARTNER_COLUMNS = ("id", "kind", "name", "region_code", "website", "version", "created_at", "updated_at")
PROGRAMME_COLUMNS = (
    "id", "partner_id", "name", "description", "eligibility", "active_from", "active_until", "created_at", "updated_at",
)
OUTBOX_COLUMNS = ("aggregate_type", "aggregate_id", "event_type", "occurred_at", "payload")


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(9, 0, tzinfo=JAKARTA))


def _json(value: Any) -> str:
    return orjson.dumps(value).decode()


async def next_id(connection: asyncpg.Connection, table: str) -> int:
    """The first id after every existing row and every id the identity sequence handed out."""
    sequence = await connection.fetchval("SELECT pg_get_serial_sequence($1, 'id')", table)
    used = await connection.fetchval(
        f"SELECT greatest((SELECT max(id) FROM {table}),"
        f" (SELECT CASE WHEN is_called THEN last_value END FROM {sequence}))"
    )
    return (used or 0) + 1


async def advance_sequence(connection: asyncpg.Connection, table: str, last: int) -> None:
    if last >= 1:
        await connection.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), $1::bigint)", last)


# -- partners ------------------------------------------------------------------------------------


async def ensure_partners(connection: asyncpg.Connection) -> dict[str, list[tuple[int, str, str, tuple[int, ...]]]]:
    """Register the demo partners that are missing; answer every demo partner with its programmes."""
    names = {name.lower(): (kind, name, programmes)
             for kind, entries in institutions.PARTNERS.items() for name, programmes in entries}
    existing = {r["lname"]: r["id"] for r in await connection.fetch(
        "SELECT lower(name) AS lname, id FROM registry.partners WHERE lower(name) = ANY($1::text[])", list(names)
    )}
    partner_id = await next_id(connection, "registry.partners")
    programme_id = await next_id(connection, "registry.partner_programmes")
    partners, programmes, outbox = [], [], []
    created = _at(PROGRAMME_START)
    for lname, (kind, name, offers) in names.items():
        if lname in existing:
            continue
        row = {"id": partner_id, "kind": kind, "name": name, "region_code": None, "website": None, "version": 1,
               "created_at": created, "updated_at": created}
        partners.append(tuple(row[c] for c in PARTNER_COLUMNS))
        outbox.append((AGGREGATE_PARTNER, str(partner_id), PARTNER_REGISTERED, created, _json(partner_payload(row))))
        for offer, rule in offers:
            eligibility = {"classes": [], "requiresNib": False, "requiresPirt": False, "requiresHalalCertificate": False,
                           "statuses": ["ACTIVE"], "regionCodes": [], **rule}
            programme = {"id": programme_id, "partner_id": partner_id, "name": offer, "description": None,
                         "eligibility": eligibility, "active_from": PROGRAMME_START, "active_until": None,
                         "created_at": created, "updated_at": created}
            programmes.append(tuple(_json(programme[c]) if c == "eligibility" else programme[c] for c in PROGRAMME_COLUMNS))
            outbox.append((AGGREGATE_PARTNER, str(partner_id), PARTNER_PROGRAMME_SAVED, created,
                           _json(programme_payload(programme))))
            programme_id += 1
        partner_id += 1
    if partners:
        await connection.copy_records_to_table("partners", schema_name="registry", columns=PARTNER_COLUMNS, records=partners)
        await connection.copy_records_to_table(
            "partner_programmes", schema_name="registry", columns=PROGRAMME_COLUMNS, records=programmes
        )
        await connection.copy_records_to_table("outbox", schema_name="registry", columns=OUTBOX_COLUMNS, records=outbox)
        await advance_sequence(connection, "registry.partners", partner_id - 1)
        await advance_sequence(connection, "registry.partner_programmes", programme_id - 1)
    found: dict[str, list[tuple[int, str, str, tuple[int, ...]]]] = {}
    for record in await connection.fetch(
        """
        SELECT p.id, p.kind, p.name, coalesce(array_agg(g.id ORDER BY g.id) FILTER (WHERE g.id IS NOT NULL), '{}') AS programmes
        FROM registry.partners p LEFT JOIN registry.partner_programmes g ON g.partner_id = p.id
        WHERE lower(p.name) = ANY($1::text[]) GROUP BY p.id ORDER BY p.id
        """,
        list(names),
    ):
        found.setdefault(record["kind"], []).append((record["id"], record["kind"], record["name"], tuple(record["programmes"])))
    return found


# -- teams ---------------------------------------------------------------------------------------


class TeamPlanner:
    """Teams of every level with their members, from one seeded ``random.Random``."""

    def __init__(self, rng: random.Random, first_team_id: int, first_member_id: int) -> None:
        self.rng = rng
        self.next_team_id = first_team_id
        self.next_member_id = first_member_id
        self.teams: list[tuple[Any, ...]] = []
        self.members: list[tuple[Any, ...]] = []
        self.outbox: list[tuple[Any, ...]] = []

    def _person(self) -> str:
        rng = self.rng
        female = rng.random() < 0.5
        given = rng.choice(vocab.WOMEN_GIVEN_NAMES if female else vocab.MEN_GIVEN_NAMES)
        return f"{rng.choice(('Drs. ', 'Ir. ', 'Dr. ', '', '', ''))}{given} {rng.choice(vocab.SECOND_NAMES)}"

    def _phone(self) -> str:
        return f"+628{self.rng.randint(11, 59)}{self.rng.randint(10**6, 10**8 - 1)}"

    def region_teams(self, level: TeamLevel, region_code: str | None, region_name: str | None, first_day: dt.date) -> None:
        """The region's teams from around ``first_day``: one per five years, the last one open."""
        rng = self.rng
        decree_date = max(PROGRAMME_START - dt.timedelta(days=30), first_day - dt.timedelta(days=rng.randint(20, 120)))
        start = decree_date + dt.timedelta(days=rng.randint(0, 14))
        term = 1
        while True:
            end = dt.date(start.year + TEAM_YEARS, start.month, min(start.day, 28)) - dt.timedelta(days=1)
            last = end >= dt.date(2026, 10, 30)
            self._team(level, region_code, region_name, decree_date, start, None if last else end, term)
            if last:
                return
            decree_date = end - dt.timedelta(days=rng.randint(10, 40))
            start = end + dt.timedelta(days=1)
            term += 1

    def _team(
        self, level: TeamLevel, region_code: str | None, region_name: str | None, decree_date: dt.date,
        start: dt.date, end: dt.date | None, term: int,
    ) -> None:
        rng = self.rng
        team_id = self.next_team_id
        self.next_team_id += 1
        if level is TeamLevel.NATIONAL:
            signed_by, number = "Menteri Pemberdayaan Perempuan dan Perlindungan Anak", f"{rng.randint(10, 99)} Tahun {decree_date.year}"
        elif level is TeamLevel.PROVINCE:
            signed_by = f"Gubernur {region_name.removeprefix('Provinsi ') if region_name else ''}".strip()
            number = f"463/{rng.randint(1, 999)}/{decree_date.year}"
        else:
            head = "Walikota" if region_name and region_name.startswith("Kota") else "Bupati"
            signed_by = f"{head} {(region_name or '').removeprefix('Kota ').removeprefix('Kabupaten ')}".strip()
            number = f"188.45/{rng.randint(1, 999)}/{decree_date.year}"
        created = _at(decree_date)
        team = {
            "id": team_id, "level": level.value, "region_code": region_code,
            "name": default_team_name(level, region_name), "decree_number": number, "decree_date": decree_date,
            "decree_signed_by": signed_by, "active_from": start, "active_until": end, "version": 1,
            "created_at": created, "updated_at": created,
        }
        self.teams.append(tuple(team[c] for c in TEAM_COLUMNS))
        self.outbox.append((AGGREGATE_TEAM, str(team_id), TEAM_FORMED, created, _json(team_payload(team))))
        where = region_name or "Republik Indonesia"
        if level is TeamLevel.NATIONAL:
            leaders = [
                ("COORDINATOR", "Deputi Bidang Kesetaraan Gender", "Kementerian PPPA"),
                ("DEPUTY_COORDINATOR", "Direktur Jenderal Bina Pembangunan Daerah", "Kementerian Dalam Negeri"),
                ("SECRETARY", "Asisten Deputi Urusan Ekonomi", "Kementerian PPPA"),
            ]
            agencies = institutions.NATIONAL_MEMBER_AGENCIES
        else:
            leaders = [
                ("COORDINATOR", "Sekretaris Daerah", f"Sekretariat Daerah {where}"),
                ("DAILY_HEAD", "Kepala Bappeda", f"Bappeda {where}"),
                ("DEPUTY_COORDINATOR", "Kepala Dinas PPPA", f"Dinas PPPA {where}"),
                ("SECRETARY", "Kepala Bidang PUG", f"Dinas PPPA {where}"),
            ]
            agencies = tuple(f"{a} {where}" for a in institutions.MEMBER_AGENCIES)
        for position, title, agency in leaders:
            # A coordinator (a Sekda) is sometimes replaced mid-term: two holders, one after the other.
            if position == "COORDINATOR" and (end or dt.date(2026, 10, 30)) - start > dt.timedelta(days=800) and rng.random() < 0.3:
                change = start + dt.timedelta(days=rng.randint(365, 700))
                self._member(team, position, title, agency, start, change - dt.timedelta(days=1))
                self._member(team, position, title, agency, change, end)
            else:
                self._member(team, position, title, agency, start, end)
        for agency in rng.sample(agencies, rng.randint(3, min(7, len(agencies)))):
            self._member(team, "MEMBER", None, agency, start, end)

    def _member(
        self, team: dict[str, Any], position: str, title: str | None, agency: str, start: dt.date, end: dt.date | None
    ) -> None:
        member = {
            "id": self.next_member_id, "team_id": team["id"], "person_name": self._person(), "position": position,
            "title": title, "agency": agency, "phone": self._phone() if position != "MEMBER" else None, "email": None,
            "active_from": start, "active_until": end, "created_at": _at(start), "updated_at": _at(start),
        }
        self.next_member_id += 1
        self.members.append(tuple(member[c] for c in MEMBER_COLUMNS))
        self.outbox.append((AGGREGATE_TEAM, str(team["id"]), TEAM_MEMBER_APPOINTED, _at(start),
                            _json(team_member_payload(team, member))))


async def seed_teams(
    connection: asyncpg.Connection, seed: int, first_registration: dict[str, dt.date]
) -> int:
    """The national team, every province's and those of regencies with IR, unless one exists already."""
    taken = {(r["level"], r["region_code"]) for r in await connection.fetch(
        "SELECT DISTINCT level, region_code FROM registry.teams"
    )}
    names = {r["code"]: r["name"] for r in await connection.fetch(
        "SELECT code, name FROM registry.regions WHERE level <= 2"
    )}
    planner = TeamPlanner(
        random.Random(f"teams:{seed}"),
        await next_id(connection, "registry.teams"),
        await next_id(connection, "registry.team_members"),
    )
    if ("NATIONAL", None) not in taken:
        planner.region_teams(TeamLevel.NATIONAL, None, None, PROGRAMME_START)
    for code in sorted(c for c in names if "." not in c):
        if ("PROVINCE", code) not in taken:
            planner.region_teams(TeamLevel.PROVINCE, code, names[code], PROGRAMME_START)
    for code, first_day in sorted(first_registration.items()):
        if ("REGENCY", code) not in taken:
            planner.region_teams(TeamLevel.REGENCY, code, names.get(code), first_day)
    if planner.teams:
        await connection.copy_records_to_table("teams", schema_name="registry", columns=TEAM_COLUMNS, records=planner.teams)
        await connection.copy_records_to_table(
            "team_members", schema_name="registry", columns=MEMBER_COLUMNS, records=planner.members
        )
        await connection.copy_records_to_table("outbox", schema_name="registry", columns=OUTBOX_COLUMNS, records=planner.outbox)
        await advance_sequence(connection, "registry.teams", planner.next_team_id - 1)
        await advance_sequence(connection, "registry.team_members", planner.next_member_id - 1)
    return len(planner.teams)
