"""``rudprk events``, ``event``, ``articles search``, ``export`` and ``stats``: the analyst's
read-only commands. The questions are in :mod:`storage.queries` and :mod:`storage.search`;
this module only parses options and formats rows (table, JSON, JSON Lines, CSV)."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TextIO

import typer

from flows.feeds_cli import format_table, open_database
from flows.terminal import current_settings, fail, parse_moment, reported_errors
from storage.engine import session_scope
from storage.queries import (
    AgreementStage,
    EventFilter,
    Row,
    agreement_stage,
    event_detail,
    iter_articles,
    list_events,
    stats,
)
from storage.search import search_articles

articles_app = typer.Typer(help="Stored articles: full-text search.", no_args_is_help=True)


class ExportKind(StrEnum):
    events = "events"
    articles = "articles"


class ExportFormat(StrEnum):
    csv = "csv"
    jsonl = "jsonl"


def moment_option(option: str, value: str | None) -> datetime | None:
    """An optional time option (see :func:`flows.terminal.parse_moment`), relative to now."""
    return None if value is None else parse_moment(option, value, datetime.now(UTC))


def stage_options(values: list[str] | None) -> tuple[AgreementStage, ...]:
    """``--stage`` values, or exit with one line naming the first unknown one."""
    stages: list[AgreementStage] = []
    for value in values or ():
        try:
            stages.append(AgreementStage(value.strip().lower()))
        except ValueError:
            known = ", ".join(stage.value for stage in AgreementStage)
            fail(f"--stage: expected one of {known}, got {value!r}")
    return tuple(stages)


def plain(value: Any) -> Any:
    """A JSON/CSV-ready value: times in ISO 8601 UTC."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    return value


def plain_row(row: Row) -> dict[str, Any]:
    return {key: plain(value) for key, value in row.items()}


def write_jsonl(rows: Iterable[Row], out: TextIO) -> int:
    count = 0
    for row in rows:
        out.write(json.dumps(plain_row(row), ensure_ascii=False) + "\n")
        count += 1
    return count


def write_csv(rows: Iterable[Row], out: TextIO) -> int:
    writer: csv.DictWriter[str] | None = None
    count = 0
    for row in rows:
        if writer is None:
            writer = csv.DictWriter(out, fieldnames=list(row), lineterminator="\n")
            writer.writeheader()
        writer.writerow({k: "" if v is None else v for k, v in plain_row(row).items()})
        count += 1
    return count


@contextmanager
def output(path: Path | None) -> Iterator[TextIO]:
    if path is None or str(path) == "-":
        yield sys.stdout
        return
    try:
        handle = path.open("w", encoding="utf-8", newline="")
    except OSError as exc:
        fail(f"cannot write {path}: {exc.strerror}")
    with handle:
        yield handle


def figure_text(row: Row) -> str:
    low, high = row.get("figure_low"), row.get("figure_high")
    if low is None and high is None:
        return "-"
    figure = f"{low:,}" if low == high or high is None else f"{low:,}–{high:,}"
    unit = row.get("figure_unit")
    return f"{figure} {unit}" if unit else figure


def type_text(row: Row) -> str:
    """The event type, with an agreement's stage: ``agreement (signed)``."""
    stage = agreement_stage(row["event_type"], row.get("stage"))
    return f"{row['event_type']} ({stage})" if stage else str(row["event_type"])


def event_table(rows: list[Row]) -> str:
    table = [["ID", "FIRST SEEN", "TYPE", "STATUS", "FIGURE", "PLACE", "SOURCES", "SUMMARY"]]
    for row in rows:
        table.append(
            [
                str(row["id"]),
                f"{row['first_seen_at']:%Y-%m-%d %H:%M}",
                type_text(row),
                row["modality"],
                figure_text(row),
                row["place"] or "-",
                str(row["sources"]),
                row["summary"][:60],
            ]
        )
    return format_table(table)


def events(
    event_type: Annotated[
        list[str] | None, typer.Option("--type", help="Event type (repeatable).")
    ] = None,
    status: Annotated[
        list[str] | None,
        typer.Option("--status", help="Modality as stored: new, planned, … (repeatable)."),
    ] = None,
    stage: Annotated[
        list[str] | None,
        typer.Option(
            "--stage",
            help="Agreements at this stage: announced, signed, ratified, in_force, implemented "
            "(repeatable).",
        ),
    ] = None,
    since: Annotated[str | None, typer.Option(help="First seen since: 30d, 12h or a date.")] = None,
    until: Annotated[
        str | None, typer.Option(help="First seen before: 30d, 12h or a date.")
    ] = None,
    lang: Annotated[
        str | None, typer.Option("--lang", help="Reported by an article in this language.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON Lines, one event a line.")] = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="CSV with a header line.")] = False,
    limit: Annotated[int, typer.Option(min=1, help="At most this many, newest first.")] = 200,
) -> None:
    """Stored events (the v_events view), newest first, filtered."""
    if as_json and as_csv:
        fail("--json and --csv: choose one")
    where = EventFilter(
        event_types=tuple(event_type or ()),
        modalities=tuple(status or ()),
        stages=stage_options(stage),
        since=moment_option("--since", since),
        until=moment_option("--until", until),
        language=lang,
    )
    factory = open_database(current_settings())
    with reported_errors(), session_scope(factory) as session:
        rows = list_events(session, where, limit=limit)
    if as_json:
        write_jsonl(rows, sys.stdout)
    elif as_csv:
        write_csv(rows, sys.stdout)
    elif rows:
        typer.echo(event_table(rows))
    else:
        typer.echo("no events match")


def event(
    event_id: Annotated[int, typer.Argument(help="The event's id (see rudprk events).")],
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object.")] = False,
) -> None:
    """One event: its figures, the articles that report it (origin and copies), its history."""
    factory = open_database(current_settings())
    with reported_errors(), session_scope(factory) as session:
        detail = event_detail(session, event_id)
    if detail is None:
        fail(f"no event {event_id}; see rudprk events")
    if as_json:
        typer.echo(
            json.dumps(
                {
                    **plain_row(detail.event),
                    "sources": [plain_row(r) for r in detail.sources],
                    "decisions": [plain_row(r) for r in detail.decisions],
                    "alerts": [plain_row(r) for r in detail.alerts],
                },
                ensure_ascii=False,
            )
        )
        return
    ev = detail.event
    typer.echo(f"event {ev['id']}: {ev['summary']}")
    for key in ("event_type", "modality", "place", "event_date", "claimant", "confidence"):
        typer.echo(f"  {key}: {plain(ev[key]) if ev[key] is not None else '-'}")
    typer.echo(f"  figure: {figure_text(ev)}")
    typer.echo(
        f"  first seen: {ev['first_seen_at']:%Y-%m-%d %H:%M} UTC, last seen: "
        f"{ev['last_seen_at']:%Y-%m-%d %H:%M} UTC"
    )
    typer.echo(f"sources ({ev['sources']} feeds, {ev['articles']} articles):")
    for src in detail.sources:
        when = f"{src['published_at']:%Y-%m-%d %H:%M}" if src["published_at"] else "-"
        typer.echo(
            f"  {src['role']:<6} {when}  {src['feed_name']} [{src['language'] or '-'}] "
            f"{src['title']}  {src['url'] or ''}".rstrip()
        )
    typer.echo("history:")
    history = [
        (
            r["decided_at"],
            f"decided {r['outcome']} ({r['reason']}{', ' + r['rule'] if r['rule'] else ''})",
        )
        for r in detail.decisions
    ] + [
        (
            r["created_at"],
            f"alert {r['alert_id']} {r['kind']} via {r['channel'] or '-'}: {r['status'] or '-'}",
        )
        for r in detail.alerts
    ]
    history.append((ev["first_seen_at"], "first seen"))
    for moment, what in sorted(history, key=lambda item: item[0]):
        typer.echo(f"  {moment:%Y-%m-%d %H:%M}  {what}")


@articles_app.command("search")
def articles_search(
    query: Annotated[str, typer.Argument(help="Words to find (FTS5 syntax on SQLite).")],
    lang: Annotated[
        str | None, typer.Option("--lang", help="Only articles in this language.")
    ] = None,
    since: Annotated[str | None, typer.Option(help="Published since: 30d, 12h or a date.")] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="JSON Lines, one article a line.")
    ] = False,
    limit: Annotated[int, typer.Option(min=1, help="At most this many, best first.")] = 50,
) -> None:
    """Full-text search over the stored articles' titles, summaries and bodies."""
    start = moment_option("--since", since)
    factory = open_database(current_settings())
    with reported_errors(), session_scope(factory) as session:
        hits = search_articles(session, query, language=lang, since=start, limit=limit)
    if as_json:
        write_jsonl((vars(hit) for hit in hits), sys.stdout)
        return
    if not hits:
        typer.echo("no articles match")
        return
    for hit in hits:
        when = hit.published_at or hit.discovered_at
        typer.echo(
            f"{hit.article_id}  {when:%Y-%m-%d}  {hit.feed_name} [{hit.language or '-'}]  {hit.title}"
        )
        if hit.snippet:
            typer.echo(f"    {hit.snippet}")


def export(
    kind: Annotated[ExportKind, typer.Argument(help="What to export.")],
    fmt: Annotated[
        ExportFormat, typer.Option("--format", help="csv or jsonl.")
    ] = ExportFormat.jsonl,
    out: Annotated[
        Path | None, typer.Option("--output", "-o", help="The file to write (stdout by default).")
    ] = None,
    since: Annotated[str | None, typer.Option(help="First seen / discovered since.")] = None,
) -> None:
    """Every event or article as CSV or JSON Lines (the v_events / v_articles columns)."""
    start = moment_option("--since", since)
    factory = open_database(current_settings())
    writer = write_csv if fmt is ExportFormat.csv else write_jsonl
    with reported_errors(), session_scope(factory) as session, output(out) as handle:
        if kind is ExportKind.events:
            count = writer(list_events(session, EventFilter(since=start)), handle)
        else:
            count = writer(iter_articles(session, since=start), handle)
    if out is not None and str(out) != "-":
        typer.echo(f"{count} {kind.value} written to {out}", err=True)


def stats_command(
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object.")] = False,
) -> None:
    """What the database holds: feeds, articles by language, events by type, alerts by status."""
    factory = open_database(current_settings())
    with reported_errors(), session_scope(factory) as session:
        counted = stats(session)
    if as_json:
        typer.echo(json.dumps({k: plain(v) for k, v in vars(counted).items()}, ensure_ascii=False))
        return
    typer.echo(
        f"feeds: {counted.feeds} ({counted.feeds_enabled} enabled, {counted.feeds_failing} failing)"
    )
    typer.echo(f"articles: {counted.articles} ({counted.articles_relevant} relevant)")
    for title, counts in (
        ("articles by language", counted.articles_by_language),
        ("events by type", counted.events_by_type),
        ("alerts by status", counted.alerts_by_status),
    ):
        typer.echo(f"{title}: " + (", ".join(f"{k} {v}" for k, v in counts.items()) or "none"))
    if counted.first_event_at and counted.last_event_at:
        typer.echo(
            f"events first seen from {counted.first_event_at:%Y-%m-%d} "
            f"to {counted.last_event_at:%Y-%m-%d}"
        )
