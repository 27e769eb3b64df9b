"""The reporting subgraph as an ASGI application: ``/graphql``, ``/exports/…`` and the health endpoint.

Every request but ``/healthcheck`` needs a verified bearer token (401 otherwise), exports included;
the caller's ``Identity`` reaches every resolver and export, which scope it (domain/access.py).

With the consumer enabled (the default), the same process keeps the projection up to date in a
background task; when several replicas run, one consumes and the others wait on the advisory lock.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from services.reporting import reports
from services.reporting.consumer import OutboxConsumer
from siir.exports.files import FORMATS, render
from siir.exports.layout import LANGUAGES, Language
from services.reporting import indicator_table, reassessment_round, sign_offs
from services.reporting.domain.sign_off import Level
from services.reporting.export_programme import indicators_export, round_export, sign_off_export
from services.reporting.export_tables import (annual_report_export, candidates_export, distribution_export, needs_export,
                                              transitions_export)
from services.reporting.graphql.context import ReportingContext
from services.reporting.graphql.schema import schema
from services.reporting.policy import POLICY
from services.reporting.report_cache import ReportCache
from siir.answer_cache import AnswerCache
from siir.argument_rules import clean_text, in_date_window
from siir.auth.middleware import RequireIdentity, identity_of
from siir.auth.tokens import TokenVerifier, verifier_from_settings
from siir.database import create_engine
from siir.graphql_http import SubgraphGraphQL
from siir import identifiers
from siir.health import Check, database_check, healthcheck, readiness
from siir.observability.observed import Observed
from siir.errors import DomainError, InvalidInput
from siir.settings import Settings

#: The exports: name in the URL → what it is called in the file name.
#: Each export renders one query field's figures, and is reached exactly by the roles that field is
#: (services/reporting/policy.py).
EXPORTS = {"annual-report": "Query.annualReport", "class-distribution": "Query.classDistribution",
           "class-transitions": "Query.classTransitions", "needs-analysis": "Query.needsAnalysis",
           "small-business-candidates": "Query.smallBusinessCandidates",
           "programme-indicators": "Query.programmeIndicators", "reassessment-round": "Query.reassessmentRound",
           "sign-off-status": "Query.signOffStatus"}


class ReportingGraphQL(SubgraphGraphQL):
    """Strawberry's ASGI view with a fresh ``ReportingContext`` (and loaders) per request."""

    def __init__(self, state: dict[str, Any]) -> None:
        super().__init__(schema, graphql_ide="graphiql")
        self.state = state

    async def get_context(self, request: Any, response: Any) -> ReportingContext:  # type: ignore[override]
        return ReportingContext(engine=self.state["engine"], source_engine=self.state["source_engine"],
                                identity=identity_of(request), report_cache=self.state["report_cache"],
                                answer_cache=self.state["answer_cache"])


def _date(field: str, value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(field, "is not a date (YYYY-MM-DD)") from None
    return in_date_window(field, day)


def _required_date(field: str, value: str | None) -> dt.date:
    day = _date(field, value)
    if day is None:
        raise InvalidInput(field, "is required: a date (YYYY-MM-DD)")
    return day


def _first(value: str | None) -> int:
    """``first``: how many candidates; the most one request may ask for unless given."""
    if value is None or value.strip() == "":
        return reports.MAX_CANDIDATES
    try:
        return identifiers.decimal(value.strip())
    except ValueError:
        raise InvalidInput("first", f"must be a whole number between 1 and {reports.MAX_CANDIDATES}") from None


def _text(field: str, value: str | None) -> str | None:
    """A query parameter under the rules of a GraphQL text argument (siir/argument_rules.py)."""
    return None if value is None else clean_text(field, value)


def _bool(field: str, value: str | None) -> bool:
    if value is None or value.lower() in {"", "false", "0", "no"}:
        return False
    if value.lower() in {"true", "1", "yes"}:
        return True
    raise InvalidInput(field, "is not true or false")


def _year(value: str | None) -> int:
    try:
        return identifiers.decimal(value.strip() if value is not None else None)
    except ValueError:
        raise InvalidInput("year", "is required: a calendar year such as 2024") from None


def _level(value: str | None) -> Level:
    """``level`` of a sign-off status: PROVINCE or REGENCY (as the GraphQL enum ``SignOffLevel``)."""
    try:
        return Level((value or "").strip())
    except ValueError:
        raise InvalidInput("level", "is required: PROVINCE or REGENCY") from None


def _language(value: str | None) -> Language:
    """``lang``: the export's language, Indonesian unless ``en`` is asked."""
    if value is None or value == "":
        return "id"
    if value not in LANGUAGES:
        raise InvalidInput("lang", "is not an export language; use id (Indonesian, the default) or en")
    return value  # type: ignore[return-value]


def _error(status: int, error: DomainError) -> JSONResponse:
    return JSONResponse({"errors": [{"message": error.message, "extensions": error.extensions}]}, status_code=status)


def build_app(
    database_url: str, settings: Settings | None = None, *, engine: AsyncEngine | None = None,
    source_url: str | None = None, run_consumer: bool | None = None, verifier: TokenVerifier | None = None,
) -> Starlette:
    """The reporting app: its schema on ``database_url``, the feed read from ``source_url`` (default: the same).

    Tokens are checked by ``verifier``, by default the configured identity provider's keys (or the
    embedded default's own key).
    """
    settings = settings or Settings.from_environment()
    verifier = verifier or verifier_from_settings(settings)
    source_url = source_url or database_url
    consume = settings.reporting_consumer if run_consumer is None else run_consumer
    state: dict[str, Any] = {"report_cache": ReportCache(), "answer_cache": AnswerCache(settings.reporting_answer_cache_size)}

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        own_engine = engine is None
        state["engine"] = engine or create_engine(database_url, pool_size=settings.pool_size)
        state["source_engine"] = (
            state["engine"] if source_url == database_url else create_engine(source_url, pool_size=2)
        )
        stop = asyncio.Event()
        task = None
        if consume:
            consumer = OutboxConsumer(source_url, database_url, batch_size=settings.reporting_batch_size,
                                      poll_interval=settings.reporting_poll_interval)
            task = asyncio.create_task(consumer.run(stop), name="reporting-consumer")
        state["consumer"] = task
        state["ready"] = True
        try:
            yield
        finally:
            state["ready"] = False
            stop.set()
            if task is not None:
                await task
            if state["source_engine"] is not state["engine"]:
                await state["source_engine"].dispose()
            if own_engine:
                await state["engine"].dispose()

    async def export(request: Request) -> Response:
        """``/exports/<name>.{csv|xlsx}?regionCode=…`` (names: ``EXPORTS``) with ``&year=…`` (annual report,
        reassessment round) | ``&asOf=…&groupByChildren=…`` | ``&from=…&to=…&groupByChildren=…`` | ``&first=…`` |
        ``&year=…&groupByChildren=…`` (programme indicators) | ``&year=…&level=PROVINCE|REGENCY`` (sign-off status),
        and ``&lang=id|en``; parameters are checked as the GraphQL field checks its arguments."""
        name, file_format = request.path_params["name"], request.path_params["format"]
        if name not in EXPORTS:
            return _error(404, DomainError(f"no export named {name!r}; there are {', '.join(EXPORTS)}", code="NOT_FOUND"))
        if file_format not in FORMATS:
            return _error(400, InvalidInput("format", "is not an export format; use csv or xlsx"))
        query = request.query_params
        identity = identity_of(request)
        try:
            POLICY.require(identity.role if identity else None, EXPORTS[name])
            language = _language(query.get("lang"))
            async with state["engine"].connect() as connection:
                assignment = await reports.assignment_for(connection, identity)
                if name == "annual-report":
                    report = await reports.annual_report(connection, identity, _text("regionCode", query.get("regionCode")), _year(query.get("year")),
                                                         assignment)
                    export_ = annual_report_export(report, language, identity)
                elif name == "class-transitions":
                    transitions = await reports.class_transitions(
                        connection, identity, _text("regionCode", query.get("regionCode")),
                        _required_date("from", query.get("from")), _required_date("to", query.get("to")),
                        _bool("groupByChildren", query.get("groupByChildren")), assignment,
                    )
                    export_ = transitions_export(transitions, language, identity)
                elif name == "needs-analysis":
                    needs = await reports.needs_analysis(connection, identity, _text("regionCode", query.get("regionCode")),
                                                         assignment)
                    export_ = needs_export(needs, language, identity)
                elif name == "programme-indicators":
                    table = await indicator_table.indicator_table(
                        connection, identity, _text("regionCode", query.get("regionCode")), _year(query.get("year")),
                        _bool("groupByChildren", query.get("groupByChildren")), assignment)
                    export_ = indicators_export(table, language, identity)
                elif name == "reassessment-round":
                    round_ = await reassessment_round.reassessment_round(
                        connection, identity, _text("regionCode", query.get("regionCode")), _year(query.get("year")),
                        assignment)
                    export_ = round_export(round_, language, identity)
                elif name == "sign-off-status":
                    view = await sign_offs.status(connection, identity, _year(query.get("year")),
                                                  _text("regionCode", query.get("regionCode")), _level(query.get("level")))
                    export_ = sign_off_export(view, await reports.find_region(connection, view.region_code), language,
                                              identity)
                elif name == "small-business-candidates":
                    code = _text("regionCode", query.get("regionCode"))
                    first = _first(query.get("first"))
                    rows, _ = await reports.small_business_candidates(connection, identity, code, first, assignment)
                    # The first page (``first``, at most the GraphQL field's largest page); the extra row only
                    # tells GraphQL that more follow.
                    export_ = candidates_export(await reports.find_region(connection, code), rows[:first], language, identity)
                else:
                    distribution = await reports.class_distribution(
                        connection, identity, _text("regionCode", query.get("regionCode")), _date("asOf", query.get("asOf")),
                        _bool("groupByChildren", query.get("groupByChildren")), assignment,
                    )
                    export_ = distribution_export(distribution, language, identity)
        except InvalidInput as error:
            return _error(400, error)
        except DomainError as error:
            return _error(403 if error.code == "FORBIDDEN" else 404 if error.code == "NOT_FOUND" else 400, error)
        body = await asyncio.to_thread(render, export_, file_format)
        stem = export_.file_stem + ("-en" if language == "en" else "")
        return Response(body, media_type=FORMATS[file_format],
                        headers={"content-disposition": f'attachment; filename="{stem}.{file_format}"'})

    async def consumer_alive() -> bool:
        # The consumer retries lost connections itself; a task that ended while serving has crashed.
        return not state["consumer"].done()

    checks: dict[str, Check] = {"database": database_check(state)}
    if source_url != database_url:
        checks["source database"] = database_check(state, "source_engine")
    if consume:
        checks["consumer"] = consumer_alive

    graphql = ReportingGraphQL(state)
    return Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            Route("/healthcheck", healthcheck("reporting", state), methods=["GET"]),
            Route("/readiness", readiness("reporting", state, checks), methods=["GET"]),
            Route("/exports/{name}.{format}", export, methods=["GET"]),
        ],
        lifespan=lifespan,
        middleware=[Middleware(Observed, service="reporting", settings=settings,
                               metrics_port=settings.reporting_metrics_port, engine=lambda: state.get("engine")),
                    Middleware(RequireIdentity, verifier=verifier)],
    )
