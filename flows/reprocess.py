"""``rudprk reprocess --since DATE``: detection run again on stored articles (after an upgrade of
the detector, its models or the knowledge tables), never alerting an event twice.

Each article is re-analysed in its own transaction, like a pass does. What is new in the
article's new detection is registered and decided by the rules; an alert is recorded only for
an event that the article did not already report with an alert (its earlier links are kept),
that is fresh (``RUDPRK_FRESHNESS_HOURS``), and that no other alert covers. Events already
alerted are never alerted again: their alerts' dedup keys are taken, and a re-read of an
article behind an alert records its new events as decided ``none`` (``reprocess``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from alerts.detect import detect_article
from alerts.novelty import register_events
from alerts.routing import route_new_event
from alerts.rules import RuleSet
from flows.pipeline import is_fresh
from storage.articles import load_articles, record_analysis
from storage.decisions import record_decision
from storage.events import link_copy
from storage.faults import run_unit
from storage.models import Alert, Article, EventArticle


@dataclass
class ReprocessReport:
    articles: int = 0
    relevant: int = 0
    events_new: int = 0
    alerts_enqueued: int = 0
    failed: int = 0


def articles_since(session: Session, since: datetime) -> list[int]:
    return list(
        session.scalars(
            select(Article.id).where(Article.discovered_at >= since).order_by(Article.id)
        )
    )


def _behind_an_alert(session: Session, article_id: int) -> bool:
    return (
        session.scalar(
            select(Alert.id)
            .join(EventArticle, EventArticle.event_id == Alert.event_id)
            .where(EventArticle.article_id == article_id, Alert.kind != "digest")
            .limit(1)
        )
        is not None
    )


def reprocess_article(
    session: Session, article_id: int, now: datetime, freshness_hours: float, rules: RuleSet
) -> tuple[bool, int, int]:
    (article,) = load_articles(session, [article_id])
    detection = detect_article(
        article.body or article.summary,
        title=article.title,
        lang=article.language,
        published=article.published_at,
    )
    record_analysis(
        session,
        article.id,
        relevant=detection.relevance.relevant,
        score=detection.relevance.score,
        detection=detection.to_dict(),
        analysed_at=now,
        language=detection.language,
    )
    if article.copy_of_id is not None and (
        link_copy(session, article.id, article.copy_of_id, now) is not None
    ):
        return detection.relevance.relevant, 0, 0  # a copy reports its original's events
    if not detection.relevance.relevant:
        return False, 0, 0
    alerted_before = _behind_an_alert(session, article.id)
    outcomes = register_events(
        session,
        article.id,
        detection,
        published_at=article.published_at,
        now=now,
        title=article.title,
    )
    fresh = is_fresh(article.published_at, article.discovered_at, now, freshness_hours)
    reasons = list(dict.fromkeys(r.entity for r in detection.relevance.reasons))
    new_events = enqueued = 0
    for outcome in outcomes:
        if not outcome.is_new:
            continue
        new_events += 1
        if alerted_before:
            record_decision(
                session,
                event_id=outcome.event_id,
                outcome="none",
                reason="reprocess",
                rule=None,
                why={"reprocess": "the article already reported an alerted event"},
                decided_at=now,
            )
            continue
        _decision, alert_id = route_new_event(
            session,
            event_id=outcome.event_id,
            article_id=article.id,
            language=detection.language or article.language,
            relevance=detection.relevance.score,
            reasons=reasons,
            rules=rules,
            fresh=fresh,
            now=now,
        )
        enqueued += alert_id is not None
    return True, new_events, enqueued


def reprocess(
    session_factory: sessionmaker[Session],
    *,
    since: datetime,
    now: datetime,
    freshness_hours: float,
    rules: RuleSet,
    progress: Callable[[int, int], None] | None = None,
) -> ReprocessReport:
    """Re-run detection on every article discovered since ``since``; ``progress(done, total)``
    is called after each article."""
    ids = run_unit(session_factory, lambda s: articles_since(s, since), what="reprocess")
    report = ReprocessReport()
    for done, article_id in enumerate(ids, start=1):
        try:
            relevant, events, alerts = run_unit(
                session_factory,
                lambda s, a=article_id: reprocess_article(s, a, now, freshness_hours, rules),  # type: ignore[misc]
                what=f"reprocessing article {article_id}",
            )
        except Exception as exc:
            from storage.errors import DatabaseFaultError

            if isinstance(exc, DatabaseFaultError):
                raise
            report.failed += 1
        else:
            report.articles += 1
            report.relevant += relevant
            report.events_new += events
            report.alerts_enqueued += alerts
        if progress is not None:
            progress(done, len(ids))
    return report
