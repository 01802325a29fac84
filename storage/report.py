"""What the HTML report (``rudprk report``) shows, read from the analysts' views in a few
statements: the events first seen in the period with the articles that report them and their
history (``event_updates``), every feed's health, and the alerts of the period.

Rows are plain dictionaries keyed by the views' column names, normalised as in
:mod:`storage.queries` (UTC ``datetime``, ``date``). Every value is a bound parameter.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select, text
from sqlalchemy.orm import Session

from storage.models import Event, EventUpdate, UTCDateTime
from storage.queries import EventFilter, Row, list_events, normalise_row


@dataclass(frozen=True)
class Change:
    """One change of an event's record: ``field`` went from ``before`` to ``after``."""

    field: str
    before: Any
    after: Any


@dataclass(frozen=True)
class Update:
    changed_at: datetime
    article_id: int | None
    changes: tuple[Change, ...]


@dataclass(frozen=True)
class ReportData:
    since: datetime | None
    events: list[Row]  # v_events, newest first
    sources: dict[int, list[Row]] = field(default_factory=dict)  # event id → v_event_sources
    updates: dict[int, list[Update]] = field(default_factory=dict)  # event id → its history
    feeds: list[Row] = field(default_factory=list)  # v_feed_health + category, by category
    alerts: list[Row] = field(default_factory=list)  # v_alerts, newest first


_SOURCES_ORDER = (
    " ORDER BY event_id, CASE WHEN role = 'origin' THEN 0 ELSE 1 END, published_at, article_id"
)
_SOURCES = "SELECT * FROM v_event_sources" + _SOURCES_ORDER
_SOURCES_SINCE = (
    "SELECT * FROM v_event_sources"
    " WHERE event_id IN (SELECT id FROM v_events WHERE first_seen_at >= :since)" + _SOURCES_ORDER
)
_ALERTS = "SELECT * FROM v_alerts ORDER BY created_at DESC, alert_id"
_ALERTS_SINCE = (
    "SELECT * FROM v_alerts WHERE created_at >= :since ORDER BY created_at DESC, alert_id"
)


def _bound(sql: str, since: datetime | None) -> Any:
    stmt = text(sql)
    if since is not None:
        stmt = stmt.bindparams(bindparam("since", type_=UTCDateTime()))
    return stmt


def _changes(raw: object) -> tuple[Change, ...]:
    if not isinstance(raw, list):
        return ()
    return tuple(
        Change(str(item.get("field", "")), item.get("before"), item.get("after"))
        for item in raw
        if isinstance(item, dict)
    )


def load_report(session: Session, since: datetime | None = None) -> ReportData:
    """The report's rows: events first seen at or after ``since`` (every event without it)."""
    events = list_events(session, EventFilter(since=since))
    params: dict[str, Any] = {} if since is None else {"since": since}
    if since is None:
        sources_sql = _SOURCES
        alerts_sql = _ALERTS
    else:
        sources_sql = _SOURCES_SINCE
        alerts_sql = _ALERTS_SINCE
    sources: dict[int, list[Row]] = defaultdict(list)
    found = session.execute(_bound(sources_sql, since), params)
    for row in found.mappings():
        sources[int(row["event_id"])].append(normalise_row(row))
    updates: dict[int, list[Update]] = defaultdict(list)
    history = select(EventUpdate).order_by(EventUpdate.event_id, EventUpdate.changed_at)
    if since is not None:
        history = history.where(
            EventUpdate.event_id.in_(select(Event.id).where(Event.first_seen_at >= since))
        )
    for update in session.scalars(history):
        updates[update.event_id].append(
            Update(update.changed_at, update.article_id, _changes(update.changes))
        )
    feeds = [
        normalise_row(r)
        for r in session.execute(
            text(
                "SELECT h.*, f.category FROM v_feed_health h JOIN feeds f ON f.id = h.id "
                "ORDER BY CASE WHEN f.category IS NULL THEN 1 ELSE 0 END, f.category, h.name, h.id"
            )
        ).mappings()
    ]
    alerts = [
        normalise_row(r) for r in session.execute(_bound(alerts_sql, since), params).mappings()
    ]
    return ReportData(
        since=since,
        events=events,
        sources=dict(sources),
        updates=dict(updates),
        feeds=feeds,
        alerts=alerts,
    )
