"""``python -m flows`` is the ``rudprk`` command."""

from flows.cli import main

main()
