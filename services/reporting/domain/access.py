"""Who may read which region's reports: the one place every reporting entry point asks.

Every query field, entity resolver and export calls ``authorize_region`` with the caller's
identity (from the request context) and the region it is about to read, before reading it.
Authentication and scopes (issue 5) are being built: until the identity carries a scope, the
identity is ``None`` and every region is allowed. Reporting holds aggregates and non-personal
records only, so what is enforced here is the region scope (DOMAIN.md, "Roles").
"""

from __future__ import annotations

from typing import Any

#: The caller as the request context carries it (None until authentication exists).
Identity = Any


def authorize_region(identity: Identity | None, region_code: str) -> None:
    """Raise ``siir.errors.Forbidden`` if ``identity`` may not read reports of ``region_code``.

    ``region_code`` is a Kemendagri code, or "" for the whole nation.
    """
    return None
