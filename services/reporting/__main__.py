"""``python -m services.reporting``: the reporting subgraph and its consumer (same as ``siir reporting``)."""

from siir.cli import main

main(["reporting"])
