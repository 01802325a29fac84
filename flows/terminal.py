"""How the command line reports failures: one line on stderr and a non-zero exit, no traceback."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import NoReturn, TextIO

import typer

from alerts.errors import AlertsError
from flows.ingest.errors import IngestError
from flows.settings import Settings, SettingsError, load_settings
from flows.sources import SourcesError
from storage.errors import DatabaseFaultError, LockHeldError, LockLostError, StorageError

# Documented in README (Commands) and flows/health.py.
EXIT_CANNOT_RUN = 2
EXIT_DATABASE_ERROR = 5
EXIT_LOCKED = 6


def fail(message: str, code: int = EXIT_CANNOT_RUN) -> NoReturn:
    typer.echo(f"rudprk: error: {message}", err=True)
    raise typer.Exit(code)


@contextmanager
def reported_errors() -> Iterator[None]:
    """Turn the packages' documented errors into one clear line and their exit code: 2 (could
    not run), 5 (the database failed during the command), 6 (another pass holds the lock)."""
    try:
        yield
    except SettingsError as exc:
        fail(f"invalid configuration: {exc}")
    except SourcesError as exc:
        fail(f"invalid sources file: {exc}")
    except DatabaseFaultError as exc:
        fail(str(exc), EXIT_DATABASE_ERROR)
    except (LockHeldError, LockLostError) as exc:
        fail(str(exc), EXIT_LOCKED)
    except (StorageError, AlertsError, IngestError) as exc:
        fail(str(exc))


def current_settings() -> Settings:
    """The validated settings, or exit with the bad variable named."""
    with reported_errors():
        return load_settings()
    raise AssertionError("unreachable")


def parse_moment(option: str, value: str, now: datetime) -> datetime:
    """``30d``, ``12h``, ``2w`` (before ``now``), or an ISO date or time (UTC when no zone is
    given); anything else ends the command with one line naming ``option``."""
    text = value.strip().lower()
    units = {"h": 1.0, "d": 24.0, "w": 168.0}
    if text[-1:] in units and text[:-1].replace(".", "", 1).isdigit():
        return now - timedelta(hours=float(text[:-1]) * units[text[-1]])
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        fail(f"{option}: expected 30d, 12h, 2w or a date such as 2026-11-01, got {value!r}")
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def interactive(stream: TextIO | None = None, env: Mapping[str, str] | None = None) -> bool:
    """Whether progress may be drawn on ``stream`` (stderr): a terminal, and not in CI
    (``CI`` set) nor a dumb terminal; never under cron, whose output is no terminal."""
    stream = sys.stderr if stream is None else stream
    env = os.environ if env is None else env
    if env.get("CI") or env.get("TERM") == "dumb" or env.get("RUDPRK_NO_PROGRESS"):
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # closed or not a real stream
        return False


Advance = Callable[[int, int], None]


@contextmanager
def progress_bar(description: str, stream: TextIO | None = None) -> Iterator[Advance | None]:
    """A transient progress bar on stderr when :func:`interactive`, else nothing: yields the
    ``advance(done, total)`` callback to hand to the long work, or ``None``."""
    if not interactive(stream):
        yield None
        return
    from rich.console import Console
    from rich.progress import Progress

    console = Console(file=stream or sys.stderr)
    with Progress(console=console, transient=True) as bar:
        task = bar.add_task(description, total=None)

        def advance(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield advance
