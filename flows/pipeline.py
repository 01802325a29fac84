"""One pass of the monitor as plain, typed functions (the Prefect flow and ``rudprk run`` call these).

feeds file → ``feeds`` rows → harvest (fetch, parse, store new articles) → analyse (detect,
register events, enqueue alerts in the same transaction) → deliver the outbox.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from datetime import time as dtime
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from alerts.channels import AppriseChannel
from alerts.delivery import DeliveryReport, deliver_pending, enqueue_digest
from alerts.detect import Detection, Relevance, detect_article
from alerts.detection.gate import GateVerdict, screen
from alerts.mailer import Mailer, OutboxDirMailer, SMTPMailer
from alerts.novelty import register_events
from alerts.routing import (
    CATCH_UP_LIMIT,
    is_first_pass,
    route_new_event,
    route_update,
    settle_held,
)
from alerts.rules import DEFAULT_RULES, RuleSet
from alerts.views import latest_digest_end
from flows.health import ExitCode, PassSummary
from flows.ingest.harvest import HarvestConfig, HarvestReport, harvest_sync
from flows.predetect import Predetection
from flows.settings import Settings
from flows.sources import (
    SyncState,
    load_sources,
    read_sources_file,
    read_sync_state,
    sources_digest,
    write_sync_state,
)
from storage.articles import (
    analysis_values,
    is_analysed,
    load_unanalysed,
    record_analyses,
    unanalysed_article_ids,
)
from storage.engine import check_connection, create_db_engine, create_session_factory
from storage.errors import DatabaseFaultError, LockHeldError, LockLostError
from storage.events import link_copy
from storage.faults import run_unit
from storage.feeds import SyncReport, oldest_feed_created_at, reconcile_feeds
from storage.installation import installation_id
from storage.locks import StageLock, describe_holder, new_owner, utc_now
from storage.migrate import upgrade_database
from storage.models import Article
from storage.outbox import EMAIL_CHANNEL, count_outstanding, undelivered

__all__ = ["ExitCode", "PassSummary", "run_pass"]

log = logging.getLogger("rudprk.pipeline")

FAILING_AFTER = 3


@dataclass
class AnalysisReport:
    articles: int = 0
    relevant: int = 0
    events_new: int = 0
    alerts_enqueued: int = 0
    failed: int = 0


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
    """Alerts with a delivery still to be made."""
    return run_unit(session_factory, count_outstanding, what="counting undelivered alerts")


def sync_sources(
    session_factory: sessionmaker[Session],
    settings: Settings,
    now: datetime,
    *,
    force: bool = False,
) -> SyncReport:
    """Make the ``feeds`` table follow the sources file (see :func:`reconcile_feeds`); skipped
    when the file has not changed since this database's last synchronisation, unless ``force``."""
    path = settings.sources_path
    content = read_sources_file(path)
    sources = load_sources(path, content)
    digest = sources_digest(content)
    previous = read_sync_state(settings.data_dir)

    def unit(session: Session) -> tuple[SyncReport, str]:
        installation = installation_id(session)
        if previous is not None and not force and previous.matches(installation, path, digest):
            return SyncReport(skipped=True), installation
        known = previous.urls if previous and previous.installation == installation else None
        return reconcile_feeds(session, sources, now, known), installation

    report, installation = run_unit(
        session_factory, unit, what="the sources file's synchronisation"
    )
    if not report.skipped:
        urls = frozenset(s.url for s in sources)
        write_sync_state(settings.data_dir, SyncState(installation, str(path), digest, urls))
        if report.added or report.disabled or report.enabled:
            log.info(
                "sources file synchronised",
                extra={
                    "added": len(report.added),
                    "disabled": len(report.disabled),
                    "enabled": len(report.enabled),
                },
            )
    return report


def is_candidate(text: str) -> bool:
    """The relevance gate on a feed entry's title and summary: worth fetching the article?
    (A few microseconds: one automaton over every name, alerts.detection.gate.)"""
    return screen(text).candidate


def screen_entry(text: str) -> GateVerdict:
    """The gate's verdict on a feed entry's title and summary (the harvest's prefilter: the
    verdict travels to the analysis in :attr:`HarvestReport.screened`)."""
    return screen(text)


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
    predetection: Predetection | None = None,
) -> HarvestReport:
    return harvest_sync(
        session_factory,
        now=now,
        config=harvest_config(settings),
        prefilter=screen_entry,
        transport=transport,
        force=force,
        on_stored=predetection.submit if predetection is not None else None,
    )


def is_fresh(
    published_at: datetime | None, discovered_at: datetime, now: datetime, hours: float
) -> bool:
    """Entries older than the freshness window are stored and analysed but never alert."""
    reference = published_at or discovered_at
    return reference >= now - timedelta(hours=hours)


ANALYSIS_PAGE = 2_000  # unanalysed ids read at a time (every page is analysed in one pass)
ANALYSIS_BATCH = 200  # articles loaded in one query; their irrelevant analyses in one unit


@dataclass(frozen=True)
class ArticleAnalysis:
    """One article's detection, done outside any transaction, and what records it."""

    article: Article
    verdict: GateVerdict
    detection: Detection

    def values(self, now: datetime) -> dict[str, Any]:
        detection = self.detection
        # The language is written only when it changes: on PostgreSQL an UPDATE naming the
        # column re-runs the search-vector trigger (migration 0051).
        language = detection.language if detection.language != self.article.language else None
        return analysis_values(
            relevant=detection.relevance.relevant,
            score=detection.relevance.score,
            detection={**detection.to_dict(), "gate": self.verdict.to_dict()},
            analysed_at=now,
            language=language,
        )


def detect_stored(
    article: Article,
    screened: Mapping[tuple[int, str], GateVerdict] | None = None,
    predetection: Predetection | None = None,
) -> ArticleAnalysis:
    """The gate's verdict and the detection of a stored article (pure: no database).

    ``screened`` holds the verdicts the harvest's gate gave entries stored without a page
    (keyed by feed id and GUID): the analysed text is then the one the harvest screened, so
    its verdict is reused instead of being computed again. ``predetection`` holds detections
    run during the harvest (:mod:`flows.predetect`), taken when their inputs are the article's."""
    if predetection is not None:
        done = predetection.take(article)
        if done is not None:
            return ArticleAnalysis(article, *done)
    text = article.body or article.summary
    verdict = None
    if screened is not None and article.body is None:
        verdict = screened.get((article.feed_id, article.guid))
    if verdict is not None and not verdict.candidate:
        detection = Detection(article.language, Relevance(False, 0.0, ()), ())
    else:
        verdict, detection = detect_if_candidate(
            text, article.title, article.language, article.published_at
        )
    return ArticleAnalysis(article, verdict, detection)


def analyse_article(
    session: Session,
    analysis: ArticleAnalysis,
    now: datetime,
    freshness_hours: float,
    rules: RuleSet = DEFAULT_RULES,
    hold: bool = False,
) -> tuple[bool, int, int]:
    """Record a detection and, for a relevant article, register its events; returns
    (relevant, new events, alerts enqueued).

    Each new event gets the rules' decision (``alert_decisions``), and its alert when they say
    so; ``hold`` (a first pass over a back catalogue) records alert decisions as held.
    """
    article, detection = analysis.article, analysis.detection
    record_analyses(session, [(article.id, analysis.values(now))])
    if article.copy_of_id is not None and (
        link_copy(session, article.id, article.copy_of_id, now) is not None
    ):
        # A near-duplicate of an analysed article reports its original's events: it never
        # raises an alert, an update or a confirmation of its own.
        return detection.relevance.relevant, 0, 0
    if not detection.relevance.relevant:
        return False, 0, 0
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
    language = detection.language or article.language
    new_events = enqueued = 0
    for outcome in outcomes:
        if not outcome.is_new:
            if outcome.changes and fresh and not hold:
                update_id = route_update(
                    session,
                    event_id=outcome.event_id,
                    article_id=article.id,
                    changes=outcome.changes,
                    rules=rules,
                    now=now,
                    language=language,
                    relevance=detection.relevance.score,
                )
                enqueued += update_id is not None
            continue
        new_events += 1
        _decision, alert_id = route_new_event(
            session,
            event_id=outcome.event_id,
            article_id=article.id,
            language=language,
            relevance=detection.relevance.score,
            reasons=reasons,
            rules=rules,
            fresh=fresh,
            now=now,
            hold=hold,
            thread_of=outcome.thread_of,
            changes=outcome.changes,
        )
        enqueued += alert_id is not None
    return True, new_events, enqueued


def analyse_pending(
    session_factory: sessionmaker[Session],
    now: datetime,
    freshness_hours: float,
    guard: Callable[[], None] | None = None,
    rules: RuleSet = DEFAULT_RULES,
    catch_up_limit: int = CATCH_UP_LIMIT,
    screened: Mapping[tuple[int, str], GateVerdict] | None = None,
    predetection: Predetection | None = None,
) -> AnalysisReport:
    """Analyse every stored article not analysed yet.

    Articles are read in batches (one query each) and detected outside any transaction; the
    analyses of a batch's irrelevant articles are recorded in one unit, each relevant article
    (its analysis, events and alerts) in its own. An article that cannot be analysed is
    logged and the others go on; a database fault is not an article's fault: it is retried
    once (:func:`storage.faults.run_unit`), then stops the stage with
    :class:`~storage.errors.DatabaseFaultError`. A unit skips articles already analysed, so a
    retry after a commit that did go through changes nothing.

    On the first pass of a database (nothing analysed before: the feeds' back catalogue),
    alerts are held back, then sent if there are at most ``catch_up_limit`` of them, else
    replaced by one catch-up digest. ``screened``: the harvest's gate verdicts
    (:attr:`~flows.ingest.harvest.HarvestReport.screened`), reused where they apply.
    """
    report = AnalysisReport()
    if predetection is not None and predetection.in_process:
        predetection.drain()  # one detection at a time in this process: the thread is done
    hold: bool | None = None
    after = 0
    while True:
        ids = run_unit(
            session_factory,
            partial(unanalysed_article_ids, limit=ANALYSIS_PAGE, after=after),
            what="analysis",
        )
        if not ids:
            break
        after = ids[-1]
        if hold is None:
            hold = run_unit(session_factory, is_first_pass, what="analysis")
        for start in range(0, len(ids), ANALYSIS_BATCH):
            chunk = ids[start : start + ANALYSIS_BATCH]
            if guard is not None:
                guard()
            articles = run_unit(
                session_factory,
                partial(load_unanalysed, ids=chunk),
                what=f"loading articles {chunk[0]}-{chunk[-1]} for analysis",
            )
            analyse_batch(
                session_factory,
                articles,
                now,
                freshness_hours,
                rules,
                hold,
                screened,
                report,
                guard,
                predetection,
            )
    released, _digest = run_unit(
        session_factory,
        lambda s: settle_held(s, rules, now, catch_up_limit),
        what="releasing held alerts",
    )
    report.alerts_enqueued += released
    return report


def analyse_batch(
    session_factory: sessionmaker[Session],
    articles: Sequence[Article],
    now: datetime,
    freshness_hours: float,
    rules: RuleSet,
    hold: bool,
    screened: Mapping[tuple[int, str], GateVerdict] | None,
    report: AnalysisReport,
    guard: Callable[[], None] | None = None,
    predetection: Predetection | None = None,
) -> None:
    """Detect a batch of loaded articles; record the irrelevant ones together, then each
    relevant one in its own unit (in id order); add the outcome to ``report``."""
    plain: list[ArticleAnalysis] = []
    relevant: list[ArticleAnalysis] = []
    # Detections still running in the background come last, so this process first detects
    # the ones it can take back (Predetection.take) instead of waiting; the records follow
    # in id order whatever the order of detection.
    order = sorted(
        range(len(articles)),
        key=lambda i: predetection is not None and predetection.running(articles[i]),
    )
    detected: dict[int, ArticleAnalysis] = {}
    for i in order:
        article = articles[i]
        if guard is not None:
            guard()
        try:
            detected[i] = detect_stored(article, screened, predetection)
        except Exception:  # one bad article must not stop the others
            log.exception("article analysis failed", extra={"article_id": article.id})
            report.failed += 1
    for i, article in enumerate(articles):
        analysis = detected.get(i)
        if analysis is None:
            continue
        # A copy goes through its own unit whatever it reads as: it takes its original's events.
        own_unit = analysis.detection.relevance.relevant or article.copy_of_id is not None
        (relevant if own_unit else plain).append(analysis)
    if plain:
        rows = [(a.article.id, a.values(now)) for a in plain]
        try:
            run_unit(
                session_factory,
                lambda session: record_analyses(session, rows),
                what=f"recording the analyses of {len(rows)} articles",
            )
            report.articles += len(plain)
        except DatabaseFaultError:
            raise
        except Exception:  # a bad row: record them one by one, so only that one fails
            relevant = plain + relevant
            relevant.sort(key=lambda a: a.article.id)

    def unit(session: Session, analysis: ArticleAnalysis) -> tuple[bool, int, int] | None:
        if is_analysed(session, analysis.article.id):
            return None
        return analyse_article(session, analysis, now, freshness_hours, rules, hold)

    for analysis in relevant:
        if guard is not None:
            guard()
        article_id = analysis.article.id
        try:
            outcome = run_unit(
                session_factory,
                partial(unit, analysis=analysis),
                what=f"the analysis of article {article_id}",
            )
        except DatabaseFaultError:
            raise
        except Exception:  # one bad article must not stop the others
            log.exception("article analysis failed", extra={"article_id": article_id})
            report.failed += 1
            continue
        if outcome is None:
            continue
        is_relevant, events, alerts = outcome
        report.articles += 1
        report.relevant += is_relevant
        report.events_new += events
        report.alerts_enqueued += alerts


def digest_period_due(
    now: datetime, digest_hour: int, timezone: str = "UTC"
) -> tuple[datetime, datetime]:
    """The last complete day ending at ``digest_hour`` (local time in ``timezone``) on or
    before ``now``, in UTC. Across a DST change the day is 23 or 25 hours long."""
    zone = ZoneInfo(timezone)
    local = now.astimezone(zone)
    end_day = local.date() if local.hour >= digest_hour else local.date() - timedelta(days=1)
    end = datetime.combine(end_day, dtime(digest_hour), tzinfo=zone)
    start = datetime.combine(end_day - timedelta(days=1), dtime(digest_hour), tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def enqueue_due_digest(
    session_factory: sessionmaker[Session],
    now: datetime,
    digest_hour: int | None,
    timezone: str = "UTC",
) -> bool:
    """Record the daily digest once its period is over; ``True`` when one was added now.

    A period during which the monitor was not yet watching anything (no feed older than its
    start) gets no digest, so a first run does not open with an empty report. A period that
    overlaps an earlier digest (the catch-up digest of a first pass) starts where it ended, so
    nothing is listed twice.
    """
    if digest_hour is None:
        return False
    start, end = digest_period_due(now, digest_hour, timezone)

    def unit(session: Session) -> bool:
        oldest = oldest_feed_created_at(session)
        if oldest is None or oldest > start:
            return False
        begin = max(start, latest_digest_end(session) or start)
        if begin >= end:
            return False
        return enqueue_digest(session, period_start=begin, period_end=end, now=now) is not None

    return run_unit(session_factory, unit, what="the daily digest")


def make_mailer(settings: Settings) -> Mailer:
    if settings.smtp_host:
        return SMTPMailer(
            settings.smtp_host,
            settings.smtp_port,
            tls=settings.smtp_tls,
            user=settings.smtp_user,
            password=settings.smtp_secret(),
            timeout=settings.timeout_seconds,
        )
    return OutboxDirMailer(settings.outbox_dir)


def deliver_alerts(
    session_factory: sessionmaker[Session],
    settings: Settings,
    now: datetime,
    mailer_factory: Callable[[Settings], Mailer] = make_mailer,
    *,
    owner: str | None = None,
    guard: Callable[[], None] | None = None,
) -> DeliveryReport:
    """The e-mail deliveries, then those of each channel of the rules file (Apprise URLs),
    each channel through the same outbox loop; the reports are added up."""
    senders: list[tuple[str, Mailer]] = [(EMAIL_CHANNEL, mailer_factory(settings))]
    senders += [(c.name, AppriseChannel(c.name, c.url)) for c in settings.rules().channels.values()]
    total = DeliveryReport()
    for channel, mailer in senders:
        report = deliver_pending(
            session_factory,
            mailer,
            sender=settings.alert_from,
            recipients=list(settings.alert_to),
            now=now,
            lease=settings.lease,
            owner=owner,
            guard=guard,
            channel=channel,
            language=settings.alert_language,
        )
        total.sent += report.sent
        total.failed += report.failed
        total.retrying += report.retrying
        total.skipped += report.skipped
        total.pending = report.pending
        total.delivered += report.delivered
        if report.error and total.error is None:
            total.error = report.error
    return total


# --- stages under the database lock --------------------------------------------------------


@dataclass(frozen=True)
class PassIdentity:
    """Who holds the locks of a pass: a token, and a description for the one that loses."""

    owner: str
    holder: str

    @classmethod
    def new(cls, command: str = "rudprk run") -> PassIdentity:
        return cls(new_owner(), describe_holder(command))


def stage_lock(
    session_factory: sessionmaker[Session], settings: Settings, name: str, who: PassIdentity
) -> StageLock:
    return StageLock(
        session_factory, name, owner=who.owner, holder=who.holder, lease=settings.lease
    )


def harvest_stage(
    session_factory: sessionmaker[Session],
    settings: Settings,
    now: datetime,
    who: PassIdentity,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    force: bool = False,
    predetection: Predetection | None = None,
) -> HarvestReport:
    """Sources file → ``feeds``, then fetch, parse and store, under the ``harvest`` lock;
    ``predetection`` starts detecting stored candidates meanwhile."""
    with stage_lock(session_factory, settings, "harvest", who):
        sync_sources(session_factory, settings, now)
        return ingest_feeds(session_factory, settings, now, transport, force, predetection)


def analysis_stage(
    session_factory: sessionmaker[Session],
    settings: Settings,
    now: datetime,
    who: PassIdentity,
    harvest: HarvestReport | None = None,
    predetection: Predetection | None = None,
) -> AnalysisReport:
    """The analysis under its lock; ``harvest`` (this pass's) hands on the gate's verdicts,
    ``predetection`` the detections run during the harvest."""
    screened = (
        {k: v for k, v in harvest.screened.items() if isinstance(v, GateVerdict)}
        if harvest is not None
        else None
    )
    with stage_lock(session_factory, settings, "analysis", who) as lock:
        return analyse_pending(
            session_factory,
            now,
            settings.freshness_hours,
            guard=lock.check,
            rules=settings.rules(),
            screened=screened,
            predetection=predetection,
        )


def delivery_stage(
    session_factory: sessionmaker[Session],
    settings: Settings,
    now: datetime,
    who: PassIdentity,
    mailer_factory: Callable[[Settings], Mailer] = make_mailer,
) -> DeliveryReport:
    """The due daily digest, then the outbox, under the ``delivery`` lock."""
    with stage_lock(session_factory, settings, "delivery", who) as lock:
        enqueue_due_digest(session_factory, now, settings.digest_hour, settings.timezone)
        return deliver_alerts(
            session_factory, settings, now, mailer_factory, owner=who.owner, guard=lock.check
        )


def outbox_state(
    session_factory: sessionmaker[Session], clock_now: datetime
) -> tuple[list[dict[str, object]], int, int]:
    """(undelivered deliveries as JSON-ready dicts, alerts still pending, alerts failed)."""

    def unit(session: Session) -> tuple[list[dict[str, object]], int, int]:
        rows = undelivered(session, clock_now=clock_now)
        items: list[dict[str, object]] = [
            {
                "alert_id": r.alert_id,
                "delivery_id": r.delivery_id,
                "channel": r.channel,
                "kind": r.kind,
                "event_id": r.event_id,
                "state": r.state,
                "attempts": r.attempts,
                "last_error": r.last_error,
                "last_attempt_at": r.last_attempt_at.isoformat() if r.last_attempt_at else None,
                "next_attempt_at": r.next_attempt_at.isoformat() if r.next_attempt_at else None,
            }
            for r in rows
        ]
        failed = len({r.alert_id for r in rows if r.state == "failed"})
        return items, count_outstanding(session), failed

    return run_unit(session_factory, unit, what="reading the outbox")


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
            if f.status in ("failed", "disabled")
        ],
        failing_feeds=[
            {"name": f.name, "url": f.url, "error_count": f.error_count, "error": f.error}
            for f in harvest.failing_feeds
        ],
        delivered=[subject for _, subject, _ in delivery.delivered],
        delivery_error=delivery.error,
    )


def finish_summary(
    summary: PassSummary,
    session_factory: sessionmaker[Session],
    stopped: tuple[ExitCode, str] | None,
) -> PassSummary:
    """Add the outbox's state and why the pass stopped early, if it did."""
    if stopped is not None:
        summary.stop(*stopped)
    if summary.stopped is not ExitCode.DATABASE_ERROR:
        try:
            summary.undelivered, summary.alerts_pending, summary.alerts_failed = outbox_state(
                session_factory, utc_now()
            )
        except DatabaseFaultError as exc:
            summary.stop(ExitCode.DATABASE_ERROR, str(exc))
    return summary


def stopped_by(exc: Exception) -> tuple[ExitCode, str]:
    """The exit code and line for an error that ends a pass early."""
    if isinstance(exc, DatabaseFaultError):
        return ExitCode.DATABASE_ERROR, str(exc)
    if isinstance(exc, LockHeldError | LockLostError):
        return ExitCode.LOCKED, f"{exc}; this pass stopped"
    raise exc


def run_pass(
    settings: Settings,
    *,
    now: datetime | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    force: bool = False,
    command: str = "rudprk run",
    mailer_factory: Callable[[Settings], Mailer] = make_mailer,
) -> PassSummary:
    """One complete pass. Raises only when it cannot start (configuration, database).

    Each stage runs under its database lock; a lock held by another pass, or a database that
    fails during the pass, ends it early with the summary of what was done and the reason
    (:attr:`PassSummary.exit_code`). ``force`` checks every enabled feed now instead of only
    those whose next check time has come.
    """
    started = time.monotonic()
    now = now or datetime.now(UTC)
    who = PassIdentity.new(command)
    harvest = HarvestReport(feeds=[])
    analysis = AnalysisReport()
    delivery = DeliveryReport()
    stopped: tuple[ExitCode, str] | None = None
    with opened_database(settings.database_dsn()) as factory, Predetection() as predetection:
        try:
            harvest = harvest_stage(
                factory,
                settings,
                now,
                who,
                transport=transport,
                force=force,
                predetection=predetection,
            )
            analysis = analysis_stage(factory, settings, now, who, harvest, predetection)
            delivery = delivery_stage(factory, settings, now, who, mailer_factory)
        except (DatabaseFaultError, LockHeldError, LockLostError) as exc:
            stopped = stopped_by(exc)
            log.warning("pass stopped", extra={"reason": stopped[1]})
        summary = summarise(harvest, analysis, delivery, 0)
        summary.timestamp = now.isoformat()
        finish_summary(summary, factory, stopped)
    summary.seconds = round(time.monotonic() - started, 3)
    return summary
