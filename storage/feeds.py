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
    category: str | None = None  # a folder path, "News/Asia"
    # How often to check it, in seconds, instead of what the server hints (None: the hints).
    interval_seconds: int | None = None


def sync_feeds(session: Session, sources: Sequence[FeedSource], now: datetime) -> list[int]:
    """Make sure every configured feed has a row; return the ids of feeds added now.

    Existing rows keep their state; their name, language and interval follow the sources file.
    """
    added: list[int] = []
    for src in sources:
        new_id = add_feed(session, src, now)
        if new_id is not None:
            added.append(new_id)
        else:
            session.execute(
                update(Feed)
                .where(Feed.url == src.url)
                .values(
                    name=src.name,
                    language=src.language,
                    check_interval_seconds=src.interval_seconds,
                )
            )
    return added


# Why a feed is off (``feeds.disabled_reason``) when the sources file's reconciliation must
# tell it apart: an operator's decision is never undone by the file.
DISABLED_BY_OPERATOR = "disabled with rudprk feeds disable"
LEFT_SOURCES_FILE = "no longer in the sources file"


@dataclass(frozen=True)
class SyncReport:
    """What reconciling the feeds with the sources file changed, by URL."""

    added: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()  # name, language or interval follows the file
    disabled: tuple[str, ...] = ()  # their line left the file
    enabled: tuple[str, ...] = ()  # their line came back to the file
    kept_removed: tuple[str, ...] = ()  # removed with the CLI since: not added again
    unchanged: int = 0
    skipped: bool = False  # the file had not changed since the last reconciliation

    def line(self) -> str:
        if self.skipped:
            return "sources file unchanged since the last synchronisation"
        return (
            f"sources file: {len(self.added)} added, {len(self.updated)} updated, "
            f"{len(self.disabled)} disabled, {len(self.enabled)} enabled again, "
            f"{len(self.kept_removed)} left removed, {self.unchanged} unchanged"
        )


def reconcile_feeds(
    session: Session,
    sources: Sequence[FeedSource],
    now: datetime,
    previous_urls: frozenset[str] | None,
) -> SyncReport:
    """Make the ``feeds`` table follow the sources file, without undoing an operator.

    - a URL new to the database is added, unless it was already in the file last time
      (``previous_urls``): then an operator removed its feed since, and it stays removed;
    - a known feed takes the file's name, language and interval, and keeps its state: one
      disabled with the CLI (or after 410 Gone) stays so; a changed interval makes it due now;
    - a URL of ``previous_urls`` (the file's URLs at the last reconciliation) no longer in the
      file is disabled (:data:`LEFT_SOURCES_FILE`); it is enabled again when its line returns.
      Feeds added with the CLI were never in the file and are left alone.
    """
    wanted = {src.url: src for src in sources}
    known = {f.url: f for f in session.scalars(select(Feed).where(Feed.url.in_(list(wanted))))}
    added: list[str] = []
    updated: list[str] = []
    enabled: list[str] = []
    kept_removed: list[str] = []
    unchanged = 0
    for url, src in wanted.items():
        feed = known.get(url)
        if feed is None:
            if previous_urls is not None and url in previous_urls:
                kept_removed.append(url)
            elif add_feed(session, src, now) is not None:
                added.append(url)
            continue
        changed = False
        if (feed.name, feed.language) != (src.name, src.language):
            feed.name, feed.language = src.name, src.language
            updated.append(url)
            changed = True
        if feed.check_interval_seconds != src.interval_seconds:
            # due at once, so a shorter interval takes effect on the next pass
            feed.check_interval_seconds, feed.next_check_at = src.interval_seconds, None
            if not changed:
                updated.append(url)
            changed = True
        if not feed.enabled and feed.disabled_reason == LEFT_SOURCES_FILE:
            feed.enabled, feed.disabled_reason, feed.next_check_at = True, None, None
            enabled.append(url)
            changed = True
        unchanged += not changed
    disabled: list[str] = []
    gone = sorted((previous_urls or frozenset()) - set(wanted))
    if gone:
        result = session.execute(
            update(Feed)
            .where(Feed.url.in_(gone), Feed.enabled.is_(True))
            .values(enabled=False, disabled_reason=LEFT_SOURCES_FILE)
            .returning(Feed.url)
        )
        disabled = sorted(result.scalars())
    session.flush()
    return SyncReport(
        added=tuple(added),
        updated=tuple(updated),
        disabled=tuple(disabled),
        enabled=tuple(enabled),
        kept_removed=tuple(kept_removed),
        unchanged=unchanged,
    )


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
            category=source.category,
            check_interval_seconds=source.interval_seconds,
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


def disable_feed_by_url(session: Session, url: str, reason: str = DISABLED_BY_OPERATOR) -> bool:
    """Stop checking a feed (kept with its articles) until :func:`enable_feed`; ``False`` if
    unknown."""
    result = session.execute(
        update(Feed).where(Feed.url == url).values(enabled=False, disabled_reason=reason)
    )
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
