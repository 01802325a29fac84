"""``rudprk feeds …``: the feeds' health table, add (with autodiscovery), remove, disable,
enable, sync, check, OPML."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import httpx
import typer
from sqlalchemy.orm import Session, sessionmaker

from flows.ingest.harvest import HarvestConfig, ProbeResult, probe_feed
from flows.ingest.urls import feed_url_problem
from flows.settings import Settings
from flows.terminal import current_settings, fail, progress_bar, reported_errors
from storage.engine import create_db_engine, create_session_factory, session_scope
from storage.feeds import (
    FeedSource,
    add_feed,
    article_counts,
    disable_feed_by_url,
    enable_feed,
    list_feeds,
    remove_feed,
)
from storage.migrate import upgrade_database
from storage.models import Feed

feeds_app = typer.Typer(
    help="Manage feeds: health, add, remove, disable, enable, sync, check, OPML.",
    no_args_is_help=True,
)

# Tests (and the demo) may route every request through a loopback transport.
PROBE_TRANSPORT: httpx.AsyncBaseTransport | None = None


def open_database(settings: Settings) -> sessionmaker[Session]:
    with reported_errors():
        engine = create_db_engine(settings.database_dsn())
        upgrade_database(engine)
        return create_session_factory(engine)
    raise AssertionError("unreachable")


def probe_config(settings: Settings) -> HarvestConfig:
    return HarvestConfig(user_agent=settings.user_agent, timeout_seconds=settings.timeout_seconds)


def run_probe(url: str, settings: Settings) -> ProbeResult:
    return asyncio.run(probe_feed(url, config=probe_config(settings), transport=PROBE_TRANSPORT))


def format_time(value: datetime | None, now: datetime) -> str:
    if value is None:
        return "-"
    delta = (value - now).total_seconds()
    span = abs(delta)
    if span < 90:
        text = f"{span:.0f}s"
    elif span < 5400:
        text = f"{span / 60:.0f}m"
    elif span < 172_800:
        text = f"{span / 3600:.0f}h"
    else:
        text = f"{span / 86400:.0f}d"
    return f"in {text}" if delta > 0 else f"{text} ago"


def format_table(rows: list[list[str]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in rows
    )


def _moment(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def feed_as_dict(feed: Feed, articles: int) -> dict[str, object]:
    """One feed of ``feeds list --json``."""
    return {
        "id": feed.id,
        "name": feed.name,
        "url": feed.url,
        "language": feed.language,
        "enabled": feed.enabled,
        "disabled_reason": feed.disabled_reason,
        "last_checked_at": _moment(feed.last_checked_at),
        "last_success_at": _moment(feed.last_success_at),
        "next_check_at": _moment(feed.next_check_at) if feed.enabled else None,
        "interval_seconds": feed.check_interval_seconds,
        "error_count": feed.error_count or 0,
        "last_error": feed.last_error,
        "last_error_status": feed.last_error_status,
        "entries_seen": feed.entries_seen or 0,
        "articles": articles,
    }


@feeds_app.command("list")
def list_command(
    errors_only: Annotated[
        bool, typer.Option("--failing", help="Only feeds whose last check failed.")
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="A JSON array, one object per feed.")
    ] = False,
) -> None:
    """Health table: last success, errors, last error, next check, entries seen, articles stored."""
    factory = open_database(current_settings())
    now = datetime.now(UTC)
    with factory() as session:
        feeds = list_feeds(session)
        stored = article_counts(session)
    if as_json:
        chosen = [f for f in feeds if f.error_count or not errors_only]
        items = [feed_as_dict(f, stored.get(f.id, 0)) for f in chosen]
        typer.echo(json.dumps(items, ensure_ascii=False, indent=1))
        return
    rows = [
        [
            "NAME",
            "STATE",
            "LAST OK",
            "ERRORS",
            "LAST ERROR",
            "NEXT CHECK",
            "ENTRIES",
            "ARTICLES",
            "URL",
        ]
    ]
    for feed in feeds:
        if errors_only and not feed.error_count:
            continue
        state = "on" if feed.enabled else "off"
        error = feed.disabled_reason if not feed.enabled else feed.last_error
        rows.append(
            [
                feed.name[:40],
                state,
                format_time(feed.last_success_at, now),
                str(feed.error_count or 0),
                (error or "-")[:60].replace("\n", " "),
                format_time(feed.next_check_at, now) if feed.enabled else "-",
                str(feed.entries_seen or 0),
                str(stored.get(feed.id, 0)),
                feed.url,
            ]
        )
    typer.echo(format_table(rows))
    typer.echo(f"{len(rows) - 1} feed(s)")


def choose_feed(candidates: list[str], choice: int | None) -> str:
    """The discovered feed to add: ``--choose N``, a prompt on a terminal, else the first."""
    for i, candidate in enumerate(candidates, 1):
        typer.echo(f"  [{i}] {candidate}")
    if choice is None and len(candidates) > 1 and sys.stdin.isatty():
        choice = typer.prompt("Feed to add", default=1, type=int)
    index = (choice or 1) - 1
    if not 0 <= index < len(candidates):
        fail(f"--choose must be between 1 and {len(candidates)}")
    return candidates[index]


@feeds_app.command("add")
def add_command(
    url: str,
    name: Annotated[
        str | None, typer.Option(help="Display name (default: the feed's title).")
    ] = None,
    language: Annotated[
        str | None, typer.Option(help="Language code when the feed does not say (fr, en…).")
    ] = None,
    choose: Annotated[
        int | None,
        typer.Option(help="When URL is a web page advertising several feeds, which one (1-based)."),
    ] = None,
) -> None:
    """Validate URL by fetching and parsing it, then add it; on an HTML page, offer its feeds."""
    settings = current_settings()
    problem = feed_url_problem(url)
    if problem is not None:
        fail(f"cannot add {url}: {problem}", code=1)
    probe = run_probe(url, settings)
    if probe.feed is None and probe.discovered:
        typer.echo(f"{url} is a web page, not a feed; it advertises:")
        url = choose_feed(probe.discovered, choose)
        probe = run_probe(url, settings)
    if probe.feed is None:
        fail(f"cannot add {url}: {probe.error or 'not a feed'}", code=1)
    feed_url = probe.permanent_redirect or url
    if feed_url != url:
        typer.echo(f"{url} has moved permanently to {feed_url}")
    title = name or probe.feed.title or (httpx.URL(feed_url).host or feed_url)
    factory = open_database(settings)
    with reported_errors(), session_scope(factory) as session:
        new_id = add_feed(
            session,
            FeedSource(name=title, url=feed_url, language=language or probe.feed.language),
            datetime.now(UTC),
        )
    if new_id is None:
        fail(f"{feed_url} is already in the database (rudprk feeds enable re-enables it)", code=1)
    typer.echo(
        f"added feed {new_id}: {title} <{feed_url}> ({probe.feed.format}, "
        f"{len(probe.feed.entries)} entries)"
    )


def _change_feed(url: str, change: Callable[[Session, str], bool], done: str) -> None:
    """Apply ``change`` to the feed of ``url`` in one unit; exit 1 when there is none."""
    factory = open_database(current_settings())
    with reported_errors(), session_scope(factory) as session:
        found = change(session, url)
    if not found:
        fail(f"no feed with URL {url}", code=1)
    typer.echo(f"{done} {url}")


@feeds_app.command("remove")
def remove_command(url: str) -> None:
    """Delete a feed and the articles stored from it."""
    _change_feed(url, remove_feed, "removed")


@feeds_app.command("enable")
def enable_command(url: str) -> None:
    """Re-enable a feed (disabled with the CLI, after 410 Gone, or left the sources file) and
    clear its error count: checked on the next pass."""
    _change_feed(url, enable_feed, "enabled")


@feeds_app.command("disable")
def disable_command(url: str) -> None:
    """Stop checking a feed, keeping it and its articles, until ``feeds enable``; the sources
    file never enables it again."""
    _change_feed(url, disable_feed_by_url, "disabled")


@feeds_app.command("sync")
def sync_command(
    force: Annotated[
        bool, typer.Option("--force", help="Reconcile even when the file has not changed.")
    ] = False,
) -> None:
    """Make the feeds follow the sources file now (each pass does it when the file changed)."""
    settings = current_settings()
    from flows.pipeline import sync_sources

    factory = open_database(settings)
    with reported_errors():
        report = sync_sources(factory, settings, datetime.now(UTC), force=force)
    typer.echo(report.line())
    for label, urls in (
        ("added", report.added),
        ("disabled", report.disabled),
        ("enabled", report.enabled),
        ("left removed", report.kept_removed),
    ):
        for url in urls:
            typer.echo(f"  {label}: {url}")


@feeds_app.command("check")
def check_command(
    url: str,
    show: Annotated[int, typer.Option(help="How many entries to print.")] = 5,
) -> None:
    """Fetch and parse URL and report what was found, without storing anything."""
    probe = run_probe(url, current_settings())
    typer.echo(f"url:          {url}")
    if probe.final_url and probe.final_url != url:
        typer.echo(f"final url:    {probe.final_url}")
    typer.echo(f"status:       {probe.status if probe.status is not None else '-'}")
    typer.echo(f"content type: {probe.content_type or '-'}")
    if probe.feed is None:
        typer.echo(f"error:        {probe.error}")
        if probe.discovered:
            typer.echo("feeds advertised by this page:")
            for candidate in probe.discovered:
                typer.echo(f"  {candidate}")
        raise typer.Exit(1)
    feed = probe.feed
    typer.echo(f"format:       {feed.format}")
    typer.echo(f"title:        {feed.title or '-'}")
    typer.echo(f"language:     {feed.language or '-'}")
    typer.echo(f"ttl:          {feed.ttl_seconds if feed.ttl_seconds is not None else '-'}")
    typer.echo(f"entries:      {len(feed.entries)}")
    for warning in feed.warnings:
        typer.echo(f"warning:      {warning}")
    for entry in feed.entries[:show]:
        date = entry.published.isoformat() if entry.published else "undated"
        typer.echo(f"  - {date}  {entry.title[:90]}")
        if entry.link:
            typer.echo(f"    {entry.link}")


@feeds_app.command("import")
def import_command(path: Path) -> None:
    """Add the feeds of an OPML file (feeds already present are left as they are).

    Only http(s) feeds are imported; each other one is refused with a line on stderr, and the
    command then exits 1 after importing the rest.
    """
    from flows.ingest.opml import read_opml

    try:
        content = path.read_bytes()
    except OSError as exc:
        fail(f"cannot read {path}: {exc.strerror}")
    with reported_errors():
        listed = read_opml(content)
    sources: list[FeedSource] = []
    for source in listed:
        problem = feed_url_problem(source.url)
        if problem is None:
            sources.append(source)
        else:
            typer.echo(f"refused: {source.name} <{source.url}>: {problem}", err=True)
    refused = len(listed) - len(sources)
    factory = open_database(current_settings())
    now = datetime.now(UTC)
    added = 0
    with (
        reported_errors(),
        progress_bar("import") as advance,
        session_scope(factory) as session,
    ):
        for done, source in enumerate(sources, 1):
            if add_feed(session, source, now) is not None:
                added += 1
            if advance is not None:
                advance(done, len(sources))
    text = f"imported {added} new feed(s), {len(sources) - added} already present"
    if refused:
        text += f", {refused} refused"
    typer.echo(text)
    if refused:
        raise typer.Exit(1)


@feeds_app.command("export")
def export_command(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout.")
    ] = None,
) -> None:
    """Write every feed as OPML 2.0."""
    from flows.ingest.opml import write_opml

    factory = open_database(current_settings())
    with factory() as session:
        feeds = list_feeds(session)
    content = write_opml([FeedSource(f.name, f.url, f.language, f.category) for f in feeds])
    if output is None:
        sys.stdout.buffer.write(content)
        sys.stdout.buffer.flush()
    else:
        output.write_bytes(content)
        typer.echo(f"exported {len(feeds)} feed(s) to {output}")
