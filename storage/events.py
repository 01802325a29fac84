"""Events and their links to articles."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Article, Event, EventArticle
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
