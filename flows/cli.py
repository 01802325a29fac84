"""The ``rudprk`` command line."""

from __future__ import annotations

import json
import logging
import os
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from flows import queries_cli, report_cli
from flows.alerts_cli import alerts_app
from flows.feeds_cli import feeds_app
from flows.health import ExitCode, PassSummary
from flows.runlog import KeyValueFormatter
from flows.terminal import (
    current_settings,
    fail,
    interactive,
    parse_moment,
    progress_bar,
    reported_errors,
)

if TYPE_CHECKING:
    from sqlalchemy import Engine

os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

app = typer.Typer(
    name="rudprk",
    help="Watch the press for Russia–North Korea cooperation and e-mail new events.",
    no_args_is_help=True,
    add_completion=False,
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")


def _print_version(value: bool) -> None:
    if value:
        from flows.settings import VERSION

        typer.echo(f"rudprk-watch {VERSION}")
        raise typer.Exit()


@app.callback()
def top_level(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Watch the press for Russia–North Korea cooperation and e-mail new events."""


# The analyst's read-only commands (flows/queries_cli.py).
app.add_typer(queries_cli.articles_app, name="articles")
app.command("events")(queries_cli.events)
app.command("event")(queries_cli.event)
app.command("export")(queries_cli.export)
app.command("stats")(queries_cli.stats_command)
app.command("report")(report_cli.report)


def configure_logging(verbose: bool, *, quiet: bool = False) -> None:
    """Warnings on stderr (progress too with ``verbose``; only errors with ``quiet``)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(KeyValueFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    level = logging.INFO if verbose else logging.ERROR if quiet else logging.WARNING
    root.setLevel(level)


VerboseOpt = Annotated[bool, typer.Option("--verbose", "-v", help="Log progress to stderr.")]


@app.command()
def run(
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
    use_prefect: Annotated[
        bool, typer.Option("--prefect", help="Run the pass as the Prefect flow 'monitor'.")
    ] = False,
    force: Annotated[
        bool,
        typer.Option("--force", help="Check every enabled feed now, ignoring their schedules."),
    ] = False,
    quiet: Annotated[
        bool,
        typer.Option(
            "--quiet",
            "-q",
            help="For cron: no output at all unless the pass fails (then its one stderr line); "
            "a pass skipped because another one runs (6) stays silent too.",
        ),
    ] = False,
    verbose: VerboseOpt = False,
) -> None:
    """One pass: fetch feeds, store new articles, detect events, send alerts (for system cron).

    Exit codes: 0 all good (single failing feeds are reported); 2 could not start
    (configuration, database unreachable); 3 alerts undelivered (refused for good, waiting
    for a retry, or the channel unreachable); 4 every feed failed; 5 the database failed
    during the pass; 6 another pass holds a stage's lock.
    """
    if quiet and (as_json or verbose):
        fail("--quiet cannot be combined with --json or --verbose")
    configure_logging(verbose, quiet=quiet)
    settings = current_settings()
    with reported_errors():
        if use_prefect:
            from flows.monitor import run_monitor
            from flows.serve import PrefectServerError, check_api

            api_url = os.environ.get("PREFECT_API_URL")
            try:
                if api_url:
                    check_api(api_url)
            except PrefectServerError as exc:
                fail(str(exc))
            summary = run_monitor(force=force)
        else:
            from flows.pipeline import run_pass

            summary = run_pass(settings, force=force)
    code = summary.exit_code
    if quiet:
        if code and code is not ExitCode.LOCKED:
            typer.echo(f"rudprk: {exit_reason(summary)}", err=True)
        raise typer.Exit(int(code))
    if as_json:
        typer.echo(summary.to_json())
    else:
        typer.echo(summary.line())
        for subject in summary.delivered:
            typer.echo(f"  sent: {subject}")
        if not settings.smtp_host and summary.delivered:
            typer.echo(f"  (no RUDPRK_SMTP_HOST: alerts written to {settings.outbox_dir})")
    if code:
        typer.echo(f"rudprk: {exit_reason(summary)}", err=True)
    raise typer.Exit(int(code))


def exit_reason(summary: PassSummary) -> str:
    """The one stderr line of a pass that exits non-zero (cron mails it)."""
    code = summary.exit_code
    if code in (ExitCode.DATABASE_ERROR, ExitCode.LOCKED):
        return f"error: {summary.error}"
    if code is ExitCode.ALERTS_UNDELIVERED:
        alerts = len({item["alert_id"] for item in summary.undelivered})
        text = (
            f"{alerts} alert(s) undelivered ({summary.alerts_failed} refused for good, "
            "waiting for an operator)"
        )
        if summary.delivery_error:
            text += f"; delivery: {summary.delivery_error}"
        return text + "; see rudprk alerts list --status undelivered"
    return f"every feed failed ({summary.feeds_failed} of {summary.feeds}); see rudprk feeds list"


@app.command()
def serve(
    port: Annotated[
        int,
        typer.Option(
            min=1,
            max=65535,
            help="Port of the local Prefect server started when PREFECT_API_URL is unset.",
        ),
    ] = 4200,
    interval: Annotated[
        float | None,
        typer.Option(
            min=5,
            max=86400,
            help="Run 'monitor' every SECONDS instead of on RUDPRK_SCHEDULE (cron cannot go "
            "below a minute); at least 5.",
            metavar="SECONDS",
        ),
    ] = None,
    verbose: VerboseOpt = False,
) -> None:
    """Serve the Prefect flows 'monitor' (on RUDPRK_SCHEDULE, default every 15 minutes, or
    every --interval seconds) and 'digest' (daily at RUDPRK_DIGEST_HOUR) in one process."""
    configure_logging(verbose)
    settings = current_settings()
    from flows.serve import PrefectServerError, serve_flows

    try:
        serve_flows(settings, port=port, interval=interval, echo=typer.echo)
    except PrefectServerError as exc:
        fail(str(exc))
    except KeyboardInterrupt:
        typer.echo("stopped")


@app.command()
def check(
    feeds: Annotated[
        bool,
        typer.Option(
            "--feeds/--no-feeds", help="Fetch every feed too (--no-feeds for a health check)."
        ),
    ] = True,
) -> None:
    """Is it ready? Settings, sources file, database and migrations, SMTP login and channels,
    models, each feed: a line each; exit 1 when a check fails (warn lines do not fail)."""
    from flows.checks import run_checks

    results = run_checks(feeds=feeds)
    for result in results:
        typer.echo(result.line())
    failed = [r for r in results if r.status == "fail"]
    if failed:
        typer.echo(f"rudprk: {len(failed)} of {len(results)} checks failed", err=True)
        raise typer.Exit(1)


@app.command()
def demo(
    fresh: Annotated[
        bool, typer.Option("--fresh", help="Start from an empty demo database.")
    ] = False,
    verbose: VerboseOpt = False,
) -> None:
    """The whole pipeline offline: sample feeds on loopback HTTP, alerts to a loopback SMTP server."""
    configure_logging(verbose)
    settings = current_settings()
    from flows.demo import run_demo

    demo_dir = settings.data_dir / "demo"
    if fresh and demo_dir.exists():
        shutil.rmtree(demo_dir)
    with reported_errors():
        run_demo(settings, data_dir=demo_dir, echo=typer.echo)


@app.command()
def digest(
    hours: Annotated[float, typer.Option(help="Length of the period, ending now.")] = 24.0,
    verbose: VerboseOpt = False,
) -> None:
    """Send a digest now: the period's events and the feeds failing repeatedly.

    Passes also send one daily digest by themselves at RUDPRK_DIGEST_HOUR (RUDPRK_TIMEZONE). Delivery
    runs under the database's delivery lock, like a pass (exit 6 while a pass delivers).
    """
    configure_logging(verbose)
    if hours <= 0:
        fail(f"--hours must be more than 0, got {hours:g}")
    settings = current_settings()
    from alerts.delivery import enqueue_digest
    from flows.pipeline import PassIdentity, deliver_alerts, opened_database, stage_lock
    from storage.faults import run_unit

    now = datetime.now(UTC).replace(microsecond=0)
    who = PassIdentity.new("rudprk digest")
    with (
        reported_errors(),
        opened_database(settings.database_dsn()) as factory,
        stage_lock(factory, settings, "delivery", who) as lock,
    ):
        added = run_unit(
            factory,
            lambda s: enqueue_digest(
                s, period_start=now - timedelta(hours=hours), period_end=now, now=now
            ),
            what="the digest",
        )
        report = deliver_alerts(factory, settings, now, owner=who.owner, guard=lock.check)
    if added is None:
        typer.echo("a digest for this period was already recorded")
    for _, subject, path in report.delivered:
        typer.echo(f"sent: {subject}" + (f" ({path})" if path else ""))
    if report.error or report.failed or report.retrying:
        typer.echo(
            f"rudprk: {report.failed + report.retrying} alert(s) not delivered"
            + (f": {report.error}" if report.error else "")
            + "; see rudprk alerts list --status undelivered",
            err=True,
        )
        raise typer.Exit(int(ExitCode.ALERTS_UNDELIVERED))


def parse_since(value: str, now: datetime) -> datetime:
    """``--since``: ``30d``, ``12h``, ``2w`` (ago), or an ISO date or time."""
    return parse_moment("--since", value, now)


@app.command()
def backtest(
    rules: Annotated[Path, typer.Option("--rules", help="The rules file to try (TOML).")],
    since: Annotated[
        str, typer.Option(help="Events first seen since: 30d, 12h, or a date.")
    ] = "30d",
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per event.")] = False,
    all_events: Annotated[
        bool, typer.Option("--all", help="List unchanged events too, not only the differences.")
    ] = False,
) -> None:
    """What RULES would have fired on the stored events, and what would no longer; sends nothing."""
    settings = current_settings()
    from alerts.backtest import backtest as run_backtest
    from alerts.rules import load_rules
    from flows.feeds_cli import format_table
    from flows.pipeline import opened_database
    from storage.faults import run_unit

    now = datetime.now(UTC)
    start = parse_since(since, now)
    with reported_errors():
        ruleset = load_rules(rules)
        with (
            opened_database(settings.database_dsn()) as factory,
            progress_bar("backtest") as advance,
        ):
            report = run_unit(
                factory,
                lambda s: run_backtest(s, ruleset, since=start, progress=advance),
                what="backtest",
            )
    rows = [r for r in report.rows if all_events or r.change != "unchanged"]
    if as_json:
        for row in rows:
            typer.echo(json.dumps(row.as_dict(), ensure_ascii=False))
        return
    table = [["EVENT", "TYPE", "STATUS", "CONF", "NOW", "WITH RULES", "WHY", "SUMMARY"]]
    for row in rows:
        table.append(
            [
                str(row.event_id),
                row.event_type,
                row.modality,
                f"{row.confidence:.2f}",
                "alerted" if row.alerted else "-",
                row.change,
                ", ".join(row.rules) or row.reason,
                row.summary[:60],
            ]
        )
    if rows:
        typer.echo(format_table(table))
    typer.echo(
        f"{len(report.rows)} events since {start:%Y-%m-%d %H:%M} UTC: "
        f"{report.count('would fire')} would fire, "
        f"{report.count('would no longer fire')} would no longer fire, "
        f"{report.count('unchanged')} unchanged (nothing was sent)"
    )


@app.command()
def reprocess(
    since: Annotated[str, typer.Option(help="Articles discovered since: a date, or 30d, 12h.")],
    verbose: VerboseOpt = False,
) -> None:
    """Run detection again on stored articles (after an upgrade); events already alerted are
    never alerted again. A progress bar on a terminal, silent under cron."""
    configure_logging(verbose)
    settings = current_settings()
    from flows.pipeline import PassIdentity, opened_database, stage_lock
    from flows.reprocess import reprocess as run_reprocess

    now = datetime.now(UTC)
    start = parse_since(since, now)
    who = PassIdentity.new("rudprk reprocess")
    shown = interactive()
    with (
        reported_errors(),
        opened_database(settings.database_dsn()) as factory,
        stage_lock(factory, settings, "analysis", who),
        progress_bar("reprocessing") as advance,
    ):
        report = run_reprocess(
            factory,
            since=start,
            now=now,
            freshness_hours=settings.freshness_hours,
            rules=settings.rules(),
            progress=advance,
        )
    if shown or verbose:
        typer.echo(
            f"reprocessed {report.articles} articles ({report.relevant} relevant): "
            f"{report.events_new} new events, {report.alerts_enqueued} alerts queued, "
            f"{report.failed} failed"
        )
    if report.failed:
        raise typer.Exit(1)


def _revision_engine() -> Iterator[Engine]:
    """The database of RUDPRK_DATABASE_URL, reachable, for the ``db`` commands."""
    settings = current_settings()
    from storage.engine import check_connection, create_db_engine

    with reported_errors():
        engine = create_db_engine(settings.database_dsn())
        try:
            check_connection(engine)
            yield engine
        finally:
            engine.dispose()


def _known_revision(revision: str) -> str:
    """``revision`` when Alembic knows it (or it is head/base/relative), else one line and exit 2."""
    from storage.migrate import known_revision

    if not known_revision(revision):
        fail(f"unknown revision {revision!r}; see rudprk db history")
    return revision


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument()] = "head") -> None:
    """Create or migrate the schema (Alembic) of RUDPRK_DATABASE_URL."""
    from storage.migrate import current_revision, upgrade_database

    _known_revision(revision)
    with contextmanager(_revision_engine)() as engine, reported_errors():
        upgrade_database(engine, revision)
        typer.echo(f"database at revision {current_revision(engine)}")


@db_app.command("downgrade")
def db_downgrade(
    revision: Annotated[str, typer.Argument(help="The revision to go back to (see db history).")],
) -> None:
    """Take the schema back to REVISION (every migration is reversible; data of dropped columns
    and tables is lost)."""
    from storage.migrate import current_revision, downgrade_database

    _known_revision(revision)
    with contextmanager(_revision_engine)() as engine, reported_errors():
        downgrade_database(engine, revision)
        typer.echo(f"database at revision {current_revision(engine) or 'base (empty)'}")


@db_app.command("current")
def db_current() -> None:
    """The schema's revision, and whether it is the code's head (exit 1 when behind)."""
    from storage.migrate import current_revision, head_revision

    head = head_revision()
    with contextmanager(_revision_engine)() as engine, reported_errors():
        current = current_revision(engine)
    if current == head:
        typer.echo(f"{current} (head)")
        return
    typer.echo(f"{current or 'none (empty database)'}; head is {head}: run rudprk db upgrade")
    raise typer.Exit(1)


@db_app.command("history")
def db_history() -> None:
    """Every migration, newest first: revision, the one before it, and its title."""
    from storage.migrate import revision_history

    for step in revision_history():
        typer.echo(f"{step.revision}  <- {step.down_revision or 'base'}  {step.title}")


@db_app.command("prune")
def db_prune(
    older_than: Annotated[
        str, typer.Option("--older-than", help="Age of the articles to prune: 90d, 12w, or a date.")
    ] = "90d",
    yes: Annotated[bool, typer.Option("--yes", help="Prune; without it, only count.")] = False,
) -> None:
    """Drop the text of old articles (bodies, summaries, shingles); keep events, alerts, keys
    and signatures, so nothing pruned comes back as new. A dry run unless --yes."""
    settings = current_settings()
    now = datetime.now(UTC)
    before = parse_moment("--older-than", older_than, now)
    from flows.pipeline import opened_database
    from storage.faults import run_unit
    from storage.retention import prune_articles

    with reported_errors(), opened_database(settings.database_dsn()) as factory:
        report = run_unit(
            factory,
            lambda session: prune_articles(session, before, apply=yes, now=now),
            what="pruning articles",
        )
    verb = "pruned" if report.applied else "would prune"
    typer.echo(
        f"{verb} {report.articles} articles discovered before {before:%Y-%m-%d %H:%M} UTC "
        f"({report.shingle_sets} shingle sets); events, alerts, keys and signatures are kept"
    )
    if not report.applied and report.articles:
        typer.echo("dry run: add --yes to prune")


@app.command("eval")
def evaluate(
    path: Annotated[Path, typer.Argument(help="Labelled items, JSON Lines (dev_labelled schema).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the metrics as JSON.")] = False,
) -> None:
    """Measure detection on labelled items (nothing is sent; the database is not touched)."""
    from alerts.evaluate import evaluate_file, format_report

    with reported_errors():
        report = evaluate_file(path)
    if as_json:
        typer.echo(json.dumps(report.to_dict(), ensure_ascii=False))
    else:
        typer.echo(format_report(report))


@app.command("train")
def train_models(
    corpus: Annotated[
        Path | None,
        typer.Option(help="Corpus folder (every *.jsonl in it); default: the bundled one."),
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Model folder to write; default: the shipped models.")
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed of the event-grouped split.")] = 7,
    cache: Annotated[
        Path | None,
        typer.Option(
            help="Embedding cache folder; default: the shipped models' committed cache for the "
            "shipped folder, else the user's cache ($XDG_CACHE_HOME/rudprk-watch/embeddings)."
        ),
    ] = None,
    check: Annotated[
        bool,
        typer.Option(
            "--check", help="Retrain into a temporary folder and compare with the --out files."
        ),
    ] = False,
) -> None:
    """Rebuild the learned models from the labelled corpus (deterministic: same corpus, same files)."""
    import tempfile
    from contextlib import ExitStack

    from alerts.detection.corpus import DEFAULT_CORPUS_DIR
    from alerts.detection.learn.embedder import default_cache_dir
    from alerts.detection.training import (
        DEFAULT_MODELS_DIR,
        Progress,
        compare_model_dirs,
        format_report,
        train,
    )

    corpus_dir = corpus or DEFAULT_CORPUS_DIR
    shipped = out or DEFAULT_MODELS_DIR
    own_cache = cache is None and shipped.resolve() == DEFAULT_MODELS_DIR.resolve()
    cache_dir = cache or (shipped / "cache" if own_cache else default_cache_dir())
    with ExitStack() as stack:
        progress: Progress | None = None
        if interactive():
            from rich.console import Console
            from rich.progress import Progress as RichProgress

            bar = stack.enter_context(RichProgress(console=Console(stderr=True), transient=True))
            tasks: dict[str, object] = {}

            def progress(stage: str, done: int, total: int) -> None:
                if stage not in tasks:
                    tasks[stage] = bar.add_task(stage, total=total)
                bar.update(tasks[stage], completed=done, total=total)  # type: ignore[arg-type]

        with reported_errors():
            if check:
                target = Path(
                    stack.enter_context(tempfile.TemporaryDirectory(prefix="rudprk-train-"))
                )
                report = train(
                    corpus_dir, target, seed, cache_dir=cache_dir, cache_read_only=True,
                    progress=progress,
                )  # fmt: skip
                differing = compare_model_dirs(shipped, target)
            else:
                report = train(
                    corpus_dir, shipped, seed, cache_dir=cache_dir,
                    prune_cache=own_cache, progress=progress,
                )  # fmt: skip
    if not check:
        typer.echo(format_report(report))
        return
    if differing:
        for line in differing:
            typer.echo(line)
        raise typer.Exit(1)
    typer.echo(
        f"{shipped}: the model files match a fresh training "
        f"(model set {report.model_set_version}, {report.seconds:.1f} s)"
    )


app.add_typer(
    feeds_app,
    name="feeds",
    help="Manage feeds: health, add, remove, disable, enable, sync, check, OPML.",
)
app.add_typer(alerts_app, name="alerts", help="The outbox: list alerts, resend or discard one.")


def main() -> None:
    """The ``rudprk`` command: a usage mistake (unknown option, bad or missing value) is one
    ``rudprk: error:`` line naming it and the command's ``--help``, exit 2, like any other."""
    from typer import Abort
    from typer._click.exceptions import NoArgsIsHelpError, UsageError

    try:
        code = app(prog_name="rudprk", standalone_mode=False)
    except NoArgsIsHelpError as exc:  # ``rudprk`` or ``rudprk db`` alone: the help
        exc.show()
        raise SystemExit(2) from None
    except UsageError as exc:
        where = exc.ctx.command_path if exc.ctx is not None else "rudprk"
        message = " ".join(exc.format_message().split())
        typer.echo(f"rudprk: error: {message} (see {where} --help)", err=True)
        raise SystemExit(2) from None
    except Abort:
        typer.echo("rudprk: interrupted", err=True)
        raise SystemExit(130) from None
    raise SystemExit(code if isinstance(code, int) else 0)
