"""Alert decisions: for every new event, what the rules decided (alert, digest or nothing) and
why, written in the transaction that creates the event; the daily digest and ``rudprk alerts
why`` read them back."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Alert, AlertDecision
from storage.statements import insert_ignoring_conflicts


def record_decision(
    session: Session,
    *,
    event_id: int,
    outcome: str,
    reason: str,
    rule: str | None,
    why: dict[str, Any],
    decided_at: datetime,
) -> bool:
    """Store the decision for ``event_id``; ``False`` when it already has one (a rerun)."""
    stmt = (
        insert_ignoring_conflicts(session, AlertDecision)
        .values(
            event_id=event_id,
            outcome=outcome,
            reason=reason,
            rule=rule,
            why=why,
            decided_at=decided_at,
        )
        .returning(AlertDecision.id)
    )
    return session.execute(stmt).scalar_one_or_none() is not None


def decision_for(session: Session, event_id: int) -> AlertDecision | None:
    return session.scalar(select(AlertDecision).where(AlertDecision.event_id == event_id))


def decisions_between(
    session: Session, start: datetime, end: datetime, outcomes: Sequence[str] | None = None
) -> list[AlertDecision]:
    """Decisions taken in ``[start, end)``, oldest first, optionally of some outcomes."""
    stmt = select(AlertDecision).where(
        AlertDecision.decided_at >= start, AlertDecision.decided_at < end
    )
    if outcomes is not None:
        stmt = stmt.where(AlertDecision.outcome.in_(list(outcomes)))
    return list(session.scalars(stmt.order_by(AlertDecision.decided_at, AlertDecision.id)))


def set_outcome(session: Session, event_id: int, outcome: str, reason: str) -> None:
    row = decision_for(session, event_id)
    if row is not None:
        row.outcome, row.reason = outcome, reason


def alerted_event_ids(session: Session, event_ids: Sequence[int]) -> set[int]:
    """Those of ``event_ids`` that have an event alert (``new`` or ``update``) recorded."""
    if not event_ids:
        return set()
    rows = session.scalars(
        select(Alert.event_id).where(Alert.event_id.in_(list(event_ids)), Alert.kind != "digest")
    )
    return {int(r) for r in rows if r is not None}
