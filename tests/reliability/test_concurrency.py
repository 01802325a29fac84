"""Overlapping passes, as cron makes them: real ``rudprk run`` processes started together.

* Six first-ever passes on an empty database: the migrations run under a lock, so none fails
  ("table feeds already exists", ``pg_type_typname_nsp_index`` before); each either completes
  or finds a stage locked (exit 6).
* Three overlapping passes on slow feeds: the database lock lets one of them fetch; every feed
  is fetched once and every alert sent once; the others say why in one line and exit 6.
* Two and four passes started at the same moment: every article stored once (none lost), every
  alert sent once, each losing pass says why in one line; a later pass adds nothing.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

import pytest
from harness import (
    BACKENDS,
    LONG,
    Backend,
    TrialSMTP,
    fresh_database,
    pass_env,
    pass_process,
    wait_for_exit,
)
from httpserver import LoopbackServer, Reply
from integrity import assert_integrity
from sqlalchemy import text

from flows.samples import build_documents, write_sources
from storage.engine import create_db_engine
from storage.migrate import current_revision, head_revision, upgrade_database

pytestmark = [pytest.mark.reliability, pytest.mark.timeout(600)]


@pytest.fixture
def slow_feeds() -> LoopbackServer:
    """The sample feeds and pages, each answer taking 0.4 s."""
    with LoopbackServer() as server:
        for path, doc in build_documents(server.url(""), datetime.now(UTC)).items():
            server.routes[path] = Reply(
                status=doc.status, body=doc.body, content_type=doc.content_type, delay_seconds=0.4
            )
        yield server


@pytest.mark.parametrize("backend", BACKENDS)
def test_six_first_passes_on_an_empty_database_never_fail(
    backend: Backend, tmp_path: Path, slow_feeds: LoopbackServer
) -> None:
    sources = write_sources(tmp_path / "sources.toml", slow_feeds.url(""), include_broken=False)
    with fresh_database(backend, tmp_path) as url, TrialSMTP() as smtp:
        env = pass_env(url, sources, tmp_path / "data", smtp.port, RUDPRK_LEASE_SECONDS="30")
        procs = [pass_process(env, tmp_path) for _ in range(6)]
        results = [(p, *wait_for_exit(p, 180)) for p in procs]
        codes = sorted(p.returncode for p, _, _ in results)
        for proc, _, err in results:
            assert "migration failed" not in err, err
            assert proc.returncode in (0, 6), err
            if proc.returncode == 6:
                assert "another pass holds the" in err and "Traceback" not in err
        assert codes.count(0) >= 1
        engine = create_db_engine(url)
        assert current_revision(engine) == head_revision()
        engine.dispose()
        assert_integrity(url)
        assert len(smtp.accepted) == len(set(smtp.accepted)) == 2


@pytest.mark.parametrize("backend", BACKENDS)
def test_three_overlapping_runs_fetch_every_feed_once_and_send_every_alert_once(
    backend: Backend, tmp_path: Path, slow_feeds: LoopbackServer
) -> None:
    sources = write_sources(tmp_path / "sources.toml", slow_feeds.url(""), include_broken=False)
    with fresh_database(backend, tmp_path) as url, TrialSMTP() as smtp:
        env = pass_env(url, sources, tmp_path / "data", smtp.port, RUDPRK_LEASE_SECONDS="30")
        # the schema first, as an earlier pass would have left it
        from storage.migrate import upgrade_database

        engine = create_db_engine(url)
        upgrade_database(engine)
        engine.dispose()
        procs = []
        for _ in range(3):
            procs.append(pass_process(env, tmp_path))
            time.sleep(0.5)  # cron's runs overlap: each starts while the first is harvesting
        outputs = [wait_for_exit(p, 180) for p in procs]
        results = [(p.returncode, out, err) for p, (out, err) in zip(procs, outputs, strict=True)]
        assert_integrity(url)
    feed_requests = [r.path for r in slow_feeds.requests if r.path.startswith("/feeds/")]
    assert sorted(feed_requests) == sorted(set(feed_requests)), feed_requests  # once each
    assert len(set(feed_requests)) == 3
    codes = [code for code, _, _ in results]
    assert codes[0] == 0, results[0][2]
    assert set(codes) <= {0, 6} and 6 in codes, codes
    for code, _, err in results:
        if code == 6:
            lines = [line for line in err.splitlines() if line.startswith("rudprk:")]
            assert len(lines) == 1 and "another pass holds the harvest lock" in lines[0], err
    assert len(smtp.accepted) == len(set(smtp.accepted)) == 2


EXTRA_ENTRIES = 20


def extra_feed(now: datetime) -> bytes:
    """A feed of ``EXTRA_ENTRIES`` entries no detector alerts on, so a lost one shows."""
    items = "".join(
        f"<item><guid isPermaLink='false'>extra-{i}</guid><title>Harbour log {i}</title>"
        f"<description>Tugs and cranes, evening shift {i}.</description>"
        f"<pubDate>{format_datetime(now)}</pubDate></item>"
        for i in range(EXTRA_ENTRIES)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Extra</title>'
        f"<link>http://127.0.0.1:9/</link><description>d</description>{items}</channel></rss>"
    ).encode()


def stored_articles(url: str) -> tuple[int, int]:
    engine = create_db_engine(url)
    try:
        with engine.connect() as conn:
            total = conn.execute(text("SELECT count(*) FROM articles")).scalar_one()
            distinct = conn.execute(
                text("SELECT count(DISTINCT guid || '|' || feed_id) FROM articles")
            ).scalar_one()
    finally:
        engine.dispose()
    return int(total), int(distinct)


@pytest.mark.parametrize("passes", [2, 4] if LONG else [4])  # quick mode: the harder one
@pytest.mark.parametrize("backend", BACKENDS)
def test_passes_started_at_once_store_every_article_and_send_every_alert_once(
    backend: Backend, passes: int, tmp_path: Path, slow_feeds: LoopbackServer
) -> None:
    slow_feeds.routes["/feeds/extra.xml"] = Reply(
        body=extra_feed(datetime.now(UTC)), delay_seconds=0.4
    )
    sources = write_sources(tmp_path / "sources.toml", slow_feeds.url(""), include_broken=False)
    with sources.open("a", encoding="utf-8") as out:
        out.write(f'\n[[feeds]]\nname = "Extra"\nurl = "{slow_feeds.url("/feeds/extra.xml")}"\n')
    with fresh_database(backend, tmp_path) as url, TrialSMTP() as smtp:
        engine = create_db_engine(url)
        upgrade_database(engine)
        engine.dispose()
        env = pass_env(url, sources, tmp_path / "data", smtp.port, RUDPRK_LEASE_SECONDS="30")
        procs = [pass_process(env, tmp_path) for _ in range(passes)]
        results = [(p, *wait_for_exit(p, 240)) for p in procs]
        for proc, _, err in results:
            assert proc.returncode in (0, 6), err
            assert "Traceback" not in err, err
            if proc.returncode == 6:
                lines = [line for line in err.splitlines() if line.startswith("rudprk:")]
                assert len(lines) == 1 and "another pass holds the" in lines[0], err
        assert [p.returncode for p, _, _ in results].count(0) >= 1
        assert_integrity(url)
        total, distinct = stored_articles(url)
        assert total == distinct == 6 + EXTRA_ENTRIES  # the six sample stories and the extras
        assert len(smtp.accepted) == len(set(smtp.accepted)) == 2

        after = pass_process(env, tmp_path)  # a later pass finds nothing new to store or send
        out, err = wait_for_exit(after, 240)
        assert after.returncode == 0, err
        assert stored_articles(url) == (total, distinct)
        assert len(smtp.accepted) == 2
        assert_integrity(url)
    feed_requests = [r.path for r in slow_feeds.requests if r.path.startswith("/feeds/")]
    assert sorted(feed_requests) == sorted(set(feed_requests)), feed_requests  # once each
