"""Sending the outbox: for each due delivery, claim (a lease) → render → send → mark, one at a time.

Guarantees (see ``docs/alerts.md``):

* **Never lost, never abandoned.** An alert and its deliveries are in the database before anyone
  tries to send them. A temporary failure (SMTP ``4xx``, a timeout, a relay that cannot be
  reached) is recorded on the delivery (attempts, the server's reply, the next attempt after a
  capped exponential back-off) and the delivery stays due; only a permanent refusal (``5xx``)
  ends it, in ``failed``, reported by every pass until an operator resends or discards it.
* **Not sent twice by two senders.** Each delivery is claimed under a lease stamped with the
  clock at claim time and renewed by a heartbeat while this sender works; a second sender skips
  it until the lease expires (its sender died).
* **The one window.** A crash after the server acknowledged ``DATA`` and before ``sent`` is
  committed (one short ``UPDATE``) leaves the claim to expire: the message goes out again, with
  the same ``Message-ID``. So does a connection lost after ``DATA`` began, when the server's
  answer never came. Nothing else resends.

Channels: a delivery row names its channel (``email`` here); the mailer says how it went out
(``smtp`` or ``file``). Other channels plug in through the same loop (:func:`deliver_pending`
with their own sender and ``channel``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from alerts.errors import (
    ChannelUnavailableError,
    DeliveryError,
    PermanentDeliveryError,
    TemporaryDeliveryError,
)
from alerts.mailer import Mailer
from alerts.render import new_message_id, render_alert
from alerts.views import build_alert_views, build_digest, digest_dedup_key, digest_period
from storage.engine import session_scope
from storage.errors import DatabaseFaultError
from storage.faults import DEFAULT_RECONNECT_SECONDS, run_unit
from storage.installation import installation_id
from storage.locks import Clock, Heartbeat, new_owner, utc_now
from storage.models import Alert, Delivery
from storage.outbox import (
    DEFAULT_BACKOFF,
    DEFAULT_LEASE,
    EMAIL_CHANNEL,
    Backoff,
    claim_delivery,
    count_outstanding,
    delivery_recipients,
    due_deliveries,
    enqueue_alert,
    mark_failed,
    mark_retry,
    mark_sent,
    record_unavailable,
    release_claim,
    renew_leases,
)

__all__ = [
    "DeliveryReport",
    "build_alert_views",
    "deliver_pending",
    "enqueue_digest",
    "enqueue_event_alert",
    "render_stored_alert",
]

log = logging.getLogger(__name__)

T = TypeVar("T")

MESSAGE_ID_DOMAIN = "rudprk-watch.local"


@dataclass
class DeliveryReport:
    sent: int = 0  # delivered in this run
    failed: int = 0  # refused for good in this run: waiting for an operator
    retrying: int = 0  # failed temporarily in this run: due again after their back-off
    skipped: int = 0  # claimed by another sender meanwhile
    pending: int = 0  # still to be delivered after this run (retrying, claimed, not yet due)
    # (alert_id, subject, file written when the channel is the outbox folder)
    delivered: list[tuple[int, str, Path | None]] = field(default_factory=list)
    error: str | None = None  # why the channel was unavailable, when it was


def alert_message_id(session: Session, domain: str = MESSAGE_ID_DOMAIN) -> str:
    """A new Message-ID for an alert of this installation (stored with the alert)."""
    return new_message_id(installation_id(session), domain)


def enqueue_event_alert(
    session: Session,
    *,
    event_id: int,
    kind: str,
    dedup_key: str,
    created_at: datetime,
    channels: Sequence[str] = (EMAIL_CHANNEL,),
    why: dict[str, Any] | None = None,
    recipients: Mapping[str, Sequence[str]] | None = None,
) -> int | None:
    """Record an event's alert and its deliveries; ``None`` when this dedup key already exists.

    Call it in the transaction that creates the event: the alert exists before anyone sends it.
    ``why`` (the rule, scores, model, evidence, matching decision) is stored with it;
    ``recipients`` maps a channel to its own addresses.
    """
    return enqueue_alert(
        session,
        event_id=event_id,
        kind=kind,
        dedup_key=dedup_key,
        message_id=alert_message_id(session),
        created_at=created_at,
        channels=channels,
        why=why,
        recipients=recipients,
    )


def enqueue_digest(
    session: Session,
    *,
    period_start: datetime,
    period_end: datetime,
    now: datetime,
    domain: str = MESSAGE_ID_DOMAIN,
    channels: Sequence[str] = (EMAIL_CHANNEL,),
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
        message_id=alert_message_id(session, domain),
        created_at=now,
        channels=channels,
    )


def render_stored_alert(
    session: Session,
    alert_id: int,
    *,
    sender: str,
    recipients: Sequence[str],
    now: datetime,
    language: str = "en",
) -> EmailMessage:
    """The message of a stored alert (an event alert or a digest), as it would be sent."""
    alert = session.get(Alert, alert_id)
    if alert is None:
        raise DeliveryError(f"no alert {alert_id}")
    if alert.kind == "digest":
        return build_digest(
            session, alert, sender=sender, recipients=recipients, now=now, language=language
        )
    views = build_alert_views(session, [alert.id])
    if not views:
        raise DeliveryError(f"alert {alert.id} has no event to report")
    return render_alert(views[0], sender=sender, recipients=recipients, now=now, language=language)


def _render(
    session: Session,
    delivery_id: int,
    *,
    sender: str,
    recipients: Sequence[str],
    now: datetime,
    language: str = "en",
) -> tuple[int, EmailMessage]:
    alert_id = session.scalar(select(Delivery.alert_id).where(Delivery.id == delivery_id))
    if alert_id is None:
        raise DeliveryError(f"delivery {delivery_id} has no alert")
    own = delivery_recipients(session, delivery_id)
    message = render_stored_alert(
        session,
        int(alert_id),
        sender=sender,
        recipients=own or recipients,
        now=now,
        language=language,
    )
    return int(alert_id), message


@dataclass
class _Sender:
    """One run of :func:`deliver_pending` (its owner token, clock and database access)."""

    factory: sessionmaker[Session]
    owner: str
    clock: Clock
    lease: timedelta
    backoff: Backoff
    now: datetime
    reconnect_seconds: float
    language: str = "en"

    def unit(self, work: Callable[[Session], T], what: str) -> T:
        return run_unit(self.factory, work, what=what, reconnect_seconds=self.reconnect_seconds)

    def renew(self) -> None:
        with session_scope(self.factory) as session:
            renew_leases(session, self.owner, clock_now=self.clock(), lease=self.lease)

    def claim(self, delivery_id: int) -> bool:
        return self.unit(
            lambda s: claim_delivery(
                s, delivery_id, owner=self.owner, clock_now=self.clock(), lease=self.lease
            ),
            f"the claim of delivery {delivery_id}",
        )

    def retry(self, delivery_id: int, error: str) -> None:
        self.unit(
            lambda s: mark_retry(
                s, delivery_id, owner=self.owner, error=error, now=self.now, backoff=self.backoff
            ),
            f"recording the failure of delivery {delivery_id}",
        )

    def fail(self, delivery_id: int, error: str) -> None:
        self.unit(
            lambda s: mark_failed(s, delivery_id, owner=self.owner, error=error, now=self.now),
            f"recording the refusal of delivery {delivery_id}",
        )

    def release(self, delivery_id: int) -> None:
        """Give the claim back (the pass stops before sending); best effort."""
        try:
            with session_scope(self.factory) as session:
                release_claim(session, delivery_id, owner=self.owner)
        except Exception as exc:  # the database is what failed: the lease expires by itself
            log.warning("claim not released", extra={"delivery_id": delivery_id, "error": str(exc)})


def deliver_pending(
    session_factory: sessionmaker[Session],
    mailer: Mailer,
    *,
    sender: str,
    recipients: Sequence[str],
    now: datetime,
    clock: Clock = utc_now,
    lease: timedelta = DEFAULT_LEASE,
    backoff: Backoff = DEFAULT_BACKOFF,
    owner: str | None = None,
    channel: str = EMAIL_CHANNEL,
    guard: Callable[[], None] | None = None,
    reconnect_seconds: float = DEFAULT_RECONNECT_SECONDS,
    language: str = "en",
) -> DeliveryReport:
    """Send every due delivery of ``channel`` once; each is marked in its own transaction.

    ``now`` is the pass's time (what is due, back-off, ``sent_at``); ``clock`` gives the time
    of each claim (leases). ``guard`` is called before each claim and may raise to stop (the
    stage lock was lost). Raises :class:`~storage.errors.DatabaseFaultError` when the database
    fails twice in a row; a claim not yet sent is then released for the next pass.
    """
    run = _Sender(
        session_factory,
        owner or new_owner(),
        clock,
        lease,
        backoff,
        now,
        reconnect_seconds,
        language,
    )
    report = DeliveryReport()
    due = run.unit(
        lambda s: [d.id for d in due_deliveries(s, channel, now=now, clock_now=clock())],
        "delivery",
    )
    if due:
        with Heartbeat(max(0.05, lease.total_seconds() / 3), run.renew, name="rudprk-leases"):
            try:
                transport = mailer.__enter__()
            except ChannelUnavailableError as exc:
                error = str(exc)
                report.retrying = run.unit(
                    lambda s: record_unavailable(s, due, error=error, now=now, backoff=backoff),
                    "recording the unavailable channel",
                )
                report.error = error
                log.warning("alert channel unavailable", extra={"error": error, "due": len(due)})
            else:
                try:
                    _send_all(run, transport, due, sender, recipients, report, guard)
                finally:
                    mailer.__exit__(None, None, None)
    report.pending = run.unit(count_outstanding, "counting undelivered alerts")
    return report


def _send_all(
    run: _Sender,
    transport: Mailer,
    due: Sequence[int],
    sender: str,
    recipients: Sequence[str],
    report: DeliveryReport,
    guard: Callable[[], None] | None,
) -> None:
    for delivery_id in due:
        if guard is not None:
            guard()
        if not _send_one(run, transport, delivery_id, sender, recipients, report):
            break


def _send_one(
    run: _Sender,
    transport: Mailer,
    delivery_id: int,
    sender: str,
    recipients: Sequence[str],
    report: DeliveryReport,
) -> bool:
    """Claim, render, send and mark one delivery; ``False`` when the channel is lost."""
    if not run.claim(delivery_id):  # sent or being sent by another sender meanwhile
        report.skipped += 1
        return True
    try:
        alert_id, message = run.unit(
            lambda s: _render(
                s,
                delivery_id,
                sender=sender,
                recipients=recipients,
                now=run.now,
                language=run.language,
            ),
            f"rendering delivery {delivery_id}",
        )
    except DatabaseFaultError:
        run.release(delivery_id)
        raise
    except Exception as exc:  # unrenderable: no retry can help until someone fixes it
        error = f"cannot render: {exc}" if str(exc) else f"cannot render: {exc!r}"
        run.fail(delivery_id, error)
        log.warning("alert not delivered", extra={"delivery_id": delivery_id, "error": error})
        report.failed += 1
        return True
    try:
        path = transport.send(message)
    except PermanentDeliveryError as exc:
        run.fail(delivery_id, str(exc))
        log.warning("alert refused", extra={"alert_id": alert_id, "error": str(exc)})
        report.failed += 1
        return True
    except ChannelUnavailableError as exc:
        # This one counts an attempt and waits for its back-off; the rest were not tried and
        # stay due, so a message that always breaks the connection cannot hold them up.
        run.retry(delivery_id, str(exc))
        log.warning("alert channel lost", extra={"alert_id": alert_id, "error": str(exc)})
        report.retrying += 1
        report.error = str(exc)
        return False
    except TemporaryDeliveryError as exc:
        run.retry(delivery_id, str(exc))
        log.warning("alert deferred", extra={"alert_id": alert_id, "error": str(exc)})
        report.retrying += 1
        return True
    except Exception as exc:  # a channel's own bug: never abandon the alert for it
        run.retry(delivery_id, f"{type(exc).__name__}: {exc}")
        log.exception("alert channel crashed", extra={"alert_id": alert_id})
        report.retrying += 1
        return True
    try:
        run.unit(
            lambda s: mark_sent(
                s, delivery_id, owner=run.owner, sent_at=run.now, transport=transport.channel
            ),
            f"marking alert {alert_id} sent",
        )
    except DatabaseFaultError as exc:
        raise DatabaseFaultError(
            f"{exc}; alert {alert_id} was sent but could not be marked sent: it will be sent "
            "again, with the same Message-ID, once its claim expires"
        ) from exc
    report.sent += 1
    report.delivered.append((alert_id, str(message["Subject"]), path))
    log.info("alert sent", extra={"alert_id": alert_id, "channel": transport.channel})
    return True
