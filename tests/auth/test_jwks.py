"""Production verification: RS256 tokens checked against an identity provider's JWKS, fetched
over real HTTP from a local server (keys rotate by kid)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from siir.auth.tokens import TokenVerifier
from siir.errors import Unauthenticated
from tests.conftest import ServerThread

ISSUER, AUDIENCE = "https://idp.example/realms/siir", "siir"


class IdentityProvider:
    """Serves a JWKS of its current RSA keys and counts the fetches."""

    def __init__(self) -> None:
        self.keys: dict[str, Any] = {"k1": rsa.generate_private_key(public_exponent=65537, key_size=2048)}
        self.fetches = 0

    def rotate(self, kid: str) -> None:
        self.keys[kid] = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    async def jwks(self, request: Request) -> JSONResponse:
        self.fetches += 1
        keys = []
        for kid, private in self.keys.items():
            jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private.public_key()))
            keys.append({**jwk, "kid": kid, "use": "sig", "alg": "RS256"})
        return JSONResponse({"keys": keys})

    def token(self, kid: str, **claims: Any) -> str:
        now = int(time.time())
        body = {"sub": "idp-user", "role": "PROVINCE_OFFICER", "region": "35", "iss": ISSUER, "aud": AUDIENCE,
                "iat": now, "exp": now + 300, **claims}
        return jwt.encode(body, self.keys[kid], algorithm="RS256", headers={"kid": kid})


@pytest.fixture(scope="module")
def idp() -> Iterator[tuple[IdentityProvider, str]]:
    provider = IdentityProvider()
    app = Starlette(routes=[Route("/.well-known/jwks.json", provider.jwks)])
    with ServerThread(app) as server:
        yield provider, server.url + "/.well-known/jwks.json"


def test_rs256_tokens_verify_against_the_jwks(idp: tuple[IdentityProvider, str]) -> None:
    provider, url = idp
    verifier = TokenVerifier(issuer=ISSUER, audience=AUDIENCE, jwks_url=url)
    identity = verifier.verify(provider.token("k1"))
    assert (identity.subject, identity.role, identity.region) == ("idp-user", "PROVINCE_OFFICER", "35")
    assert provider.fetches >= 1


async def test_a_rotated_key_is_fetched_and_async_verification_works(idp: tuple[IdentityProvider, str]) -> None:
    provider, url = idp
    verifier = TokenVerifier(issuer=ISSUER, audience=AUDIENCE, jwks_url=url)
    assert (await verifier.verify_async(provider.token("k1"))).subject == "idp-user"
    provider.rotate("k2")
    # A kid the cached set lacks: the client fetches the set again (PyJWT's refresh on unknown kid).
    verifier.jwks.cooldown_duration = 0  # type: ignore[union-attr]
    assert (await verifier.verify_async(provider.token("k2", sub="after-rotation"))).subject == "after-rotation"


def test_a_kid_the_provider_does_not_publish_is_refused(idp: tuple[IdentityProvider, str]) -> None:
    provider, url = idp
    verifier = TokenVerifier(issuer=ISSUER, audience=AUDIENCE, jwks_url=url)
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = int(time.time())
    token = jwt.encode({"sub": "x", "role": "MINISTRY", "iss": ISSUER, "aud": AUDIENCE, "exp": now + 60},
                       stranger, algorithm="RS256", headers={"kid": "unknown"})
    with pytest.raises(Unauthenticated) as caught:
        verifier.verify(token)
    assert caught.value.message.startswith("no key of the identity provider matches this token")


def test_a_token_signed_by_another_key_under_a_published_kid_is_refused(idp: tuple[IdentityProvider, str]) -> None:
    provider, url = idp
    verifier = TokenVerifier(issuer=ISSUER, audience=AUDIENCE, jwks_url=url)
    forged = jwt.encode({"sub": "x", "role": "MINISTRY", "iss": ISSUER, "aud": AUDIENCE,
                         "exp": int(time.time()) + 60},
                        rsa.generate_private_key(public_exponent=65537, key_size=2048), algorithm="RS256",
                        headers={"kid": "k1"})
    with pytest.raises(Unauthenticated) as caught:
        verifier.verify(forged)
    assert caught.value.message == "the token signature does not verify"


def test_an_unreachable_jwks_refuses_rather_than_trusts() -> None:
    from tests.conftest import free_port

    verifier = TokenVerifier(issuer=ISSUER, audience=AUDIENCE, jwks_url=f"http://127.0.0.1:{free_port()}/jwks")
    provider = IdentityProvider()
    with pytest.raises(Unauthenticated) as caught:
        verifier.verify(provider.token("k1"))
    assert caught.value.message.startswith("no key of the identity provider matches this token")
