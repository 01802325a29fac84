"""Events and their links to articles."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Row, Select, and_, func, or_, select
from sqlalchemy.orm import Session

from storage.models import Article, Event, EventArticle, EventUpdate
from storage.statements import insert_ignoring_conflicts


def create_event(session: Session, values: dict[str, Any]) -> Event:
    event = Event(**values)
    session.add(event)
    session.flush()
    return event


def link_article(
    session: Session, event_id: int, article_id: int, role: str, linked_at: datetime
) -> bool:
    """Link an article to an event; ``False`` when the link already existed."""
    stmt = (
        insert_ignoring_conflicts(session, EventArticle)
        .values(event_id=event_id, article_id=article_id, role=role, linked_at=linked_at)
        .returning(EventArticle.event_id)
    )
    return session.execute(stmt).scalar_one_or_none() is not None


def events_since(session: Session, event_types: Sequence[str], since: datetime) -> list[Event]:
    """Candidate events for matching: those of the given types seen since ``since``."""
    return list(
        session.scalars(
            select(Event)
            .where(Event.event_type.in_(list(event_types)), Event.last_seen_at >= since)
            .order_by(Event.id)
        )
    )


def events_dated_between(
    session: Session, event_types: Sequence[str], start: date, end: date
) -> list[Event]:
    return list(
        session.scalars(
            select(Event)
            .where(
                Event.event_type.in_(list(event_types)),
                Event.event_date.is_not(None),
                Event.event_date >= start,
                Event.event_date <= end,
            )
            .order_by(Event.id)
        )
    )


def event_articles(session: Session, event_id: int) -> list[Article]:
    return list(
        session.scalars(
            select(Article)
            .join(EventArticle, EventArticle.article_id == Article.id)
            .where(EventArticle.event_id == event_id)
            .order_by(Article.id)
        )
    )


@dataclass(frozen=True)
class Blocking:
    """Keys a stored event must share with a new report to be one of its candidates; a stored
    key that is NULL (no place, no claimant, no stage, no known instrument) never excludes."""

    event_type: str
    since: datetime
    dated: tuple[date, date] | None = None
    new_only: bool = False
    place_area: str | None = None
    claimant_side: str | None = None
    stages: tuple[str, ...] | None = None
    instrument: str | None = None
    # Reports published after this cannot be about the new one by their publication date
    # (those that state a date are found by ``dated``); a reprocessed back catalogue has them.
    until: datetime | None = None
    # Events of the same known instrument stay candidates longer (its stages are months apart).
    instrument_since: datetime | None = None
    # Forces that may be the same (a stored force named as parts or with a stage never excludes).
    forces: tuple[str, ...] | None = None


def _blocked(block: Blocking) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = [Event.event_type == block.event_type]
    if block.new_only:
        conds.append(Event.modality == "new")
    if block.place_area is not None:
        conds.append(or_(Event.place_area.is_(None), Event.place_area == block.place_area))
    if block.claimant_side is not None:
        conds.append(or_(Event.claimant_side.is_(None), Event.claimant_side == block.claimant_side))
    if block.stages is not None:
        conds.append(or_(Event.stage.is_(None), Event.stage.in_(list(block.stages))))
    if block.instrument is not None:
        conds.append(or_(Event.instrument.is_(None), Event.instrument == block.instrument))
    if block.forces is not None:
        conds.append(
            or_(
                Event.force.is_(None),
                Event.force.contains("+", autoescape=True),
                Event.force.contains(":", autoescape=True),
                Event.force.in_(list(block.forces)),
            )
        )
    return conds


CANDIDATE_COLUMNS = (
    Event.id,
    Event.event_type,
    Event.modality,
    Event.actors,
    Event.figure_low,
    Event.figure_high,
    Event.force,
    Event.place,
    Event.event_date,
    Event.date_precision,
    Event.first_seen_at,
    Event.first_published_at,
    Event.additional,
    Event.claimant,
    Event.instrument,
    Event.stage,
)


def candidate_statement(block: Blocking) -> Select[Any]:
    """The one statement :func:`candidate_events` runs (``bench/events.py`` prints its plan):
    the blocking keys and either window — seen since ``since`` (and published by ``until``),
    stating a date in ``dated``, or of the same known instrument since ``instrument_since``
    — each served by its index (``ix_events_type_last_seen``, ``ix_events_type_date``,
    ``ix_events_instrument``)."""
    recent: list[ColumnElement[bool]] = [Event.last_seen_at >= block.since]
    if block.until is not None:
        published = func.coalesce(Event.first_published_at, Event.first_seen_at)
        recent.append(published <= block.until)
    windows: list[ColumnElement[bool]] = [and_(*recent)]
    if block.dated is not None:
        start, end = block.dated
        windows.append(and_(Event.event_date >= start, Event.event_date <= end))
    if block.instrument is not None and block.instrument_since is not None:
        windows.append(
            and_(
                Event.instrument == block.instrument,
                Event.last_seen_at >= block.instrument_since,
            )
        )
    return select(*CANDIDATE_COLUMNS).where(*_blocked(block), or_(*windows)).order_by(Event.id)


def candidate_events(session: Session, block: Blocking) -> list[Row[Any]]:
    """Stored events that may be the one a new report is about: the blocking keys and the time
    windows are applied in SQL, only the columns matching reads are loaded."""
    return list(session.execute(candidate_statement(block)))


def instrument_events(session: Session, instrument: str, since: datetime) -> list[Event]:
    """The events of a known instrument seen since ``since``, oldest first."""
    return list(
        session.scalars(
            select(Event)
            .where(
                Event.instrument == instrument,
                Event.modality == "new",
                Event.last_seen_at >= since,
            )
            .order_by(Event.id)
        )
    )


def record_update(
    session: Session,
    event_id: int,
    article_id: int | None,
    changes: Sequence[dict[str, Any]],
    changed_at: datetime,
) -> bool:
    """Add a change to an event's history; ``False`` when the very same change was recorded."""
    fingerprint = hashlib.sha256(
        json.dumps(list(changes), sort_keys=True, default=str).encode()
    ).hexdigest()
    stmt = (
        insert_ignoring_conflicts(session, EventUpdate)
        .values(
            event_id=event_id,
            article_id=article_id,
            changes=list(changes),
            fingerprint=fingerprint,
            changed_at=changed_at,
        )
        .returning(EventUpdate.id)
    )
    return session.execute(stmt).scalar_one_or_none() is not None


def event_history(session: Session, event_id: int) -> list[EventUpdate]:
    return list(
        session.scalars(
            select(EventUpdate).where(EventUpdate.event_id == event_id).order_by(EventUpdate.id)
        )
    )


def link_copy(
    session: Session, copy_id: int, original_id: int, linked_at: datetime
) -> list[int] | None:
    """Link a near-duplicate article to every event of its original (role ``copy``): a copy
    inherits its original's events and never makes one of its own. ``None`` when the original
    is gone or not analysed yet (the copy is then analysed as an article of its own)."""
    analysed = session.execute(
        select(Article.analysed_at).where(Article.id == original_id)
    ).one_or_none()
    if analysed is None or analysed[0] is None:
        return None
    event_ids = list(
        session.scalars(
            select(EventArticle.event_id)
            .where(EventArticle.article_id == original_id)
            .order_by(EventArticle.event_id)
        )
    )
    for event_id in event_ids:
        link_article(session, event_id, copy_id, "copy", linked_at)
    return event_ids
