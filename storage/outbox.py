"""The alert outbox: an alert is recorded before it is sent and marked sent after.

``dedup_key`` is unique, so the same event never gets the same kind of alert twice, even when
two passes race. A crash between send and mark leaves the row pending; the stable
``Message-ID`` lets mail servers and readers drop the rare second copy.

Senders claim a row before sending it (:func:`claim_alert`: ``pending``/``failed`` → ``sending``,
with ``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL and a conditional ``UPDATE`` everywhere),
so two concurrent senders never both send it. A claim older than ``stale_after`` (a sender that
crashed mid-send) may be taken over, so no alert is stranded.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.orm import Session

from storage.models import Alert
from storage.statements import insert_ignoring_conflicts

PENDING = "pending"
SENDING = "sending"
SENT = "sent"
FAILED = "failed"
DEFAULT_MAX_ATTEMPTS = 20
DEFAULT_STALE_CLAIM = timedelta(minutes=15)


def enqueue_alert(
    session: Session,
    *,
    event_id: int | None,
    kind: str,
    dedup_key: str,
    message_id: str,
    created_at: datetime,
) -> int | None:
    """Record an alert to send; ``None`` when one with this dedup key already exists."""
    stmt = (
        insert_ignoring_conflicts(session, Alert)
        .values(
            event_id=event_id,
            kind=kind,
            dedup_key=dedup_key,
            message_id=message_id,
            status=PENDING,
            attempts=0,
            created_at=created_at,
        )
        .returning(Alert.id)
    )
    return session.execute(stmt).scalar_one_or_none()


def pending_alerts(session: Session, max_attempts: int = DEFAULT_MAX_ATTEMPTS) -> list[Alert]:
    """Alerts not sent yet: pending, failed below ``max_attempts``, or claimed by a sender.

    Fewest attempts first, then oldest: alerts never tried go before retries of failed ones.
    """
    return list(
        session.scalars(
            select(Alert)
            .where(Alert.status.in_([PENDING, FAILED, SENDING]), Alert.attempts < max_attempts)
            .order_by(Alert.attempts, Alert.id)
        )
    )


def count_pending(session: Session) -> int:
    return len(pending_alerts(session))


def mark_sent(session: Session, alert_id: int, sent_at: datetime, channel: str) -> None:
    session.execute(
        update(Alert)
        .where(Alert.id == alert_id)
        .values(
            status=SENT,
            sent_at=sent_at,
            channel=channel,
            attempts=Alert.attempts + 1,
            last_error=None,
        )
    )


def mark_failed(session: Session, alert_id: int, error: str) -> None:
    session.execute(
        update(Alert)
        .where(Alert.id == alert_id)
        .values(status=FAILED, attempts=Alert.attempts + 1, last_error=error[:2000])
    )


def _claimable(
    alert_id: int, now: datetime, stale_after: timedelta, max_attempts: int
) -> ColumnElement[bool]:
    return and_(
        Alert.id == alert_id,
        Alert.attempts < max_attempts,
        or_(
            Alert.status.in_([PENDING, FAILED]),
            and_(
                Alert.status == SENDING,
                or_(Alert.claimed_at.is_(None), Alert.claimed_at < now - stale_after),
            ),
        ),
    )


def claim_alert(
    session: Session,
    alert_id: int,
    now: datetime,
    *,
    stale_after: timedelta = DEFAULT_STALE_CLAIM,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
) -> bool:
    """Take the right to send ``alert_id`` (status → ``sending``); ``False`` if it is not free.

    Free means pending, failed below ``max_attempts``, or claimed more than ``stale_after`` ago.
    The caller commits the claim *before* sending, so a concurrent sender sees it.
    """
    condition = _claimable(alert_id, now, stale_after, max_attempts)
    if session.get_bind().dialect.name == "postgresql":
        locked = session.execute(
            select(Alert.id).where(condition).with_for_update(skip_locked=True)
        ).scalar_one_or_none()
        if locked is None:
            return False
    result = session.execute(
        update(Alert)
        .where(condition)
        .values(status=SENDING, claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0) == 1)
