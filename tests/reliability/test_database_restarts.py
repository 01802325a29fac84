"""PostgreSQL restarted or stopped in the middle of a pass, on a private instance of our own.

The instance is started with initdb and pg_ctl on a free port (``pgcluster.py``): the machine's
own cluster, which other tests use, is never touched. Before: a restart during delivery crashed
the pass (exit 1, a long traceback, the alert left claimed); during analysis it gave exit 0 with
every remaining article "failed"; during harvest feeds were blamed. Now connections are checked
before use and each unit of work is retried once after the database answers again; a database
that stays down ends the pass with exit 5 and one line, and the next pass sends every alert once.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from harness import TrialSMTP, write_empty_sources
from httpserver import LoopbackServer, Reply
from integrity import assert_integrity
from pgcluster import PrivateCluster, unavailable
from seeding import many_events, seed_alerts
from sqlalchemy import func, select, text

from flows.health import ExitCode
from flows.pipeline import run_pass
from flows.samples import load_samples
from flows.settings import Settings, load_settings
from storage.articles import NewArticle, insert_new_articles
from storage.engine import create_db_engine, create_session_factory, session_scope
from storage.feeds import FeedSource, add_feed, disable_feed
from storage.migrate import upgrade_database
from storage.models import Article, Delivery, Feed

REASON = unavailable()
pytestmark = [
    pytest.mark.reliability,
    pytest.mark.timeout(600),
    pytest.mark.skipif(REASON is not None, reason=REASON or ""),
]


@pytest.fixture(scope="module")
def cluster() -> Iterator[PrivateCluster]:
    with PrivateCluster() as pg:
        yield pg


@pytest.fixture
def database(cluster: PrivateCluster) -> Iterator[str]:
    """A new, migrated database on the private instance."""
    name = f"t_{uuid.uuid4().hex[:10]}"
    admin = create_db_engine(cluster.url)
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = cluster.url.rsplit("/", 1)[0] + f"/{name}"
    engine = create_db_engine(url)
    upgrade_database(engine)
    engine.dispose()
    yield url
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def settings_for(url: str, tmp_path: Path, smtp_port: int, sources: Path | None = None) -> Settings:
    return replace(
        load_settings({}, cwd=tmp_path),
        database_url=url,
        sources_path=sources or write_empty_sources(tmp_path / "sources.toml"),
        smtp_host="127.0.0.1",
        smtp_port=smtp_port,
        alert_to=("desk@example.org",),
        digest_hour=None,
        timeout_seconds=10.0,
        lease_seconds=1.0,
    )


def count(url: str, statement: object) -> int:
    engine = create_db_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(statement).scalar() or 0)  # type: ignore[call-overload]
    finally:
        engine.dispose()


def restart_when(cluster: PrivateCluster, ready: threading.Event) -> threading.Thread:
    def restart() -> None:
        ready.wait(120)
        cluster.restart()

    thread = threading.Thread(target=restart)
    thread.start()
    return thread


def test_a_restart_during_delivery_sends_every_alert_once(
    cluster: PrivateCluster, database: str, tmp_path: Path
) -> None:
    with session_scope(create_session_factory(create_db_engine(database))) as session:
        seed_alerts(session, many_events(8), now=datetime.now(UTC))

    def restart_at_third(n: int) -> None:
        if n == 3:  # before the server answers the third message: its mark meets the restart
            cluster.restart()

    with TrialSMTP(on_message=restart_at_third) as smtp:
        summary = run_pass(settings_for(database, tmp_path, smtp.port))
    assert summary.exit_code is ExitCode.OK, summary.line()
    assert summary.alerts_sent == 8
    assert len(smtp.accepted) == len(set(smtp.accepted)) == 8
    assert_integrity(database)


def test_a_restart_during_analysis_fails_no_article(
    cluster: PrivateCluster, database: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    _, stories = load_samples()
    now = datetime.now(UTC)
    with session_scope(create_session_factory(create_db_engine(database))) as session:
        feed_id = add_feed(session, FeedSource("Wire", "https://wire.test/rss", "fr"), now)
        assert feed_id is not None
        disable_feed(session, feed_id, "articles stored by the test; never fetched", now)
        items = [
            NewArticle(
                feed_id=feed_id,
                guid=f"g{i}",
                url=f"https://wire.test/{i}",
                canonical_url=f"https://wire.test/{i}",
                title=f"{stories[i % len(stories)].title} ({i})",
                summary=stories[i % len(stories)].summary,
                body=" ".join(stories[i % len(stories)].body),
                published_at=now - timedelta(days=10),  # stored and analysed, never alerting
            )
            for i in range(240)
        ]
        insert_new_articles(session, items, now)
    total = count(database, select(func.count()).select_from(Article))
    ready = threading.Event()
    at_restart: list[int] = []

    def watch() -> None:
        while not ready.is_set():
            done = count(database, select(func.count()).where(Article.analysed_at.is_not(None)))
            if done >= 20:
                at_restart.append(done)
                ready.set()
            time.sleep(0.02)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    restarter = restart_when(cluster, ready)
    with TrialSMTP() as smtp:
        summary = run_pass(settings_for(database, tmp_path, smtp.port))
    ready.set()
    restarter.join()
    assert at_restart and at_restart[0] < total  # the restart came mid-analysis
    assert summary.exit_code is ExitCode.OK, summary.line()
    assert "article analysis failed" not in caplog.text
    assert count(database, select(func.count()).where(Article.analysed_at.is_(None))) == 0
    assert_integrity(database)


def test_a_restart_during_harvest_blames_no_feed(
    cluster: PrivateCluster, database: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    feed = (
        b"<?xml version='1.0'?><rss version='2.0'><channel><title>F</title>"
        b"<link>http://x/</link><description>d</description>"
        b"<item><guid>{n}</guid><title>Item {n}</title><link>http://x/{n}</link></item>"
        b"</channel></rss>"
    )
    with LoopbackServer() as server:
        lines = []
        for n in range(12):
            server.routes[f"/f{n}.xml"] = Reply(
                body=feed.replace(b"{n}", str(n).encode()), delay_seconds=0.25
            )
            lines.append(f'[[feeds]]\nname = "F{n}"\nurl = "{server.url(f"/f{n}.xml")}"\n')
        sources = tmp_path / "feeds.toml"
        sources.write_text("\n".join(lines))
        ready = threading.Event()

        def watch() -> None:
            while not ready.is_set():
                if (
                    count(database, select(func.count()).where(Feed.last_checked_at.is_not(None)))
                    >= 2
                ):
                    ready.set()
                time.sleep(0.02)

        threading.Thread(target=watch, daemon=True).start()
        restarter = restart_when(cluster, ready)
        with TrialSMTP() as smtp:
            summary = run_pass(settings_for(database, tmp_path, smtp.port, sources))
        ready.set()
        restarter.join()
    assert summary.exit_code is ExitCode.OK, summary.line()
    assert summary.feeds == 12 and summary.feeds_failed == 0
    assert "feed failure not recorded" not in caplog.text
    assert count(database, select(func.count()).where(Feed.error_count > 0)) == 0
    assert count(database, select(func.count()).where(Feed.last_success_at.is_(None))) == 0
    assert_integrity(database)


def test_a_database_down_for_good_ends_the_pass_with_exit_5_then_the_next_sends_once(
    cluster: PrivateCluster, database: str, tmp_path: Path
) -> None:
    with session_scope(create_session_factory(create_db_engine(database))) as session:
        seed_alerts(session, many_events(6), now=datetime.now(UTC))

    def stop_at_second(n: int) -> None:
        if n == 2:
            cluster.stop()

    def refuse_second(n: int, message: object) -> str | None:
        return "451 4.3.0 Try later" if n == 2 else None

    try:
        with TrialSMTP(on_message=stop_at_second, reply=refuse_second) as smtp:
            settings = settings_for(database, tmp_path, smtp.port)
            stopped = run_pass(settings)
            assert stopped.exit_code is ExitCode.DATABASE_ERROR, stopped.line()
            assert stopped.error is not None and "\n" not in stopped.error
            assert stopped.error.startswith("database error during recording the failure")
            assert len(smtp.accepted) == 1
    finally:
        cluster.start()
    time.sleep(1.2)  # the dead pass's claim (a 1-second lease) expires
    with TrialSMTP() as smtp:
        later = run_pass(replace(settings, smtp_port=smtp.port))
        assert later.exit_code is ExitCode.OK, later.line()
        assert later.alerts_sent == 5
        assert len(smtp.accepted) == len(set(smtp.accepted)) == 5
    assert count(database, select(func.count()).where(Delivery.status != "sent")) == 0
    assert_integrity(database)
