"""The ``siir`` command line: run, migrate, seed and inspect the system.

``siir up`` is the whole system on one machine: the database (embedded by default), migrations,
region reference data, demo data, then every service as its own process, printing the URLs.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Sequence
from pathlib import Path

from siir.settings import PROJECT_ROOT, Settings

SCHEMA_DIR = PROJECT_ROOT / "schema"


def _database_url(settings: Settings, *, keep_running: bool = False) -> str:
    from siir.database import resolve_database_url

    return resolve_database_url(settings, keep_embedded_running=keep_running)


def _prepare_database(url: str) -> None:
    from siir.migrations import prepare_database

    settings = Settings.from_environment()
    count = prepare_database(url, settings.reporting_database_url or None)
    print(f"siir: database ready ({count:,} regions)", flush=True)


def cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    _prepare_database(_database_url(settings))
    return 0


def cmd_seed(args: argparse.Namespace, settings: Settings) -> int:
    from services.registry.data.demo_data import seed_demo_data

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
            from siir.migrations import prepare_reporting_database

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


def _wait_healthy(url: str, process: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"siir: {url} exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (our own localhost)
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"siir: {url} did not become healthy in {timeout:.0f} s")


def cmd_up(args: argparse.Namespace, settings: Settings) -> int:
    url = _database_url(settings)
    _prepare_database(url)
    if not args.no_demo:
        from services.registry.data.demo_data import seed_demo_data

        report = asyncio.run(seed_demo_data(url, count=args.demo_count, seed=2016))
        print(f"siir: demo data {report}", flush=True)

    # The embedded default is for trying things: GraphiQL and portal tooling need introspection.
    env = {"SIIR_GATEWAY_INTROSPECTION": "1", **os.environ, "DATABASE_URL": url}
    services: list[tuple[str, list[str], str, str]] = [
        (
            "registry",
            ["registry"],
            f"http://{settings.registry_host}:{settings.registry_port}/healthcheck",
            f"http://{settings.registry_host}:{settings.registry_port}/graphql",
        ),
        (
            "reporting",
            ["reporting"],
            f"http://{settings.reporting_host}:{settings.reporting_port}/healthcheck",
            f"http://{settings.reporting_host}:{settings.reporting_port}/graphql",
        ),
    ]
    supergraph = SCHEMA_DIR / "supergraph.graphql"
    if supergraph.exists() and (Path(__file__).resolve().parent.parent / "gateway" / "__main__.py").exists():
        services.append(
            (
                "gateway",
                ["gateway", "--supergraph", str(supergraph)],
                f"http://{settings.gateway_host}:{settings.gateway_port}/healthcheck",
                f"http://{settings.gateway_host}:{settings.gateway_port}/graphql",
            )
        )
    # The gateway reaches each subgraph where this run serves it (ports may differ from the supergraph's).
    for name, _, _, endpoint in services:
        env.setdefault(f"SIIR_SUBGRAPH_{name.upper()}_URL", endpoint)
    processes: list[subprocess.Popen[bytes]] = []
    try:
        for name, argv, health, endpoint in services:
            process = subprocess.Popen([sys.executable, "-m", "siir", *argv], env=env)
            processes.append(process)
            _wait_healthy(health, process)
            print(f"siir: {name:<9} {endpoint}", flush=True)
        print("siir: up. Ctrl-C stops everything.", flush=True)
        while all(p.poll() is None for p in processes):
            time.sleep(0.5)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


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


COMMANDS: dict[str, Callable[[argparse.Namespace, Settings], int]] = {
    "up": cmd_up,
    "migrate": cmd_migrate,
    "seed": cmd_seed,
    "registry": cmd_registry,
    "reporting": cmd_reporting,
    "gateway": cmd_gateway,
    "export-schema": cmd_export_schema,
    "compose": cmd_compose,
    "token": cmd_token,
    "register-documents": cmd_register_documents,
}
SUBCOMMANDS: frozenset[str] = frozenset(COMMANDS)


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="siir", description=__doc__)
    sub = root.add_subparsers(dest="command", required=True)
    up = sub.add_parser("up", help="run the whole system (database, migrations, demo data, services)")
    up.add_argument("--demo-count", type=int, default=2000, help="demo IR to seed on first start")
    up.add_argument("--no-demo", action="store_true", help="do not seed demo data")
    sub.add_parser("migrate", help="apply migrations and load the region reference list")
    seed = sub.add_parser("seed", help="load deterministic demo data (COPY)")
    seed.add_argument("--count", type=int, default=2000)
    seed.add_argument("--seed", type=int, default=2016)
    for name in ("registry", "reporting"):
        service = sub.add_parser(name, help=f"serve the {name} subgraph")
        service.add_argument("--host")
        service.add_argument("--port", type=int)
        if name == "reporting":
            service.add_argument("--no-consumer", action="store_true", help="serve only; another process consumes")
    gateway = sub.add_parser("gateway", help="serve the federation gateway")
    gateway.add_argument("--supergraph", default=str(SCHEMA_DIR / "supergraph.graphql"), help="file or http(s) URL")
    gateway.add_argument("--host")
    gateway.add_argument("--port", type=int)
    sub.add_parser("export-schema", help="write the served subgraph SDLs to schema/")
    sub.add_parser("compose", help="export the subgraph SDLs and compose schema/supergraph.graphql")
    token = sub.add_parser("token", help="print a bearer token signed by the embedded default's key")
    token.add_argument("--role", required=True, choices=["MINISTRY", "PROVINCE_OFFICER", "DISTRICT_OFFICER",
                                                         "FACILITATOR", "PARTNER", "ANALYST"])
    token.add_argument("--sub", required=True, help="the caller (subject), e.g. an officer's user name")
    token.add_argument("--region", help="Kemendagri code: a province for PROVINCE_OFFICER, a regency/city "
                                        "for DISTRICT_OFFICER and FACILITATOR, optional for ANALYST")
    token.add_argument("--partner", help="the partner institution's id (PARTNER only)")
    token.add_argument("--scope", help="extra space-separated scopes, e.g. 'export:read'")
    token.add_argument("--lifetime", type=int, default=8 * 3600, help="seconds until it expires (default 8 h)")
    documents = sub.add_parser("register-documents", help="register a portal's persisted-document manifest "
                                                          "(Apollo/Hive JSON) for the gateway")
    documents.add_argument("manifest", type=Path, help="persisted-query-manifest.json")
    documents.add_argument("--supergraph", type=Path, default=SCHEMA_DIR / "supergraph.graphql",
                           help="validate every operation against this supergraph")
    documents.add_argument("--no-check", action="store_true", help="do not validate against the supergraph")
    return root


def main(argv: Sequence[str] | None = None) -> None:
    args = parser().parse_args(argv)
    raise SystemExit(COMMANDS[args.command](args, Settings.from_environment()))
