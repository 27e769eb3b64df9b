"""The deployment files agree with the code: docker-compose.yml and the Dockerfile.

Docker does not run where the tests run, so these read the files: a compose service whose
command is not a ``siir`` subcommand, an environment variable nobody reads, a port that is not
the service's default or a missing healthcheck would only show up at ``docker compose up``.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml

import siirctl.cli
from siir.settings import PROJECT_ROOT, Settings

COMPOSE = PROJECT_ROOT / "docker-compose.yml"
DOCKERFILE = PROJECT_ROOT / "Dockerfile"
SUBGRAPHS = PROJECT_ROOT / "schema" / "subgraphs.yaml"

#: Services of the target topology whose code may not be built yet (the lead adds them);
#: their checks skip, with the reason, until the subcommand or subgraph exists.
NOT_YET_BUILT = {"reporting"}

#: Which Settings field holds each service's default port.
SERVICE_PORTS = {"registry": "registry_port", "reporting": "reporting_port", "gateway": "gateway_port"}


def _compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text())


def _services() -> dict[str, dict[str, Any]]:
    return _compose()["services"]


def _siir_services() -> list[str]:
    """Services built from the project's image (not PostgreSQL)."""
    return [name for name, service in _services().items() if "build" in service]


def _settings_variables() -> set[str]:
    """Environment variables siir/settings.py reads (``env.get("NAME", …)``)."""
    source = (PROJECT_ROOT / "siir" / "settings.py").read_text()
    return set(re.findall(r'env\.get\("([A-Z0-9_]+)"', source))


def _subgraph_names() -> set[str]:
    return set(yaml.safe_load(SUBGRAPHS.read_text()) or {})


def _command(service: dict[str, Any]) -> list[str]:
    command = service.get("command", [])
    return shlex.split(command) if isinstance(command, str) else list(command)


def test_settings_reads_the_variables_this_test_relies_on() -> None:
    # Guards the regex above: if settings.py stops using env.get, this test must be rewritten.
    assert {"DATABASE_URL", "SIIR_REGISTRY_HOST", "SIIR_GATEWAY_PORT"} <= _settings_variables()


def test_compose_has_the_target_topology() -> None:
    services = _services()
    assert {"db", "migrate", "registry", "reporting", "gateway"} <= set(services)
    db = services["db"]
    assert db["image"].startswith("postgres:16")
    assert any(str(volume).endswith(":/var/lib/postgresql/data") for volume in db["volumes"])
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    # One image: every project service is built from the repository's Dockerfile.
    assert {(str(services[n]["build"]), services[n].get("image")) for n in _siir_services()} == {(".", "siir:latest")}


@pytest.mark.parametrize("name", _siir_services())
def test_service_command_is_a_siir_subcommand(name: str) -> None:
    command = _command(_services()[name])
    assert command[:1] == ["siir"], command
    subcommands: frozenset[str] | None = getattr(siirctl.cli, "SUBCOMMANDS", None)
    if subcommands is None:
        pytest.skip("siirctl.cli.SUBCOMMANDS is not exposed yet")
    if command[1] not in subcommands and command[1] in NOT_YET_BUILT:
        pytest.skip(f"`siir {command[1]}` is part of the target topology but not built yet")
    assert command[1] in subcommands, f"{name}: `siir {command[1]}` is not a siir subcommand"
    if command[1] == "gateway":
        # The supergraph file is resolved in the image's working directory, the repository root.
        index = command.index("--supergraph")
        assert (PROJECT_ROOT / command[index + 1]).parent.is_dir()


@pytest.mark.parametrize("name", _siir_services())
def test_service_environment_is_read_by_the_code(name: str) -> None:
    known = _settings_variables()
    subgraphs = _subgraph_names()
    environment = _services()[name].get("environment", {})
    assert environment["DATABASE_URL"] == "postgresql://siir:siir@db:5432/siir"
    for variable in environment:
        match = re.fullmatch(r"SIIR_SUBGRAPH_([A-Z0-9_]+)_URL", variable)
        if match:
            subgraph = match.group(1).lower()
            if subgraph not in subgraphs and subgraph in NOT_YET_BUILT:
                continue  # target topology: the subgraph joins schema/subgraphs.yaml when built
            assert subgraph in subgraphs, f"{name}: {variable} names no subgraph of schema/subgraphs.yaml"
        else:
            assert variable in known, f"{name}: {variable} is not read by siir/settings.py"


@pytest.mark.parametrize("name", sorted(SERVICE_PORTS))
def test_service_listens_on_all_interfaces_at_its_default_port(name: str) -> None:
    service = _services()[name]
    defaults = Settings()
    port = getattr(defaults, SERVICE_PORTS[name])
    environment = service["environment"]
    assert environment[f"SIIR_{name.upper()}_HOST"] == "0.0.0.0"
    assert int(environment.get(f"SIIR_{name.upper()}_PORT", port)) == port
    # Replicas publish nothing: the balancer is the one way in (subgraphs stay inside the compose
    # network, so the gateway's limits cannot be bypassed).
    assert "ports" not in service and service["expose"] == [str(port)]
    probe = " ".join(service["healthcheck"]["test"])
    assert f"http://127.0.0.1:{port}/healthcheck" in probe
    assert "curl" not in probe and "wget" not in probe  # python:3.11-slim has neither


def _balanced() -> dict[int, str]:
    """What the balancer's nginx.conf sends where: listen port -> ``service:port`` of its upstream."""
    conf = (PROJECT_ROOT / "deploy" / "nginx.conf").read_text()
    upstreams = dict(re.findall(r"upstream (\w+)\s*\{[^}]*?server ([\w.-]+:\d+) resolve;", conf))
    servers = re.findall(r"listen (\d+);.*?proxy_pass http://(\w+);", conf, re.S)
    return {int(port): upstreams[name] for port, name in servers}


def test_gateway_reaches_each_subgraph_s_replicas_through_the_balancer() -> None:
    environment = _services()["gateway"]["environment"]
    balanced = _balanced()
    for subgraph in _subgraph_names() | (NOT_YET_BUILT & set(_services())):
        port = getattr(Settings(), SERVICE_PORTS[subgraph])
        assert environment[f"SIIR_SUBGRAPH_{subgraph.upper()}_URL"] == f"http://balancer:{port}/graphql"
        assert balanced[port] == f"{subgraph}:{port}"


def test_two_replicas_of_each_service_behind_one_published_port() -> None:
    services = _services()
    for name in SERVICE_PORTS:
        assert services[name]["deploy"]["replicas"] == 2, name
    published = {name: service["ports"] for name, service in services.items() if "ports" in service}
    assert published == {"balancer": ["4000:4000"]}
    assert _balanced()[4000] == "gateway:4000"
    balancer = services["balancer"]
    assert balancer["image"].startswith("nginx:")
    assert "./deploy/nginx.conf:/etc/nginx/nginx.conf:ro" in balancer["volumes"]
    assert set(balancer["expose"]) == {str(p) for p in _balanced() if p != 4000}


def test_the_gateway_replicas_share_their_state_through_redis() -> None:
    services = _services()
    assert services["redis"]["image"].startswith("redis:")
    environment = services["gateway"]["environment"]
    assert environment["SIIR_REDIS_URL"] == "redis://redis:6379/0"
    assert services["gateway"]["depends_on"]["redis"] == {"condition": "service_healthy"}


def test_the_reporting_replicas_leave_one_consumer_to_the_advisory_lock() -> None:
    """Both replicas keep the consumer on; its advisory lock makes the second a standby
    (tests/reporting/test_consumer.py::test_only_one_consumer_holds_the_lock)."""
    environment = _services()["reporting"].get("environment", {})
    assert environment.get("SIIR_REPORTING_CONSUMER", "on").lower() not in {"off", "0", "false", "no"}
    assert "--no-consumer" not in _command(_services()["reporting"])


@pytest.mark.parametrize("name", list(_services()))
def test_every_service_has_a_healthcheck_and_real_dependencies(name: str) -> None:
    services = _services()
    service = services[name]
    assert service.get("healthcheck", {}).get("test"), f"{name} has no healthcheck"
    depends_on = service.get("depends_on", {})
    for target, condition in (depends_on.items() if isinstance(depends_on, dict) else ()):
        assert target in services, f"{name} depends on unknown service {target}"
        assert condition["condition"] in {"service_healthy", "service_completed_successfully"}
    if name in _siir_services() and name != "migrate":
        # Services start after the schema exists.
        assert "migrate" in depends_on or any("migrate" in services[t].get("depends_on", {}) for t in depends_on)


def test_dockerfile_builds_one_non_root_image_from_existing_paths() -> None:
    lines = [line.strip() for line in DOCKERFILE.read_text().splitlines()]
    instructions = [line for line in lines if line and not line.startswith("#")]
    assert instructions[0] == "FROM python:3.11-slim"
    copies = [line.split()[1:-1] for line in instructions if line.startswith("COPY ")]
    assert copies
    for sources in copies:
        for source in sources:
            assert (PROJECT_ROOT / source).exists(), f"Dockerfile copies {source}, which does not exist"
    users = [line.split()[1] for line in instructions if line.startswith("USER ")]
    assert users and users[-1] not in {"root", "0"}
    assert any("pip install" in line for line in instructions)
    # Everything the running code reads from the checkout is in the image.
    copied = {Path(source).parts[0] for sources in copies for source in sources}
    assert {"siir", "services", "gateway", "schema", "pyproject.toml"} <= copied
    ignored = (PROJECT_ROOT / ".dockerignore").read_text().split()
    assert not copied & set(ignored)
