"""Settings read from the environment, once, in one place.

Every service and the command line share these; nothing else reads ``os.environ`` for
configuration, so a deployment has one list of knobs (see docker-compose.yml).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True, slots=True)
class Settings:
    """What a SIIR process needs to know about its environment."""

    #: ``postgresql://…`` of an existing server; when empty, the embedded server is used.
    database_url: str = ""
    #: Where the embedded server keeps its data (ignored by git).
    data_dir: Path = PROJECT_ROOT / ".siir"
    registry_host: str = "127.0.0.1"
    registry_port: int = 4001
    reporting_host: str = "127.0.0.1"
    reporting_port: int = 4002
    gateway_host: str = "127.0.0.1"
    gateway_port: int = 4000
    #: The classification rule set applied to new assessments (a row of registry.rule_sets).
    rule_set: str = "PERMEN_PPPA_2_2016"
    #: The small-enterprise thresholds applied to new assessments (a row of
    #: registry.graduation_thresholds): UU_20_2008 as the regulation cites, or PP_7_2021.
    graduation_thresholds: str = "UU_20_2008"
    #: Database connections per process: up to twice this many are opened as needed, and kept (siir/database.py).
    pool_size: int = 10
    #: Answers the registry keeps for repeated queries (services/registry/graphql/answer_cache.py); 0 keeps none.
    answer_cache_size: int = 1000
    #: Answers reporting keeps for repeated queries (services/reporting/graphql/answer_cache.py); 0 keeps none.
    reporting_answer_cache_size: int = 1000
    #: Bearer tokens must carry this ``iss`` and ``aud``.
    auth_issuer: str = "siir-local"
    auth_audience: str = "siir"
    #: The identity provider's JWKS (production); or PEM public key files; when neither is
    #: set, the embedded default's own key under ``data_dir/auth`` (``siir token`` signs with it).
    auth_jwks_url: str = ""
    auth_public_keys: tuple[str, ...] = ()
    #: Gateway abuse limits (gateway/limits.py), no looser than GraphQL Armor's defaults.
    gateway_max_depth: int = 6
    gateway_max_aliases: int = 15
    gateway_max_tokens: int = 1000
    gateway_max_directives: int = 50
    gateway_max_cost: int = 10_000
    gateway_default_page_size: int = 10
    gateway_max_body_bytes: int = 262_144
    #: Requests per second per subject (token bucket refill) and the bucket size; 0 disables.
    gateway_rate_limit: float = 50.0
    gateway_rate_burst: int = 100
    #: Introspection (``__schema``/``__type``) and "Did you mean …?" hints: off unless set
    #: (``siir up`` turns introspection on for the embedded default).
    gateway_introspection: bool = False
    gateway_field_suggestions: bool = False
    #: ``redis://…`` shared by every gateway replica: rate limits, the APQ cache and registered
    #: persisted documents live there; when empty, each process keeps its own (one replica).
    redis_url: str = ""
    #: Prefix of every key SIIR writes in that Redis (several deployments may share one server).
    redis_prefix: str = "siir:"
    #: Automatic persisted queries (Apollo's protocol): clients may send a query's SHA-256 alone.
    gateway_apq: bool = True
    #: Production mode: execute only registered persisted documents (``siir register-documents``).
    gateway_persisted_documents_only: bool = False
    #: Where registered persisted documents are kept when no Redis is configured.
    persisted_documents_dir: Path = PROJECT_ROOT / ".siir" / "persisted-documents"
    #: Seconds between checks of the supergraph file (or URL) for a new version; 0 disables.
    gateway_supergraph_poll_interval: float = 10.0

    #: Origins (``scheme://host[:port]``, or ``*``) whose pages may call the gateway (CORS);
    #: none: no CORS headers, so browsers allow only same-origin pages (gateway/cors.py).
    cors_origins: tuple[str, ...] = ()
    #: The map page's base tiles (``https://…/{z}/{x}/{y}.png``); empty: no tiles, a plain background
    #: (an intranet without internet). Its origin is added to the page's Content-Security-Policy.
    map_tiles_url: str = ""
    map_tiles_attribution: str = ""
    #: Where reporting reads the registry's outbox feed (default: DATABASE_URL).
    reporting_source_url: str = ""
    #: Where reporting keeps its schema ``reporting`` (default: DATABASE_URL): another server works.
    reporting_database_url: str = ""
    #: Whether ``siir reporting`` also runs the outbox consumer (one runs at a time: advisory lock).
    reporting_consumer: bool = True
    #: Events applied per consumer transaction.
    reporting_batch_size: int = 5000
    #: Seconds the consumer waits when the outbox has nothing new.
    reporting_poll_interval: float = 0.5
    #: Logs: ``text`` (a terminal) or ``json`` (one object a line, for a log shipper); the level
    #: of everything but the access log, which logs one line per request unless ``access_log`` is off.
    log_format: str = "text"
    log_level: str = "warning"
    access_log: bool = True
    #: Prometheus metrics on a listener of their own (siir/observability/metrics.py), never on the
    #: public port; 0 serves none. ``metrics_host`` is where those listeners bind.
    metrics_host: str = "127.0.0.1"
    gateway_metrics_port: int = 0
    registry_metrics_port: int = 0
    reporting_metrics_port: int = 0
    #: Traces: exported over OTLP (the exporter reads the other ``OTEL_*`` variables) when
    #: ``OTEL_TRACES_EXPORTER`` is ``otlp`` or an ``OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT`` is set.
    tracing: bool = False
    extra: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_environment(cls) -> "Settings":
        env = os.environ
        data_dir = Path(env.get("SIIR_DATA_DIR", str(PROJECT_ROOT / ".siir")))
        return cls(
            database_url=env.get("DATABASE_URL", ""),
            data_dir=data_dir,
            registry_host=env.get("SIIR_REGISTRY_HOST", "127.0.0.1"),
            registry_port=int(env.get("SIIR_REGISTRY_PORT", "4001")),
            reporting_host=env.get("SIIR_REPORTING_HOST", "127.0.0.1"),
            reporting_port=int(env.get("SIIR_REPORTING_PORT", "4002")),
            gateway_host=env.get("SIIR_GATEWAY_HOST", "127.0.0.1"),
            gateway_port=int(env.get("SIIR_GATEWAY_PORT", "4000")),
            rule_set=env.get("SIIR_RULE_SET", "PERMEN_PPPA_2_2016"),
            graduation_thresholds=env.get("SIIR_GRADUATION_THRESHOLDS", "UU_20_2008"),
            pool_size=int(env.get("SIIR_DB_POOL_SIZE", "10")),
            answer_cache_size=int(env.get("SIIR_REGISTRY_ANSWER_CACHE_SIZE", "1000")),
            reporting_answer_cache_size=int(env.get("SIIR_REPORTING_ANSWER_CACHE_SIZE", "1000")),
            auth_issuer=env.get("SIIR_AUTH_ISSUER", "siir-local"),
            auth_audience=env.get("SIIR_AUTH_AUDIENCE", "siir"),
            auth_jwks_url=env.get("SIIR_AUTH_JWKS_URL", ""),
            auth_public_keys=tuple(p for p in env.get("SIIR_AUTH_PUBLIC_KEYS", "").split(",") if p),
            gateway_max_depth=int(env.get("SIIR_GATEWAY_MAX_DEPTH", "6")),
            gateway_max_aliases=int(env.get("SIIR_GATEWAY_MAX_ALIASES", "15")),
            gateway_max_tokens=int(env.get("SIIR_GATEWAY_MAX_TOKENS", "1000")),
            gateway_max_directives=int(env.get("SIIR_GATEWAY_MAX_DIRECTIVES", "50")),
            gateway_max_cost=int(env.get("SIIR_GATEWAY_MAX_COST", "10000")),
            gateway_default_page_size=int(env.get("SIIR_GATEWAY_DEFAULT_PAGE_SIZE", "10")),
            gateway_max_body_bytes=int(env.get("SIIR_GATEWAY_MAX_BODY_BYTES", "262144")),
            gateway_rate_limit=float(env.get("SIIR_GATEWAY_RATE_LIMIT", "50")),
            gateway_rate_burst=int(env.get("SIIR_GATEWAY_RATE_BURST", "100")),
            gateway_introspection=_flag(env.get("SIIR_GATEWAY_INTROSPECTION", "")),
            gateway_field_suggestions=_flag(env.get("SIIR_GATEWAY_FIELD_SUGGESTIONS", "")),
            redis_url=env.get("SIIR_REDIS_URL", ""),
            redis_prefix=env.get("SIIR_REDIS_PREFIX", "siir:"),
            gateway_apq=env.get("SIIR_GATEWAY_APQ", "on").lower() not in {"off", "0", "false", "no"},
            gateway_persisted_documents_only=_flag(env.get("SIIR_GATEWAY_PERSISTED_DOCUMENTS_ONLY", "")),
            persisted_documents_dir=Path(env.get("SIIR_PERSISTED_DOCUMENTS_DIR", str(data_dir / "persisted-documents"))),
            gateway_supergraph_poll_interval=float(env.get("SIIR_GATEWAY_SUPERGRAPH_POLL_INTERVAL", "10")),

            cors_origins=tuple(o.strip() for o in env.get("SIIR_CORS_ORIGINS", "").split(",") if o.strip()),
            map_tiles_url=env.get("SIIR_MAP_TILES_URL", "").strip(),
            map_tiles_attribution=env.get("SIIR_MAP_TILES_ATTRIBUTION", "").strip(),
            reporting_source_url=env.get("SIIR_REPORTING_SOURCE_URL", ""),
            reporting_database_url=env.get("SIIR_REPORTING_DATABASE_URL", ""),
            reporting_consumer=env.get("SIIR_REPORTING_CONSUMER", "on").lower() not in {"off", "0", "false", "no"},
            reporting_batch_size=int(env.get("SIIR_REPORTING_BATCH_SIZE", "5000")),
            reporting_poll_interval=float(env.get("SIIR_REPORTING_POLL_INTERVAL", "0.5")),
            log_format=env.get("SIIR_LOG_FORMAT", "text").strip().lower(),
            log_level=env.get("SIIR_LOG_LEVEL", "warning").strip().lower(),
            access_log=env.get("SIIR_ACCESS_LOG", "on").lower() not in {"off", "0", "false", "no"},
            metrics_host=env.get("SIIR_METRICS_HOST", "127.0.0.1"),
            gateway_metrics_port=int(env.get("SIIR_GATEWAY_METRICS_PORT", "0")),
            registry_metrics_port=int(env.get("SIIR_REGISTRY_METRICS_PORT", "0")),
            reporting_metrics_port=int(env.get("SIIR_REPORTING_METRICS_PORT", "0")),
            tracing=_tracing_configured(env),
        )


def _tracing_configured(env: Mapping[str, str]) -> bool:
    # The OpenTelemetry SDK's own variables decide; off unless one of them asks for traces.
    if _flag(env.get("OTEL_SDK_DISABLED", "")):
        return False
    exporter = env.get("OTEL_TRACES_EXPORTER", "").strip().lower()
    if exporter:
        return exporter == "otlp"
    return bool(env.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") or env.get("OTEL_EXPORTER_OTLP_ENDPOINT"))


def _flag(value: str) -> bool:
    return value.strip().lower() in ("1", "true", "yes", "on")
