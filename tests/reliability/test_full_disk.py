"""A full disk under the SQLite file: the pass stops with one line, nothing is lost, the next
pass (with room again) stores everything and sends every alert once.

The disk is made full without root: the pass runs as a subprocess whose ``RLIMIT_FSIZE`` lets
no file grow past a few kilobytes beyond the migrated database (``SIGXFSZ`` ignored, so a write
past the limit fails with ``EFBIG`` as it would with ``ENOSPC``). Skipped where
``resource.setrlimit`` is not available.
"""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

import pytest
from harness import TrialSMTP, pass_env, sleep_past_leases
from httpserver import LoopbackServer, Reply
from integrity import assert_integrity

from flows.samples import build_documents, write_sources
from storage.engine import create_db_engine
from storage.migrate import upgrade_database

resource = pytest.importorskip("resource", reason="no resource.setrlimit on this platform")

pytestmark = [pytest.mark.reliability, pytest.mark.timeout(300)]

BULK_ENTRIES = 30
ROOM_BYTES = 16 * 1024  # what the full disk still lets any file grow by


def bulk_feed(now: datetime) -> bytes:
    """A feed of ``BULK_ENTRIES`` long entries (about 300 kB stored), none of them relevant."""
    items = "".join(
        f"<item><guid isPermaLink='false'>bulk-{i}</guid>"
        f"<title>Harbour log {i}: cranes and tugs</title>"
        f"<description>Entry {i}. "
        + ("Cargo handling notes for the evening shift. " * 120)
        + f"</description><pubDate>{format_datetime(now)}</pubDate></item>"
        for i in range(BULK_ENTRIES)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Bulk</title>'
        f"<link>http://127.0.0.1:9/</link><description>d</description>{items}</channel></rss>"
    ).encode()


@pytest.fixture
def feeds() -> Iterator[LoopbackServer]:
    now = datetime.now(UTC)
    with LoopbackServer() as server:
        for path, doc in build_documents(server.url(""), now).items():
            server.routes[path] = Reply(
                status=doc.status, body=doc.body, content_type=doc.content_type
            )
        server.routes["/feeds/bulk.xml"] = Reply(body=bulk_feed(now))
        yield server


def limit_file_size(limit: int) -> Callable[[], None]:
    def apply() -> None:  # runs in the child between fork and exec
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def run_pass(
    env: dict[str, str], cwd: Path, limit: int | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "flows", "run", "--json"],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=240,
        preexec_fn=limit_file_size(limit) if limit is not None else None,
    )


def counts(path: Path) -> tuple[int, int, int]:
    with sqlite3.connect(path) as conn:
        articles = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        distinct = conn.execute("SELECT count(DISTINCT guid) FROM articles").fetchone()[0]
        bulk = conn.execute("SELECT count(*) FROM articles WHERE guid LIKE 'bulk-%'").fetchone()[0]
    return int(articles), int(distinct), int(bulk)


def test_a_full_disk_stops_the_pass_in_one_line_and_the_next_pass_recovers(
    tmp_path: Path, feeds: LoopbackServer
) -> None:
    db = tmp_path / "rudprk.sqlite3"
    url = f"sqlite:///{db}"
    engine = create_db_engine(url)
    upgrade_database(engine)
    engine.dispose()
    with sqlite3.connect(db) as conn:  # the WAL folded in: the database file is all there is
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    limit = max(os.path.getsize(db), 1) + ROOM_BYTES

    sources = write_sources(tmp_path / "sources.toml", feeds.url(""), include_broken=False)
    with sources.open("a", encoding="utf-8") as out:
        out.write(f'\n[[feeds]]\nname = "Bulk"\nurl = "{feeds.url("/feeds/bulk.xml")}"\n')
    with TrialSMTP() as smtp:
        env = pass_env(url, sources, tmp_path / "data", smtp.port)
        full = run_pass(env, tmp_path, limit)
        assert full.returncode != 0, full.stderr
        assert "Traceback" not in full.stderr, full.stderr
        lines = [line for line in full.stderr.splitlines() if line.startswith("rudprk:")]
        assert len(lines) == 1, full.stderr
        assert re.search(
            r"database error during .*: (database or disk is full|disk i/o error)$",
            lines[0].lower(),
        ), lines
        assert smtp.accepted == []  # nothing was sent that the database does not know of
        assert_integrity(url, quiescent=False)

        sleep_past_leases()
        healed = run_pass(env, tmp_path)
        assert healed.returncode == 0, healed.stderr
        assert "Traceback" not in healed.stderr, healed.stderr
        articles, distinct, bulk = counts(db)
        assert bulk == BULK_ENTRIES
        assert articles == distinct
        assert_integrity(url)
        assert len(smtp.accepted) == len(set(smtp.accepted)) == 2

        again = run_pass(env, tmp_path)  # nothing more to store or send
        assert again.returncode == 0, again.stderr
        assert counts(db) == (articles, distinct, bulk)
        assert len(smtp.accepted) == 2
