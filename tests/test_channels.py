"""Channels beyond e-mail through Apprise URLs, against a loopback HTTP endpoint (a generic JSON
webhook and a Slack-compatible Mattermost hook), never a real service: the same delivery rows
and exactly-once guarantee as e-mail (SQLite, and PostgreSQL when configured)."""

from __future__ import annotations

from datetime import timedelta
from email.message import EmailMessage

from seeding import NOW, seed_alerts
from smtpserver import running_smtp_server
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from webhookserver import WebhookServer

from alerts.channels import AppriseChannel, check_apprise_url, notification_of
from alerts.delivery import deliver_pending
from alerts.mailer import SMTPMailer
from storage.models import Delivery

HOOK = "hook"


def _deliver(factory: sessionmaker[Session], url: str, *, now=NOW):  # type: ignore[no-untyped-def]
    return deliver_pending(
        factory,
        AppriseChannel(HOOK, url),
        sender="rudprk <alerts@rudprk.test>",
        recipients=["analyst@rudprk.test"],
        now=now,
        channel=HOOK,
    )


def _states(factory: sessionmaker[Session], channel: str) -> list[tuple[str, int]]:
    with factory() as session:
        return [
            (d.status, d.attempts)
            for d in session.scalars(
                select(Delivery).where(Delivery.channel == channel).order_by(Delivery.id)
            )
        ]


def test_a_json_webhook_gets_each_alert_exactly_once(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory() as session:
        alert_ids = seed_alerts(session, channels=("email", HOOK))
    with WebhookServer() as hook:
        url = f"json://127.0.0.1:{hook.port}/rudprk"
        report = _deliver(session_factory, url)
        assert (report.sent, report.failed, report.retrying) == (3, 0, 0)
        again = _deliver(session_factory, url, now=NOW + timedelta(hours=1))
        assert again.sent == 0
        assert len(hook.posts) == 3
        first = hook.posts[0].json()
        assert first["title"].startswith("North Korea sends about 12,000 troops")
        assert "Evidence, in English:" in first["message"]
        assert first["message"].count("Example") == 0  # the seeded outlets are "Wire Test"…
        assert "Wire Test" in first["message"]
    assert _states(session_factory, HOOK) == [("sent", 1)] * 3
    # The e-mail deliveries of the same alerts are untouched, and go out on their own.
    assert _states(session_factory, "email") == [("pending", 0)] * 3
    with running_smtp_server() as server:
        report = deliver_pending(
            session_factory,
            SMTPMailer(server.host, server.port, timeout=5),
            sender="rudprk <alerts@rudprk.test>",
            recipients=["analyst@rudprk.test"],
            now=NOW,
        )
        assert report.sent == 3 and len(server.handler.messages) == 3
    assert [a for a, _, _ in report.delivered] == alert_ids


def test_a_slack_compatible_hook_retries_a_5xx_and_delivers_once_later(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory() as session:
        seed_alerts(session, channels=(HOOK,))
    with WebhookServer(statuses=[503, 503, 503]) as hook:
        url = f"mmost://127.0.0.1:{hook.port}/abcdefghijklmnop"
        report = _deliver(session_factory, url)
        assert (report.sent, report.retrying) == (0, 3)
        with session_factory() as session:
            errors = {d.last_error for d in session.scalars(select(Delivery))}
        assert all(e and e.startswith("channel hook:") for e in errors)
        assert all("abcdefghijklmnop" not in (e or "") for e in errors)  # the token stays secret
        # Not due yet: the back-off holds them.
        assert _deliver(session_factory, url, now=NOW + timedelta(minutes=1)).sent == 0
        later = _deliver(session_factory, url, now=NOW + timedelta(minutes=10))
        assert later.sent == 3
        assert len(hook.posts) == 3
        assert hook.posts[0].path == "/hooks/abcdefghijklmnop"
        assert "North Korea sends" in hook.posts[0].json()["text"]
    assert _states(session_factory, HOOK) == [("sent", 2)] * 3


def test_a_refusing_hook_waits_for_an_operator_and_a_dead_one_is_retried(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory() as session:
        seed_alerts(session, channels=(HOOK,))
    with WebhookServer(statuses=[404, 404, 404]) as hook:
        report = _deliver(session_factory, f"json://127.0.0.1:{hook.port}/gone")
        assert (report.sent, report.failed) == (0, 3)
    assert _states(session_factory, HOOK) == [("failed", 1)] * 3

    with session_factory() as session:
        seed_alerts(session, channels=(HOOK,), tag="b")
    with WebhookServer() as dead:
        port = dead.port
    report = _deliver(session_factory, f"json://127.0.0.1:{port}/down")
    # Like an SMTP relay that is down: the one in hand counts a failed attempt, the others
    # stay due untried, nothing is lost.
    assert (report.sent, report.retrying, report.pending) == (0, 1, 3)
    assert report.error is not None and report.error.startswith("channel hook:")
    assert sorted(_states(session_factory, HOOK)[3:]) == [
        ("pending", 0),
        ("pending", 0),
        ("pending", 1),
    ]


def test_urls_are_checked_and_messages_become_notifications() -> None:
    assert check_apprise_url("json://127.0.0.1:9/x") is None
    assert "not an Apprise URL" in (check_apprise_url("127.0.0.1") or "")
    assert "does not accept" in (check_apprise_url("bogus://x") or "")
    assert "abc" not in repr(AppriseChannel("desk", "slack://T/B/abc"))
    message = EmailMessage()
    message["Subject"] = "[rudprk] Headline"
    message.set_content("Headline\n\nEvidence:\n    “x”\n")
    assert notification_of(message) == ("Headline", "Evidence:\n    “x”")
