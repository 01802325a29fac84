"""Named locks in the database, so overlapping passes never run the same stage at once.

A lock is a row of ``locks`` (name, owner, holder, acquired, expires). It is taken with
``INSERT … ON CONFLICT DO NOTHING``, or by a conditional ``UPDATE`` of a row whose expiry has
passed (its holder died: SIGKILL, power loss, a lost machine), so a crash never leaves a lock
behind for longer than the lease. While the holder works, a heartbeat thread renews the expiry
every third of the lease; if a renewal finds the row taken over, the lock is marked lost and
:meth:`StageLock.check` raises :class:`~storage.errors.LockLostError` at the next safe point.

Works the same on SQLite and PostgreSQL (no advisory locks, no files): the row is the lock.
Expiry uses the wall clock of the machines that run passes; keep them in time (NTP).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Self

from sqlalchemy import delete, or_, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from storage.engine import session_scope
from storage.errors import LockHeldError, LockLostError
from storage.faults import run_unit
from storage.models import Lock
from storage.statements import insert_ignoring_conflicts

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def new_owner() -> str:
    """A token naming one holder (one pass, one command)."""
    return uuid.uuid4().hex


def describe_holder(command: str) -> str:
    """``rudprk run, pid 4242 on host-a``: what the losing pass prints about the holder."""
    return f"{command}, pid {os.getpid()} on {socket.gethostname()}"[:300]


def acquire_lock(
    session: Session,
    name: str,
    *,
    owner: str,
    holder: str,
    clock_now: datetime,
    lease: timedelta,
) -> None:
    """Take ``name`` for ``owner`` until ``clock_now + lease``, or raise :class:`LockHeldError`."""
    expires = clock_now + lease
    inserted = session.execute(
        insert_ignoring_conflicts(session, Lock)
        .values(name=name, owner=owner, holder=holder, acquired_at=clock_now, expires_at=expires)
        .returning(Lock.name)
    ).scalar_one_or_none()
    if inserted is not None:
        return
    previous = session.execute(
        select(Lock.holder, Lock.expires_at).where(Lock.name == name)
    ).one_or_none()
    result = session.execute(
        update(Lock)
        .where(Lock.name == name, or_(Lock.expires_at < clock_now, Lock.owner == owner))
        .values(owner=owner, holder=holder, acquired_at=clock_now, expires_at=expires)
        .execution_options(synchronize_session=False)
    )
    if int(getattr(result, "rowcount", 0) or 0) == 1:
        if previous is not None and previous[0] != holder:
            log.warning(
                "expired lock taken over",
                extra={"lock": name, "previous_holder": previous[0], "expired": str(previous[1])},
            )
        return
    row = session.execute(
        select(Lock.holder, Lock.acquired_at, Lock.expires_at).where(Lock.name == name)
    ).one_or_none()
    if row is None:  # released between our insert and our look: try once more
        acquire_lock(session, name, owner=owner, holder=holder, clock_now=clock_now, lease=lease)
        return
    raise LockHeldError(name, row[0], row[1], row[2])


def renew_lock(
    session: Session, name: str, *, owner: str, clock_now: datetime, lease: timedelta
) -> bool:
    """Push the expiry of our lock to ``clock_now + lease``; ``False`` if it is no longer ours."""
    result = session.execute(
        update(Lock)
        .where(Lock.name == name, Lock.owner == owner)
        .values(expires_at=clock_now + lease)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0) == 1


def release_lock(session: Session, name: str, *, owner: str) -> bool:
    result = session.execute(delete(Lock).where(Lock.name == name, Lock.owner == owner))
    return int(getattr(result, "rowcount", 0) or 0) == 1


def held_locks(session: Session) -> list[Lock]:
    return list(session.scalars(select(Lock).order_by(Lock.name)))


class Heartbeat:
    """Calls ``beat`` every ``interval`` seconds on a daemon thread until stopped.

    A failing beat is logged and tried again at the next interval; it never stops the holder.
    """

    def __init__(self, interval: float, beat: Callable[[], None], *, name: str) -> None:
        self.interval = interval
        self.beat = beat
        self.name = name
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.beat()
            except Exception as exc:  # the database may be restarting: try again next time
                log.warning("heartbeat failed", extra={"heartbeat": self.name, "error": str(exc)})

    def start(self) -> Self:
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=max(5.0, self.interval))
            self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


class StageLock:
    """Hold the lock ``name`` for a block, renewed by a heartbeat; released on the way out.

    ``with StageLock(factory, "harvest", owner=…, holder=…, lease=…) as lock: …`` raises
    :class:`LockHeldError` when another live holder has it. Inside, ``lock.check()`` raises
    :class:`LockLostError` if a renewal found it taken over.
    """

    def __init__(
        self,
        factory: sessionmaker[Session],
        name: str,
        *,
        owner: str,
        holder: str,
        lease: timedelta,
        clock: Clock = utc_now,
    ) -> None:
        self.factory = factory
        self.name = name
        self.owner = owner
        self.holder = holder
        self.lease = lease
        self.clock = clock
        self.lost = False
        self._heartbeat = Heartbeat(
            max(0.05, lease.total_seconds() / 3), self._renew, name=f"rudprk-lock-{name}"
        )

    def _renew(self) -> None:
        with session_scope(self.factory) as session:
            if not renew_lock(
                session, self.name, owner=self.owner, clock_now=self.clock(), lease=self.lease
            ):
                if not self.lost:
                    log.error("lock lost", extra={"lock": self.name})
                self.lost = True

    def check(self) -> None:
        if self.lost:
            raise LockLostError(
                f"the {self.name} lock expired and was taken over: this pass stopped its "
                f"{self.name} (renewals failed for longer than the lease)"
            )

    def __enter__(self) -> Self:
        run_unit(
            self.factory,
            lambda s: acquire_lock(
                s,
                self.name,
                owner=self.owner,
                holder=self.holder,
                clock_now=self.clock(),
                lease=self.lease,
            ),
            what=f"taking the {self.name} lock",
        )
        self._heartbeat.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._heartbeat.stop()
        try:
            with session_scope(self.factory) as session:
                release_lock(session, self.name, owner=self.owner)
        except SQLAlchemyError as release_exc:  # it expires by itself
            log.warning("lock not released", extra={"lock": self.name, "error": str(release_exc)})
