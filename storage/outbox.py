"""The alert outbox: one ``alerts`` row per alert, one ``deliveries`` row per alert and channel.

An alert is recorded (with its deliveries) in the transaction that creates its event, before
anyone tries to send it; ``dedup_key`` is unique, so the same event never gets the same kind of
alert twice, even when two passes race. The delivery rows carry the exactly-once state machine::

    pending ──claim (lease)──▶ sending ──sent──▶ sent
       ▲                         │
       └── temporary failure ◀───┤   (attempts + 1, next attempt after capped back-off)
                                 └── permanent refusal ──▶ failed ──operator──▶ pending | discarded

* **Claims are leases.** :func:`claim_delivery` moves a due row to ``sending`` with
  ``lease_owner`` and ``lease_expires_at`` = the clock *at claim time* + the lease; the sender
  renews its leases while it works (:func:`renew_leases`). Another sender may take a row over only
  once its lease has expired (its sender died). On PostgreSQL the row is first locked with
  ``SELECT … FOR UPDATE SKIP LOCKED``; on every backend the claim is a conditional ``UPDATE``.
* **Never abandoned.** A temporary failure (SMTP 4xx, a timeout, an unreachable relay) sends the
  row back to ``pending`` with a later ``next_attempt_at`` (:class:`Backoff`), however many
  attempts it took; only a permanent refusal ends in ``failed``, which stays reported until an
  operator :func:`requeue`\\ s or :func:`discard`\\ s it.

Logical times (``now``: due, back-off, sent) come from the pass; lease times (``clock_now``) from
the wall clock at the moment of the claim, so a pass that reaches delivery long after it started
never hands out claims that already look expired.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select, update
from sqlalchemy.orm import Session

from storage.models import Alert, Delivery
from storage.statements import insert_ignoring_conflicts

EMAIL_CHANNEL = "email"
MAX_ERROR_LENGTH = 2000


class DeliveryStatus(StrEnum):
    PENDING = "pending"  # due from next_attempt_at (never tried, or retrying after a fault)
    SENDING = "sending"  # claimed by lease_owner until lease_expires_at
    SENT = "sent"
    FAILED = "failed"  # refused permanently: waits for an operator (resend or discard)
    DISCARDED = "discarded"  # put aside by an operator


@dataclass(frozen=True)
class Backoff:
    """Capped exponential back-off: ``base × 2^(attempts − 1)``, at most ``cap``."""

    base: timedelta = timedelta(minutes=5)
    cap: timedelta = timedelta(hours=1)

    def after(self, attempts: int) -> timedelta:
        """How long to wait after the ``attempts``-th failed attempt."""
        exponent = max(0, attempts - 1)
        if exponent >= 32:
            return self.cap
        return min(self.cap, self.base * (1 << exponent))


DEFAULT_BACKOFF = Backoff()
DEFAULT_LEASE = timedelta(seconds=120)


def enqueue_alert(
    session: Session,
    *,
    event_id: int | None,
    kind: str,
    dedup_key: str,
    message_id: str,
    created_at: datetime,
    channels: Sequence[str] = (EMAIL_CHANNEL,),
    why: dict[str, Any] | None = None,
    recipients: Mapping[str, Sequence[str]] | None = None,
) -> int | None:
    """Record an alert and one due delivery per channel; ``None`` when the dedup key exists.

    ``why`` is stored with the alert (the rule, scores, model, evidence and matching decision);
    ``recipients`` gives a channel's own addresses (a rule's recipients for ``email``)."""
    stmt = (
        insert_ignoring_conflicts(session, Alert)
        .values(
            event_id=event_id,
            kind=kind,
            dedup_key=dedup_key,
            message_id=message_id,
            created_at=created_at,
            why=why,
        )
        .returning(Alert.id)
    )
    alert_id = session.execute(stmt).scalar_one_or_none()
    if alert_id is None:
        return None
    for channel in dict.fromkeys(channels):
        wanted = (recipients or {}).get(channel)
        add_delivery(session, alert_id, channel, created_at, list(wanted) if wanted else None)
    return int(alert_id)


def add_delivery(
    session: Session,
    alert_id: int,
    channel: str,
    now: datetime,
    recipients: Sequence[str] | None = None,
) -> int | None:
    """A due delivery of ``alert_id`` on ``channel``; ``None`` when that channel already has one."""
    stmt = (
        insert_ignoring_conflicts(session, Delivery)
        .values(
            alert_id=alert_id,
            channel=channel,
            status=DeliveryStatus.PENDING,
            attempts=0,
            next_attempt_at=now,
            created_at=now,
            recipients=list(recipients) if recipients else None,
        )
        .returning(Delivery.id)
    )
    return session.execute(stmt).scalar_one_or_none()


def _expired_lease(clock_now: datetime) -> ColumnElement[bool]:
    return and_(
        Delivery.status == DeliveryStatus.SENDING,
        or_(Delivery.lease_expires_at.is_(None), Delivery.lease_expires_at < clock_now),
    )


def due_deliveries(
    session: Session, channel: str, *, now: datetime, clock_now: datetime
) -> list[Delivery]:
    """Deliveries of ``channel`` to try now: pending and due, or claimed under an expired lease.

    Fewest attempts first, then oldest: deliveries never tried go before retries, so one
    message that keeps failing never holds up the others.
    """
    return list(
        session.scalars(
            select(Delivery)
            .where(
                Delivery.channel == channel,
                or_(
                    and_(
                        Delivery.status == DeliveryStatus.PENDING,
                        or_(Delivery.next_attempt_at.is_(None), Delivery.next_attempt_at <= now),
                    ),
                    _expired_lease(clock_now),
                ),
            )
            .order_by(Delivery.attempts, Delivery.id)
        )
    )


def _claimable(delivery_id: int, owner: str, clock_now: datetime) -> ColumnElement[bool]:
    return and_(
        Delivery.id == delivery_id,
        or_(
            Delivery.status == DeliveryStatus.PENDING,
            _expired_lease(clock_now),
            # Our own claim (a retried unit of work whose first commit did go through).
            and_(Delivery.status == DeliveryStatus.SENDING, Delivery.lease_owner == owner),
        ),
    )


def claim_delivery(
    session: Session,
    delivery_id: int,
    *,
    owner: str,
    clock_now: datetime,
    lease: timedelta = DEFAULT_LEASE,
) -> bool:
    """Take the right to send ``delivery_id`` until ``clock_now + lease``; ``False`` if not free.

    The caller commits the claim *before* sending, so a concurrent sender sees it.
    """
    condition = _claimable(delivery_id, owner, clock_now)
    if session.get_bind().dialect.name == "postgresql":
        locked = session.execute(
            select(Delivery.id).where(condition).with_for_update(skip_locked=True)
        ).scalar_one_or_none()
        if locked is None:
            return False
    result = session.execute(
        update(Delivery)
        .where(condition)
        .values(
            status=DeliveryStatus.SENDING,
            lease_owner=owner,
            lease_expires_at=clock_now + lease,
        )
        .execution_options(synchronize_session=False)
    )
    return _rowcount(result) == 1


def renew_leases(
    session: Session, owner: str, *, clock_now: datetime, lease: timedelta = DEFAULT_LEASE
) -> int:
    """Extend every claim ``owner`` holds to ``clock_now + lease``; how many were renewed."""
    result = session.execute(
        update(Delivery)
        .where(Delivery.status == DeliveryStatus.SENDING, Delivery.lease_owner == owner)
        .values(lease_expires_at=clock_now + lease)
        .execution_options(synchronize_session=False)
    )
    return _rowcount(result)


def _ours(delivery_id: int, owner: str) -> ColumnElement[bool]:
    return and_(
        Delivery.id == delivery_id,
        Delivery.status == DeliveryStatus.SENDING,
        Delivery.lease_owner == owner,
    )


def mark_sent(
    session: Session,
    delivery_id: int,
    *,
    owner: str,
    sent_at: datetime,
    transport: str,
    note: str | None = None,
) -> bool:
    """Record the delivery as sent; ``False`` when our lease had been taken over meanwhile
    (it is marked sent all the same: it was delivered)."""
    values = {
        "status": DeliveryStatus.SENT,
        "sent_at": sent_at,
        "last_attempt_at": sent_at,
        "transport": transport,
        "attempts": Delivery.attempts + 1,
        "last_error": note[:MAX_ERROR_LENGTH] if note else None,
        "next_attempt_at": None,
        "lease_owner": None,
        "lease_expires_at": None,
    }
    result = session.execute(
        update(Delivery)
        .where(_ours(delivery_id, owner))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if _rowcount(result) == 1:
        return True
    session.execute(
        update(Delivery)
        .where(
            Delivery.id == delivery_id,
            Delivery.status.in_([DeliveryStatus.PENDING, DeliveryStatus.SENDING]),
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return False


def mark_retry(
    session: Session,
    delivery_id: int,
    *,
    owner: str,
    error: str,
    now: datetime,
    backoff: Backoff = DEFAULT_BACKOFF,
) -> datetime | None:
    """A temporary failure: back to ``pending``, due again after the back-off; returns when."""
    attempts = session.scalar(select(Delivery.attempts).where(_ours(delivery_id, owner)))
    if attempts is None:
        return None
    next_at = now + backoff.after(attempts + 1)
    session.execute(
        update(Delivery)
        .where(_ours(delivery_id, owner))
        .values(
            status=DeliveryStatus.PENDING,
            attempts=attempts + 1,
            last_error=error[:MAX_ERROR_LENGTH],
            last_attempt_at=now,
            next_attempt_at=next_at,
            lease_owner=None,
            lease_expires_at=None,
        )
        .execution_options(synchronize_session=False)
    )
    return next_at


def mark_failed(
    session: Session, delivery_id: int, *, owner: str, error: str, now: datetime
) -> bool:
    """A permanent refusal: ``failed`` with the reply, until an operator acts."""
    result = session.execute(
        update(Delivery)
        .where(_ours(delivery_id, owner))
        .values(
            status=DeliveryStatus.FAILED,
            attempts=Delivery.attempts + 1,
            last_error=error[:MAX_ERROR_LENGTH],
            last_attempt_at=now,
            next_attempt_at=None,
            lease_owner=None,
            lease_expires_at=None,
        )
        .execution_options(synchronize_session=False)
    )
    return _rowcount(result) == 1


def release_claim(session: Session, delivery_id: int, *, owner: str) -> bool:
    """Give a claim back untried (the pass is stopping before it sent anything): due at once."""
    result = session.execute(
        update(Delivery)
        .where(_ours(delivery_id, owner))
        .values(status=DeliveryStatus.PENDING, lease_owner=None, lease_expires_at=None)
        .execution_options(synchronize_session=False)
    )
    return _rowcount(result) == 1


def record_unavailable(
    session: Session,
    delivery_ids: Sequence[int],
    *,
    error: str,
    now: datetime,
    backoff: Backoff = DEFAULT_BACKOFF,
) -> int:
    """The channel could not be opened: one failed attempt on each of these pending deliveries."""
    rows = session.execute(
        select(Delivery.id, Delivery.attempts).where(
            Delivery.id.in_(list(delivery_ids)), Delivery.status == DeliveryStatus.PENDING
        )
    ).all()
    for delivery_id, attempts in rows:
        session.execute(
            update(Delivery)
            .where(Delivery.id == delivery_id, Delivery.status == DeliveryStatus.PENDING)
            .values(
                attempts=attempts + 1,
                last_error=error[:MAX_ERROR_LENGTH],
                last_attempt_at=now,
                next_attempt_at=now + backoff.after(attempts + 1),
            )
            .execution_options(synchronize_session=False)
        )
    return len(rows)


@dataclass(frozen=True)
class DeliveryRow:
    """A delivery with what identifies its alert, for reports and ``rudprk alerts list``."""

    delivery_id: int
    alert_id: int
    channel: str
    kind: str
    event_id: int | None
    message_id: str
    status: str
    attempts: int
    last_error: str | None
    last_attempt_at: datetime | None
    next_attempt_at: datetime | None
    lease_expires_at: datetime | None
    sent_at: datetime | None
    transport: str | None
    created_at: datetime

    @property
    def state(self) -> str:
        """The status as an operator reads it: ``retrying`` is pending after a failed attempt."""
        if self.status == DeliveryStatus.PENDING and self.attempts > 0:
            return "retrying"
        return self.status


def _rows(
    session: Session,
    *conditions: ColumnElement[bool],
    newest_first: bool = False,
    limit: int | None = None,
) -> list[DeliveryRow]:
    order = (Alert.id.desc(), Delivery.channel) if newest_first else (Alert.id, Delivery.channel)
    stmt = (
        select(Delivery, Alert)
        .join(Alert, Alert.id == Delivery.alert_id)
        .where(*conditions)
        .order_by(*order)
        .limit(limit)
    )
    return [
        DeliveryRow(
            delivery_id=d.id,
            alert_id=a.id,
            channel=d.channel,
            kind=a.kind,
            event_id=a.event_id,
            message_id=a.message_id,
            status=d.status,
            attempts=d.attempts,
            last_error=d.last_error,
            last_attempt_at=d.last_attempt_at,
            next_attempt_at=d.next_attempt_at,
            lease_expires_at=d.lease_expires_at,
            sent_at=d.sent_at,
            transport=d.transport,
            created_at=a.created_at,
        )
        for d, a in session.execute(stmt).tuples()
    ]


def list_deliveries(
    session: Session,
    *,
    statuses: Sequence[str] | None = None,
    alert_id: int | None = None,
    limit: int | None = None,
) -> list[DeliveryRow]:
    """Deliveries, newest alert first, optionally of some statuses (``retrying`` selects
    pending ones that failed at least once) or of one alert."""
    conditions: list[ColumnElement[bool]] = []
    if alert_id is not None:
        conditions.append(Delivery.alert_id == alert_id)
    if statuses:
        wanted = set(statuses)
        options: list[ColumnElement[bool]] = []
        plain = [s for s in wanted if s != "retrying"]
        if plain:
            options.append(Delivery.status.in_(plain))
        if "retrying" in wanted:
            options.append(and_(Delivery.status == DeliveryStatus.PENDING, Delivery.attempts > 0))
        conditions.append(or_(*options))
    return _rows(session, *conditions, newest_first=True, limit=limit)


def undelivered(session: Session, *, clock_now: datetime) -> list[DeliveryRow]:
    """What a pass must report: permanent failures awaiting an operator, deliveries retrying
    after a failed attempt, and claims left behind by a sender that died (lease expired)."""
    return _rows(
        session,
        or_(
            Delivery.status == DeliveryStatus.FAILED,
            and_(Delivery.status == DeliveryStatus.PENDING, Delivery.attempts > 0),
            _expired_lease(clock_now),
        ),
    )


def delivery_recipients(session: Session, delivery_id: int) -> list[str] | None:
    """The addresses stored with a delivery (a rule's own), or ``None`` for the defaults."""
    value = session.scalar(select(Delivery.recipients).where(Delivery.id == delivery_id))
    return [str(v) for v in value] if value else None


def channels_in_use(session: Session) -> list[str]:
    """Every channel that has a delivery due or being sent."""
    rows = session.scalars(
        select(Delivery.channel)
        .where(Delivery.status.in_([DeliveryStatus.PENDING, DeliveryStatus.SENDING]))
        .distinct()
    )
    return sorted(str(r) for r in rows)


def alert_exists(session: Session, alert_id: int) -> bool:
    return session.get(Alert, alert_id) is not None


def count_by_status(session: Session) -> dict[str, int]:
    rows = session.execute(select(Delivery.status, func.count()).group_by(Delivery.status))
    return {str(status): int(count) for status, count in rows}


def count_outstanding(session: Session) -> int:
    """Alerts with a delivery still to be made (pending or being sent)."""
    return int(
        session.scalar(
            select(func.count(func.distinct(Delivery.alert_id))).where(
                Delivery.status.in_([DeliveryStatus.PENDING, DeliveryStatus.SENDING])
            )
        )
        or 0
    )


def _operator_targets(
    alert_id: int, channel: str | None, statuses: Sequence[str], clock_now: datetime
) -> ColumnElement[bool]:
    conditions = [
        Delivery.alert_id == alert_id,
        or_(Delivery.status.in_(list(statuses)), _expired_lease(clock_now)),
    ]
    if channel is not None:
        conditions.append(Delivery.channel == channel)
    return and_(*conditions)


def requeue(
    session: Session,
    alert_id: int,
    *,
    now: datetime,
    clock_now: datetime,
    channel: str | None = None,
) -> int:
    """Operator's resend: the alert's deliveries (failed, discarded or even sent) become due now
    with a fresh back-off; one being sent under a live lease is left alone. Returns how many."""
    result = session.execute(
        update(Delivery)
        .where(
            _operator_targets(
                alert_id,
                channel,
                [
                    DeliveryStatus.FAILED,
                    DeliveryStatus.DISCARDED,
                    DeliveryStatus.SENT,
                    DeliveryStatus.PENDING,
                ],
                clock_now,
            )
        )
        .values(
            status=DeliveryStatus.PENDING,
            attempts=0,
            next_attempt_at=now,
            lease_owner=None,
            lease_expires_at=None,
        )
        .execution_options(synchronize_session=False)
    )
    return _rowcount(result)


def discard(
    session: Session, alert_id: int, *, clock_now: datetime, channel: str | None = None
) -> int:
    """Operator's discard: the alert's undelivered deliveries are put aside (never sent)."""
    result = session.execute(
        update(Delivery)
        .where(
            _operator_targets(
                alert_id, channel, [DeliveryStatus.FAILED, DeliveryStatus.PENDING], clock_now
            )
        )
        .values(
            status=DeliveryStatus.DISCARDED,
            next_attempt_at=None,
            lease_owner=None,
            lease_expires_at=None,
        )
        .execution_options(synchronize_session=False)
    )
    return _rowcount(result)


def _rowcount(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)
