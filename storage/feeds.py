"""Feeds and their fetch state (conditional GET validators, health counters, schedule)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from storage.models import Article, Feed
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
        new_id = add_feed(session, src, now)
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


def due_feeds(
    session: Session, now: datetime, urls: Sequence[str] | None = None, *, force: bool = False
) -> list[Feed]:
    """Enabled feeds whose next check time has come (or was never set); all of them with ``force``."""
    stmt = select(Feed).where(Feed.enabled.is_(True))
    if not force:
        stmt = stmt.where(or_(Feed.next_check_at.is_(None), Feed.next_check_at <= now))
    if urls is not None:
        stmt = stmt.where(Feed.url.in_(list(urls)))
    return list(session.scalars(stmt.order_by(Feed.id)))


def failing_feeds(session: Session, min_errors: int) -> list[Feed]:
    return list(
        session.scalars(
            select(Feed).where(Feed.error_count >= min_errors).order_by(Feed.error_count.desc())
        )
    )


def add_feed(session: Session, source: FeedSource, now: datetime) -> int | None:
    """Add one feed; return its id, or ``None`` when a feed with this URL already exists."""
    stmt = (
        insert_ignoring_conflicts(session, Feed)
        .values(
            url=source.url,
            name=source.name,
            language=source.language,
            enabled=True,
            created_at=now,
            error_count=0,
            entries_seen=0,
        )
        .returning(Feed.id)
    )
    return session.execute(stmt).scalar_one_or_none()


def remove_feed(session: Session, url: str) -> bool:
    """Delete a feed (its articles go with it through the foreign key); ``False`` if unknown."""
    result = session.execute(delete(Feed).where(Feed.url == url))
    return bool(getattr(result, "rowcount", 0))


# Column lengths (models.Feed) for values a server chooses: longer ones are not stored.
URL_MAX_CHARS = 2048
ETAG_MAX_CHARS = 1024
LAST_MODIFIED_MAX_CHARS = 256


def fitting_validator(value: str | None, limit: int) -> str | None:
    """``value`` when it fits its column, else None: a cut ETag or date would never match, and
    PostgreSQL refuses the whole row for a value too long (SQLite does not check)."""
    return value if value is not None and len(value) <= limit else None


def record_success(
    session: Session,
    feed_id: int,
    *,
    now: datetime,
    next_check_at: datetime,
    etag: str | None,
    last_modified: str | None,
    body_hash: str | None,
    ttl_seconds: int | None,
    entries_seen: int,
) -> None:
    """A 200 that parsed: store the validators and body hash, reset the error counter."""
    session.execute(
        update(Feed)
        .where(Feed.id == feed_id)
        .values(
            etag=fitting_validator(etag, ETAG_MAX_CHARS),
            last_modified=fitting_validator(last_modified, LAST_MODIFIED_MAX_CHARS),
            body_hash=body_hash,
            ttl_seconds=ttl_seconds,
            last_checked_at=now,
            last_success_at=now,
            next_check_at=next_check_at,
            error_count=0,
            entries_seen=Feed.entries_seen + entries_seen,
        )
    )


def record_not_modified(
    session: Session,
    feed_id: int,
    *,
    now: datetime,
    next_check_at: datetime,
    etag: str | None = None,
    last_modified: str | None = None,
) -> None:
    """A 304 (or an unchanged body): nothing to parse; new validators are kept when sent."""
    values: dict[str, object] = {
        "last_checked_at": now,
        "last_success_at": now,
        "next_check_at": next_check_at,
        "error_count": 0,
    }
    etag = fitting_validator(etag, ETAG_MAX_CHARS)
    last_modified = fitting_validator(last_modified, LAST_MODIFIED_MAX_CHARS)
    if etag:
        values["etag"] = etag
    if last_modified:
        values["last_modified"] = last_modified
    session.execute(update(Feed).where(Feed.id == feed_id).values(**values))


def record_failure(
    session: Session,
    feed_id: int,
    *,
    now: datetime,
    error: str,
    status: int | None,
    content_type: str | None,
    next_check_at: datetime,
) -> int:
    """One more consecutive failure; returns the new error count."""
    session.execute(
        update(Feed)
        .where(Feed.id == feed_id)
        .values(
            error_count=Feed.error_count + 1,
            last_error=error,
            last_error_status=status,
            last_error_content_type=content_type[:256] if content_type else None,
            last_error_at=now,
            last_checked_at=now,
            next_check_at=next_check_at,
        )
    )
    count = session.scalar(select(Feed.error_count).where(Feed.id == feed_id))
    return int(count or 0)


def move_feed(session: Session, feed_id: int, new_url: str) -> bool:
    """Follow a permanent redirect; ``False`` (URL kept) when another feed already has ``new_url``
    or when it is longer than the column holds."""
    if len(new_url) > URL_MAX_CHARS:
        return False
    if session.scalar(select(Feed.id).where(Feed.url == new_url, Feed.id != feed_id)) is not None:
        return False
    session.execute(update(Feed).where(Feed.id == feed_id).values(url=new_url))
    return True


def disable_feed(session: Session, feed_id: int, reason: str, now: datetime) -> None:
    """Stop checking a feed (410 Gone) until :func:`enable_feed`."""
    session.execute(
        update(Feed)
        .where(Feed.id == feed_id)
        .values(enabled=False, disabled_reason=reason, last_checked_at=now)
    )


def enable_feed(session: Session, url: str) -> bool:
    """Re-enable a feed and clear its error state so the next pass checks it; ``False`` if unknown."""
    result = session.execute(
        update(Feed)
        .where(Feed.url == url)
        .values(enabled=True, disabled_reason=None, error_count=0, next_check_at=None)
    )
    return bool(getattr(result, "rowcount", 0))


def article_counts(session: Session) -> dict[int, int]:
    """Number of stored articles per feed id (feeds without articles are absent)."""
    rows = session.execute(select(Article.feed_id, func.count()).group_by(Article.feed_id))
    return {int(feed_id): int(count) for feed_id, count in rows}


def oldest_feed_created_at(session: Session) -> datetime | None:
    """When the first feed was added: the start of what the monitor has watched."""
    oldest = session.scalars(select(Feed.created_at).order_by(Feed.created_at).limit(1)).first()
    return oldest
