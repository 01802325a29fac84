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
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from alerts.detect import DetectedEvent, Detection
from alerts.eventrecord import STAGE_ORDER, EventRecord, record_of
from alerts.instruments import default_instruments
from alerts.matching import (
    LATE_STAGE_WINDOW,
    EventSignature,
    compatible_forces,
    compatible_stages,
    date_distance,
    same_event,
    signature_of_detected,
    signature_of_stored,
    window_days,
)
from storage.events import (
    Blocking,
    candidate_events,
    create_event,
    instrument_events,
    link_article,
    record_update,
)
from storage.models import Event, EventArticle

LOOKBACK_SLACK_DAYS = 35
# A figure revised by more than this share of the stored one is an update of the event.
FIGURE_REVISION = 0.25


@dataclass(frozen=True)
class EventOutcome:
    """``changes`` (``[{"field", "before", "after"}]``): what the report changed in the event
    it joined, or, for a new stage of a known instrument, the stage change of ``thread_of`` (the
    instrument's first event, under whose alert this one threads)."""

    event_id: int
    is_new: bool
    event: DetectedEvent
    changes: tuple[dict[str, Any], ...] = ()
    thread_of: int | None = None


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


def blocking_of(
    signature: EventSignature,
    since: datetime,
    place_area: str | None = None,
    claimant_side: str | None = None,
) -> Blocking:
    """The keys a stored event must share with ``signature`` (never one :func:`same_event`
    would accept without)."""
    # Stored events that state a date are found by it: an event announced long before it
    # happens ("trains will resume on 17 June"), however long ago it was first seen, or a
    # later report stating the date of this one.
    window = timedelta(days=window_days(signature.event_type))
    dated = (signature.anchor - window - timedelta(days=31), signature.anchor_end + window)
    stages = None
    if signature.event_type == "agreement":
        stages = compatible_stages(signature.force.partition(":")[2] if signature.force else None)
    ahead = window_days(signature.event_type) + 1
    instrument_since = None
    if signature.instrument_window:
        instrument_since = since - timedelta(days=signature.instrument_window)
        ahead += signature.instrument_window
    ahead = max(ahead, LATE_STAGE_WINDOW + 1)
    last = max(signature.reference, signature.anchor_end)
    until = datetime.combine(last, time.max, UTC) + timedelta(days=ahead)
    return Blocking(
        event_type=signature.event_type,
        since=since,
        dated=dated,
        new_only=signature.modality == "new",
        place_area=place_area,
        claimant_side=claimant_side,
        stages=stages,
        instrument=signature.instrument,
        until=until,
        instrument_since=instrument_since,
        forces=None if signature.event_type == "agreement" else compatible_forces(signature.force),
    )


def find_matching_event(
    session: Session,
    signature: EventSignature,
    since: datetime,
    place_area: str | None = None,
    claimant_side: str | None = None,
) -> Event | None:
    """The stored event that ``signature`` reports, if any (closest in time wins).

    Candidates are narrowed in SQL (:func:`storage.events.candidate_events`: type, time window,
    modality, place area, claimant side, stage, instrument); :func:`same_event` decides on the
    few left, and only the chosen one is loaded as an ``Event``.
    """
    if signature.event_type == "agreement":
        place_area = None  # an agreement's place decides only without a stage (matching)
    block = blocking_of(signature, since, place_area, claimant_side)
    best: int | None = None
    best_key: tuple[int, int] | None = None
    for row in candidate_events(session, block):
        stored = signature_of_stored(row)
        if signature.modality == "new" and stored.modality != "new":
            continue
        if not same_event(signature, stored):
            continue
        key = (0 if stored.modality == "new" else 1, date_distance(signature, stored))
        if best_key is None or key < best_key:
            best, best_key = row.id, key
    return session.get(Event, best) if best is not None else None


def _revised(bound: int, figure: int | None, *, down: bool) -> bool:
    """A figure beyond a stored bound by more than :data:`FIGURE_REVISION` (below the lower
    bound, ``down``, or above the upper one)."""
    if figure is None or bound <= 0 or figure <= 0:
        return False
    ratio = bound / figure if down else figure / bound
    return ratio > 1 + FIGURE_REVISION


def changes_of(stored: Event, event: DetectedEvent, record: EventRecord) -> list[dict[str, Any]]:
    """What a new report of a stored event changes in its record: a figure revised by more than
    :data:`FIGURE_REVISION`, a status change (alleged → confirmed or denied)."""
    changes: list[dict[str, Any]] = []
    low, high = stored.figure_low, stored.figure_high
    new_low = event.low if event.low is not None else event.high
    new_high = event.high if event.high is not None else event.low
    if (low is not None and _revised(low, new_low, down=True)) or (
        high is not None and _revised(high, new_high, down=False)
    ):
        changes.append({"field": "figure", "before": [low, high], "after": [event.low, event.high]})
    if (
        stored.status is not None
        and record.status != "alleged"
        and record.status != stored.status
        and stored.modality == "new"
    ):
        changes.append({"field": "status", "before": stored.status, "after": record.status})
    return changes


def _apply(stored: Event, event: DetectedEvent, changes: list[dict[str, Any]]) -> None:
    for change in changes:
        if change["field"] == "figure":
            # The record keeps the figures first reported, which matching compares (the
            # history has the revision): a report of either figure is still this event.
            stored.figure_qualifier = stored.figure_qualifier or event.qualifier
        elif change["field"] == "status":
            stored.status = change["after"]


def _instrument_root(
    session: Session, instrument: str, stage: str | None, since: datetime
) -> tuple[Event, str | None] | None:
    """The first event of a known instrument and the latest stage it reached, when ``stage``
    is not one it already reached."""
    rows = instrument_events(session, instrument, since)
    if not rows or stage is None:
        return None
    roots = [r for r in rows if r.parent_event_id is None] or rows
    reached = [r.stage for r in rows if r.stage in STAGE_ORDER]
    latest = max(reached, key=STAGE_ORDER.__getitem__) if reached else None
    return roots[0], latest


def register_events(
    session: Session,
    article_id: int,
    detection: Detection,
    *,
    published_at: datetime | None,
    now: datetime,
    title: str = "",
) -> list[EventOutcome]:
    """Store or join every event of a relevant article; the caller commits.

    A report that changes a joined event's record (a revised figure, a status change) records
    an event update; a new stage of a known instrument is a new event that follows up the
    instrument's first one. ``title`` is read for the instrument's name too."""
    if not detection.relevance.relevant:
        return []
    now = _aware(now)
    reported = _aware(published_at) if published_at is not None else now
    if reported > now:
        reported = now
    outcomes: list[EventOutcome] = []
    for event in detection.events:
        record = record_of(event, reported.date(), (title,) if title else (), detection.language)
        existing = _linked_event(session, article_id, event.event_type)
        if existing is not None:
            # A rerun, or an edited article analysed again: what its new text changes in the
            # event it already reports (a revised figure, a status) is an update, else nothing.
            linked = session.get(Event, existing)
            changes = changes_of(linked, event, record) if linked is not None else []
            if (
                linked is not None
                and changes
                and record_update(session, existing, article_id, changes, now)
            ):
                _apply(linked, event, changes)
            else:
                changes = []
            outcomes.append(EventOutcome(existing, False, event, tuple(changes)))
            continue
        known = default_instruments().instruments.get(record.instrument or "")
        window = known.window_days if known is not None else None
        # The instrument's window is for its later stages (the record's root); one stage's
        # reports stay within the type's window.
        signature = signature_of_detected(event, reported.date(), record.instrument)
        # Stated dates can match reports further apart ("last month"): look back a little more.
        since = reported - timedelta(days=window_days(event.event_type) + LOOKBACK_SLACK_DAYS)
        # The claimant is not compared: Moscow announcing a contingent and Pyongyang confirming
        # it, or Kyiv and Seoul reporting it, are reports of one event (docs/detection.md).
        match = find_matching_event(session, signature, since, record.place_area)
        if match is not None:
            link_article(session, match.id, article_id, "report", now)
            if match.last_seen_at < now:
                session.execute(update(Event).where(Event.id == match.id).values(last_seen_at=now))
            changes = changes_of(match, event, record)
            if changes and record_update(session, match.id, article_id, changes, now):
                _apply(match, event, changes)
            else:
                changes = []
            outcomes.append(EventOutcome(match.id, False, event, tuple(changes)))
            continue
        thread_of: int | None = None
        stage_change: list[dict[str, Any]] = []
        if record.instrument is not None and window is not None and event.modality == "new":
            root = _instrument_root(
                session, record.instrument, record.stage, reported - timedelta(days=window)
            )
            if root is not None:
                first, latest = root
                thread_of = first.id
                if record.stage in STAGE_ORDER and (
                    latest is None or STAGE_ORDER[record.stage] > STAGE_ORDER[latest]
                ):
                    stage_change = [{"field": "stage", "before": latest, "after": record.stage}]
        row = create_event(
            session,
            {
                **record.values(),
                "parent_event_id": thread_of,
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
                "first_seen_at": now,
                "first_published_at": reported,
                "last_seen_at": now,
            },
        )
        link_article(session, row.id, article_id, "origin", now)
        if thread_of is not None and stage_change:
            record_update(session, thread_of, article_id, stage_change, now)
        outcomes.append(EventOutcome(row.id, True, event, tuple(stage_change), thread_of))
    return outcomes
