"""How the command line reports failures: one line on stderr and a non-zero exit, no traceback."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import NoReturn

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
