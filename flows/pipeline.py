"""One pass of the monitor as plain, typed functions (the Prefect flow and ``rudprk run`` call these).

feeds file → ``feeds`` rows → harvest (fetch, parse, store new articles) → analyse (detect,
register events, enqueue alerts in the same transaction) → deliver the outbox.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from alerts.delivery import DeliveryReport, deliver_pending, enqueue_digest
from alerts.detect import Detection, Relevance, detect_article
from alerts.detection.gate import GateVerdict, screen
from alerts.mailer import Mailer, OutboxDirMailer, SMTPMailer
from alerts.novelty import register_events
from alerts.render import message_id_for
from flows.ingest.harvest import HarvestConfig, HarvestReport, harvest_sync
from flows.settings import Settings
from flows.sources import load_sources
from storage.articles import load_articles, record_analysis, unanalysed_article_ids
from storage.engine import check_connection, create_db_engine, create_session_factory, session_scope
from storage.feeds import oldest_feed_created_at, sync_feeds
from storage.migrate import upgrade_database
from storage.outbox import count_pending, enqueue_alert

log = logging.getLogger("rudprk.pipeline")

FAILING_AFTER = 3
MESSAGE_ID_DOMAIN = "rudprk-watch.local"


@dataclass
class AnalysisReport:
    articles: int = 0
    relevant: int = 0
    events_new: int = 0
    alerts_enqueued: int = 0
    failed: int = 0


@dataclass
class PassSummary:
    feeds: int = 0
    feeds_failed: int = 0
    entries_seen: int = 0
    articles_new: int = 0
    events_new: int = 0
    alerts_sent: int = 0
    alerts_pending: int = 0
    seconds: float = 0.0
    failed_feeds: list[dict[str, object]] = field(default_factory=list)
    failing_feeds: list[dict[str, object]] = field(default_factory=list)
    delivered: list[str] = field(default_factory=list)

    def to_json(self) -> str:
        keys = (
            "feeds",
            "feeds_failed",
            "entries_seen",
            "articles_new",
            "events_new",
            "alerts_sent",
            "alerts_pending",
            "seconds",
        )
        data = asdict(self)
        return json.dumps({k: data[k] for k in keys})

    def line(self) -> str:
        text = (
            f"{self.feeds} feeds ({self.feeds_failed} failed), {self.entries_seen} entries seen, "
            f"{self.articles_new} new articles, {self.events_new} new events, "
            f"{self.alerts_sent} alerts sent, {self.alerts_pending} pending, {self.seconds:.1f}s"
        )
        if self.failed_feeds:
            text += "\n  failed: " + "\n  failed: ".join(
                f"{f['name']} <{f['url']}>: {f['error']}" for f in self.failed_feeds
            )
        if self.failing_feeds:
            names = ", ".join(
                f"{f['name']} ({f['error_count']} in a row)" for f in self.failing_feeds
            )
            text += f"\n  failing for a while: {names}"
        return text


def open_database(url: str) -> tuple[Engine, sessionmaker[Session]]:
    """Connect, fail fast with a clear error when unreachable, and upgrade the schema."""
    engine = create_db_engine(url)
    check_connection(engine)
    upgrade_database(engine)
    return engine, create_session_factory(engine)


@contextmanager
def opened_database(url: str) -> Iterator[sessionmaker[Session]]:
    """:func:`open_database` for one block; the engine is disposed on exit."""
    engine, factory = open_database(url)
    try:
        yield factory
    finally:
        engine.dispose()


def count_pending_alerts(session_factory: sessionmaker[Session]) -> int:
    with session_factory() as session:
        return count_pending(session)


def sync_sources(session_factory: sessionmaker[Session], settings: Settings, now: datetime) -> int:
    """Make the ``feeds`` table follow the sources file; returns how many feeds were added."""
    sources = load_sources(settings.sources_path)
    with session_scope(session_factory) as session:
        return len(sync_feeds(session, sources, now))


def is_candidate(text: str) -> bool:
    """The relevance gate on a feed entry's title and summary: worth fetching the article?
    (A few microseconds: one automaton over every name, alerts.detection.gate.)"""
    return screen(text).candidate


def detect_if_candidate(
    text: str, title: str, lang: str | None, published: datetime | None
) -> tuple[GateVerdict, Detection]:
    """The gate's verdict on the article, and the full detector's only when the gate passes it
    (an entry that names no North Korean actor with a Russian or Ukrainian one is irrelevant)."""
    verdict = screen(text, title)
    if not verdict.candidate:
        return verdict, Detection(lang, Relevance(False, 0.0, ()), ())
    return verdict, detect_article(text, title=title, lang=lang, published=published)


def harvest_config(settings: Settings) -> HarvestConfig:
    return HarvestConfig(
        user_agent=settings.user_agent,
        timeout_seconds=settings.timeout_seconds,
        fetch_articles=settings.fetch_articles,
    )


def ingest_feeds(
    session_factory: sessionmaker[Session],
    settings: Settings,
    now: datetime,
    transport: httpx.AsyncBaseTransport | None = None,
    force: bool = False,
) -> HarvestReport:
    return harvest_sync(
        session_factory,
        now=now,
        config=harvest_config(settings),
        prefilter=is_candidate,
        transport=transport,
        force=force,
    )


def is_fresh(
    published_at: datetime | None, discovered_at: datetime, now: datetime, hours: float
) -> bool:
    """Entries older than the freshness window are stored and analysed but never alert."""
    reference = published_at or discovered_at
    return reference >= now - timedelta(hours=hours)


def analyse_article(
    session: Session, article_id: int, now: datetime, freshness_hours: float
) -> tuple[bool, int, int]:
    """Detect events in one stored article; returns (relevant, new events, alerts enqueued)."""
    (article,) = load_articles(session, [article_id])
    text = article.body or article.summary
    verdict, detection = detect_if_candidate(
        text, article.title, article.language, article.published_at
    )
    record_analysis(
        session,
        article.id,
        relevant=detection.relevance.relevant,
        score=detection.relevance.score,
        detection={**detection.to_dict(), "gate": verdict.to_dict()},
        analysed_at=now,
        language=detection.language,
    )
    if not detection.relevance.relevant:
        return False, 0, 0
    outcomes = register_events(
        session, article.id, detection, published_at=article.published_at, now=now
    )
    fresh = is_fresh(article.published_at, article.discovered_at, now, freshness_hours)
    new_events = enqueued = 0
    for outcome in outcomes:
        if not outcome.is_new:
            continue
        new_events += 1
        if not (fresh and outcome.event.alert_worthy):
            continue
        key = f"event:{outcome.event_id}:new"
        alert_id = enqueue_alert(
            session,
            event_id=outcome.event_id,
            kind="new",
            dedup_key=key,
            message_id=message_id_for(key, MESSAGE_ID_DOMAIN),
            created_at=now,
        )
        enqueued += alert_id is not None
    return True, new_events, enqueued


def analyse_pending(
    session_factory: sessionmaker[Session], now: datetime, freshness_hours: float
) -> AnalysisReport:
    """Analyse every stored article not analysed yet, each in its own transaction."""
    report = AnalysisReport()
    with session_factory() as session:
        ids = unanalysed_article_ids(session)
    for article_id in ids:
        try:
            with session_scope(session_factory) as session:
                relevant, events, alerts = analyse_article(
                    session, article_id, now, freshness_hours
                )
        except Exception:  # one bad article must not stop the others
            log.exception("article analysis failed", extra={"article_id": article_id})
            report.failed += 1
            continue
        report.articles += 1
        report.relevant += relevant
        report.events_new += events
        report.alerts_enqueued += alerts
    return report


def digest_period_due(now: datetime, digest_hour: int) -> tuple[datetime, datetime]:
    """The last complete day-long period ending at ``digest_hour`` UTC on or before ``now``."""
    end = now.astimezone(UTC).replace(hour=digest_hour, minute=0, second=0, microsecond=0)
    if end > now:
        end -= timedelta(days=1)
    return end - timedelta(days=1), end


def enqueue_due_digest(
    session_factory: sessionmaker[Session], now: datetime, digest_hour: int | None
) -> bool:
    """Record the daily digest once its period is over; ``True`` when one was added now.

    A period during which the monitor was not yet watching anything (no feed older than its
    start) gets no digest, so a first run does not open with an empty report.
    """
    if digest_hour is None:
        return False
    start, end = digest_period_due(now, digest_hour)
    with session_scope(session_factory) as session:
        oldest = oldest_feed_created_at(session)
        if oldest is None or oldest > start:
            return False
        return (
            enqueue_digest(
                session, period_start=start, period_end=end, now=now, domain=MESSAGE_ID_DOMAIN
            )
            is not None
        )


def make_mailer(settings: Settings) -> Mailer:
    if settings.smtp_host:
        return SMTPMailer(
            settings.smtp_host,
            settings.smtp_port,
            tls=settings.smtp_tls,
            user=settings.smtp_user,
            password=settings.smtp_password,
            timeout=settings.timeout_seconds,
        )
    return OutboxDirMailer(settings.outbox_dir)


def deliver_alerts(
    session_factory: sessionmaker[Session],
    settings: Settings,
    now: datetime,
    mailer_factory: Callable[[Settings], Mailer] = make_mailer,
) -> DeliveryReport:
    return deliver_pending(
        session_factory,
        mailer_factory(settings),
        sender=settings.alert_from,
        recipients=list(settings.alert_to),
        now=now,
    )


def summarise(
    harvest: HarvestReport, analysis: AnalysisReport, delivery: DeliveryReport, pending: int
) -> PassSummary:
    return PassSummary(
        feeds=len(harvest.feeds),
        feeds_failed=harvest.feeds_failed,
        entries_seen=harvest.entries_seen,
        articles_new=len(harvest.new_article_ids),
        events_new=analysis.events_new,
        alerts_sent=delivery.sent,
        alerts_pending=pending,
        failed_feeds=[
            {"name": f.name, "url": f.url, "error_count": f.error_count, "error": f.error}
            for f in harvest.feeds
            if f.status == "failed"
        ],
        failing_feeds=[
            {"name": f.name, "url": f.url, "error_count": f.error_count, "error": f.error}
            for f in harvest.failing_feeds
        ],
        delivered=[subject for _, subject, _ in delivery.delivered],
    )


def run_pass(
    settings: Settings,
    *,
    now: datetime | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    force: bool = False,
) -> PassSummary:
    """One complete pass; raises only when the pass cannot run at all (configuration, database).

    ``force`` checks every enabled feed now instead of only those whose next check time has come.
    """
    started = time.monotonic()
    now = now or datetime.now(UTC)
    with opened_database(settings.database_url) as factory:
        sync_sources(factory, settings, now)
        harvest = ingest_feeds(factory, settings, now, transport, force)
        analysis = analyse_pending(factory, now, settings.freshness_hours)
        enqueue_due_digest(factory, now, settings.digest_hour)
        delivery = deliver_alerts(factory, settings, now)
        pending = count_pending_alerts(factory)
    summary = summarise(harvest, analysis, delivery, pending)
    summary.seconds = round(time.monotonic() - started, 3)
    return summary
