"""Novelty against the SQL store: join a stored event or create a new one.

For each event detected in a relevant article, :func:`register_events` looks for a stored event
that is the same real-world event (:func:`alerts.matching.same_event`): if there is one, the
article is linked to it as a ``report`` and ``is_new`` is false; otherwise the event is created
with the article as its ``origin`` and ``is_new`` is true.

Modality rules (documented in docs/detection.md):
- a ``new`` mention only joins a stored event whose modality is ``new``: a speculative or denied
  report stored earlier never swallows the real announcement that follows it;
- ``background``, ``speculative`` and ``denied`` mentions join any matching stored event (a
  ``new`` one first) or are stored as events of their own modality, so analysts can see them,
  but such events are never alert-worthy (:attr:`DetectedEvent.alert_worthy`);
- an *additional* contingent never joins a plain report of the first one.

Alerts are not enqueued here: the pipeline does it for outcomes that are new and alert-worthy.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from alerts.detect import DetectedEvent, Detection
from alerts.matching import (
    EventSignature,
    date_distance,
    same_event,
    signature_of_detected,
    signature_of_stored,
    window_days,
)
from storage.events import create_event, events_dated_between, events_since, link_article
from storage.models import Event, EventArticle

LOOKBACK_SLACK_DAYS = 35


@dataclass(frozen=True)
class EventOutcome:
    event_id: int
    is_new: bool
    event: DetectedEvent


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _linked_event(session: Session, article_id: int, event_type: str) -> int | None:
    """The event of this type the article already reports (a rerun registers nothing twice)."""
    return session.scalar(
        select(Event.id)
        .join(EventArticle, EventArticle.event_id == Event.id)
        .where(EventArticle.article_id == article_id, Event.event_type == event_type)
        .limit(1)
    )


def find_matching_event(
    session: Session, signature: EventSignature, since: datetime
) -> Event | None:
    """The stored event that ``signature`` reports, if any (closest in time wins)."""
    best: Event | None = None
    best_key: tuple[int, int] | None = None
    rows = events_since(session, [signature.event_type], since)
    if signature.event_date is not None:
        # An event announced long before it happens ("trains will resume on 17 June") is
        # found by its stated date, however long ago it was first seen.
        window = timedelta(days=window_days(signature.event_type))
        seen = {row.id for row in rows}
        rows += [
            row
            for row in events_dated_between(
                session,
                [signature.event_type],
                signature.anchor - window - timedelta(days=31),
                signature.anchor_end + window,
            )
            if row.id not in seen
        ]
    for row in rows:
        stored = signature_of_stored(row)
        if signature.modality == "new" and stored.modality != "new":
            continue
        if not same_event(signature, stored):
            continue
        key = (0 if stored.modality == "new" else 1, date_distance(signature, stored))
        if best_key is None or key < best_key:
            best, best_key = row, key
    return best


def register_events(
    session: Session,
    article_id: int,
    detection: Detection,
    *,
    published_at: datetime | None,
    now: datetime,
) -> list[EventOutcome]:
    """Store or join every event of a relevant article; the caller commits."""
    if not detection.relevance.relevant:
        return []
    now = _aware(now)
    reported = _aware(published_at) if published_at is not None else now
    if reported > now:
        reported = now
    outcomes: list[EventOutcome] = []
    for event in detection.events:
        existing = _linked_event(session, article_id, event.event_type)
        if existing is not None:
            outcomes.append(EventOutcome(existing, False, event))
            continue
        signature = signature_of_detected(event, reported.date())
        # Stated dates can match reports further apart ("last month"): look back a little more.
        since = reported - timedelta(days=window_days(event.event_type) + LOOKBACK_SLACK_DAYS)
        match = find_matching_event(session, signature, since)
        if match is not None:
            link_article(session, match.id, article_id, "report", now)
            if match.last_seen_at < now:
                session.execute(update(Event).where(Event.id == match.id).values(last_seen_at=now))
            outcomes.append(EventOutcome(match.id, False, event))
            continue
        row = create_event(
            session,
            {
                "event_type": event.event_type,
                "modality": event.modality,
                "summary": event.summary(),
                "evidence": event.evidence,
                "figure_low": event.low,
                "figure_high": event.high,
                "figure_unit": event.unit,
                "force": event.force,
                "place": event.place,
                "event_date": event.event_date,
                "date_precision": event.date_precision,
                "actors": list(event.actors),
                "claimant": event.claimant,
                "additional": event.additional,
                "confidence": event.confidence,
                "first_article_id": article_id,
                "first_seen_at": reported,
                "last_seen_at": now,
            },
        )
        link_article(session, row.id, article_id, "origin", now)
        outcomes.append(EventOutcome(row.id, True, event))
    return outcomes
