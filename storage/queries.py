"""Read-only questions over the analysts' views (storage/views.py): events with filters, one
event with its sources and history, articles for export, and counts.

Rows come back as plain dictionaries keyed by the views' column names (a column added to a view
shows up here without another change), with times as UTC ``datetime`` and dates as ``date`` on
every backend. Filters are fixed SQL fragments chosen by which arguments are given; every value
is a bound parameter.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import RowMapping, bindparam, text
from sqlalchemy.orm import Session

from storage.models import UTCDateTime

Row = dict[str, Any]


def normalise_row(row: RowMapping) -> Row:
    """SQLite returns view columns as text: parse times (``*_at``) and ``event_date``."""
    out: Row = {}
    for key, value in row.items():
        if isinstance(value, str) and key.endswith("_at"):
            value = datetime.fromisoformat(value)
        if isinstance(value, datetime):
            value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        if isinstance(value, str) and key == "event_date":
            value = date.fromisoformat(value)
        out[str(key)] = value
    return out


class AgreementStage(StrEnum):
    """An agreement's stage as analysts name it (``rudprk events --stage``, the report)."""

    announced = "announced"
    signed = "signed"
    ratified = "ratified"
    in_force = "in_force"
    implemented = "implemented"


# The stored ``events.stage`` values (detection's words, alerts/eventrecord.py) each analyst's
# stage covers. ``None``: an agreement reported with no act on it (no stage recorded). A law of
# ratification signed by the head of state (``enactment``) completes the ratification; an
# ``arrangement`` is a concrete accord put into practice (a train service that resumes).
STORED_STAGES: dict[AgreementStage, tuple[str | None, ...]] = {
    AgreementStage.announced: (None,),
    AgreementStage.signed: ("signature",),
    AgreementStage.ratified: ("ratification", "enactment"),
    AgreementStage.in_force: ("entry into force",),
    AgreementStage.implemented: ("arrangement",),
}


def agreement_stage(event_type: str, stage: str | None) -> AgreementStage | None:
    """The analyst's stage of a stored agreement (``None`` for other event types)."""
    if event_type != "agreement":
        return None
    for named, stored in STORED_STAGES.items():
        if stage in stored:
            return named
    return None


@dataclass(frozen=True)
class EventFilter:
    event_types: tuple[str, ...] = ()
    modalities: tuple[str, ...] = ()
    stages: tuple[AgreementStage, ...] = ()  # agreements at one of these stages
    since: datetime | None = None  # first seen at or after
    until: datetime | None = None  # first seen before
    language: str | None = None  # reported by at least one article in this language


def _language_params(language: str) -> dict[str, str]:
    lang = language.strip().lower()
    return {"lang": lang, "lang_prefix": f"{lang}-%"}


def list_events(
    session: Session, where: EventFilter = EventFilter(), limit: int | None = None
) -> list[Row]:
    """Rows of ``v_events`` matching ``where``, newest first."""
    clauses: list[str] = []
    params: dict[str, Any] = {}
    if where.event_types:
        clauses.append("event_type IN :types")
        params["types"] = list(where.event_types)
    if where.modalities:
        clauses.append("modality IN :modalities")
        params["modalities"] = list(where.modalities)
    if where.stages:
        stored = [value for named in where.stages for value in STORED_STAGES[named]]
        known = [value for value in stored if value is not None]
        alternatives = ["stage IN :stages"] if known else []
        if None in stored:
            alternatives.append("stage IS NULL")
        clauses.append(f"(event_type = 'agreement' AND ({' OR '.join(alternatives)}))")
        if known:
            params["stages"] = known
    if where.since is not None:
        clauses.append("first_seen_at >= :since")
        params["since"] = where.since
    if where.until is not None:
        clauses.append("first_seen_at < :until")
        params["until"] = where.until
    if where.language:
        clauses.append(
            "id IN (SELECT event_id FROM v_event_sources WHERE lower(language) = :lang "
            "OR lower(language) LIKE :lang_prefix)"
        )
        params.update(_language_params(where.language))
    sql = "SELECT * FROM v_events"
    if clauses:
        sql += " WHERE " + " AND ".join(clauses)
    sql += " ORDER BY first_seen_at DESC, id DESC"
    if limit is not None:
        sql += " LIMIT :limit"
        params["limit"] = limit
    stmt = text(sql)
    binds = [bindparam(name, type_=UTCDateTime()) for name in ("since", "until") if name in params]
    binds += [
        bindparam(name, expanding=True)
        for name in ("types", "modalities", "stages")
        if name in params
    ]
    if binds:
        stmt = stmt.bindparams(*binds)
    return [normalise_row(r) for r in session.execute(stmt, params).mappings()]


@dataclass(frozen=True)
class EventDetail:
    event: Row
    sources: list[Row] = field(default_factory=list)  # origin first, then the copies
    decisions: list[Row] = field(default_factory=list)
    alerts: list[Row] = field(default_factory=list)


def event_detail(session: Session, event_id: int) -> EventDetail | None:
    """One event with the articles that report it, its alert decision and its alerts."""
    found = session.execute(text("SELECT * FROM v_events WHERE id = :id"), {"id": event_id})
    row = found.mappings().first()
    if row is None:
        return None
    sources = session.execute(
        text(
            "SELECT * FROM v_event_sources WHERE event_id = :id "
            "ORDER BY CASE WHEN role = 'origin' THEN 0 ELSE 1 END, published_at, article_id"
        ),
        {"id": event_id},
    ).mappings()
    decisions = session.execute(
        text(
            "SELECT outcome, reason, rule, decided_at FROM alert_decisions "
            "WHERE event_id = :id ORDER BY decided_at"
        ),
        {"id": event_id},
    ).mappings()
    alerts = session.execute(
        text("SELECT * FROM v_alerts WHERE event_id = :id ORDER BY created_at, alert_id, channel"),
        {"id": event_id},
    ).mappings()
    return EventDetail(
        event=normalise_row(row),
        sources=[normalise_row(r) for r in sources],
        decisions=[normalise_row(r) for r in decisions],
        alerts=[normalise_row(r) for r in alerts],
    )


def iter_articles(
    session: Session, since: datetime | None = None, language: str | None = None
) -> Iterator[Row]:
    """Rows of ``v_articles``, oldest first, streamed (for exports)."""
    clauses: list[str] = []
    params: dict[str, Any] = {}
    if since is not None:
        clauses.append("discovered_at >= :since")
        params["since"] = since
    if language:
        clauses.append("(lower(language) = :lang OR lower(language) LIKE :lang_prefix)")
        params.update(_language_params(language))
    sql = "SELECT * FROM v_articles"
    if clauses:
        sql += " WHERE " + " AND ".join(clauses)
    stmt = text(sql + " ORDER BY discovered_at, id")
    if since is not None:
        stmt = stmt.bindparams(bindparam("since", type_=UTCDateTime()))
    result = session.execute(stmt.execution_options(yield_per=500), params)
    for r in result.mappings():
        yield normalise_row(r)


@dataclass(frozen=True)
class Stats:
    feeds: int
    feeds_enabled: int
    feeds_failing: int
    articles: int
    articles_relevant: int
    articles_by_language: dict[str, int]
    events_by_type: dict[str, int]
    alerts_by_status: dict[str, int]
    first_event_at: datetime | None
    last_event_at: datetime | None


def _counts(session: Session, sql: str) -> dict[str, int]:
    return {str(key): int(count) for key, count in session.execute(text(sql)).tuples()}


def stats(session: Session) -> Stats:
    """What the database holds, counted."""
    feeds = session.execute(
        text(
            "SELECT COUNT(*) AS total, "
            "COALESCE(SUM(CASE WHEN enabled THEN 1 ELSE 0 END), 0) AS enabled, "
            "COALESCE(SUM(CASE WHEN enabled AND error_count > 0 THEN 1 ELSE 0 END), 0) AS failing "
            "FROM v_feed_health"
        )
    ).one()
    articles = session.execute(
        text(
            "SELECT COUNT(*) AS total, "
            "COALESCE(SUM(CASE WHEN relevant THEN 1 ELSE 0 END), 0) AS relevant FROM v_articles"
        )
    ).one()
    span = normalise_row(
        session.execute(
            text(
                "SELECT MIN(first_seen_at) AS first_at, MAX(first_seen_at) AS last_at FROM v_events"
            )
        )
        .mappings()
        .one()
    )
    return Stats(
        feeds=int(feeds.total),
        feeds_enabled=int(feeds.enabled),
        feeds_failing=int(feeds.failing),
        articles=int(articles.total),
        articles_relevant=int(articles.relevant),
        articles_by_language=_counts(
            session,
            "SELECT COALESCE(language, '-') AS language, COUNT(*) FROM v_articles "
            "GROUP BY COALESCE(language, '-') ORDER BY 2 DESC, 1",
        ),
        events_by_type=_counts(
            session,
            "SELECT event_type, COUNT(*) FROM v_events GROUP BY event_type ORDER BY 2 DESC, 1",
        ),
        alerts_by_status=_counts(
            session,
            "SELECT COALESCE(status, 'no delivery') AS status, COUNT(*) FROM v_alerts "
            "GROUP BY COALESCE(status, 'no delivery') ORDER BY 2 DESC, 1",
        ),
        first_event_at=span["first_at"],
        last_event_at=span["last_at"],
    )
