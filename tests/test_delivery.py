"""Outbox delivery on real databases (SQLite, and PostgreSQL when configured) and a real SMTP server."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from seeding import EVENTS, NOW, many_events, seed_alerts
from smtpserver import RecordingHandler, SMTPTestServer, free_port, running_smtp_server
from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from alerts.delivery import (
    DeliveryReport,
    alert_message_id,
    build_alert_views,
    deliver_pending,
    enqueue_digest,
    enqueue_event_alert,
)
from alerts.errors import RenderError
from alerts.mailer import OutboxDirMailer, SMTPMailer
from storage.engine import session_scope
from storage.installation import installation_id
from storage.models import Alert, Delivery, Feed
from storage.outbox import (
    DEFAULT_BACKOFF,
    Backoff,
    claim_delivery,
    discard,
    due_deliveries,
    enqueue_alert,
    list_deliveries,
    mark_retry,
    requeue,
    undelivered,
)

SENDER = "rudprk <alerts@rudprk.test>"
RECIPIENTS = ["analyst@rudprk.test"]


def _states(factory: sessionmaker[Session]) -> dict[int, tuple[str, int]]:
    """alert id → (status, attempts) of its e-mail delivery."""
    with factory() as session:
        return {d.alert_id: (d.status, d.attempts) for d in session.scalars(select(Delivery))}


def _delivery(factory: sessionmaker[Session], alert_id: int) -> Delivery:
    with factory() as session:
        found = session.scalars(select(Delivery).where(Delivery.alert_id == alert_id)).one()
        session.expunge(found)
        return found


def _deliver(
    factory: sessionmaker[Session],
    server: SMTPTestServer,
    now: datetime = NOW,
    **kwargs: object,
) -> DeliveryReport:
    mailer = SMTPMailer(server.host, server.port, timeout=5)
    return deliver_pending(
        factory,
        mailer,
        sender=SENDER,
        recipients=RECIPIENTS,
        now=now,
        **kwargs,  # type: ignore[arg-type]
    )


def test_delivers_each_alert_once_with_headers_and_marks_it_sent(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory() as session:
        alert_ids = seed_alerts(session)
    with running_smtp_server() as server:
        report = _deliver(session_factory, server)
        assert (report.sent, report.failed, report.retrying, report.pending, report.error) == (
            3,
            0,
            0,
            0,
            None,
        )
        assert [a for a, _, _ in report.delivered] == alert_ids
        assert report.delivered[0][1] == (
            "[rudprk] North Korea sends about 12,000 troops to the Kursk region "
            "on 18 November 2026, says South Korea's NIS"
        )
        assert report.delivered[2][1].startswith(
            "[rudprk] North Korea sends 1,000–6,000 troops to the Kursk region"
        )
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
            delivery = _delivery(session_factory, alert_id)
            assert (delivery.status, delivery.transport, delivery.attempts) == ("sent", "smtp", 1)
            assert delivery.sent_at == NOW
            assert delivery.lease_owner is None and delivery.next_attempt_at is None
        text_part = received[1].get_body(("plain",))
        assert text_part is not None
        content = text_part.get_content()
        # the article that raised the event comes first, though the other was published earlier
        assert content.index("Wire Test: Wire story 2") < content.index("Journal Test")
        assert "https://journal.test/article/2" in content

        # a rerun sends nothing and does not even connect
        again = _deliver(session_factory, server, now=NOW + timedelta(minutes=15))
        assert (again.sent, again.failed, again.pending, again.delivered) == (0, 0, 0, [])
        assert len(server.handler.messages) == 3


def test_message_ids_are_unique_per_alert_and_installation_and_stable_across_retries(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    with session_factory() as session:
        alert_ids = seed_alerts(session)
        ours = installation_id(session)
        assert installation_id(session) == ours  # created once
        ids = [session.get(Alert, a).message_id for a in alert_ids]  # type: ignore[union-attr]
    assert len(set(ids)) == 3
    assert all(i.startswith("<rudprk.") and f".{ours}@" in i for i in ids)

    # another installation (a database of its own) never gives the same ids
    from storage.engine import create_db_engine, create_session_factory
    from storage.migrate import upgrade_database

    other_engine = create_db_engine(f"sqlite:///{tmp_path / 'other.sqlite3'}")
    upgrade_database(other_engine)
    with create_session_factory(other_engine)() as other:
        theirs = installation_id(other)
        other_ids = [alert_message_id(other) for _ in range(50)]
    other_engine.dispose()
    assert theirs != ours
    assert not set(other_ids) & set(ids) and len(set(other_ids)) == 50

    # a retry (451, then accepted) carries the Message-ID of the first try
    refuse = [True]
    with running_smtp_server(lambda m: "451 4.3.0 Try later" if refuse[0] else None) as server:
        _deliver(session_factory, server)
        assert [str(m["Message-ID"]) for m in server.handler.rejected] == ids
        refuse[0] = False
        _deliver(session_factory, server, now=NOW + timedelta(hours=1))
        assert [str(m["Message-ID"]) for m in server.handler.messages] == ids


def test_smtp_down_records_the_failure_on_every_due_delivery_then_delivers_once_later(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory() as session:
        alert_ids = seed_alerts(session)
    port = free_port()
    down = deliver_pending(
        session_factory,
        SMTPMailer("127.0.0.1", port, timeout=5),
        sender=SENDER,
        recipients=RECIPIENTS,
        now=NOW,
    )
    assert (down.sent, down.failed, down.retrying, down.pending) == (0, 0, 3, 3)
    assert down.error is not None and f"127.0.0.1:{port}" in down.error
    assert _states(session_factory) == {a: ("pending", 1) for a in alert_ids}
    first = _delivery(session_factory, alert_ids[0])
    assert first.last_error is not None and "Connection refused" in first.last_error
    assert first.last_attempt_at == NOW
    assert first.next_attempt_at == NOW + timedelta(minutes=5)
    with session_factory() as session:
        rows = undelivered(session, clock_now=datetime.now(UTC))
    assert [(r.alert_id, r.state, r.attempts) for r in rows] == [
        (a, "retrying", 1) for a in alert_ids
    ]

    with SMTPTestServer(RecordingHandler(), port=port) as server:
        early = _deliver(session_factory, server, now=NOW + timedelta(minutes=2))
        assert (early.sent, early.pending) == (0, 3)  # still in back-off: not even a connection
        assert server.handler.messages == []
        later = _deliver(session_factory, server, now=NOW + timedelta(minutes=15))
        assert (later.sent, later.pending) == (3, 0)
        assert len(server.handler.messages) == 3
    assert _states(session_factory) == {a: ("sent", 2) for a in alert_ids}


def test_a_permanent_refusal_ends_the_delivery_until_an_operator_acts(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory() as session:
        alert_ids = seed_alerts(session)

    def reject_agreements(msg: EmailMessage) -> str | None:
        return (
            "550 5.7.1 Refused by test policy"
            if msg["X-Rudprk-Event-Type"] == "agreement"
            else None
        )

    with running_smtp_server(reject_agreements) as server:
        report = _deliver(session_factory, server)
        assert (report.sent, report.failed, report.retrying, report.pending) == (2, 1, 0, 0)
        assert [a for a, _, _ in report.delivered] == [alert_ids[0], alert_ids[2]]
    refused = _delivery(session_factory, alert_ids[1])
    assert (refused.status, refused.attempts) == ("failed", 1)
    assert "550 5.7.1 Refused by test policy" in (refused.last_error or "")
    with session_factory() as session:
        assert [(r.alert_id, r.state) for r in undelivered(session, clock_now=NOW)] == [
            (alert_ids[1], "failed")
        ]

    # later passes, even on a server that would take it, never retry it by themselves
    with running_smtp_server() as server:
        for n in range(1, 4):
            assert _deliver(session_factory, server, now=NOW + timedelta(hours=n)).sent == 0
        assert server.handler.messages == []
        # the operator resends it: the next delivery sends it, once
        with session_scope(session_factory) as session:
            assert requeue(session, alert_ids[1], now=NOW, clock_now=datetime.now(UTC)) == 1
        retry = _deliver(session_factory, server, now=NOW + timedelta(hours=4))
        assert (retry.sent, retry.failed, retry.pending) == (1, 0, 0)
        assert [m["X-Rudprk-Event-Type"] for m in server.handler.messages] == ["agreement"]
    assert _states(session_factory)[alert_ids[1]] == ("sent", 1)


def test_a_discarded_alert_is_never_sent_and_no_longer_reported(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory() as session:
        first, *_ = seed_alerts(session, EVENTS[:1])
    with running_smtp_server(lambda m: "554 5.6.0 Always refused") as server:
        _deliver(session_factory, server)
    with session_scope(session_factory) as session:
        assert discard(session, first, clock_now=datetime.now(UTC)) == 1
        assert discard(session, first, clock_now=datetime.now(UTC)) == 0  # nothing left
        assert undelivered(session, clock_now=NOW) == []
        assert [r.state for r in list_deliveries(session, statuses=["discarded"])] == ["discarded"]
    with running_smtp_server() as server:
        assert _deliver(session_factory, server, now=NOW + timedelta(hours=2)).sent == 0


def test_temporary_refusals_never_abandon_an_alert_and_back_off_up_to_a_cap(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory() as session:
        (alert_id,) = seed_alerts(session, EVENTS[:1])
    refuse = [True]
    with running_smtp_server(lambda m: "451 4.7.1 Greylisted" if refuse[0] else None) as server:
        now = NOW
        waits = []
        for _ in range(30):  # far more attempts than the old cap of 20
            report = _deliver(session_factory, server, now=now)
            delivery = _delivery(session_factory, alert_id)
            assert delivery.status == "pending" and report.retrying == 1
            assert delivery.next_attempt_at is not None
            assert "451 4.7.1 Greylisted" in (delivery.last_error or "")
            waits.append(delivery.next_attempt_at - now)
            now = delivery.next_attempt_at
        assert delivery.attempts == 30
        assert waits[:5] == [timedelta(minutes=m) for m in (5, 10, 20, 40, 60)]
        assert set(waits[5:]) == {DEFAULT_BACKOFF.cap}
        refuse[0] = False
        done = _deliver(session_factory, server, now=now)
        assert done.sent == 1 and len(server.handler.messages) == 1
    assert _states(session_factory)[alert_id] == ("sent", 31)


def test_backoff_is_exponential_and_capped() -> None:
    backoff = Backoff(base=timedelta(seconds=30), cap=timedelta(minutes=10))
    assert [backoff.after(n).total_seconds() for n in range(1, 7)] == [30, 60, 120, 240, 480, 600]
    assert backoff.after(1000) == timedelta(minutes=10)


def test_a_leased_delivery_is_skipped_until_its_lease_expires(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory() as session:
        first, second, _ = seed_alerts(session)
    first_delivery = _delivery(session_factory, first).id
    clock_now = datetime.now(UTC)
    # another sender claimed the first delivery just now (and crashed, say)
    with session_scope(session_factory) as session:
        assert claim_delivery(session, first_delivery, owner="other", clock_now=clock_now)
    with session_scope(session_factory) as session:
        assert not claim_delivery(session, first_delivery, owner="us", clock_now=clock_now)
    with running_smtp_server() as server:
        report = _deliver(session_factory, server, now=NOW + timedelta(minutes=1))
        assert report.sent == 2
        assert first not in [a for a, _, _ in report.delivered]
        assert report.pending == 1  # still unsent, still counted
        assert _states(session_factory)[first] == ("sending", 0)

        # once the lease has expired (the sender died), the next sender takes it over
        later = clock_now + timedelta(minutes=3)
        stale = _deliver(
            session_factory, server, now=NOW + timedelta(minutes=30), clock=lambda: later
        )
        assert [a for a, _, _ in stale.delivered] == [first]
    assert _states(session_factory)[second] == ("sent", 1)
    assert {s for s, _ in _states(session_factory).values()} == {"sent"}


def test_never_tried_deliveries_go_before_retries(session_factory: sessionmaker[Session]) -> None:
    with session_factory() as session:
        first, second, third = seed_alerts(session)
    clock_now = datetime.now(UTC)
    first_delivery = _delivery(session_factory, first).id
    with session_scope(session_factory) as session:
        assert claim_delivery(session, first_delivery, owner="us", clock_now=clock_now)
        assert mark_retry(
            session, first_delivery, owner="us", error="451", now=NOW - timedelta(hours=1)
        )
    with session_factory() as session:
        due = due_deliveries(session, "email", now=NOW, clock_now=clock_now)
        assert [d.alert_id for d in due] == [second, third, first]


def test_server_lost_mid_batch_retries_the_one_in_hand_and_leaves_the_rest_due(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory() as session:
        alert_ids = seed_alerts(session)
    seen: list[str] = []

    def close_after_first(msg: EmailMessage) -> str | None:
        seen.append(str(msg["Message-ID"]))
        return "421 4.3.2 Service shutting down" if len(seen) == 2 else None

    with running_smtp_server(close_after_first) as server:
        report = _deliver(session_factory, server)
    assert (report.sent, report.failed, report.retrying, report.pending) == (1, 0, 1, 2)
    assert report.error is not None and "421" in report.error
    states = _states(session_factory)
    assert states[alert_ids[0]] == ("sent", 1)
    # the one in hand counts an attempt and waits for its back-off (a message that always
    # kills the connection cannot hold the queue); the one after it was never tried
    assert states[alert_ids[1]] == ("pending", 1)
    assert states[alert_ids[2]] == ("pending", 0)
    with running_smtp_server() as server:
        report = _deliver(session_factory, server, now=NOW + timedelta(minutes=1))
        assert [a for a, _, _ in report.delivered] == [alert_ids[2]]


def test_outbox_folder_delivery_reports_the_files(
    session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    with session_factory() as session:
        alert_ids = seed_alerts(session)
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
        assert {d.transport for d in session.scalars(select(Delivery))} == {"file"}


def test_alert_without_an_event_fails_for_good_and_the_others_go(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory() as session:
        alert_ids = seed_alerts(session, EVENTS[:1])
        orphan = enqueue_alert(
            session,
            event_id=None,
            kind="new",
            dedup_key="orphan",
            message_id=alert_message_id(session),
            created_at=NOW,
        )
        session.commit()
    assert orphan is not None
    with running_smtp_server() as server:
        report = _deliver(session_factory, server)
    assert (report.sent, report.failed) == (1, 1)
    states = _states(session_factory)
    assert states[alert_ids[0]] == ("sent", 1)
    assert states[orphan] == ("failed", 1)
    assert "cannot render" in (_delivery(session_factory, orphan).last_error or "")


def test_build_alert_views_orders_sources_and_threads_updates(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory() as session:
        first, *_ = seed_alerts(session)
        new_alert = session.get(Alert, first)
        assert new_alert is not None and new_alert.event_id is not None
        update_id = enqueue_event_alert(
            session,
            event_id=new_alert.event_id,
            kind="update",
            dedup_key=f"event:{new_alert.event_id}:update:1",
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
    # When the pipeline first linked an article to it, not the stored first_seen_at.
    assert new.detected_at == NOW


def test_postgresql_claim_skips_a_row_another_sender_is_claiming(
    session_factory: sessionmaker[Session], db_url: str
) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("FOR UPDATE SKIP LOCKED is the PostgreSQL path")
    with session_factory() as session:
        first, second, _ = seed_alerts(session)
    d1, d2 = _delivery(session_factory, first).id, _delivery(session_factory, second).id
    clock_now = datetime.now(UTC)
    with session_factory() as a, session_factory() as b:
        b.execute(text("SET LOCAL lock_timeout = '5s'"))  # a blocking claim would fail, not hang
        assert claim_delivery(a, d1, owner="a", clock_now=clock_now)  # not committed: locked
        assert not claim_delivery(b, d1, owner="b", clock_now=clock_now)  # skipped at once
        assert claim_delivery(b, d2, owner="b", clock_now=clock_now)  # others stay available
        a.commit()
        b.commit()
    with session_scope(session_factory) as session:
        assert not claim_delivery(session, d1, owner="c", clock_now=clock_now)  # lease is live
    assert _states(session_factory)[first] == ("sending", 0)


class SlowHandler(RecordingHandler):
    """Takes ``delay`` seconds to accept each message (a slow relay)."""

    def __init__(self, delay: float) -> None:
        super().__init__()
        self.delay = delay

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        import asyncio

        await asyncio.sleep(self.delay)
        return await super().handle_DATA(server, session, envelope)


def test_a_sender_whose_pass_started_long_ago_never_makes_another_resend(
    session_factory: sessionmaker[Session],
) -> None:
    """Two senders at once, one from a pass that started 40 minutes ago (a back catalogue, a
    slow relay): its claims are stamped with the clock at claim time, so the other sender sees
    live leases and each alert goes out once. (Claims stamped with the pass's start time
    looked stale to the second sender, which sent them again.)"""
    with session_factory() as session:
        seed_alerts(session, many_events(8))
    handler = SlowHandler(0.15)
    with SMTPTestServer(handler) as server:
        old_now = datetime.now(UTC) - timedelta(minutes=40)
        reports: dict[str, DeliveryReport] = {}

        def old_pass() -> None:
            reports["old"] = _deliver(session_factory, server, now=old_now)

        thread = threading.Thread(target=old_pass)
        thread.start()
        time.sleep(0.4)  # the old pass holds a claim now
        reports["new"] = _deliver(session_factory, server, now=datetime.now(UTC))
        thread.join(timeout=60)
        ids = [str(m["Message-ID"]) for m in handler.messages]
    assert len(ids) == 8 and len(set(ids)) == 8
    assert reports["old"].sent + reports["new"].sent == 8
    assert reports["new"].skipped >= 1
    assert {s for s, _ in _states(session_factory).values()} == {"sent"}


def test_digest_is_recorded_once_and_sent_with_the_period_events_and_failing_feeds(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory() as session:
        alert_ids = seed_alerts(session)
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
        assert full["Subject"].endswith(": 3 alerts, 0 not alerted, 1 failing feed")
        plain = full.get_body(("plain",))
        assert plain is not None
        text_body = plain.get_content()
        assert "Broken Feed: 4 consecutive errors; last: HTTP 503 Service Unavailable" in text_body
        assert "12,000 troops" in text_body and "1,000–6,000 troops" in text_body
        assert "== Alerted (3) ==" in text_body
        assert empty["X-Rudprk-Event-Id"] == "none"
        assert [a for a, _, _ in report.delivered] == [*alert_ids, digest_id, empty_id]
        assert _deliver(session_factory, server).sent == 0


def test_enqueue_digest_refuses_an_empty_period(session: Session) -> None:
    with pytest.raises(RenderError, match="not a digest period"):
        enqueue_digest(session, period_start=NOW, period_end=NOW, now=NOW)


def test_the_digest_lists_alerts_refused_for_good_until_an_operator_acts(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory() as session:
        first, *_ = seed_alerts(session, EVENTS[:1])
    with running_smtp_server(lambda m: "550 5.1.1 Mailbox unavailable") as server:
        _deliver(session_factory, server)
    with session_scope(session_factory) as session:
        enqueue_digest(session, period_start=NOW - timedelta(days=1), period_end=NOW, now=NOW)
    with running_smtp_server(
        lambda m: None if m["X-Rudprk-Alert-Kind"] == "digest" else "550 5.1.1 No"
    ) as server:
        _deliver(session_factory, server, now=NOW + timedelta(minutes=1))
        (digest,) = server.handler.messages
    plain = digest.get_body(("plain",))
    html = digest.get_body(("html",))
    assert plain is not None and html is not None
    text_body = plain.get_content()
    assert "== Alerts not delivered (1) ==" in text_body
    assert (
        f"* alert {first} (email): refused, waiting for an operator after 1 attempt; "
        "last: SMTP server" in text_body
    )
    assert "550 5.1.1 Mailbox unavailable" in text_body
    assert f"alert {first} (email): refused, waiting for an operator" in html.get_content()
