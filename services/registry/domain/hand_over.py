"""The hand-over of graduated IR to the Ministry of Cooperatives and SMEs (Kementerian Koperasi dan UKM):
for a year and a province or regency/city, the IR that moved up to small enterprise that year, as a
package a province office or the ministry approves. Plain rules, no database."""

from __future__ import annotations

import datetime as dt

from siir.auth.identity import Identity, Role
from siir.errors import Forbidden, InvalidInput

#: The programme's regulation (Permen PPPA 2/2016) starts the cycle.
FIRST_YEAR = 2016


def check_year(year: int, today: dt.date) -> int:
    if not FIRST_YEAR <= year <= today.year:
        raise InvalidInput("year", f"must be between {FIRST_YEAR} and {today.year}")
    return year


def check_region(code: str) -> str:
    """A province (``33``) or regency/city (``33.74``) code: a hand-over is per province or regency."""
    code = code.strip()
    parts = code.split(".")
    if not (code.isascii() and all(p.isdigit() for p in parts) and [len(p) for p in parts] in ([2], [2, 2])):
        raise InvalidInput("regionCode", "is not a province or regency/city code (33 or 33.74)")
    return code


def _inside(code: str, region: str | None) -> bool:
    return region is not None and (code == region or code.startswith(region + "."))


def may_read(identity: Identity, code: str) -> None:
    """The ministry any package; an office the packages of its own region."""
    if identity.role is Role.MINISTRY:
        return
    if identity.role in (Role.PROVINCE_OFFICER, Role.DISTRICT_OFFICER) and _inside(code, identity.region):
        return
    raise Forbidden("this hand-over package is outside your region", region=code)


def may_approve(identity: Identity, code: str) -> None:
    """The ministry, or the province office for its province and its regencies (BAB VI: provinces report
    to the ministry); a regency office prepares but does not approve."""
    if identity.role is Role.MINISTRY:
        return
    if identity.role is Role.PROVINCE_OFFICER and _inside(code, identity.region):
        return
    raise Forbidden("only the province office or the ministry approves a hand-over package", region=code)
