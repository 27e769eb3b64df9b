"""``python -m services.registry``: the registry subgraph alone (same as ``siir registry``)."""

from siir.cli import main

main(["registry"])
