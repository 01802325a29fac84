"""The integrity check finds what it claims to find (a checker that cannot fail proves nothing)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from integrity import integrity_problems
from seeding import seed_alerts
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from storage.engine import create_db_engine

pytestmark = pytest.mark.reliability


def test_a_sound_database_passes(db_url: str, session_factory: sessionmaker[Session]) -> None:
    with session_factory() as session:
        seed_alerts(session)
    assert integrity_problems(db_url) == []


def test_orphans_and_broken_outbox_states_are_reported(
    db_url: str, session_factory: sessionmaker[Session]
) -> None:
    with session_factory() as session:
        seed_alerts(session)
    now = datetime.now(UTC)
    engine = create_db_engine(db_url)
    with engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
        else:
            conn.execute(text("SET LOCAL session_replication_role = replica"))  # FKs off
        conn.execute(
            text(
                "INSERT INTO deliveries (alert_id, channel, status, attempts, created_at)"
                " VALUES (9999, 'email', 'pending', 0, :now)"
            ),
            {"now": now},
        )
        conn.execute(text("UPDATE deliveries SET status = 'sending' WHERE id = 1"))
        conn.execute(text("UPDATE deliveries SET status = 'sent' WHERE id = 2"))
        conn.execute(text("UPDATE deliveries SET status = 'lost' WHERE id = 3"))
        conn.execute(
            text(
                "INSERT INTO locks (name, owner, holder, acquired_at, expires_at)"
                " VALUES ('harvest', 'x', 'y', :now, :now)"
            ),
            {"now": now},
        )
    engine.dispose()
    problems = integrity_problems(db_url)
    for expected in (
        "1 deliveries without their alert",
        "1 deliveries being sent without a lease",
        "1 deliveries sent without a time or transport",
        "1 deliveries with an unknown status",
        "1 locks left behind",
    ):
        assert any(p.endswith(expected) for p in problems), (expected, problems)
    if db_url.startswith("sqlite"):
        assert any(p.startswith("PRAGMA foreign_key_check") for p in problems)
    assert "locks left behind" not in " ".join(integrity_problems(db_url, quiescent=False))


def test_alerts_sent_twice_and_contradictory_feed_health_are_reported(
    db_url: str, session_factory: sessionmaker[Session]
) -> None:
    with session_factory() as session:
        seed_alerts(session)
    engine = create_db_engine(db_url)
    with engine.begin() as conn:
        first = conn.execute(
            text("SELECT id, event_id, message_id FROM alerts ORDER BY id")
        ).first()
        assert first is not None
        conn.execute(
            text(
                "INSERT INTO alerts (event_id, kind, dedup_key, message_id, created_at, why)"
                " SELECT event_id, kind, dedup_key || '-again', message_id, created_at, why"
                " FROM alerts WHERE id = :id"
            ),
            {"id": first.id},
        )
        conn.execute(
            text(
                "INSERT INTO deliveries (alert_id, channel, status, attempts, created_at)"
                " SELECT max(id), 'email', 'pending', 0, :now FROM alerts"
            ),
            {"now": datetime.now(UTC)},
        )
        conn.execute(text("UPDATE feeds SET error_count = 2, last_error = NULL"))
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("UPDATE articles SET title = 'a' || char(0) || 'b'")
    engine.dispose()
    problems = integrity_problems(db_url)
    for expected in (
        "1 Message-IDs shared by several alerts",
        "1 events with more than one new-event alert",
        "2 feeds counting errors without the error",
    ):
        assert expected in problems, (expected, problems)
    if db_url.startswith("sqlite"):
        assert any(p.endswith("articles holding a NUL character") for p in problems), problems
