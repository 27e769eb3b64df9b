"""The ``siir`` command line: run, migrate, seed and inspect the system.

``siir up`` is the whole system on one machine: the database (embedded by default), migrations,
region reference data, demo data, then every service as its own supervised process (restarted when
it exits; all stopped, the embedded database too, on SIGTERM or Ctrl-C), printing the URLs.

Every subcommand is one entry of ``COMMANDS``: what it runs, its help line and its arguments.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from siir.settings import PROJECT_ROOT, Settings

SCHEMA_DIR = PROJECT_ROOT / "schema"


def _database_url(settings: Settings, *, keep_running: bool = False) -> str:
    from siir.database import resolve_database_url

    return resolve_database_url(settings, keep_embedded_running=keep_running)


def _prepare_database(url: str) -> None:
    from siirctl.preparation import prepare_database

    settings = Settings.from_environment()
    count = prepare_database(url, settings.reporting_database_url or None)
    print(f"siir: database ready ({count:,} regions)", flush=True)


def cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    _prepare_database(_database_url(settings))
    return 0


def cmd_seed(args: argparse.Namespace, settings: Settings) -> int:
    from services.registry_demo.seeding import seed_demo_data

    url = _database_url(settings)
    _prepare_database(url)
    report = asyncio.run(seed_demo_data(url, count=args.count, seed=args.seed))
    print(f"siir: {report}", flush=True)
    return 0


def _serve(app_factory: Callable[[str], object], host: str, port: int, settings: Settings) -> int:
    import uvicorn

    url = _database_url(settings)
    uvicorn.run(
        app_factory(url),  # type: ignore[arg-type]
        host=host,
        port=port,
        loop="uvloop",
        http="httptools",
        log_level=os.environ.get("SIIR_LOG_LEVEL", "warning"),
        access_log=False,
    )
    return 0


def cmd_registry(args: argparse.Namespace, settings: Settings) -> int:
    from services.registry.app import build_app

    return _serve(
        lambda url: build_app(url, settings), args.host or settings.registry_host, args.port or settings.registry_port, settings
    )


def cmd_reporting(args: argparse.Namespace, settings: Settings) -> int:
    """Serve the reporting subgraph; unless disabled, its outbox consumer runs in the same process."""
    from services.reporting.app import build_app

    def app(url: str) -> object:
        target = settings.reporting_database_url or url
        if target != url:  # reporting on a database of its own: its schema and regions live there
            from siirctl.preparation import prepare_reporting_database

            prepare_reporting_database(target)
        return build_app(target, settings, source_url=settings.reporting_source_url or url,
                         run_consumer=False if args.no_consumer else None)

    return _serve(app, args.host or settings.reporting_host, args.port or settings.reporting_port, settings)


def cmd_gateway(args: argparse.Namespace, settings: Settings) -> int:
    from gateway.__main__ import main as gateway_main

    argv = ["--supergraph", str(args.supergraph)]
    argv += ["--host", args.host or settings.gateway_host, "--port", str(args.port or settings.gateway_port)]
    return gateway_main(argv) or 0


def cmd_export_schema(args: argparse.Namespace, settings: Settings) -> int:
    """Write each subgraph's served SDL to schema/<name>.graphql, and docs/roles.md from the policies."""
    from services.registry.sdl import registry_sdl
    from services.reporting.sdl import reporting_sdl

    from services.registry.policy import POLICY as registry_policy
    from services.reporting.policy import POLICY as reporting_policy
    from siir.policy.docs import roles_page

    for name, sdl in {"registry": registry_sdl(), "reporting": reporting_sdl()}.items():
        path = SCHEMA_DIR / f"{name}.graphql"
        path.write_text(sdl)
        print(f"siir: wrote {path.relative_to(PROJECT_ROOT)}")
    # The roles page is generated from the same policies the schemas' directives come from.
    roles = PROJECT_ROOT / "docs" / "roles.md"
    roles.write_text(roles_page([registry_policy, reporting_policy]))
    print(f"siir: wrote {roles.relative_to(PROJECT_ROOT)}")
    return 0


def cmd_compose(args: argparse.Namespace, settings: Settings) -> int:
    """Export the subgraph SDLs and compose schema/supergraph.graphql from them."""
    cmd_export_schema(args, settings)
    from gateway.compose import write_supergraph

    path = write_supergraph(SCHEMA_DIR)
    print(f"siir: wrote {Path(path).relative_to(PROJECT_ROOT)}")
    return 0


def cmd_token(args: argparse.Namespace, settings: Settings) -> int:
    """Print a bearer token for one caller, signed by the embedded default's own key."""
    from siir.auth.identity import InvalidClaims
    from siir.auth.keys import load_or_create_signing_key
    from siir.auth.tokens import issue_token

    if settings.auth_jwks_url or settings.auth_public_keys:
        print("siir: warning: SIIR_AUTH_JWKS_URL/SIIR_AUTH_PUBLIC_KEYS are set; services trust that identity "
              "provider, not this embedded key", file=sys.stderr)
    try:
        token = issue_token(load_or_create_signing_key(settings.data_dir), subject=args.sub, role=args.role,
                            region=args.region, partner=args.partner, scope=args.scope, lifetime=args.lifetime,
                            issuer=settings.auth_issuer, audience=settings.auth_audience)
    except InvalidClaims as error:
        raise SystemExit(f"siir token: {error}") from None
    print(token)
    return 0


def cmd_up(args: argparse.Namespace, settings: Settings) -> int:
    from siir.embedded import stop_embedded_server
    from siirctl.supervision import Service, Supervisor

    # Until the services run, SIGTERM interrupts like Ctrl-C: preparation stops, the database too.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        url = _database_url(settings)
        _prepare_database(url)
        if not args.no_demo:
            from services.registry_demo.seeding import seed_demo_data

            report = asyncio.run(seed_demo_data(url, count=args.demo_count, seed=2016))
            print(f"siir: demo data {report}", flush=True)

        # The embedded default is for trying things: GraphiQL and portal tooling need introspection.
        env = {"SIIR_GATEWAY_INTROSPECTION": "1", **os.environ, "DATABASE_URL": url}
        supergraph = SCHEMA_DIR / "supergraph.graphql"
        hosts = {"registry": (settings.registry_host, settings.registry_port),
                 "reporting": (settings.reporting_host, settings.reporting_port),
                 "gateway": (settings.gateway_host, settings.gateway_port)}
        arguments = {"registry": ["registry"], "reporting": ["reporting"],
                     "gateway": ["gateway", "--supergraph", str(supergraph)]}
        # The gateway reaches each subgraph where this run serves it (ports may differ from the supergraph's).
        for name in ("registry", "reporting"):
            env.setdefault(f"SIIR_SUBGRAPH_{name.upper()}_URL", "http://%s:%d/graphql" % hosts[name])
        supervisor = Supervisor([
            Service(name, [sys.executable, "-m", "siirctl", *arguments[name]],
                    ready_url="http://%s:%d/readiness" % hosts[name], endpoint="http://%s:%d/graphql" % hosts[name])
            for name in ("registry", "reporting", "gateway")
        ], environment=env)
        supervisor.install_signal_handlers()
        return supervisor.run(on_ready=lambda: print("siir: up. Ctrl-C stops everything.", flush=True))
    except KeyboardInterrupt:
        print("siir: interrupted before the services started", flush=True)
        return 130
    finally:
        if not settings.database_url and stop_embedded_server(settings.data_dir):
            print("siir: embedded PostgreSQL stopped", flush=True)


def cmd_register_documents(args: argparse.Namespace, settings: Settings) -> int:
    """Register a portal's persisted-document manifest for the gateway (gateway/persisted_documents.py)."""
    from gateway.persisted_documents import ManifestError, register_manifest

    try:
        count, where = register_manifest(args.manifest, settings, None if args.no_check else args.supergraph)
    except (ManifestError, OSError) as error:
        print(f"siir register-documents: {args.manifest}: {error}", file=sys.stderr)
        return 2
    print(f"registered {count} operations from {args.manifest} in {where}")
    return 0


def _interrupt(number: int, frame: object) -> None:
    raise KeyboardInterrupt


@dataclass(frozen=True)
class Command:
    """A subcommand: what it runs, its help line, and a function adding its arguments."""

    run: Callable[[argparse.Namespace, Settings], int]
    help: str
    arguments: Callable[[argparse.ArgumentParser], None] = lambda parser: None


def _up_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--demo-count", type=int, default=2000, help="demo IR to seed on first start")
    parser.add_argument("--no-demo", action="store_true", help="do not seed demo data")


def _seed_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=2016)


def _service_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host")
    parser.add_argument("--port", type=int)


def _reporting_arguments(parser: argparse.ArgumentParser) -> None:
    _service_arguments(parser)
    parser.add_argument("--no-consumer", action="store_true", help="serve only; another process consumes")


def _gateway_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--supergraph", default=str(SCHEMA_DIR / "supergraph.graphql"), help="file or http(s) URL")
    _service_arguments(parser)


def _token_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--role", required=True, choices=["MINISTRY", "PROVINCE_OFFICER", "DISTRICT_OFFICER",
                                                          "FACILITATOR", "PARTNER", "ANALYST"])
    parser.add_argument("--sub", required=True, help="the caller (subject), e.g. an officer's user name")
    parser.add_argument("--region", help="Kemendagri code: a province for PROVINCE_OFFICER, a regency/city "
                                         "for DISTRICT_OFFICER and FACILITATOR, optional for ANALYST")
    parser.add_argument("--partner", help="the partner institution's id (PARTNER only)")
    parser.add_argument("--scope", help="extra space-separated scopes, e.g. 'export:read'")
    parser.add_argument("--lifetime", type=int, default=8 * 3600, help="seconds until it expires (default 8 h)")


def _register_documents_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("manifest", type=Path, help="persisted-query-manifest.json")
    parser.add_argument("--supergraph", type=Path, default=SCHEMA_DIR / "supergraph.graphql",
                        help="validate every operation against this supergraph")
    parser.add_argument("--no-check", action="store_true", help="do not validate against the supergraph")


COMMANDS: dict[str, Command] = {
    "up": Command(cmd_up, "run the whole system (database, migrations, demo data, supervised services)",
                  _up_arguments),
    "migrate": Command(cmd_migrate, "apply migrations and load the region reference list"),
    "seed": Command(cmd_seed, "load deterministic demo data (COPY)", _seed_arguments),
    "registry": Command(cmd_registry, "serve the registry subgraph", _service_arguments),
    "reporting": Command(cmd_reporting, "serve the reporting subgraph", _reporting_arguments),
    "gateway": Command(cmd_gateway, "serve the federation gateway", _gateway_arguments),
    "export-schema": Command(cmd_export_schema, "write the served subgraph SDLs to schema/"),
    "compose": Command(cmd_compose, "export the subgraph SDLs and compose schema/supergraph.graphql"),
    "token": Command(cmd_token, "print a bearer token signed by the embedded default's key", _token_arguments),
    "register-documents": Command(cmd_register_documents, "register a portal's persisted-document manifest "
                                  "(Apollo/Hive JSON) for the gateway", _register_documents_arguments),
}
SUBCOMMANDS: frozenset[str] = frozenset(COMMANDS)


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="siir", description=__doc__)
    sub = root.add_subparsers(dest="command", required=True)
    for name, command in COMMANDS.items():
        command.arguments(sub.add_parser(name, help=command.help))
    return root


def main(argv: Sequence[str] | None = None) -> None:
    args = parser().parse_args(argv)
    raise SystemExit(COMMANDS[args.command].run(args, Settings.from_environment()))
