"""Bearer tokens: issued by the embedded default for trying roles, verified by every service.

Verification is PyJWT's (no hand-made crypto). Only asymmetric algorithms are accepted, so a
token signed with ``alg: none`` or an HMAC over a public key never verifies.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Iterable, Mapping
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes

from siir.auth.identity import Identity, InvalidClaims, Role
from siir.auth.keys import SigningKey, key_id, load_or_create_signing_key, load_public_key
from siir.errors import BadRequest, Unauthenticated
from siir.settings import Settings

ALGORITHMS = ["ES256", "RS256"]
_COMPACT_JWT = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$")
#: Clock skew tolerated between the identity provider and us, in seconds.
LEEWAY = 30
DEFAULT_LIFETIME = 8 * 3600


def issue_token(
    key: SigningKey,
    *,
    subject: str,
    role: Role | str,
    issuer: str,
    audience: str,
    region: str | None = None,
    partner: str | None = None,
    scope: str | None = None,
    lifetime: int = DEFAULT_LIFETIME,
    now: int | None = None,
) -> str:
    """A signed token for one caller; its claims are checked as a verifier would check them."""
    issued_at = int(time.time()) if now is None else now
    claims: dict[str, Any] = {
        "sub": subject,
        "role": str(role),
        "iss": issuer,
        "aud": audience,
        "iat": issued_at,
        "exp": issued_at + lifetime,
    }
    if region is not None:
        claims["region"] = region
    if partner is not None:
        claims["partner"] = partner
    if scope is not None:
        claims["scope"] = scope
    Identity.from_claims(claims, token="")  # refuse to mint what no service would accept
    return jwt.encode(claims, key.private_key, algorithm=key.algorithm, headers={"kid": key.kid})


def authorization_header(raw_headers: Iterable[tuple[bytes, bytes]]) -> str | None:
    """The one ``Authorization`` header of a request (ASGI raw pairs, names lower-case), None
    without one. Two are refused (400): proxies and frameworks disagree on which one counts
    (first, last, or both joined), so a second could be read as another caller downstream."""
    found: str | None = None
    for name, value in raw_headers:
        if name.lower() == b"authorization":
            if found is not None:
                raise BadRequest("send exactly one Authorization header")
            found = value.decode("latin-1")
    return found


def bearer_token(authorization: str | None) -> str:
    """The token of an ``Authorization: Bearer …`` header."""
    if not authorization:
        raise Unauthenticated("send Authorization: Bearer <token> (see `siir token`)")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("the Authorization header must be 'Bearer <token>'")
    token = token.strip()
    # Only the compact JWT alphabet: base64 decoding would skip stray characters, and the
    # gateway forwards this text to subgraphs as a header.
    if not _COMPACT_JWT.match(token):
        raise Unauthenticated("the bearer token is not a JWT (three base64url parts separated by dots)")
    return token


class TokenVerifier:
    """Checks signature, ``iss``, ``aud``, ``exp`` and the role claims; answers an ``Identity``."""

    def __init__(
        self,
        *,
        issuer: str,
        audience: str,
        public_keys: Mapping[str, PublicKeyTypes] | None = None,
        jwks_url: str = "",
        cache_size: int = 10_000,
    ) -> None:
        if not public_keys and not jwks_url:
            raise ValueError("a verifier needs public keys or a JWKS URL")
        self.issuer = issuer
        self.audience = audience
        self.public_keys = dict(public_keys or {})
        self.jwks = jwt.PyJWKClient(jwks_url, cache_keys=True, lifespan=300) if jwks_url else None
        self.cache_size = cache_size
        # Verified tokens by their text: a portal sends the same token on every request.
        self._verified: dict[str, Identity] = {}

    def _key_for(self, token: str) -> Any:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as error:
            raise Unauthenticated(f"the token is not a JWT: {error}") from None
        if header.get("alg") not in ALGORITHMS:
            raise Unauthenticated(f"token algorithm {header.get('alg')!r} is not accepted; use one of {ALGORITHMS}")
        kid = header.get("kid")
        if self.jwks is not None:
            try:
                return self.jwks.get_signing_key(kid).key if kid else self.jwks.get_signing_key_from_jwt(token).key
            except jwt.PyJWKClientError as error:
                raise Unauthenticated(f"no key of the identity provider matches this token: {error}") from None
        if kid in self.public_keys:
            return self.public_keys[kid]
        if kid is None and len(self.public_keys) == 1:
            return next(iter(self.public_keys.values()))
        raise Unauthenticated("the token is signed by a key this service does not trust")

    def verify(self, token: str, *, now: float | None = None) -> Identity:
        moment = time.time() if now is None else now
        cached = self._verified.get(token)
        if cached is not None and cached.expires_at + LEEWAY > moment:
            return cached
        key = self._key_for(token)
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=ALGORITHMS,
                audience=self.audience,
                issuer=self.issuer,
                leeway=LEEWAY,
                options={"require": ["exp", "iss", "aud", "sub"], "verify_iat": True},
            )
        except jwt.ExpiredSignatureError:
            raise Unauthenticated("the token has expired") from None
        except jwt.InvalidAudienceError:
            raise Unauthenticated(f"the token is not meant for this audience (aud must be {self.audience!r})") from None
        except jwt.InvalidIssuerError:
            raise Unauthenticated(f"the token is from an unknown issuer (iss must be {self.issuer!r})") from None
        except jwt.InvalidSignatureError:
            raise Unauthenticated("the token signature does not verify") from None
        except jwt.PyJWTError as error:
            raise Unauthenticated(f"the token is not valid: {error}") from None
        if now is not None and claims["exp"] + LEEWAY <= moment:
            raise Unauthenticated("the token has expired")
        try:
            identity = Identity.from_claims(claims, token)
        except InvalidClaims as error:
            raise Unauthenticated(f"the token's claims are not usable: {error}") from None
        if len(self._verified) >= self.cache_size:
            self._verified.clear()
        self._verified[token] = identity
        return identity

    async def verify_async(self, token: str) -> Identity:
        """As ``verify``; a JWKS fetch (a cache miss) runs off the event loop."""
        if self.jwks is None or token in self._verified:
            return self.verify(token)
        return await asyncio.to_thread(self.verify, token)


def verifier_from_settings(settings: Settings) -> TokenVerifier:
    """Production: the configured JWKS or public keys. Embedded default: its own key."""
    if settings.auth_jwks_url:
        return TokenVerifier(issuer=settings.auth_issuer, audience=settings.auth_audience, jwks_url=settings.auth_jwks_url)
    if settings.auth_public_keys:
        keys = [load_public_key(path) for path in settings.auth_public_keys]
        return TokenVerifier(
            issuer=settings.auth_issuer, audience=settings.auth_audience, public_keys={key_id(k): k for k in keys}
        )
    local = load_or_create_signing_key(settings.data_dir)
    return TokenVerifier(
        issuer=settings.auth_issuer, audience=settings.auth_audience, public_keys={local.kid: local.public_key}
    )
