"""The alert outbox: an alert is recorded before it is sent and marked sent after.

``dedup_key`` is unique, so the same event never gets the same kind of alert twice, even when
two passes race. A crash between send and mark leaves the row pending; the stable
``Message-ID`` lets mail servers and readers drop the rare second copy.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from storage.models import Alert
from storage.statements import insert_ignoring_conflicts

PENDING = "pending"
SENT = "sent"
FAILED = "failed"


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


def pending_alerts(session: Session, max_attempts: int = 20) -> list[Alert]:
    return list(
        session.scalars(
            select(Alert)
            .where(Alert.status.in_([PENDING, FAILED]), Alert.attempts < max_attempts)
            .order_by(Alert.id)
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
