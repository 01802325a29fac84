"""``rudprk report --html FILE [--since]``: the HTML report (:mod:`flows.report`) of what the
database holds, written to a file."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from flows.feeds_cli import open_database
from flows.queries_cli import moment_option
from flows.report import render_report
from flows.terminal import current_settings, fail, reported_errors
from storage.engine import session_scope
from storage.report import load_report


def report(
    html: Annotated[
        Path | None,
        typer.Option("--html", help="The HTML file to write (a self-contained page)."),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(help="Events first seen and alerts created since: 30d, 12h or a date."),
    ] = None,
) -> None:
    """A self-contained HTML page: charts, the events with their sources and history, the
    alerts and the feeds' health."""
    if html is None:
        fail("--html FILE is required: the page to write")
    start = moment_option("--since", since)
    if html.is_dir():
        fail(f"cannot write {html}: it is a directory")
    factory = open_database(current_settings())
    with reported_errors(), session_scope(factory) as session:
        data = load_report(session, since=start)
    page = render_report(data, datetime.now(UTC))
    try:
        html.write_text(page, encoding="utf-8")
    except OSError as exc:
        fail(f"cannot write {html}: {exc.strerror}")
    typer.echo(
        f"report written to {html}: {len(data.events)} event(s), {len(data.alerts)} alert "
        f"deliveries, {len(data.feeds)} feed(s)"
    )
