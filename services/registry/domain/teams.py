"""Managing teams (Tim Pengelola, Permen PPPA 2/2016 BAB IV A): levels, positions and their rules.

National, province and regency/city teams have the same shape: a coordinator (Koordinator: the
Deputy for Gender Equality nationally, the Sekda in the regions), a daily head (Ketua harian: the
head of Bappeda), a deputy, a secretary and members from the offices involved. Each leadership
position has one holder at a time; any number of members.
"""

from __future__ import annotations

from enum import Enum

from services.registry.domain.periods import Period


class TeamLevel(str, Enum):
    NATIONAL = "NATIONAL"
    PROVINCE = "PROVINCE"
    REGENCY = "REGENCY"


class Position(str, Enum):
    COORDINATOR = "COORDINATOR"
    DAILY_HEAD = "DAILY_HEAD"
    DEPUTY_COORDINATOR = "DEPUTY_COORDINATOR"
    SECRETARY = "SECRETARY"
    MEMBER = "MEMBER"


#: Positions with one holder at a time (the database enforces it too: team_members_one_holder).
SINGLE_HOLDER = frozenset(p for p in Position if p is not Position.MEMBER)

#: The Kemendagri region level (1 province, 2 regency/city) a team of each level belongs to.
REGION_LEVEL: dict[TeamLevel, int | None] = {TeamLevel.NATIONAL: None, TeamLevel.PROVINCE: 1, TeamLevel.REGENCY: 2}

#: Indonesian position titles, for the decree's wording and the demo data.
POSITION_TITLES: dict[Position, str] = {
    Position.COORDINATOR: "Koordinator",
    Position.DAILY_HEAD: "Ketua Harian",
    Position.DEPUTY_COORDINATOR: "Wakil Koordinator",
    Position.SECRETARY: "Sekretaris",
    Position.MEMBER: "Anggota",
}


def default_team_name(level: TeamLevel, region_name: str | None) -> str:
    """``Tim Pengelola Industri Rumahan Kota Semarang``."""
    if level is TeamLevel.NATIONAL or region_name is None:
        return "Tim Pengelola Industri Rumahan Nasional"
    if level is TeamLevel.PROVINCE and not region_name.startswith("Provinsi"):
        region_name = f"Provinsi {region_name}"
    return f"Tim Pengelola Industri Rumahan {region_name}"


def single_holder_clash(
    position: Position, period: Period, holders: list[tuple[int, Position, Period]], *, ignore_id: int | None = None
) -> int | None:
    """The id of a member already holding ``position`` during ``period``, if any."""
    if position not in SINGLE_HOLDER:
        return None
    for member_id, held, held_period in holders:
        if member_id != ignore_id and held is position and held_period.overlaps(period):
            return member_id
    return None
