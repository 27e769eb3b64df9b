"""The registry subgraph as an ASGI application: ``/graphql`` and the health endpoints.

Every request but ``/healthcheck`` needs a verified bearer token (401 otherwise); the caller's
``Identity`` reaches every resolver through the context, which scopes what it may read and change.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Route

from services.registry.data.rule_sets import load_graduation_thresholds, load_rule_set
from services.registry.graphql.context import RegistryContext
from services.registry.graphql.schema import schema
from siir.auth.middleware import RequireIdentity, identity_of
from siir.auth.tokens import TokenVerifier, verifier_from_settings
from siir.database import create_engine
from siir.graphql_http import SubgraphGraphQL
from siir.health import database_check, healthcheck, readiness
from siir.observability.observed import Observed
from siir.settings import Settings
from sqlalchemy.ext.asyncio import AsyncEngine


class RegistryGraphQL(SubgraphGraphQL):
    """Strawberry's ASGI view with a fresh ``RegistryContext`` (and loaders) per request."""

    def __init__(self, state: dict[str, Any]) -> None:
        super().__init__(schema, graphql_ide="graphiql")
        self.state = state

    async def get_context(self, request: Any, response: Any) -> RegistryContext:  # type: ignore[override]
        return RegistryContext(
            engine=self.state["engine"],
            rule_set=self.state["rule_set"],
            graduation_thresholds=self.state["graduation_thresholds"],
            identity=identity_of(request),
        )


def build_app(
    database_url: str,
    settings: Settings | None = None,
    *,
    engine: AsyncEngine | None = None,
    verifier: TokenVerifier | None = None,
) -> Starlette:
    """The registry app on ``database_url`` (already migrated), or on a given engine (tests).

    Tokens are checked by ``verifier``, by default the configured identity provider's keys (or the
    embedded default's own key).
    """
    settings = settings or Settings.from_environment()
    verifier = verifier or verifier_from_settings(settings)
    state: dict[str, Any] = {}

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        own_engine = engine is None
        state["engine"] = engine or create_engine(database_url, pool_size=settings.pool_size)
        async with state["engine"].connect() as connection:
            state["rule_set"] = await load_rule_set(connection, settings.rule_set)
            state["graduation_thresholds"] = await load_graduation_thresholds(connection, settings.graduation_thresholds)
        state["ready"] = True
        yield
        state["ready"] = False
        if own_engine:
            await state["engine"].dispose()

    graphql = RegistryGraphQL(state)
    return Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            Route("/healthcheck", healthcheck("registry", state), methods=["GET"]),
            Route("/readiness", readiness("registry", state, {"database": database_check(state)}), methods=["GET"]),
        ],
        lifespan=lifespan,
        middleware=[Middleware(Observed, service="registry", settings=settings, metrics_port=settings.registry_metrics_port,
                               engine=lambda: state.get("engine")),
                    Middleware(RequireIdentity, verifier=verifier)],
    )
