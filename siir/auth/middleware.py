"""The check in front of each subgraph: no verified bearer token, no GraphQL (401).

The gateway forwards the caller's own token; a subgraph verifies it itself rather than trusting
the gateway, so a direct call is scoped exactly like one through the gateway.
"""

from __future__ import annotations

from collections.abc import Collection

from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from siir.auth.identity import Identity
from siir.auth.tokens import TokenVerifier, authorization_header, bearer_token
from siir.errors import BadRequest, Unauthenticated
from siir.observability.request import note_role

SCOPE_KEY = "siir.identity"


def unauthenticated_response(error: Unauthenticated) -> JSONResponse:
    return JSONResponse(
        {"errors": [{"message": error.message, "extensions": error.extensions}]},
        status_code=401,
        headers={"WWW-Authenticate": 'Bearer realm="siir", error="invalid_token"'},
    )


def bad_request_response(error: BadRequest) -> JSONResponse:
    return JSONResponse({"errors": [{"message": error.message, "extensions": error.extensions}]}, status_code=400)


class RequireIdentity:
    """Verifies ``Authorization: Bearer`` and puts the ``Identity`` on the ASGI scope."""

    def __init__(self, app: ASGIApp, verifier: TokenVerifier, open_paths: Collection[str] = ("/healthcheck", "/readiness")) -> None:
        self.app = app
        self.verifier = verifier
        self.open_paths = frozenset(open_paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in self.open_paths:
            await self.app(scope, receive, send)
            return
        try:
            token = bearer_token(authorization_header(scope["headers"]))
            identity = scope[SCOPE_KEY] = await self.verifier.verify_async(token)
            note_role(identity.role.value)
        except BadRequest as error:
            await bad_request_response(error)(scope, receive, send)
            return
        except Unauthenticated as error:
            await unauthenticated_response(error)(scope, receive, send)
            return
        await self.app(scope, receive, send)


def identity_of(connection: HTTPConnection) -> Identity:
    """The verified caller of a request that passed ``RequireIdentity``."""
    identity = connection.scope.get(SCOPE_KEY)
    if not isinstance(identity, Identity):
        raise Unauthenticated("this request was not authenticated")
    return identity
