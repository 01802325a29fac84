"""Sending the outbox: claim → render → send → mark sent, one alert at a time.

Guarantees:

* **Never lost.** An alert is in the ``alerts`` table before anyone tries to send it. When the
  channel is down (SMTP unreachable), nothing is marked: every alert stays pending for the next
  pass. A message the server rejects is marked ``failed`` (``attempts`` + 1) and retried on the
  next passes, up to ``max_attempts``, after the alerts never tried (so one bad message cannot
  hold up the queue). When the connection is lost mid-pass, the alert in hand counts one
  attempt and the rest stay pending.
* **Not sent twice by two senders.** Before sending, the sender claims the row
  (``pending``/``failed`` → ``sending``, committed; ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, a
  conditional ``UPDATE`` everywhere). A second pass running at the same time skips claimed rows.
* **Trade-off after a crash.** A crash *between* the SMTP server's acceptance and the commit of
  ``sent`` leaves the row ``sending``; once the claim is older than ``stale_after`` it is sent
  again (at-least-once, not at-most-once: an alert that was maybe sent beats one that was
  maybe lost). The copy carries the same ``Message-ID``, so mail clients and list servers that
  deduplicate on it drop it, and a reader sees the same thread.

Digests go through the same outbox: :func:`enqueue_digest` records a ``digest`` row for a period
(its dedup key names the period, so each period's digest is sent once), and
:func:`deliver_pending` renders it from the alerts recorded in that period and the failing feeds.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from alerts.errors import ChannelUnavailableError, DeliveryError
from alerts.mailer import Mailer
from alerts.render import message_id_for, render_alert
from alerts.views import build_alert_views, build_digest, digest_dedup_key, digest_period
from storage.engine import session_scope
from storage.models import Alert
from storage.outbox import (
    DEFAULT_MAX_ATTEMPTS,
    DEFAULT_STALE_CLAIM,
    claim_alert,
    enqueue_alert,
    mark_failed,
    mark_sent,
    pending_alerts,
)

__all__ = ["DeliveryReport", "build_alert_views", "deliver_pending", "enqueue_digest"]

log = logging.getLogger(__name__)


@dataclass
class DeliveryReport:
    sent: int = 0  # delivered in this run
    failed: int = 0  # refused or not renderable in this run (retried on later runs)
    pending: int = 0  # still unsent after this run (pending, failed below the cap, claimed)
    # (alert_id, subject, file written when the channel is the outbox folder)
    delivered: list[tuple[int, str, Path | None]] = field(default_factory=list)
    error: str | None = None  # why the channel was unavailable, when it was


def _render(
    session: Session,
    alert_id: int,
    *,
    sender: str,
    recipients: Sequence[str],
    now: datetime,
) -> EmailMessage:
    alert = session.get(Alert, alert_id)
    if alert is not None and alert.kind == "digest":
        return build_digest(session, alert, sender=sender, recipients=recipients, now=now)
    views = build_alert_views(session, [alert_id])
    if not views:
        raise DeliveryError(f"alert {alert_id} has no event to report")
    return render_alert(views[0], sender=sender, recipients=recipients, now=now)


def _claim_and_render(
    session_factory: sessionmaker[Session],
    alert_id: int,
    *,
    sender: str,
    recipients: Sequence[str],
    now: datetime,
    stale_after: timedelta,
    max_attempts: int,
) -> EmailMessage | None:
    """Claim the alert and render it in one short transaction; ``None`` if it is not free.

    The claim is committed before anything is sent. If rendering fails the claim is rolled
    back with it, and the caller records the failure.
    """
    with session_scope(session_factory) as session:
        if not claim_alert(
            session, alert_id, now, stale_after=stale_after, max_attempts=max_attempts
        ):
            return None
        return _render(session, alert_id, sender=sender, recipients=recipients, now=now)


def enqueue_digest(
    session: Session,
    *,
    period_start: datetime,
    period_end: datetime,
    now: datetime,
    domain: str = "rudprk-watch.local",
) -> int | None:
    """Record the digest of a period in the outbox (sent by :func:`deliver_pending` like any
    alert); ``None`` when that period's digest was already recorded."""
    key = digest_dedup_key(period_start, period_end)
    digest_period(key)  # refuses naive or empty periods
    return enqueue_alert(
        session,
        event_id=None,
        kind="digest",
        dedup_key=key,
        message_id=message_id_for(key, domain),
        created_at=now,
    )


def deliver_pending(
    session_factory: sessionmaker[Session],
    mailer: Mailer,
    *,
    sender: str,
    recipients: Sequence[str],
    now: datetime,
    stale_after: timedelta = DEFAULT_STALE_CLAIM,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
) -> DeliveryReport:
    """Send every pending alert once; each is marked sent in its own transaction right after."""
    report = DeliveryReport()
    with session_factory() as session:
        alert_ids = [a.id for a in pending_alerts(session, max_attempts)]
    if not alert_ids:
        return report
    try:
        channel = mailer.__enter__()
    except DeliveryError as exc:
        log.warning(
            "alert channel unavailable", extra={"error": str(exc), "pending": len(alert_ids)}
        )
        report.pending = len(alert_ids)
        report.error = str(exc)
        return report
    try:
        for alert_id in alert_ids:
            try:
                message = _claim_and_render(
                    session_factory,
                    alert_id,
                    sender=sender,
                    recipients=recipients,
                    now=now,
                    stale_after=stale_after,
                    max_attempts=max_attempts,
                )
                if message is None:  # sent or being sent by another pass meanwhile
                    continue
                path = channel.send(message)
            except Exception as exc:  # refused, unrenderable, or the channel lost mid-send
                with session_scope(session_factory) as session:
                    mark_failed(session, alert_id, str(exc) or type(exc).__name__)
                if isinstance(exc, ChannelUnavailableError):
                    # Counted as an attempt, so a message that always kills the connection
                    # cannot hold the queue forever; the rest stay pending for the next pass.
                    log.warning(
                        "alert channel lost", extra={"alert_id": alert_id, "error": str(exc)}
                    )
                    report.error = str(exc)
                    break
                log.warning("alert not delivered", extra={"alert_id": alert_id, "error": str(exc)})
                report.failed += 1
                continue
            with session_scope(session_factory) as session:
                mark_sent(session, alert_id, now, channel.channel)
            report.sent += 1
            report.delivered.append((alert_id, str(message["Subject"]), path))
            log.info("alert sent", extra={"alert_id": alert_id, "channel": channel.channel})
    finally:
        mailer.__exit__(None, None, None)
    with session_factory() as session:
        report.pending = len(pending_alerts(session, max_attempts))
    return report
