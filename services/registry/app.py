"""The registry subgraph as an ASGI application: ``/graphql``, ``/exports/hand-over.…``, ``/imports/…`` (the
bulk survey import and its worker) and the health endpoints.

Every request but ``/healthcheck`` needs a verified bearer token (401 otherwise); the caller's
``Identity`` reaches every resolver through the context, which scopes what it may read and change.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from services.registry.data.rule_sets import load_graduation_thresholds, load_rule_set
from services.registry.graphql.answer_cache import AnswerCache
from services.registry.graphql.context import JAKARTA, RegistryContext
from services.registry.hand_over_export import PACKAGE_QUERY, package_export, package_json
from services.registry.graphql.schema import schema
from services.registry.imports.routes import import_routes
from services.registry.imports.worker import ImportWorker
from siir.auth.middleware import RequireIdentity, identity_of
from siir.auth.tokens import TokenVerifier, verifier_from_settings
from siir.database import create_engine
from siir.exports.files import FORMATS, render
from siir.exports.layout import LANGUAGES
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
            answer_cache=self.state["answer_cache"],
        )


def _refusal(status: int, field: str, message: str) -> JSONResponse:
    return JSONResponse({"errors": [{"message": f"{field} {message}", "extensions": {"code": "BAD_USER_INPUT", "field": field}}]},
                        status_code=status)


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
        state["import_worker"] = ImportWorker(state["engine"], state["rule_set"], state["graduation_thresholds"])
        state["answer_cache"] = AnswerCache(settings.answer_cache_size)
        background = [asyncio.create_task(state["import_worker"].run()),
                      asyncio.create_task(state["answer_cache"].prune_changes(state["engine"]))]
        state["ready"] = True
        yield
        state["ready"] = False
        for task in background:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if own_engine:
            await state["engine"].dispose()

    async def hand_over(request: Request) -> Response:
        """``/exports/hand-over.{xlsx|csv|json}?year=…&regionCode=…&lang=id|en``: the package as GraphQL gives it."""
        file_format, query = request.path_params["format"], request.query_params
        if file_format not in (*FORMATS, "json"):
            return _refusal(400, "format", "is not an export format; use xlsx, csv or json")
        language = query.get("lang") or "id"
        if language not in LANGUAGES:
            return _refusal(400, "lang", "is not an export language; use id (Indonesian, the default) or en")
        year = query.get("year", "")
        if not (year.isascii() and year.isdigit() and len(year) == 4):
            return _refusal(400, "year", "is required: a calendar year such as 2025")
        identity = identity_of(request)
        context = RegistryContext(engine=state["engine"], rule_set=state["rule_set"],
                                  graduation_thresholds=state["graduation_thresholds"], identity=identity)
        package: dict | None = None
        listed: list = []
        after = None
        while True:  # the package's IR, a page at a time (the same query a portal pages with)
            result = await schema.execute(
                PACKAGE_QUERY, variable_values={"year": int(year), "regionCode": query.get("regionCode", ""), "after": after},
                context_value=context, operation_name="HandOverExport")
            if result.errors:
                errors = [e.formatted for e in result.errors]
                code = (errors[0].get("extensions") or {}).get("code")
                status = {"FORBIDDEN": 403, "UNAUTHENTICATED": 401, "NOT_FOUND": 404, "SERVICE_UNAVAILABLE": 503}.get(code, 400)
                return JSONResponse({"errors": errors}, status_code=status)
            package = result.data["handOverPackage"]
            page = package["homeIndustries"]
            listed += page["nodes"]
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]
        package = {**package, "homeIndustries": listed}
        stem = f"hand-over-{package['regionCode']}-{package['year']}" + ("-en" if language == "en" else "")
        if file_format == "json":
            body, media_type = package_json(package), "application/json"
        else:
            export = package_export(package, language, identity, dt.datetime.now(JAKARTA).replace(tzinfo=None, microsecond=0))
            body, media_type = await asyncio.to_thread(render, export, file_format), FORMATS[file_format]
        return Response(body, media_type=media_type, headers={"content-disposition": f'attachment; filename="{stem}.{file_format}"'})

    graphql = RegistryGraphQL(state)
    return Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            Route("/exports/hand-over.{format}", hand_over, methods=["GET"]),
            *import_routes(state),
            Route("/healthcheck", healthcheck("registry", state), methods=["GET"]),
            Route("/readiness", readiness("registry", state, {"database": database_check(state)}), methods=["GET"]),
        ],
        lifespan=lifespan,
        middleware=[Middleware(Observed, service="registry", settings=settings, metrics_port=settings.registry_metrics_port,
                               engine=lambda: state.get("engine")),
                    Middleware(RequireIdentity, verifier=verifier)],
    )
