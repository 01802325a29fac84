"""Database faults: which errors mean the database went away, and one retry of a unit of work.

A *unit of work* is a function of a session, run in its own transaction and safe to run twice
(every caller in this project re-checks its state inside the unit). When it fails because the
connection broke (a PostgreSQL restart, a dropped socket, a locked SQLite file past its busy
timeout), :func:`run_unit` waits for the database to answer again, then runs the unit once more
on a fresh connection (engines check connections before use with ``pool_pre_ping``). A second
fault becomes :class:`~storage.errors.DatabaseFaultError`, whose message names the database
error in one line: the caller ends what it was doing, and the documented exit code follows.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from storage.engine import session_scope
from storage.errors import DatabaseFaultError

log = logging.getLogger(__name__)

T = TypeVar("T")

DEFAULT_RECONNECT_SECONDS = 15.0
POLL_SECONDS = 0.5


# SQLite reports bugs ("no such table") as OperationalError too: only these are faults.
SQLITE_FAULTS = (
    "database is locked",
    "database table is locked",
    "unable to open database file",
    "disk i/o error",
    "database or disk is full",
)


def is_database_fault(exc: BaseException) -> bool:
    """Is this the database or the connection failing (not a bug nor a constraint)?"""
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    if not isinstance(exc, OperationalError | InterfaceError):
        return False
    if isinstance(exc.orig, sqlite3.Error):
        return str(exc.orig).strip().lower().startswith(SQLITE_FAULTS)
    return True


def describe_fault(exc: BaseException) -> str:
    """The driver's reason in one line (never the SQL, never the parameters)."""
    orig = getattr(exc, "orig", None)
    text_ = str(orig if orig is not None else exc).strip()
    first = text_.splitlines()[0] if text_ else type(exc).__name__
    return first[:300]


def _engine_of(factory: sessionmaker[Session]) -> Engine:
    bind = factory.kw.get("bind")
    if not isinstance(bind, Engine):
        raise TypeError("the session factory is not bound to an engine")
    return bind


def wait_for_database(factory: sessionmaker[Session], seconds: float) -> bool:
    """Poll ``SELECT 1`` until the database answers or ``seconds`` pass; ``True`` if it answered."""
    engine = _engine_of(factory)
    deadline = time.monotonic() + seconds
    while True:
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return True
        except SQLAlchemyError:
            if time.monotonic() >= deadline:
                return False
            time.sleep(POLL_SECONDS)


def run_unit(
    factory: sessionmaker[Session],
    work: Callable[[Session], T],
    *,
    what: str,
    reconnect_seconds: float = DEFAULT_RECONNECT_SECONDS,
) -> T:
    """Run ``work`` in one transaction; on a database fault, once more after reconnecting.

    ``what`` names the work in the error ("delivery", "analysis of article 12"…).
    """
    try:
        with session_scope(factory) as session:
            return work(session)
    except SQLAlchemyError as exc:
        if not is_database_fault(exc):
            raise
        first = exc
    log.warning("database fault, retrying", extra={"work": what, "error": describe_fault(first)})
    wait_for_database(factory, reconnect_seconds)
    try:
        with session_scope(factory) as session:
            return work(session)
    except SQLAlchemyError as exc:
        if not is_database_fault(exc):
            raise
        raise DatabaseFaultError(f"database error during {what}: {describe_fault(exc)}") from exc
