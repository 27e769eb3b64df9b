"""Which module runs the ``siir`` command line in a checkout: benchmarks compare revisions from
before and after it moved from ``siir`` to ``siirctl``."""

from __future__ import annotations

from pathlib import Path


def cli_module(root: Path) -> str:
    """``siirctl`` where the checkout has it, else the older ``siir``."""
    return "siirctl" if (root / "siirctl" / "__main__.py").exists() else "siir"
