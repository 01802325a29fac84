"""Feeds and their fetch state (conditional GET validators, health counters, schedule)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from storage.models import Feed
from storage.statements import insert_ignoring_conflicts


@dataclass(frozen=True)
class FeedSource:
    """One feed as configured in the sources file."""

    name: str
    url: str
    language: str | None = None


def sync_feeds(session: Session, sources: Sequence[FeedSource], now: datetime) -> list[int]:
    """Make sure every configured feed has a row; return the ids of feeds added now.

    Existing rows keep their state; their name and language follow the sources file.
    """
    added: list[int] = []
    for src in sources:
        stmt = (
            insert_ignoring_conflicts(session, Feed)
            .values(
                url=src.url,
                name=src.name,
                language=src.language,
                enabled=True,
                created_at=now,
                error_count=0,
                entries_seen=0,
            )
            .returning(Feed.id)
        )
        new_id = session.execute(stmt).scalar_one_or_none()
        if new_id is not None:
            added.append(new_id)
        else:
            session.execute(
                update(Feed).where(Feed.url == src.url).values(name=src.name, language=src.language)
            )
    return added


def get_feed_by_url(session: Session, url: str) -> Feed | None:
    return session.scalars(select(Feed).where(Feed.url == url)).first()


def list_feeds(session: Session) -> list[Feed]:
    return list(session.scalars(select(Feed).order_by(Feed.name, Feed.id)))


def due_feeds(session: Session, now: datetime, urls: Sequence[str] | None = None) -> list[Feed]:
    """Enabled feeds whose next check time has come (or was never set)."""
    stmt = select(Feed).where(
        Feed.enabled.is_(True), or_(Feed.next_check_at.is_(None), Feed.next_check_at <= now)
    )
    if urls is not None:
        stmt = stmt.where(Feed.url.in_(list(urls)))
    return list(session.scalars(stmt.order_by(Feed.id)))


def failing_feeds(session: Session, min_errors: int) -> list[Feed]:
    return list(
        session.scalars(
            select(Feed).where(Feed.error_count >= min_errors).order_by(Feed.error_count.desc())
        )
    )
