"""Cross-origin requests (CORS), so that portals served from other origins can call the gateway.

Off unless ``SIIR_CORS_ORIGINS`` names origins (comma-separated, or ``*``): then Starlette's
CORSMiddleware answers preflights and marks responses for those origins only. Callers prove who
they are with a bearer token, never a cookie, so credentialed requests are not allowed.
"""

from __future__ import annotations

import re
from typing import Any, Sequence

from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp

#: What a portal sends: its token, a JSON body, the media type it accepts, a request id.
ALLOWED_HEADERS = ("authorization", "content-type", "accept", "x-request-id")
#: What a portal may read besides the CORS-safelisted headers: when to retry after a 429.
EXPOSED_HEADERS = ("retry-after", "x-request-id")
#: How long a browser may reuse a preflight answer, in seconds.
MAX_AGE = 600

# An origin is scheme://host[:port], nothing after: "https://portal.example/" never matches a
# browser's Origin header, so it is refused at start-up rather than failing quietly.
_ORIGIN = re.compile(r"https?://[^/\s?#]+")


class CorsOriginRefused(ValueError):
    """A configured origin is not ``scheme://host[:port]`` (nor ``*``)."""


def _options(origins: Sequence[str]) -> dict[str, Any] | None:
    origins = [o.strip() for o in origins if o.strip()]
    if not origins:
        return None
    for origin in origins:
        if origin != "*" and not _ORIGIN.fullmatch(origin):
            raise CorsOriginRefused(f"SIIR_CORS_ORIGINS: {origin!r} is not an origin: write scheme://host[:port], "
                                    "without a path or a trailing slash, or *")
    return {"allow_origins": origins, "allow_methods": ["GET", "POST"], "allow_headers": list(ALLOWED_HEADERS),
            "expose_headers": list(EXPOSED_HEADERS), "allow_credentials": False, "max_age": MAX_AGE}


def cors_middleware(origins: Sequence[str]) -> list[Middleware]:
    """Starlette's middleware list for ``origins``: empty when none are configured."""
    options = _options(origins)
    return [] if options is None else [Middleware(CORSMiddleware, **options)]


def with_cors(app: ASGIApp, origins: Sequence[str]) -> ASGIApp:
    """``app`` behind the same CORS rules (for the gateway's POST path, which skips the middleware)."""
    options = _options(origins)
    return app if options is None else CORSMiddleware(app, **options)
