"""The caller of a request, as every service sees it after the bearer token is verified.

Roles and their scopes are a project decision (DOMAIN.md, "Roles and what each may see"). The
``region`` claim is a Kemendagri code whose length says its level: a province officer's is a
province ("33"), a district officer's a regency or city ("33.74").
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from siir.identifiers import PROVINCE_CODE, REGENCY_CODE, is_region_code


class Role(enum.StrEnum):
    MINISTRY = "MINISTRY"
    PROVINCE_OFFICER = "PROVINCE_OFFICER"
    DISTRICT_OFFICER = "DISTRICT_OFFICER"
    FACILITATOR = "FACILITATOR"
    PARTNER = "PARTNER"
    ANALYST = "ANALYST"


#: The region level each regional role's ``region`` claim must name (matched in full, ASCII digits).
REQUIRED_REGION: dict[Role, re.Pattern[str]] = {
    Role.PROVINCE_OFFICER: PROVINCE_CODE,
    Role.DISTRICT_OFFICER: REGENCY_CODE,
    Role.FACILITATOR: REGENCY_CODE,
}

#: A partner claim: the partner's record id in ASCII digits (not "٦" nor " 6").
PARTNER_ID = re.compile(r"[1-9][0-9]{0,17}")


#: A caller's role as a scope: ``role:DISTRICT_OFFICER`` (see ``Identity.scopes``).
ROLE_SCOPE_PREFIX = "role:"


class InvalidClaims(ValueError):
    """The token verified but its claims do not describe a caller we can scope."""


@dataclass(frozen=True, slots=True)
class Identity:
    """A verified caller. ``token`` is the bearer credential, forwarded by the gateway.

    ``scopes`` are what ``@requiresScopes`` checks: ``role:<ROLE>`` from the role claim plus
    the space-separated ``scope`` claim (whose own ``role:…`` entries are ignored, so only
    the role claim grants a role).
    """

    subject: str
    role: Role
    region: str | None
    partner: str | None
    expires_at: int
    token: str
    scopes: frozenset[str] = frozenset()

    @classmethod
    def from_claims(cls, claims: dict[str, object], token: str) -> "Identity":
        subject = claims.get("sub")
        if not isinstance(subject, str) or not subject:
            raise InvalidClaims("the token has no subject (sub)")
        try:
            role = Role(str(claims.get("role")))
        except ValueError:
            raise InvalidClaims(f"unknown role {claims.get('role')!r}") from None
        region = claims.get("region")
        if region is not None and not is_region_code(region):
            raise InvalidClaims(f"region {region!r} is not a Kemendagri code")
        required = REQUIRED_REGION.get(role)
        if required is not None and (region is None or not required.fullmatch(region)):
            raise InvalidClaims(f"role {role} needs a region claim of its level, got {region!r}")
        if role in (Role.MINISTRY, Role.PARTNER) and region is not None:
            raise InvalidClaims(f"role {role} is not regional; drop the region claim")
        partner = claims.get("partner")
        if role is Role.PARTNER:
            if not isinstance(partner, str) or not PARTNER_ID.fullmatch(partner):
                raise InvalidClaims(f"role PARTNER needs a partner claim naming a partner id, got {partner!r}")
        elif partner is not None:
            raise InvalidClaims("only PARTNER tokens carry a partner claim")
        expires_at = claims.get("exp")
        if not isinstance(expires_at, int):
            raise InvalidClaims("the token has no expiry (exp)")
        scope = claims.get("scope", "")
        if not isinstance(scope, str):
            raise InvalidClaims("the scope claim must be a space-separated string")
        granted = {s for s in scope.split() if not s.startswith(ROLE_SCOPE_PREFIX)}
        return cls(
            subject=subject,
            role=role,
            region=region,  # type: ignore[arg-type]
            partner=partner,  # type: ignore[arg-type]
            expires_at=expires_at,
            token=token,
            scopes=frozenset({f"{ROLE_SCOPE_PREFIX}{role}", *granted}),
        )
