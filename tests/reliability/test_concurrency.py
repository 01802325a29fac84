"""Overlapping passes, as cron makes them: real ``rudprk run`` processes started together.

* Six first-ever passes on an empty database: the migrations run under a lock, so none fails
  ("table feeds already exists", ``pg_type_typname_nsp_index`` before); each either completes
  or finds a stage locked (exit 6).
* Three overlapping passes on slow feeds: the database lock lets one of them fetch; every feed
  is fetched once and every alert sent once; the others say why in one line and exit 6.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from harness import (
    BACKENDS,
    Backend,
    TrialSMTP,
    fresh_database,
    pass_env,
    pass_process,
    wait_for_exit,
)
from httpserver import LoopbackServer, Reply
from integrity import assert_integrity

from flows.samples import build_documents, write_sources
from storage.engine import create_db_engine
from storage.migrate import current_revision, head_revision

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
