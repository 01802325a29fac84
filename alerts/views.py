"""What an alert e-mail shows, read from the store: alert + event + linked articles and feeds."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from email.message import EmailMessage

from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts.errors import RenderError
from alerts.render import AlertView, SourceLink, render_digest
from storage.feeds import failing_feeds
from storage.models import Alert, Article, Event, EventArticle, Feed
from storage.outbox import undelivered

DIGEST_KEY_PREFIX = "digest:"
DIGEST_MIN_FEED_ERRORS = 3

_LATEST = datetime.max.replace(tzinfo=UTC)


def _source_order(role: str, article: Article, event: Event) -> tuple[int, datetime, int]:
    is_origin = role == "origin" or article.id == event.first_article_id
    return (0 if is_origin else 1, article.published_at or _LATEST, article.id)


def _figure_qualifier(event: Event, origin: Article | None) -> str | None:
    """How the article that raised the event qualified its figure ("about", "more than"…).

    The events table keeps only the bounds; the qualifier is in the origin article's stored
    detection, under the event of the same type and figures.
    """
    if origin is None or not isinstance(origin.detection, dict):
        return None
    detected = origin.detection.get("events")
    if not isinstance(detected, list):
        return None
    for item in detected:
        if (
            isinstance(item, dict)
            and item.get("event_type") == event.event_type
            and item.get("low") == event.figure_low
            and item.get("high") == event.figure_high
        ):
            qualifier = item.get("qualifier")
            return qualifier if isinstance(qualifier, str) else None
    return None


def build_alert_views(session: Session, alert_ids: Sequence[int]) -> list[AlertView]:
    """Views of the given alerts, in the order given; alerts without an event are left out.

    Sources: the article that raised the event first, then the others by publication time.
    An ``update`` alert threads under the event's ``new`` alert (``In-Reply-To``).
    """
    if not alert_ids:
        return []
    alerts = {a.id: a for a in session.scalars(select(Alert).where(Alert.id.in_(list(alert_ids))))}
    event_ids = sorted({a.event_id for a in alerts.values() if a.event_id is not None})
    if not event_ids:
        return []
    events = {e.id: e for e in session.scalars(select(Event).where(Event.id.in_(event_ids)))}
    rows = session.execute(
        select(EventArticle.event_id, EventArticle.role, Article, Feed)
        .join(Article, Article.id == EventArticle.article_id)
        .join(Feed, Feed.id == Article.feed_id)
        .where(EventArticle.event_id.in_(event_ids))
    ).all()
    linked: dict[int, list[tuple[tuple[int, datetime, int], SourceLink]]] = {}
    for event_id, role, article, feed in rows:
        link = SourceLink(
            name=feed.name,
            title=article.title,
            url=article.url or article.canonical_url,
            published_at=article.published_at,
            language=article.language or feed.language,
        )
        linked.setdefault(event_id, []).append(
            (_source_order(role, article, events[event_id]), link)
        )
    first_alerts = dict(
        session.execute(
            select(Alert.event_id, Alert.message_id).where(
                Alert.event_id.in_(event_ids), Alert.kind == "new"
            )
        )
        .tuples()
        .all()
    )
    origins = {
        a.id: a
        for a in session.scalars(
            select(Article).where(
                Article.id.in_([e.first_article_id for e in events.values() if e.first_article_id])
            )
        )
    }
    views = []
    for alert_id in alert_ids:
        alert = alerts.get(alert_id)
        if alert is None or alert.event_id is None or alert.event_id not in events:
            continue
        event = events[alert.event_id]
        parent = first_alerts.get(event.id) if alert.kind != "new" else None
        views.append(
            AlertView(
                alert_id=alert.id,
                kind=alert.kind,
                event_id=event.id,
                event_type=event.event_type,
                modality=event.modality,
                summary=event.summary,
                evidence=event.evidence,
                figure_low=event.figure_low,
                figure_high=event.figure_high,
                figure_unit=event.figure_unit,
                force=event.force,
                place=event.place,
                event_date=event.event_date,
                date_precision=event.date_precision,
                actors=list(event.actors or []),
                claimant=event.claimant,
                additional=event.additional,
                confidence=event.confidence,
                sources=[link for _, link in sorted(linked.get(event.id, []), key=lambda x: x[0])],
                message_id=alert.message_id,
                detected_at=event.first_seen_at,
                in_reply_to=parent if parent != alert.message_id else None,
                figure_qualifier=_figure_qualifier(event, origins.get(event.first_article_id or 0)),
            )
        )
    return views


def digest_dedup_key(period_start: datetime, period_end: datetime) -> str:
    """``digest:<start>/<end>`` in UTC ISO 8601: one digest per period, ever."""
    start = period_start.astimezone(UTC).isoformat()
    end = period_end.astimezone(UTC).isoformat()
    return f"{DIGEST_KEY_PREFIX}{start}/{end}"


def digest_period(dedup_key: str) -> tuple[datetime, datetime]:
    """The period a digest's dedup key names; :class:`RenderError` if it names none."""
    if not dedup_key.startswith(DIGEST_KEY_PREFIX):
        raise RenderError(f"not a digest key: {dedup_key!r}")
    try:
        start_text, end_text = dedup_key[len(DIGEST_KEY_PREFIX) :].split("/", 1)
        start, end = datetime.fromisoformat(start_text), datetime.fromisoformat(end_text)
    except ValueError as exc:
        raise RenderError(f"not a digest key: {dedup_key!r}") from exc
    if start.tzinfo is None or end.tzinfo is None or end <= start:
        raise RenderError(f"not a digest period: {dedup_key!r}")
    return start, end


def build_digest(
    session: Session,
    digest: Alert,
    *,
    sender: str,
    recipients: Sequence[str],
    now: datetime,
    min_feed_errors: int = DIGEST_MIN_FEED_ERRORS,
) -> EmailMessage:
    """The digest e-mail of a ``digest`` outbox row: every event alert recorded in its period
    (sent or not), the feeds failing at least ``min_feed_errors`` times in a row, and the alerts
    not delivered yet (refused ones wait for an operator: reported until one acts)."""
    start, end = digest_period(digest.dedup_key)
    alert_ids = list(
        session.scalars(
            select(Alert.id)
            .where(
                Alert.kind != "digest",
                Alert.event_id.is_not(None),
                Alert.created_at >= start,
                Alert.created_at < end,
            )
            .order_by(Alert.id)
        )
    )
    feeds = [(f.name, f.error_count, f.last_error) for f in failing_feeds(session, min_feed_errors)]
    waiting = [
        (row.alert_id, row.channel, row.state, row.attempts, row.last_error)
        for row in undelivered(session, clock_now=datetime.now(UTC))
        if row.alert_id != digest.id
    ]
    return render_digest(
        build_alert_views(session, alert_ids),
        period_start=start,
        period_end=end,
        sender=sender,
        recipients=recipients,
        message_id=digest.message_id,
        failing_feeds=feeds,
        now=now,
        undelivered=waiting,
    )
