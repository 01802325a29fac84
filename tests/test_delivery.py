"""Outbox delivery on real databases (SQLite, and PostgreSQL when configured) and a real SMTP server."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from smtpserver import RecordingHandler, SMTPTestServer, free_port, running_smtp_server
from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from alerts.delivery import DeliveryReport, build_alert_views, deliver_pending, enqueue_digest
from alerts.errors import RenderError
from alerts.mailer import OutboxDirMailer, SMTPMailer
from alerts.render import message_id_for
from storage.engine import session_scope
from storage.models import Alert, Article, Event, EventArticle, Feed
from storage.outbox import SENDING, claim_alert, enqueue_alert, mark_failed, pending_alerts

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
SENDER = "rudprk <alerts@rudprk.test>"
RECIPIENTS = ["analyst@rudprk.test"]

EVENTS: list[dict[str, Any]] = [
    {
        "event_type": "deployment",
        "summary": "North Korea sends 12,000 troops to Kursk",
        "evidence": "North Korea has sent about 12,000 troops to the Kursk region, the NIS said.",
        "figure_low": 12000,
        "figure_high": 12000,
        "figure_unit": "troops",
        "place": "Kursk",
        "claimant": "NIS",
        "qualifier": "approx",  # kept only in the origin article's stored detection
    },
    {
        "event_type": "agreement",
        "summary": "Moscow and Pyongyang sign a railway bridge protocol",
        "evidence": "Russia and North Korea signed a protocol on a road bridge over the Tumen.",
        "figure_low": None,
        "figure_high": None,
        "figure_unit": None,
        "place": "Tumen",
        "claimant": None,
    },
    {
        "event_type": "deployment",
        "summary": "Pyongyang dispatches 1,000 sappers to Kursk",
        "evidence": "Pyongyang will dispatch 1,000 sappers and 5,000 builders to Kursk.",
        "figure_low": 1000,
        "figure_high": 6000,
        "figure_unit": "personnel",
        "place": "Kursk",
        "claimant": "KCNA",
    },
]


def _seed(session: Session, events: list[dict[str, Any]] = EVENTS) -> list[int]:
    """Feeds, articles, events, links and one pending 'new' alert per event."""
    wire = Feed(url="https://wire.test/rss", name="Wire Test", language="en", created_at=NOW)
    journal = Feed(
        url="https://journal.test/rss", name="Journal Test", language="fr", created_at=NOW
    )
    session.add_all([wire, journal])
    session.flush()
    alert_ids = []
    for n, spec in enumerate(events, start=1):
        values = dict(spec)
        qualifier = values.pop("qualifier", None)
        detected = {
            "event_type": values["event_type"],
            "low": values["figure_low"],
            "high": values["figure_high"],
            "qualifier": qualifier,
        }
        origin = Article(
            feed_id=wire.id,
            guid=f"wire-{n}",
            guid_hash=f"{n:064x}",
            url=f"https://wire.test/story/{n}",
            title=f"Wire story {n}",
            summary="…",
            published_at=NOW - timedelta(hours=3),
            discovered_at=NOW - timedelta(hours=2),
            detection={"events": [{"event_type": "visit", "low": None}, detected]},
        )
        copy = Article(
            feed_id=journal.id,
            guid=f"journal-{n}",
            guid_hash=f"{n + 1000:064x}",
            url=f"https://journal.test/article/{n}",
            title=f"Article du journal {n}",
            summary="…",
            language="fr",
            published_at=NOW - timedelta(hours=4),  # older, but not the article that raised it
            discovered_at=NOW - timedelta(hours=1),
        )
        session.add_all([origin, copy])
        session.flush()
        event = Event(
            modality="new",
            force=None,
            event_date=date(2026, 11, 18),
            date_precision="day",
            actors=["North Korea", "Russia"],
            additional=False,
            confidence=0.9,
            first_article_id=origin.id,
            first_seen_at=NOW - timedelta(hours=1),
            last_seen_at=NOW - timedelta(hours=1),
            **values,
        )
        session.add(event)
        session.flush()
        session.add_all(
            [
                EventArticle(event_id=event.id, article_id=origin.id, role="origin", linked_at=NOW),
                EventArticle(event_id=event.id, article_id=copy.id, role="report", linked_at=NOW),
            ]
        )
        key = f"event:{event.id}:new"
        alert_id = enqueue_alert(
            session,
            event_id=event.id,
            kind="new",
            dedup_key=key,
            message_id=message_id_for(key),
            created_at=NOW,
        )
        assert alert_id is not None
        alert_ids.append(alert_id)
    session.commit()
    return alert_ids


def _statuses(factory: sessionmaker[Session]) -> dict[int, tuple[str, int]]:
    with factory() as session:
        return {a.id: (a.status, a.attempts) for a in session.scalars(select(Alert))}


def _deliver(
    factory: sessionmaker[Session],
    server: SMTPTestServer,
    now: datetime = NOW,
    max_attempts: int = 20,
) -> DeliveryReport:
    mailer = SMTPMailer(server.host, server.port, timeout=5)
    return deliver_pending(
        factory, mailer, sender=SENDER, recipients=RECIPIENTS, now=now, max_attempts=max_attempts
    )


def test_delivers_each_alert_once_with_headers_and_marks_it_sent(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory() as session:
        alert_ids = _seed(session)
    with running_smtp_server() as server:
        report = _deliver(session_factory, server)
        assert (report.sent, report.failed, report.pending, report.error) == (3, 0, 0, None)
        assert [a for a, _, _ in report.delivered] == alert_ids
        assert report.delivered[0][1] == "[rudprk] New deployment: about 12,000 troops — Kursk"
        assert report.delivered[2][1] == "[rudprk] New deployment: 1,000–6,000 personnel — Kursk"
        received = server.handler.messages
        assert server.handler.connections == 1
        assert [m["X-Rudprk-Event-Type"] for m in received] == [
            "deployment",
            "agreement",
            "deployment",
        ]
        with session_factory() as session:
            alerts = {a.id: a for a in session.scalars(select(Alert))}
        for msg, alert_id in zip(received, alert_ids, strict=True):
            alert = alerts[alert_id]
            assert msg["Message-ID"] == alert.message_id
            assert msg["X-Rudprk-Alert-Kind"] == "new"
            assert msg["X-Rudprk-Event-Id"] == str(alert.event_id)
            assert alert.status == "sent"
            assert alert.channel == "smtp"
            assert alert.sent_at == NOW
            assert alert.attempts == 1
        text = received[1].get_body(("plain",))
        assert text is not None
        content = text.get_content()
        # the article that raised the event comes first, though the other was published earlier
        assert content.index("Wire Test: Wire story 2") < content.index("Journal Test")
        assert "https://journal.test/article/2" in content

        # a rerun sends nothing and does not even connect
        again = _deliver(session_factory, server, now=NOW + timedelta(minutes=15))
        assert (again.sent, again.failed, again.pending, again.delivered) == (0, 0, 0, [])
        assert len(server.handler.messages) == 3


def test_smtp_down_leaves_everything_pending_until_a_later_run(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory() as session:
        alert_ids = _seed(session)
    port = free_port()
    down = deliver_pending(
        session_factory,
        SMTPMailer("127.0.0.1", port, timeout=5),
        sender=SENDER,
        recipients=RECIPIENTS,
        now=NOW,
    )
    assert (down.sent, down.failed, down.pending) == (0, 0, 3)
    assert down.error is not None and f"127.0.0.1:{port}" in down.error
    assert _statuses(session_factory) == {a: ("pending", 0) for a in alert_ids}

    with SMTPTestServer(RecordingHandler(), port=port) as server:
        later = _deliver(session_factory, server, now=NOW + timedelta(minutes=15))
        assert (later.sent, later.pending) == (3, 0)
        assert len(server.handler.messages) == 3
    assert {s for s, _ in _statuses(session_factory).values()} == {"sent"}


def test_one_rejected_message_does_not_stop_the_others(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory() as session:
        alert_ids = _seed(session)

    def reject_agreements(msg: EmailMessage) -> str | None:
        return (
            "550 5.7.1 Refused by test policy"
            if msg["X-Rudprk-Event-Type"] == "agreement"
            else None
        )

    with running_smtp_server(reject_agreements) as server:
        report = _deliver(session_factory, server)
        assert (report.sent, report.failed, report.pending) == (2, 1, 1)
        assert [a for a, _, _ in report.delivered] == [alert_ids[0], alert_ids[2]]
    statuses = _statuses(session_factory)
    assert statuses[alert_ids[1]] == ("failed", 1)
    with session_factory() as session:
        failed = session.get(Alert, alert_ids[1])
        assert failed is not None and "550 5.7.1 Refused by test policy" in (
            failed.last_error or ""
        )

    # the next run, on a server that accepts it, sends only the failed one
    with running_smtp_server() as server:
        retry = _deliver(session_factory, server, now=NOW + timedelta(minutes=15))
        assert (retry.sent, retry.failed, retry.pending) == (1, 0, 0)
        assert [m["X-Rudprk-Event-Type"] for m in server.handler.messages] == ["agreement"]
    assert _statuses(session_factory)[alert_ids[1]] == ("sent", 2)


def test_failing_alerts_stop_being_retried_after_max_attempts(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory() as session:
        _seed(session, EVENTS[:1])
    with running_smtp_server(lambda msg: "554 5.6.0 Always refused") as server:
        for n in range(3):
            report = _deliver(
                session_factory, server, now=NOW + timedelta(minutes=n), max_attempts=3
            )
            assert report.failed == 1
        final = _deliver(session_factory, server, now=NOW + timedelta(hours=1), max_attempts=3)
    assert (final.sent, final.failed, final.pending) == (0, 0, 0)
    assert list(_statuses(session_factory).values()) == [("failed", 3)]


def test_a_claimed_alert_is_skipped_until_its_claim_goes_stale(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory() as session:
        first, second, _ = _seed(session)
    # another sender claimed the first alert just now (and crashed, say)
    with session_scope(session_factory) as session:
        assert claim_alert(session, first, NOW) is True
    with session_scope(session_factory) as session:
        assert claim_alert(session, first, NOW) is False  # already claimed
    with running_smtp_server() as server:
        report = _deliver(session_factory, server, now=NOW + timedelta(minutes=1))
        assert report.sent == 2
        assert first not in [a for a, _, _ in report.delivered]
        assert report.pending == 1  # still unsent, still counted
        assert _statuses(session_factory)[first] == (SENDING, 0)

        stale = _deliver(session_factory, server, now=NOW + timedelta(minutes=30))
        assert [a for a, _, _ in stale.delivered] == [first]
    assert _statuses(session_factory)[second] == ("sent", 1)
    assert {s for s, _ in _statuses(session_factory).values()} == {"sent"}


def test_never_tried_alerts_go_before_retries(session_factory: sessionmaker[Session]) -> None:
    with session_factory() as session:
        first, second, third = _seed(session)
    with session_scope(session_factory) as session:
        mark_failed(session, first, "550 refused")
    with session_factory() as session:
        assert [a.id for a in pending_alerts(session)] == [second, third, first]


def test_server_lost_mid_batch_leaves_the_rest_pending(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory() as session:
        alert_ids = _seed(session)
    seen: list[str] = []

    def close_after_first(msg: EmailMessage) -> str | None:
        seen.append(str(msg["Message-ID"]))
        return "421 4.3.2 Service shutting down" if len(seen) == 2 else None

    with running_smtp_server(close_after_first) as server:
        # the 421 makes the client drop the connection; the reconnect then finds nobody
        mailer = SMTPMailer(server.host, server.port, timeout=5)
        report = deliver_pending(
            session_factory, mailer, sender=SENDER, recipients=RECIPIENTS, now=NOW
        )
    assert (report.sent, report.failed, report.pending) == (1, 0, 2)
    assert report.error is not None and "421" in report.error
    statuses = _statuses(session_factory)
    assert statuses[alert_ids[0]] == ("sent", 1)
    # the alert in hand counts one attempt (a message that always kills the connection must
    # not hold the queue forever); the one after it was never tried
    assert statuses[alert_ids[1]] == ("failed", 1)
    assert statuses[alert_ids[2]] == ("pending", 0)


def test_outbox_folder_delivery_reports_the_files(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    with session_factory() as session:
        alert_ids = _seed(session)
    report = deliver_pending(
        session_factory,
        OutboxDirMailer(tmp_path / "outbox"),
        sender=SENDER,
        recipients=RECIPIENTS,
        now=NOW,
    )
    assert report.sent == 3
    paths = [p for _, _, p in report.delivered]
    assert all(p is not None and p.exists() for p in paths)
    assert [p.name.split("-", 1)[1] for p in paths if p] == [f"alert-{a}.eml" for a in alert_ids]
    with session_factory() as session:
        assert {a.channel for a in session.scalars(select(Alert))} == {"file"}


def test_alert_without_an_event_is_marked_failed_and_the_others_go(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory() as session:
        alert_ids = _seed(session, EVENTS[:1])
        orphan = enqueue_alert(
            session,
            event_id=None,
            kind="new",
            dedup_key="orphan",
            message_id=message_id_for("orphan"),
            created_at=NOW,
        )
        session.commit()
    assert orphan is not None
    with running_smtp_server() as server:
        report = _deliver(session_factory, server)
    assert (report.sent, report.failed) == (1, 1)
    statuses = _statuses(session_factory)
    assert statuses[alert_ids[0]] == ("sent", 1)
    assert statuses[orphan] == ("failed", 1)


def test_build_alert_views_orders_sources_and_threads_updates(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory() as session:
        first, *_ = _seed(session)
        new_alert = session.get(Alert, first)
        assert new_alert is not None and new_alert.event_id is not None
        update_id = enqueue_alert(
            session,
            event_id=new_alert.event_id,
            kind="update",
            dedup_key=f"event:{new_alert.event_id}:update:1",
            message_id=message_id_for(f"event:{new_alert.event_id}:update:1"),
            created_at=NOW,
        )
        session.commit()
        assert update_id is not None
        views = build_alert_views(session, [update_id, first, 99999])
    assert [v.alert_id for v in views] == [update_id, first]
    update, new = views
    assert [s.name for s in new.sources] == ["Wire Test", "Journal Test"]
    assert new.sources[0].url == "https://wire.test/story/1"
    assert new.sources[1].language == "fr"
    assert new.sources[0].language == "en"  # from the feed when the article has none
    assert new.in_reply_to is None
    assert update.kind == "update"
    assert update.in_reply_to == new.message_id
    assert (new.figure_low, new.figure_unit, new.place) == (12000, "troops", "Kursk")
    assert new.figure_qualifier == "approx"  # from the origin article's stored detection
    assert new.detected_at == NOW - timedelta(hours=1)


def test_postgresql_claim_skips_a_row_another_sender_is_claiming(
    session_factory: sessionmaker[Session], db_url: str
) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("FOR UPDATE SKIP LOCKED is the PostgreSQL path")
    with session_factory() as session:
        first, second, _ = _seed(session)
    with session_factory() as a, session_factory() as b:
        b.execute(text("SET LOCAL lock_timeout = '5s'"))  # a blocking claim would fail, not hang
        assert claim_alert(a, first, NOW) is True  # not committed yet: the row is locked
        assert claim_alert(b, first, NOW) is False  # skipped at once
        assert claim_alert(b, second, NOW) is True  # other rows stay available
        a.commit()
        b.commit()
    with session_scope(session_factory) as session:
        assert claim_alert(session, first, NOW) is False  # committed claim, still fresh
    assert _statuses(session_factory)[first] == (SENDING, 0)


def test_digest_is_recorded_once_and_sent_with_the_period_events_and_failing_feeds(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory() as session:
        alert_ids = _seed(session)
        broken = Feed(
            url="https://broken.test/rss",
            name="Broken Feed",
            created_at=NOW,
            error_count=4,
            last_error="HTTP 503 Service Unavailable",
        )
        session.add(broken)
        session.commit()
    start, end = NOW - timedelta(days=1), NOW + timedelta(minutes=1)
    with session_scope(session_factory) as session:
        digest_id = enqueue_digest(session, period_start=start, period_end=end, now=NOW)
        assert digest_id is not None
        assert enqueue_digest(session, period_start=start, period_end=end, now=NOW) is None
    # a digest of an earlier period holds no event
    with session_scope(session_factory) as session:
        empty_id = enqueue_digest(
            session, period_start=start - timedelta(days=1), period_end=start, now=NOW
        )
    with running_smtp_server() as server:
        report = _deliver(session_factory, server)
        assert report.sent == 5
        assert len(server.handler.messages) == 5
        digests = [m for m in server.handler.messages if m["X-Rudprk-Alert-Kind"] == "digest"]
        assert len(digests) == 2
        full, empty = digests
        assert full["X-Rudprk-Event-Type"] == "agreement, deployment"
        assert full["Subject"].endswith(": 3 events, 1 failing feed")
        plain = full.get_body(("plain",))
        assert plain is not None
        text_body = plain.get_content()
        assert "Broken Feed: 4 consecutive errors; last: HTTP 503 Service Unavailable" in text_body
        assert "12,000 troops" in text_body and "1,000–6,000 personnel" in text_body
        assert empty["X-Rudprk-Event-Id"] == "none"
        assert [a for a, _, _ in report.delivered] == [*alert_ids, digest_id, empty_id]
        assert _deliver(session_factory, server).sent == 0


def test_enqueue_digest_refuses_an_empty_period(session: Session) -> None:
    with pytest.raises(RenderError, match="not a digest period"):
        enqueue_digest(session, period_start=NOW, period_end=NOW, now=NOW)
