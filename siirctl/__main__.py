"""``python -m siirctl ARGS``: the same as the ``siir`` console script."""

from siirctl.cli import main

main()
