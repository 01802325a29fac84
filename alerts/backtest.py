"""What a rules file would have done: every new event of a period decided again, nothing sent.

``rudprk backtest --rules FILE --since 30d`` compares, event by event, what the stored decision
was (an alert was recorded, or not) with what the new rules decide from the same stored fields
(:func:`alerts.rules.decide` is pure), and lists what would fire and what would no longer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alerts.routing import facts_of_event
from alerts.rules import RuleSet, decide
from storage.models import Alert, AlertDecision, Event, EventArticle


@dataclass(frozen=True)
class BacktestRow:
    event_id: int
    event_type: str
    modality: str
    confidence: float
    summary: str
    seen_at: datetime
    alerted: bool  # an alert was recorded for it
    would_alert: bool  # the new rules would alert
    outcome: str  # the new rules' outcome: alert, digest, none
    reason: str
    rules: tuple[str, ...]

    @property
    def change(self) -> str:
        if self.would_alert and not self.alerted:
            return "would fire"
        if self.alerted and not self.would_alert:
            return "would no longer fire"
        return "unchanged"

    def as_dict(self) -> dict[str, Any]:
        return {
            "event_id": self.event_id,
            "event_type": self.event_type,
            "modality": self.modality,
            "confidence": self.confidence,
            "summary": self.summary,
            "seen_at": self.seen_at.isoformat(),
            "alerted": self.alerted,
            "would_alert": self.would_alert,
            "outcome": self.outcome,
            "reason": self.reason,
            "rules": list(self.rules),
            "change": self.change,
        }


@dataclass
class BacktestReport:
    since: datetime
    rows: list[BacktestRow] = field(default_factory=list)

    def count(self, change: str) -> int:
        return sum(1 for r in self.rows if r.change == change)


def backtest(
    session: Session,
    rules: RuleSet,
    *,
    since: datetime,
    progress: Callable[[int, int], None] | None = None,
) -> BacktestReport:
    """Decide again every event first seen (linked) since ``since``; sends nothing, writes
    nothing. ``progress(done, total)`` after each event."""
    seen = (
        select(EventArticle.event_id, func.min(EventArticle.linked_at).label("seen_at"))
        .group_by(EventArticle.event_id)
        .subquery()
    )
    rows = session.execute(
        select(Event, seen.c.seen_at)
        .join(seen, seen.c.event_id == Event.id)
        .where(seen.c.seen_at >= since)
        .order_by(seen.c.seen_at, Event.id)
    ).all()
    ids = [event.id for event, _ in rows]
    alerted = (
        set(
            session.scalars(
                select(Alert.event_id).where(Alert.event_id.in_(ids), Alert.kind == "new")
            )
        )
        if ids
        else set()
    )
    decisions = (
        {
            d.event_id: d
            for d in session.scalars(select(AlertDecision).where(AlertDecision.event_id.in_(ids)))
        }
        if ids
        else {}
    )
    report = BacktestReport(since=since)
    for done, (event, seen_at) in enumerate(rows, start=1):
        if progress is not None:
            progress(done, len(rows))
        stored = decisions.get(event.id)
        why = stored.why if stored is not None and isinstance(stored.why, dict) else {}
        evidence = why.get("evidence") if isinstance(why.get("evidence"), dict) else {}
        language = evidence.get("language") if isinstance(evidence, dict) else None
        fresh = why.get("fresh", True) is not False
        decision = decide(
            facts_of_event(event, language if isinstance(language, str) else None),
            rules,
            fresh=fresh,
        )
        report.rows.append(
            BacktestRow(
                event_id=event.id,
                event_type=event.event_type,
                modality=event.modality,
                confidence=event.confidence,
                summary=event.summary,
                seen_at=seen_at,
                alerted=event.id in alerted,
                would_alert=decision.outcome == "alert",
                outcome=decision.outcome,
                reason=decision.reason,
                rules=decision.rules,
            )
        )
    return report
