"""``python -m flows`` is the ``rudprk`` command."""

from flows.cli import app

app(prog_name="rudprk")
