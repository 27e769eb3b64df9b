"""Who may see and change the programme's network: managing teams, facilitators, partners,
interventions and mentoring notes (DOMAIN.md, "Roles and what each may see" and "Teams").

Plain rules on an ``Identity``, like ``access`` for IR records. Decisions where DOMAIN is silent:
- Team structures (level, decree, members' names, positions, agencies) are public-service
  information: any authenticated role reads them. Members' and facilitators' phone and e-mail are
  personal: only officials (MINISTRY, PROVINCE_OFFICER, DISTRICT_OFFICER) whose region covers the
  team or the facilitator's regency see them, and a facilitator her own; FORBIDDEN for the others.
  The national team's contacts are for MINISTRY.
- Facilitators are people the offices engage: officials read those of their region, a facilitator
  those of her regency (her colleagues, whose contacts stay hidden); partners and analysts none.
  A look-up outside the region reads as missing, a region filter outside it is FORBIDDEN.
- Partners (institutions) are read by officials and facilitators; a PARTNER reads its own only.
- Interventions follow their IR: readable exactly when the IR is (``access.record_scope``).
- Mentoring notes: officials may list them (date, facilitator); their text is for the
  DISTRICT_OFFICER and the FACILITATOR of that IR only; partners and analysts see neither.
- Which role reaches which field or mutation is declared in ``services/registry/policy.py``; the
  functions here are the row-level rules (regions, assignments, the caller's own record).
- Writes: MINISTRY the national team, partners and their programmes (DOMAIN names no writer for
  partners: they are national agreements); PROVINCE_OFFICER its province's team; DISTRICT_OFFICER
  its regency's team, its facilitators and their assignments, interventions on its IR;
  FACILITATOR mentoring notes on her assigned IR, in her own name. A change of a team outside the
  caller's region is FORBIDDEN (teams are public, nothing is revealed); a change of a facilitator,
  an intervention or an IR outside it is NOT_FOUND, as a look-up would be.
"""

from __future__ import annotations

from siir.auth.identity import Identity, Role
from siir import identifiers
from siir.errors import Forbidden

OFFICIALS = frozenset({Role.MINISTRY, Role.PROVINCE_OFFICER, Role.DISTRICT_OFFICER})


def _covers(region: str | None, code: str | None) -> bool:
    """Whether a caller's region (None: national) covers ``code`` (None: the national level)."""
    if region is None:
        return True
    if code is None:
        return False
    return code == region or code.startswith(region + ".")


# --- teams ---------------------------------------------------------------------------------------


def team_writer_check(identity: Identity, level: str, region_code: str | None) -> None:
    """FORBIDDEN unless the caller's office keeps this team's records (one level, its own region)."""
    wanted = {"NATIONAL": Role.MINISTRY, "PROVINCE": Role.PROVINCE_OFFICER, "REGENCY": Role.DISTRICT_OFFICER}[level]
    if identity.role is not wanted:
        raise Forbidden(f"a {level.lower()} team is recorded by {wanted}; you are {identity.role}")
    if region_code is not None:
        identifiers.check_code_form("input.regionCode", region_code)
    if wanted is not Role.MINISTRY and (region_code is None or not _covers(identity.region, region_code)):
        raise Forbidden(
            f"the team of {region_code} is recorded by its own office; yours is {identity.region}",
            field="input.regionCode", region=region_code,
        )


def sees_team_contacts(identity: Identity, team_region: str | None) -> bool:
    """Phone and e-mail of a team's members: officials whose region covers the team."""
    return identity.role in OFFICIALS and _covers(identity.region, team_region)


# --- facilitators --------------------------------------------------------------------------------


def facilitator_region(identity: Identity) -> str | None:
    """The region whose facilitators a caller may read (None: national); FORBIDDEN for others."""
    if identity.role in OFFICIALS or identity.role is Role.FACILITATOR:
        return identity.region
    raise Forbidden(f"facilitators are for the programme's offices and facilitators; you are {identity.role}")


def admits_facilitator(identity: Identity, regency_code: str) -> bool:
    """Whether a facilitator engaged by ``regency_code`` lies in the caller's reach (no exception)."""
    return (identity.role in OFFICIALS or identity.role is Role.FACILITATOR) and _covers(identity.region, regency_code)


def check_facilitator_filter(identity: Identity, code: str, field: str | None = None, *, coordinate: str | None = None) -> None:
    """A region filter on facilitators outside the caller's region is refused, never answered empty.

    ``field`` names the argument that asked (an input path); for a relationship that has none (a
    team's or region's facilitators), ``coordinate`` names the refused output field instead."""
    region = facilitator_region(identity)
    if not _covers(region, code):
        named = {"field": field} if field is not None else {"coordinate": coordinate}
        raise Forbidden(f"region {code} is outside your scope ({region or 'national'})", region=code, **named)


def sees_facilitator_contacts(identity: Identity, regency_code: str, facilitator_id: int, own_id: int | None) -> bool:
    """Phone and e-mail of a facilitator: officials covering her regency, and she herself."""
    if identity.role is Role.FACILITATOR:
        return own_id is not None and facilitator_id == own_id
    return identity.role in OFFICIALS and _covers(identity.region, regency_code)


def check_facilitator_regency(identity: Identity, regency_code: str, field: str) -> None:
    identifiers.check_code_form(field, regency_code)
    if not _covers(identity.region, regency_code):
        raise Forbidden(
            f"regency/city {regency_code} is outside your scope ({identity.region})", field=field, region=regency_code
        )


# --- partners ------------------------------------------------------------------------------------


def partner_reach(identity: Identity) -> int | None:
    """The one partner a PARTNER may read (its own id), None for every partner; FORBIDDEN for others.

    A PARTNER whose claim is not a partner id reaches none: -1 matches no row.
    """
    if identity.role in OFFICIALS or identity.role is Role.FACILITATOR:
        return None
    if identity.role is Role.PARTNER:
        return identifiers.record_id(identity.partner) or -1
    raise Forbidden(f"partners are for the programme's offices, facilitators and partners; you are {identity.role}")


def admits_partner(identity: Identity, partner_id: int) -> bool:
    try:
        only = partner_reach(identity)
    except Forbidden:
        return False
    return only is None or only == partner_id


# --- interventions and mentoring notes -----------------------------------------------------------


def mentoring_writer_check(identity: Identity, facilitator_id: int, own_id: int | None) -> None:
    """A facilitator notes her own visits, to IR assigned to her (the caller checks the IR)."""
    if identity.role is not Role.FACILITATOR:
        raise Forbidden(f"mentoring notes are recorded by FACILITATOR; you are {identity.role}")
    if facilitator_id != own_id:
        raise Forbidden("a facilitator records her own visits only", field="input.facilitatorId")


def assessment_facilitator(identity: Identity, given: int | None, own_id: int | None) -> int | None:
    """The facilitator an assessment names: a FACILITATOR's own assessments name her."""
    if identity.role is not Role.FACILITATOR:
        return given
    if given is not None and given != own_id:
        raise Forbidden("a facilitator records her own assessments only", field="input.facilitatorId")
    return own_id
