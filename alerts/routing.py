"""From a new event to its alert: the rules' decision, why, and the outbox rows, in the
transaction that creates the event.

Every new event gets an ``alert_decisions`` row (alert, digest or nothing, and why); an alert
also gets its ``alerts`` row (the same *why* stored with it, read by ``rudprk alerts why``) and
one delivery per channel its rules name. A first pass over a back catalogue holds its alerts
back (outcome ``held``) and :func:`settle_held` then sends them, or, when there are more than
a few, one catch-up digest instead of a flood.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import lru_cache
from importlib import metadata
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alerts.delivery import enqueue_digest, enqueue_event_alert
from alerts.rules import EMAIL, Decision, EventFacts, RuleSet, decide
from storage.decisions import record_decision
from storage.models import Alert, AlertDecision, Article, Event, EventArticle

CATCH_UP_LIMIT = 3  # a first pass sends at most this many alerts; more become one digest

__all__ = [
    "CATCH_UP_LIMIT",
    "facts_of_event",
    "has_new_alert",
    "model_info",
    "route_new_event",
    "route_update",
    "settle_held",
]


@lru_cache(maxsize=1)
def model_info() -> dict[str, Any]:
    """The versions that made a decision: the package and the learned model set."""
    from alerts.detection.learned import model_set_info

    try:
        package = metadata.version("rudprk-watch")
    except metadata.PackageNotFoundError:
        package = None
    info = model_set_info() or {}
    return {"package": package, "model_set": info.get("version")}


def facts_of_event(event: Event, language: str | None, kind: str = "new") -> EventFacts:
    return EventFacts.of(
        event_type=event.event_type,
        modality=event.modality,
        confidence=event.confidence,
        force=event.force,
        language=language,
        kind=kind,
    )


def _why(
    decision: Decision,
    *,
    event: Event,
    article_id: int,
    language: str | None,
    relevance: float | None,
    reasons: Sequence[str],
    fresh: bool,
    now: datetime,
    changes: Sequence[dict[str, Any]] = (),
) -> dict[str, Any]:
    why: dict[str, Any] = {
        "rule": decision.rule,
        "decision": decision.as_dict(),
        "scores": {"relevance": relevance, "confidence": event.confidence},
        "model": model_info(),
        "evidence": {
            "article_ids": [article_id],
            "sentence": event.evidence,
            "language": language,
            "relevance_reasons": list(reasons)[:12],
        },
        "matching": {
            "new_event": not changes,
            "event_id": event.id,
            "explanation": (
                "no stored event of the same type with compatible actors, figures, place, "
                "claimant and time window: a new event"
                if not changes
                else "an update of a stored event"
            ),
        },
        "event": {
            "type": event.event_type,
            "modality": event.modality,
            "force": event.force,
            "place": event.place,
            "claimant": event.claimant,
            "figures": [event.figure_low, event.figure_high],
        },
        "fresh": fresh,
        "decided_at": now.isoformat(),
    }
    if changes:
        why["changes"] = list(changes)
    return why


def _enqueue(
    session: Session,
    event_id: int,
    kind: str,
    key: str,
    decision: Decision,
    why: dict[str, Any],
    now: datetime,
) -> int | None:
    recipients = {EMAIL: list(decision.recipients)} if decision.recipients else None
    return enqueue_event_alert(
        session,
        event_id=event_id,
        kind=kind,
        dedup_key=key,
        created_at=now,
        channels=decision.channels,
        why=why,
        recipients=recipients,
    )


def route_new_event(
    session: Session,
    *,
    event_id: int,
    article_id: int,
    language: str | None,
    relevance: float | None,
    reasons: Sequence[str],
    rules: RuleSet,
    fresh: bool,
    now: datetime,
    hold: bool = False,
    thread_of: int | None = None,
    changes: Sequence[dict[str, Any]] = (),
) -> tuple[Decision, int | None]:
    """Decide for a new event and record it; returns the decision and the alert id, if any.

    ``hold``: a first pass over a back catalogue; an alert decision is recorded ``held``
    and sent (or digested) by :func:`settle_held` once the pass knows how many there are.
    ``thread_of`` and ``changes``: a new stage of a known instrument whose first event
    (``thread_of``) alerted: its alert is an ``update`` threaded under that one.
    """
    event = session.get(Event, event_id)
    if event is None:
        raise ValueError(f"no event {event_id}")
    threaded = bool(changes) and thread_of is not None and has_new_alert(session, thread_of)
    kind = "update" if threaded else "new"
    decision = decide(facts_of_event(event, language, kind=kind), rules, fresh=fresh)
    why = _why(
        decision,
        event=event,
        article_id=article_id,
        language=language,
        relevance=relevance,
        reasons=reasons,
        fresh=fresh,
        now=now,
        changes=changes if threaded else (),
    )
    outcome: str = decision.outcome
    reason = decision.reason
    if outcome == "alert" and hold:
        outcome, reason = "held", "held"
    record_decision(
        session,
        event_id=event_id,
        outcome=outcome,
        reason=reason,
        rule=decision.rule,
        why=why,
        decided_at=now,
    )
    if outcome != "alert":
        return decision, None
    return decision, _enqueue(
        session, event_id, kind, f"event:{event_id}:{kind}", decision, why, now
    )


def has_new_alert(session: Session, event_id: int) -> bool:
    """The event raised a ``new`` alert (updates of it thread under that one)."""
    return (
        session.scalar(
            select(Alert.id).where(Alert.event_id == event_id, Alert.kind == "new").limit(1)
        )
        is not None
    )


def route_update(
    session: Session,
    *,
    event_id: int,
    article_id: int,
    changes: Sequence[dict[str, Any]],
    rules: RuleSet,
    now: datetime,
    language: str | None = None,
    relevance: float | None = None,
) -> int | None:
    """An update of an alerted event (a revised figure, a new stage or claimant): one
    ``update`` alert threaded under the first, when the rules alert updates. ``changes`` is
    ``[{"field", "before", "after"}]``; the same changes never alert twice."""
    event = session.get(Event, event_id)
    if event is None or not changes or not has_new_alert(session, event_id):
        return None
    decision = decide(facts_of_event(event, language, kind="update"), rules, fresh=True)
    if decision.outcome != "alert":
        return None
    why = _why(
        decision,
        event=event,
        article_id=article_id,
        language=language,
        relevance=relevance,
        reasons=(),
        fresh=True,
        now=now,
        changes=changes,
    )
    fingerprint = "|".join(f"{c.get('field')}={c.get('after')!r}" for c in changes)
    key = f"event:{event_id}:update:{hashlib.sha256(fingerprint.encode()).hexdigest()[:16]}"
    return _enqueue(session, event_id, "update", key, decision, why, now)


def held_decisions(session: Session) -> list[AlertDecision]:
    return list(
        session.scalars(
            select(AlertDecision)
            .where(AlertDecision.outcome == "held")
            .order_by(AlertDecision.decided_at, AlertDecision.id)
        )
    )


def is_first_pass(session: Session) -> bool:
    """Nothing was analysed before: this pass reads the feeds' back catalogue."""
    analysed = session.scalar(
        select(func.count()).select_from(Article).where(Article.analysed_at.is_not(None))
    )
    return not analysed


def settle_held(
    session: Session, rules: RuleSet, now: datetime, limit: int = CATCH_UP_LIMIT
) -> tuple[int, int | None]:
    """Release the alerts a first pass held back: at most ``limit`` are sent as alerts; more
    go into one catch-up digest of the pass (no flood). Returns (alerts enqueued, digest id)."""
    held = held_decisions(session)
    if not held:
        return 0, None
    if len(held) <= limit:
        count = 0
        for row in held:
            decision = _decision_of(row, rules)
            count += (
                _enqueue(
                    session,
                    row.event_id,
                    "new",
                    f"event:{row.event_id}:new",
                    decision,
                    row.why,
                    now,
                )
                is not None
            )
            row.outcome, row.reason = "alert", "rule"
        return count, None
    start = min(_first_link(session, row.event_id) or row.decided_at for row in held)
    start = min(start, min(row.decided_at for row in held))
    digest_id = enqueue_digest(
        session, period_start=start, period_end=now + timedelta(microseconds=1), now=now
    )
    for row in held:
        row.outcome = "digest"
    return 0, digest_id


def _decision_of(row: AlertDecision, rules: RuleSet) -> Decision:
    stored = row.why.get("decision") if isinstance(row.why, dict) else None
    if isinstance(stored, dict):
        return Decision(
            "alert",
            "rule",
            tuple(stored.get("rules") or ()),
            tuple(stored.get("channels") or (EMAIL,)),
            tuple(stored.get("recipients") or ()),
            (),
        )
    return Decision("alert", "rule", (), (EMAIL,), (), ())


def _first_link(session: Session, event_id: int) -> datetime | None:
    return session.scalar(
        select(func.min(EventArticle.linked_at)).where(EventArticle.event_id == event_id)
    )
