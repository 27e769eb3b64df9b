"""The packages depend one way: ``siirctl`` → services and gateway → ``siir``; never back.

Walks every ``import`` (top-level or inside a function) with ``ast``, so a lazy import counts too.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from siir.settings import PROJECT_ROOT

#: Packages the shared package must not know: the services, the gateway, the command line, the demo data.
FORBIDDEN = ("services", "gateway", "siirctl")


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """Every module ``path`` imports, absolute names, with its line."""
    tree = ast.parse(path.read_text(), filename=str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", None)) in (
            "import_module", "__import__", "run_module"
        ) and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
            found.append((node.lineno, node.args[0].value))
    return found


def offending(package: str, forbidden: tuple[str, ...]) -> list[str]:
    lines = []
    for path in sorted((PROJECT_ROOT / package).rglob("*.py")):
        for line, module in imported_modules(path):
            if module.split(".")[0] in forbidden:
                lines.append(f"{path.relative_to(PROJECT_ROOT)}:{line} imports {module}")
    return lines


def test_the_walk_sees_lazy_and_dynamic_imports(tmp_path: Path) -> None:
    source = tmp_path / "sample.py"
    source.write_text("import os\n\ndef f():\n    from services.registry import app\n"
                      "    import gateway.server as g\n    importlib.import_module('siirctl.cli')\n")
    assert [module for _, module in imported_modules(source)] == ["os", "services.registry", "gateway.server",
                                                                 "siirctl.cli"]


def test_the_shared_package_imports_no_service_gateway_or_command_line() -> None:
    assert offending("siir", FORBIDDEN) == []


@pytest.mark.parametrize("package", ["services", "gateway"])
def test_services_and_gateway_do_not_import_the_command_line(package: str) -> None:
    assert offending(package, ("siirctl",)) == []


def test_the_registry_runtime_does_not_import_the_demo_data() -> None:
    lines = []
    for path in sorted((PROJECT_ROOT / "services").rglob("*.py")):
        if "registry_demo" not in path.parts:
            lines += [f"{path.relative_to(PROJECT_ROOT)}:{line} imports {module}"
                      for line, module in imported_modules(path) if module.startswith("services.registry_demo")]
    assert lines == []


def test_importing_every_module_of_the_shared_package_loads_no_service() -> None:
    # In a fresh interpreter (this one has the services loaded already): the walk covered real
    # modules, and none of them pulls a service, the gateway or the command line in at import time.
    names = sorted(
        ".".join(path.relative_to(PROJECT_ROOT).with_suffix("").parts).removesuffix(".__init__")
        for path in (PROJECT_ROOT / "siir").rglob("*.py")
    )
    assert len(names) > 10
    program = (
        "import importlib, sys\n"
        f"for name in {names!r}: importlib.import_module(name)\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r}))\n"
    )
    done = subprocess.run([sys.executable, "-c", program], cwd=PROJECT_ROOT, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
