"""Token verification: what every service (the gateway and each subgraph) accepts and refuses.

Each refusal is an ``Unauthenticated`` (UNAUTHENTICATED) whose message says what is wrong, so
an integrator can fix the token rather than guess.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from siir.auth.identity import Role
from siir.auth.keys import SigningKey, key_id, load_or_create_signing_key
from siir.auth.tokens import TokenVerifier, bearer_token, issue_token
from siir.errors import Unauthenticated

ISSUER, AUDIENCE = "siir-test", "siir"

# One valid claim set per role: what a token of that role must carry.
ROLES: list[tuple[Role, str | None, str | None]] = [
    (Role.MINISTRY, None, None),
    (Role.PROVINCE_OFFICER, "33", None),
    (Role.DISTRICT_OFFICER, "33.74", None),
    (Role.FACILITATOR, "33.74", None),
    (Role.PARTNER, None, "12"),
    (Role.ANALYST, None, None),
    (Role.ANALYST, "35.07", None),  # an analyst may be national or regional
]


@pytest.fixture(scope="module")
def key(tmp_path_factory: pytest.TempPathFactory) -> SigningKey:
    return load_or_create_signing_key(tmp_path_factory.mktemp("auth"))


@pytest.fixture(scope="module")
def verifier(key: SigningKey) -> TokenVerifier:
    return TokenVerifier(issuer=ISSUER, audience=AUDIENCE, public_keys={key.kid: key.public_key})


def sign(key: SigningKey, claims: dict[str, Any], **headers: Any) -> str:
    return jwt.encode(claims, key.private_key, algorithm="ES256", headers={"kid": key.kid, **headers})


def claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    base = {"sub": "someone", "role": "DISTRICT_OFFICER", "region": "33.74", "iss": ISSUER, "aud": AUDIENCE,
            "iat": now, "exp": now + 600}
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def refused(verifier: TokenVerifier, token: str) -> str:
    with pytest.raises(Unauthenticated) as caught:
        verifier.verify(token)
    assert caught.value.extensions["code"] == "UNAUTHENTICATED"
    return caught.value.message


@pytest.mark.parametrize("role,region,partner", ROLES, ids=[f"{r}-{g or p or 'national'}" for r, g, p in ROLES])
def test_a_good_token_of_each_role_gives_its_identity(key: SigningKey, verifier: TokenVerifier, role: Role,
                                                      region: str | None, partner: str | None) -> None:
    token = issue_token(key, subject="ana", role=role, region=region, partner=partner, issuer=ISSUER,
                        audience=AUDIENCE)
    identity = verifier.verify(token)
    assert (identity.subject, identity.role, identity.region, identity.partner) == ("ana", role, region, partner)
    assert identity.token == token
    assert identity.scopes == {f"role:{role}"}


def test_scopes_are_the_role_plus_the_scope_claim_which_cannot_grant_a_role(key: SigningKey,
                                                                           verifier: TokenVerifier) -> None:
    token = issue_token(key, subject="ana", role="ANALYST", issuer=ISSUER, audience=AUDIENCE,
                        scope="export:read role:MINISTRY reports:read")
    assert verifier.verify(token).scopes == {"role:ANALYST", "export:read", "reports:read"}


def test_an_expired_token_is_refused(key: SigningKey, verifier: TokenVerifier) -> None:
    token = issue_token(key, subject="ana", role="MINISTRY", issuer=ISSUER, audience=AUDIENCE,
                        now=int(time.time()) - 7200, lifetime=3600)
    assert refused(verifier, token) == "the token has expired"


def test_an_unsigned_alg_none_token_is_refused(verifier: TokenVerifier) -> None:
    token = b64(json.dumps({"alg": "none", "typ": "JWT"}).encode()) + "." + b64(json.dumps(claims()).encode()) + "."
    assert "algorithm 'none' is not accepted" in refused(verifier, token)


def test_hs256_signed_with_the_public_key_is_refused(key: SigningKey, verifier: TokenVerifier) -> None:
    # The classic key-confusion attack: an HMAC whose secret is the (public) verification key.
    pem = key.public_key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    signing_input = (b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": key.kid}).encode()) + "."
                     + b64(json.dumps(claims()).encode()))
    token = signing_input + "." + b64(hmac.new(pem, signing_input.encode(), hashlib.sha256).digest())
    assert "algorithm 'HS256' is not accepted" in refused(verifier, token)


def test_a_token_for_another_audience_is_refused(key: SigningKey, verifier: TokenVerifier) -> None:
    message = refused(verifier, sign(key, claims(aud="another-app")))
    assert message == "the token is not meant for this audience (aud must be 'siir')"


def test_a_token_from_another_issuer_is_refused(key: SigningKey, verifier: TokenVerifier) -> None:
    message = refused(verifier, sign(key, claims(iss="https://evil.example")))
    assert message == "the token is from an unknown issuer (iss must be 'siir-test')"


def test_a_token_signed_by_an_untrusted_key_is_refused(verifier: TokenVerifier) -> None:
    other = ec.generate_private_key(ec.SECP256R1())
    stranger = SigningKey(private_key=other, kid=key_id(other.public_key()))
    assert refused(verifier, sign(stranger, claims())) == "the token is signed by a key this service does not trust"


def test_a_token_claiming_a_trusted_kid_but_signed_by_another_key_is_refused(key: SigningKey,
                                                                             verifier: TokenVerifier) -> None:
    forger = SigningKey(private_key=ec.generate_private_key(ec.SECP256R1()), kid=key.kid)
    assert refused(verifier, sign(forger, claims())) == "the token signature does not verify"


@pytest.mark.parametrize("missing", ["sub", "exp", "iss", "aud"])
def test_a_token_missing_a_required_claim_is_refused(key: SigningKey, verifier: TokenVerifier, missing: str) -> None:
    message = refused(verifier, sign(key, claims(**{missing: None})))
    assert f'"{missing}"' in message or f"({missing})" in message, message


def test_a_token_without_a_role_or_with_an_unknown_one_is_refused(key: SigningKey, verifier: TokenVerifier) -> None:
    assert "unknown role None" in refused(verifier, sign(key, claims(role=None)))
    assert "unknown role 'ADMIN'" in refused(verifier, sign(key, claims(role="ADMIN")))


BAD_REGIONS: list[tuple[str, dict[str, Any], str]] = [
    ("province-officer-with-a-regency", {"role": "PROVINCE_OFFICER", "region": "33.74"}, "needs a region claim"),
    ("district-officer-with-a-province", {"role": "DISTRICT_OFFICER", "region": "33"}, "needs a region claim"),
    ("district-officer-without-region", {"role": "DISTRICT_OFFICER", "region": None}, "needs a region claim"),
    ("facilitator-with-a-village", {"role": "FACILITATOR", "region": "33.74.01.1001"}, "needs a region claim"),
    ("ministry-with-a-region", {"role": "MINISTRY", "region": "33"}, "is not regional"),
    ("partner-with-a-region", {"role": "PARTNER", "region": "33", "partner": "p1"}, "is not regional"),
    ("partner-without-partner", {"role": "PARTNER", "region": None}, "needs a partner claim"),
    ("officer-with-a-partner", {"partner": "p1"}, "only PARTNER tokens carry a partner claim"),
    ("not-a-kemendagri-code", {"role": "ANALYST", "region": "33-74"}, "is not a Kemendagri code"),
    ("region-as-number", {"role": "ANALYST", "region": 33}, "is not a Kemendagri code"),
    ("scope-not-a-string", {"scope": ["a"]}, "scope claim must be a space-separated string"),
]


@pytest.mark.parametrize("overrides,expected", [c[1:] for c in BAD_REGIONS], ids=[c[0] for c in BAD_REGIONS])
def test_claims_a_role_cannot_be_scoped_by_are_refused(key: SigningKey, verifier: TokenVerifier,
                                                       overrides: dict[str, Any], expected: str) -> None:
    message = refused(verifier, sign(key, claims(**overrides)))
    assert message.startswith("the token's claims are not usable: ") and expected in message, message


def test_issue_token_refuses_to_mint_what_no_service_would_accept(key: SigningKey) -> None:
    from siir.auth.identity import InvalidClaims

    with pytest.raises(InvalidClaims):
        issue_token(key, subject="x", role="DISTRICT_OFFICER", region="33", issuer=ISSUER, audience=AUDIENCE)


@pytest.mark.parametrize("header,expected", [
    (None, "send Authorization: Bearer <token>"),
    ("", "send Authorization: Bearer <token>"),
    ("Basic dXNlcjpwYXNz", "must be 'Bearer <token>'"),
    ("Bearer", "must be 'Bearer <token>'"),
    ("Bearer    ", "must be 'Bearer <token>'"),
    ("Token abc.def.ghi", "must be 'Bearer <token>'"),
    ("Bearer abc.def", "not a JWT"),
    ("Bearer abc.d ef.ghi", "not a JWT"),
    ("Bearer abc.def.ghi\tx-siir-role: MINISTRY", "not a JWT"),
    ("Bearer ab+c.de/f.gh=", "not a JWT"),
])
def test_malformed_authorization_headers_are_refused(header: str | None, expected: str) -> None:
    with pytest.raises(Unauthenticated) as caught:
        bearer_token(header)
    assert expected in caught.value.message


@pytest.mark.parametrize("token", ["not-a-jwt", "a.b.c", "eyJhbGciOiJFUzI1NiJ9.e30", "...."])
def test_text_that_is_not_a_jwt_is_refused(verifier: TokenVerifier, token: str) -> None:
    message = refused(verifier, token)
    assert message.startswith(("the token is not a JWT", "the token is not valid")), message


def test_the_embedded_default_key_is_created_once_and_private(tmp_path: Path) -> None:
    first = load_or_create_signing_key(tmp_path)
    second = load_or_create_signing_key(tmp_path)
    assert first.kid == second.kid
    assert (tmp_path / "auth" / "signing-key.pem").stat().st_mode & 0o777 == 0o600
