"""What an alert e-mail shows, read from the store: alert + event + linked articles and feeds.

Everything the e-mail says comes from stored fields (the event as detection stored it, its
articles, the alert's *why*); the knowledge tables only translate what is stored (the side a
claimant speaks for, the force a unit word names).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alerts.errors import RenderError
from alerts.eventrecord import unit_force
from alerts.render import AlertView, Change, SourceLink, render_digest
from storage.decisions import decisions_between
from storage.feeds import failing_feeds
from storage.models import Alert, Article, Event, EventArticle, Feed
from storage.outbox import undelivered

DIGEST_KEY_PREFIX = "digest:"
DIGEST_MIN_FEED_ERRORS = 3
# The column by which the deduplication store links a copy to its original article, read
# when the store has it; until then copies are recognised by an identical headline.
COPY_LINK_COLUMN = "copy_of_id"

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


def _claimant_side(claimant: str | None) -> str | None:
    """The country a claimant speaks for (``KR`` for the NIS), from the lexicons' names."""
    if not claimant:
        return None
    from alerts.detection.lexicon import default_lexicons

    for entity in default_lexicons().entities.values():
        if entity.name == claimant and entity.claimant:
            return entity.side or None
    return None


def _norm_title(title: str) -> str:
    return " ".join(title.casefold().split())


def _copies(articles: Sequence[tuple[Article, Feed]]) -> dict[int, int]:
    """Which article copies which: the store's link when it has one, else the same headline
    published by another outlet later (a syndicated copy)."""
    out: dict[int, int] = {}
    ids = {a.id for a, _ in articles}
    for article, _ in articles:
        link = getattr(article, COPY_LINK_COLUMN, None)
        if isinstance(link, int) and link in ids and link != article.id:
            out[article.id] = link
    first_by_title: dict[str, tuple[datetime, int, int]] = {}
    for article, feed in sorted(articles, key=lambda af: (af[0].published_at or _LATEST, af[0].id)):
        title = _norm_title(article.title or "")
        if len(title) < 20 or article.id in out:
            continue
        seen = first_by_title.get(title)
        if seen is None:
            first_by_title[title] = (article.published_at or _LATEST, article.id, feed.id)
        elif seen[2] != feed.id:
            out[article.id] = seen[1]
    return out


def _changes(why: dict[str, Any] | None) -> tuple[Change, ...]:
    items = why.get("changes") if isinstance(why, dict) else None
    if not isinstance(items, list):
        return ()
    return tuple(
        Change(str(c.get("field")), c.get("before"), c.get("after"))
        for c in items
        if isinstance(c, dict) and c.get("field")
    )


def build_event_views(session: Session, event_ids: Sequence[int]) -> dict[int, AlertView]:
    """A view of each event (no alert: ``alert_id`` None), keyed by event id."""
    if not event_ids:
        return {}
    events = {e.id: e for e in session.scalars(select(Event).where(Event.id.in_(list(event_ids))))}
    rows = session.execute(
        select(EventArticle.event_id, EventArticle.role, Article, Feed)
        .join(Article, Article.id == EventArticle.article_id)
        .join(Feed, Feed.id == Article.feed_id)
        .where(EventArticle.event_id.in_(list(events)))
    ).all()
    seen = dict(
        session.execute(
            select(EventArticle.event_id, func.min(EventArticle.linked_at))
            .where(EventArticle.event_id.in_(list(events)))
            .group_by(EventArticle.event_id)
        )
        .tuples()
        .all()
    )
    by_event: dict[int, list[tuple[str, Article, Feed]]] = {}
    for event_id, role, article, feed in rows:
        by_event.setdefault(event_id, []).append((role, article, feed))
    views: dict[int, AlertView] = {}
    for event_id, event in events.items():
        linked = by_event.get(event_id, [])
        copies = _copies([(a, f) for _, a, f in linked])
        ordered = sorted(linked, key=lambda raf: _source_order(raf[0], raf[1], event))
        sources = [
            SourceLink(
                name=feed.name,
                title=article.title,
                url=article.url or article.canonical_url,
                published_at=article.published_at,
                language=article.language or feed.language,
                article_id=article.id,
                copy_of=copies.get(article.id),
            )
            for _, article, feed in ordered
        ]
        origin = next((a for _, a, _ in linked if a.id == event.first_article_id), None)
        if origin is None and ordered:
            origin = ordered[0][1]
        origin_feed = next(
            (f for _, a, f in linked if origin is not None and a.id == origin.id), None
        )
        seen_at = seen.get(event_id)
        language = (origin.language if origin is not None else None) or (
            origin_feed.language if origin_feed is not None else None
        )
        views[event_id] = AlertView(
            alert_id=None,
            kind="new",
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
            sources=sources,
            message_id="",
            # When the pipeline first saw the event: its first link to an article.
            detected_at=seen_at if isinstance(seen_at, datetime) else event.first_seen_at,
            figure_qualifier=event.figure_qualifier or _figure_qualifier(event, origin),
            evidence_language=language,
            claimant_side=_claimant_side(event.claimant),
            unit_force=unit_force(event.figure_unit, language) or event.unit_force,
        )
    return views


def build_alert_views(session: Session, alert_ids: Sequence[int]) -> list[AlertView]:
    """Views of the given alerts, in the order given; alerts without an event are left out.

    Sources: the article that raised the event first, then the others by publication time,
    copies folded under their original. An ``update`` alert threads under the event's ``new``
    alert (``In-Reply-To``) and says what changed.
    """
    if not alert_ids:
        return []
    alerts = {a.id: a for a in session.scalars(select(Alert).where(Alert.id.in_(list(alert_ids))))}
    event_ids = sorted({a.event_id for a in alerts.values() if a.event_id is not None})
    if not event_ids:
        return []
    events = build_event_views(session, event_ids)
    # An update threads under its event's first alert, or, for a later stage of a known
    # instrument, under the first alert of the instrument's first event.
    roots = dict(
        session.execute(
            select(Event.id, Event.parent_event_id).where(
                Event.id.in_(event_ids), Event.parent_event_id.is_not(None)
            )
        )
        .tuples()
        .all()
    )
    first_alerts = dict(
        session.execute(
            select(Alert.event_id, Alert.message_id)
            .where(Alert.event_id.in_(sorted({*event_ids, *roots.values()})), Alert.kind == "new")
            .order_by(Alert.id.desc())
        )
        .tuples()
        .all()
    )
    views = []
    for alert_id in alert_ids:
        alert = alerts.get(alert_id)
        if alert is None or alert.event_id is None or alert.event_id not in events:
            continue
        parent = None
        if alert.kind != "new":
            parent = first_alerts.get(alert.event_id) or first_alerts.get(
                roots.get(alert.event_id, -1)
            )
        views.append(
            replace(
                events[alert.event_id],
                alert_id=alert.id,
                kind=alert.kind,
                message_id=alert.message_id,
                in_reply_to=parent if parent != alert.message_id else None,
                changes=_changes(alert.why),
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


def latest_digest_end(session: Session) -> datetime | None:
    """Where the most recent digest's period ends (the next one starts there at the latest)."""
    keys = session.scalars(select(Alert.dedup_key).where(Alert.kind == "digest"))
    ends = []
    for key in keys:
        try:
            ends.append(digest_period(key)[1])
        except RenderError:
            continue
    return max(ends) if ends else None


def build_digest(
    session: Session,
    digest: Alert,
    *,
    sender: str,
    recipients: Sequence[str],
    now: datetime,
    min_feed_errors: int = DIGEST_MIN_FEED_ERRORS,
    language: str = "en",
) -> EmailMessage:
    """The digest e-mail of a ``digest`` outbox row: the alerts recorded in its period, the new
    events of the period that did not alert and why (other types, background, speculation,
    below a rule's confidence, digest rules, too old, held back on a first pass), the feeds
    failing at least ``min_feed_errors`` times in a row, and the alerts not delivered yet
    (refused ones wait for an operator: reported until one acts)."""
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
    decisions = [d for d in decisions_between(session, start, end) if d.outcome != "alert"]
    event_views = build_event_views(session, [d.event_id for d in decisions])
    not_alerted = [
        (d.reason, event_views[d.event_id]) for d in decisions if d.event_id in event_views
    ]
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
        not_alerted=not_alerted,
        language=language,
    )
