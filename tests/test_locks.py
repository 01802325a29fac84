"""The database lock, the unit-of-work retry and the migrations, on real SQLite and PostgreSQL."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from storage.engine import create_db_engine, create_session_factory, session_scope
from storage.errors import DatabaseFaultError, LockHeldError, LockLostError
from storage.faults import describe_fault, is_database_fault, run_unit
from storage.locks import StageLock, acquire_lock, held_locks, release_lock, renew_lock
from storage.migrate import current_revision, downgrade_database, head_revision, upgrade_database
from storage.models import Lock

NOW = datetime.now(UTC)
MINUTE = timedelta(minutes=1)


def test_a_lock_is_held_until_released_or_expired(session_factory: sessionmaker[Session]) -> None:
    with session_scope(session_factory) as s:
        acquire_lock(s, "harvest", owner="a", holder="pass A", clock_now=NOW, lease=MINUTE)
    with session_scope(session_factory) as s, pytest.raises(LockHeldError) as info:
        acquire_lock(s, "harvest", owner="b", holder="pass B", clock_now=NOW, lease=MINUTE)
    assert info.value.holder == "pass A" and "another pass holds the harvest lock" in str(
        info.value
    )
    # other stages are free; the holder may take its own lock again
    with session_scope(session_factory) as s:
        acquire_lock(s, "delivery", owner="b", holder="pass B", clock_now=NOW, lease=MINUTE)
        acquire_lock(s, "harvest", owner="a", holder="pass A", clock_now=NOW, lease=MINUTE)
    # renewed, it outlives its first expiry
    with session_scope(session_factory) as s:
        assert renew_lock(s, "harvest", owner="a", clock_now=NOW + MINUTE / 2, lease=MINUTE)
        assert not renew_lock(s, "harvest", owner="b", clock_now=NOW, lease=MINUTE)
    with session_scope(session_factory) as s, pytest.raises(LockHeldError):
        acquire_lock(
            s, "harvest", owner="b", holder="B", clock_now=NOW + MINUTE * 1.2, lease=MINUTE
        )
    # its holder died: after the expiry, another takes it over
    with session_scope(session_factory) as s:
        acquire_lock(s, "harvest", owner="b", holder="B", clock_now=NOW + MINUTE * 2, lease=MINUTE)
    with session_scope(session_factory) as s:
        assert not release_lock(s, "harvest", owner="a")  # no longer A's
        assert release_lock(s, "harvest", owner="b")
        assert [lock.name for lock in held_locks(s)] == ["delivery"]


def test_stage_lock_renews_itself_and_notices_a_takeover(
    session_factory: sessionmaker[Session],
) -> None:
    lease = timedelta(seconds=0.3)
    with StageLock(session_factory, "analysis", owner="a", holder="A", lease=lease) as lock:
        time.sleep(0.8)  # well past the first expiry: the heartbeat kept it
        with session_scope(session_factory) as s, pytest.raises(LockHeldError):
            acquire_lock(
                s, "analysis", owner="b", holder="B", clock_now=datetime.now(UTC), lease=lease
            )
        lock.check()
        # someone takes it over (A looked dead to them): A's next renewal sees it
        with session_scope(session_factory) as s:
            s.execute(Lock.__table__.update().values(owner="b", holder="B"))
        time.sleep(0.4)
        with pytest.raises(LockLostError):
            lock.check()
    with session_factory() as s:  # A's exit did not release B's lock
        assert [row.owner for row in s.scalars(select(Lock))] == ["b"]


def test_run_unit_retries_a_database_fault_once_then_names_it(
    session_factory: sessionmaker[Session],
) -> None:
    calls: list[int] = []

    def flaky(session: Session) -> str:
        calls.append(1)
        if len(calls) == 1:
            session.execute(text("SELECT * FROM no_such_table_here"))  # an error, not a fault
        return "done"

    with pytest.raises(Exception) as info:
        run_unit(session_factory, flaky, what="a test")
    assert not is_database_fault(info.value) and len(calls) == 1  # bugs are not retried

    faults: list[int] = []

    def fails_once(session: Session) -> int:
        faults.append(1)
        if len(faults) == 1:
            raise OperationalError("SELECT 1", {}, ConnectionError("server closed the connection"))
        return int(session.execute(text("SELECT 41 + 1")).scalar_one())

    assert run_unit(session_factory, fails_once, what="a test", reconnect_seconds=1) == 42

    def always(session: Session) -> None:
        raise OperationalError("SELECT 1", {}, ConnectionError("connection refused\nsecond line"))

    with pytest.raises(DatabaseFaultError) as fault:
        run_unit(session_factory, always, what="the test unit", reconnect_seconds=0.1)
    assert str(fault.value) == "database error during the test unit: connection refused"
    assert describe_fault(fault.value.__cause__) == "connection refused"  # type: ignore[arg-type]


def _columns(engine: Engine, table: str) -> set[str]:
    with engine.connect() as conn:
        return {c["name"] for c in inspect(conn).get_columns(table)}


def test_migrations_go_down_and_up_again(engine: Engine) -> None:
    assert current_revision(engine) == head_revision()
    assert {"deliveries", "locks", "installation"} <= set(inspect(engine).get_table_names())
    assert downgrade_database(engine, "0002") == "0002"
    tables = set(inspect(engine).get_table_names())
    assert not {"deliveries", "locks", "installation"} & tables
    assert {"status", "attempts", "claimed_at", "channel"} <= _columns(engine, "alerts")
    assert upgrade_database(engine) == head_revision()
    assert "status" not in _columns(engine, "alerts")
    assert downgrade_database(engine, "0004") == "0004"
    assert "locks" not in set(inspect(engine).get_table_names())
    assert upgrade_database(engine) == head_revision()
    record = {"stage", "status", "instrument", "contingent", "first_published_at", "date_end"}
    assert record | {"parent_event_id", "place_area"} <= _columns(engine, "events")
    assert "event_updates" in set(inspect(engine).get_table_names())
    assert downgrade_database(engine, "0040") == "0040"
    assert "event_updates" not in set(inspect(engine).get_table_names())
    assert record <= _columns(engine, "events")
    assert "parent_event_id" not in _columns(engine, "events")
    assert downgrade_database(engine, "0020") == "0020"
    assert not record & _columns(engine, "events")
    assert upgrade_database(engine) == head_revision()


def test_an_empty_database_is_migrated_in_one_transaction(tmp_path: Path) -> None:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'new.sqlite3'}")
    assert upgrade_database(engine) == head_revision()
    with create_session_factory(engine)() as session:
        assert session.execute(text("SELECT count(*) FROM installation")).scalar() == 1
    engine.dispose()
