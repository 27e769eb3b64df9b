"""``python -m services.registry``: the registry subgraph alone (same as ``siir registry``)."""

from siirctl.cli import main

main(["registry"])
