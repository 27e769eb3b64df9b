"""The database engine shared by the services: one async SQLAlchemy engine per process."""

from __future__ import annotations

from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from siir.embedded import start_embedded_server
from siir.observability import tracing
from siir.settings import Settings


def resolve_database_url(settings: Settings, *, keep_embedded_running: bool = False) -> str:
    """The plain ``postgresql://`` URL to use: ``DATABASE_URL`` or the embedded server's."""
    if settings.database_url:
        return settings.database_url
    return start_embedded_server(settings.data_dir, keep_running=keep_embedded_running)


def async_url(url: str) -> str:
    """The SQLAlchemy URL for asyncpg, from any ``postgres(ql)://`` URL."""
    parsed = make_url(url)
    return parsed.set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)


def asyncpg_dsn(url: str) -> dict[str, object]:
    """Keyword arguments for ``asyncpg.connect`` (COPY-heavy code talks to asyncpg directly)."""
    parsed = make_url(url)
    kwargs: dict[str, object] = {
        "user": parsed.username or "postgres",
        "database": parsed.database or "postgres",
    }
    if parsed.password:
        kwargs["password"] = parsed.password
    host = parsed.query.get("host") or parsed.host or "127.0.0.1"
    kwargs["host"] = host if isinstance(host, str) else host[0]
    if parsed.port:
        kwargs["port"] = parsed.port
    return kwargs


def create_engine(url: str, *, pool_size: int = 10) -> AsyncEngine:
    """An asyncpg engine; statements are prepared once per connection and cached (and traced, when
    tracing is on).

    It opens up to twice ``pool_size`` connections as concurrency needs them and keeps every one it
    opened. (The same ceiling as a pool of ``pool_size`` with as many overflow connections, without
    the overflow's churn: under steady load above ``pool_size`` each returned overflow connection was
    closed and the next request opened a new one, a server process and a TLS handshake each time,
    27 a second on a regency page at 16 clients, measured for issue 16.)"""
    engine = create_async_engine(
        async_url(url),
        pool_size=2 * pool_size,
        max_overflow=0,
        pool_pre_ping=False,
        connect_args={"server_settings": {"application_name": "siir", "timezone": "Asia/Jakarta"}},
    )
    tracing.instrument_engine(engine)
    return engine
