"""``python -m services.reporting``: the reporting subgraph and its consumer (same as ``siir reporting``)."""

from siirctl.cli import main

main(["reporting"])
