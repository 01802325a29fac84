"""The pass's own plain functions: freshness, daily digest scheduling, candidate prefilter."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from flows.pipeline import (
    digest_period_due,
    enqueue_due_digest,
    is_candidate,
    is_fresh,
)
from storage.feeds import FeedSource, sync_feeds
from storage.models import Alert, Feed

NOW = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


def test_freshness_uses_publication_then_discovery_time() -> None:
    old = NOW - timedelta(hours=80)
    assert not is_fresh(old, NOW, NOW, 72)
    assert is_fresh(NOW - timedelta(hours=1), NOW, NOW, 72)
    assert is_fresh(None, NOW - timedelta(hours=1), NOW, 72)
    assert not is_fresh(None, old, NOW, 72)


def test_digest_period_is_the_last_complete_day() -> None:
    assert digest_period_due(NOW, 7) == (
        datetime(2026, 11, 19, 7, tzinfo=UTC),
        datetime(2026, 11, 20, 7, tzinfo=UTC),
    )
    assert digest_period_due(NOW, 10) == (
        datetime(2026, 11, 18, 10, tzinfo=UTC),
        datetime(2026, 11, 19, 10, tzinfo=UTC),
    )


def test_daily_digest_once_per_period_and_not_on_a_first_run(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory() as session:
        sync_feeds(session, [FeedSource("A", "https://a.test/rss")], NOW)
        session.commit()
    assert not enqueue_due_digest(session_factory, NOW, 7)  # nothing watched yesterday
    with session_factory() as session:
        session.execute(update(Feed).values(created_at=NOW - timedelta(days=3)))
        session.commit()
    assert not enqueue_due_digest(session_factory, NOW, None)  # digests off
    assert enqueue_due_digest(session_factory, NOW, 7)
    assert not enqueue_due_digest(session_factory, NOW + timedelta(minutes=15), 7)
    assert enqueue_due_digest(session_factory, NOW + timedelta(days=1), 7)
    with session_factory() as session:
        kinds = list(session.scalars(select(Alert.kind)))
    assert kinds == ["digest", "digest"]


def test_candidate_prefilter_needs_both_sides() -> None:
    assert is_candidate("Pyongyang sends troops to Russia's Kursk region")
    assert is_candidate("Moscou et Pyongyang signent un accord ferroviaire")
    assert not is_candidate("Le Parlement européen vote le budget agricole")
