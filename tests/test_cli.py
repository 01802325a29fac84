"""The ``rudprk`` command as users and cron call it (a real process): summaries and exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from smtpserver import RecordingHandler, SMTPTestServer, free_port
from sqlalchemy import select, update

from flows.health import JSON_KEYS
from flows.loopback import LoopbackServer
from flows.samples import build_documents, write_sources
from storage.engine import create_db_engine, create_session_factory, session_scope
from storage.locks import acquire_lock
from storage.models import Delivery, Feed

RUDPRK = [sys.executable, "-m", "flows"]


def rudprk(
    args: list[str], env: dict[str, str], cwd: Path, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("RUDPRK_")}
    full_env.update(env)
    return subprocess.run(
        [*RUDPRK, *args], env=full_env, cwd=cwd, capture_output=True, text=True, timeout=timeout
    )


def one_error_line(stderr: str, *, alone: bool = False) -> str:
    """The one ``rudprk:`` line of stderr (log lines, at WARNING, may come before it);
    ``alone``: nothing else at all."""
    assert "Traceback" not in stderr
    lines = [line for line in stderr.splitlines() if line.strip()]
    ours = [line for line in lines if line.startswith("rudprk:")]
    assert len(ours) == 1, stderr
    if alone:
        assert lines == ours, stderr
    return ours[0]


def database(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'data' / 'rudprk.sqlite3'}"


def make_due_now(url: str) -> None:
    """Time passes: every delivery waiting for its back-off is due again."""
    engine = create_db_engine(url)
    with session_scope(create_session_factory(engine)) as session:
        session.execute(
            update(Delivery)
            .where(Delivery.status == "pending")
            .values(next_attempt_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    engine.dispose()


@pytest.fixture
def feeds(tmp_path: Path) -> tuple[LoopbackServer, Path]:
    server = LoopbackServer({})
    server.set_documents(build_documents(server.base_url, datetime.now(UTC)))
    with server:
        yield server, write_sources(tmp_path / "sources.toml", server.base_url)  # one 404 feed


def smtp_env(sources: Path, port: int) -> dict[str, str]:
    return {
        "RUDPRK_SOURCES": str(sources),
        "RUDPRK_SMTP_HOST": "127.0.0.1",
        "RUDPRK_SMTP_PORT": str(port),
        "RUDPRK_ALERT_TO": "desk@example.org",
        "RUDPRK_TIMEOUT_SECONDS": "5",
    }


def test_run_json_summary_and_exit_zero_with_a_failing_feed(
    tmp_path: Path, feeds: tuple[LoopbackServer, Path]
) -> None:
    _, sources = feeds
    with SMTPTestServer(RecordingHandler()) as smtp:
        env = smtp_env(sources, smtp.port)
        result = rudprk(["run", "--json"], env, tmp_path)
        assert result.returncode == 0, result.stderr
        summary = json.loads(result.stdout)
        assert list(summary) == list(JSON_KEYS)
        assert (summary["status"], summary["exit_code"]) == ("ok", 0)
        started = datetime.fromisoformat(summary["timestamp"])
        assert abs((datetime.now(UTC) - started).total_seconds()) < 120
        assert summary["feeds"] == 4 and summary["feeds_failed"] == 1
        assert summary["alerts_sent"] == 2 and summary["alerts_pending"] == 0
        (failed,) = summary["failed_feeds"]
        assert failed["url"].endswith(".xml") and "404" in failed["error"]
        assert summary["undelivered"] == [] and summary["error"] is None
        assert (tmp_path / "data" / "rudprk.sqlite3").exists()

        again = rudprk(["run"], env, tmp_path)
        assert again.returncode == 0, again.stderr
        assert "0 alerts sent" in again.stdout
        assert len(smtp.handler.messages) == 2


def test_an_unreachable_relay_exits_3_with_the_error_then_delivers_once_later(
    tmp_path: Path, feeds: tuple[LoopbackServer, Path]
) -> None:
    _, sources = feeds
    port = free_port()
    env = smtp_env(sources, port)
    down = rudprk(["run", "--json"], env, tmp_path)
    assert down.returncode == 3, down.stderr
    summary = json.loads(down.stdout)
    assert summary["status"] == "alerts_undelivered"
    assert summary["alerts_sent"] == 0 and summary["alerts_pending"] == 2
    assert f"127.0.0.1:{port}" in summary["delivery_error"]
    assert len(summary["undelivered"]) == 2
    for item in summary["undelivered"]:
        assert item["state"] == "retrying" and item["attempts"] == 1
        assert "Connection refused" in item["last_error"]
        assert datetime.fromisoformat(item["next_attempt_at"]) > datetime.now(UTC)
    line = one_error_line(down.stderr)
    assert line.startswith("rudprk: 2 alert(s) undelivered") and f"127.0.0.1:{port}" in line

    with SMTPTestServer(RecordingHandler(), port=port) as smtp:
        waiting = rudprk(["run", "--json"], env, tmp_path)  # still in back-off
        assert waiting.returncode == 3 and smtp.handler.messages == []
        make_due_now(database(tmp_path))
        later = rudprk(["run", "--json"], env, tmp_path)
        assert later.returncode == 0, later.stderr
        assert json.loads(later.stdout)["alerts_sent"] == 2
        again = rudprk(["run"], env, tmp_path)
        assert again.returncode == 0
        assert len(smtp.handler.messages) == 2
        assert len({m["Message-ID"] for m in smtp.handler.messages}) == 2


def test_a_refused_alert_is_reported_until_an_operator_resends_or_discards_it(
    tmp_path: Path, feeds: tuple[LoopbackServer, Path]
) -> None:
    _, sources = feeds
    refuse = {"agreement"}
    handler = RecordingHandler(
        lambda m: "550 5.7.1 Policy" if m["X-Rudprk-Event-Type"] in refuse else None
    )
    with SMTPTestServer(handler) as smtp:
        env = smtp_env(sources, smtp.port)
        first = rudprk(["run", "--json"], env, tmp_path)
        assert first.returncode == 3, first.stderr
        summary = json.loads(first.stdout)
        (item,) = summary["undelivered"]
        assert item["state"] == "failed" and "550 5.7.1 Policy" in item["last_error"]
        assert summary["alerts_failed"] == 1 and summary["alerts_sent"] == 1
        alert_id = str(item["alert_id"])
        # reported on every pass until someone acts
        assert rudprk(["run"], env, tmp_path).returncode == 3

        listing = rudprk(["alerts", "list", "--status", "failed"], env, tmp_path)
        assert listing.returncode == 0, listing.stderr
        assert "550 5.7.1 Policy" in listing.stdout and "1 delivery" in listing.stdout
        as_json = rudprk(["alerts", "list", "--json", "--status", "undelivered"], env, tmp_path)
        assert [json.loads(x)["alert_id"] for x in as_json.stdout.splitlines()] == [int(alert_id)]

        refuse.clear()
        resend = rudprk(["alerts", "resend", alert_id], env, tmp_path)
        assert resend.returncode == 0 and "queued" in resend.stdout
        after = rudprk(["run", "--json"], env, tmp_path)
        assert after.returncode == 0, after.stdout
        assert json.loads(after.stdout)["alerts_sent"] == 1
        assert sorted(m["X-Rudprk-Event-Type"] for m in smtp.handler.messages) == [
            "agreement",
            "deployment",
        ]
        assert rudprk(["alerts", "discard", alert_id], env, tmp_path).returncode == 1  # sent
        assert rudprk(["alerts", "resend", "999"], env, tmp_path).returncode == 1
        bad = rudprk(["alerts", "list", "--status", "lost"], env, tmp_path)
        assert bad.returncode == 2 and "unknown status" in one_error_line(bad.stderr)


def test_every_feed_failing_exits_4(tmp_path: Path) -> None:
    with LoopbackServer({}) as server:  # every path answers 404
        sources = write_sources(tmp_path / "sources.toml", server.base_url)
        result = rudprk(["run", "--json"], {"RUDPRK_SOURCES": str(sources)}, tmp_path)
    assert result.returncode == 4, result.stderr
    summary = json.loads(result.stdout)
    assert summary["status"] == "all_feeds_failed" and summary["feeds_failed"] == 4
    assert len(summary["failed_feeds"]) == 4
    assert (
        one_error_line(result.stderr) == "rudprk: every feed failed (4 of 4); see rudprk feeds list"
    )


def test_a_lock_held_by_another_pass_exits_6_and_an_expired_one_is_taken_over(
    tmp_path: Path, feeds: tuple[LoopbackServer, Path]
) -> None:
    server, sources = feeds
    env = {"RUDPRK_SOURCES": str(sources)}
    assert rudprk(["db", "upgrade"], env, tmp_path).returncode == 0
    engine = create_db_engine(database(tmp_path))
    factory = create_session_factory(engine)
    now = datetime.now(UTC)
    with session_scope(factory) as session:
        acquire_lock(
            session,
            "harvest",
            owner="other",
            holder="rudprk run, pid 4242 on elsewhere",
            clock_now=now,
            lease=timedelta(minutes=2),
        )
    locked = rudprk(["run", "--json"], env, tmp_path)
    assert locked.returncode == 6, locked.stderr
    assert json.loads(locked.stdout)["status"] == "locked"
    line = one_error_line(locked.stderr)
    assert "another pass holds the harvest lock (rudprk run, pid 4242 on elsewhere" in line
    assert server.hits == []  # nothing fetched

    # the holder died: once its lease has passed, the next pass takes the lock over
    with session_scope(factory) as session:
        acquire_lock(
            session,
            "harvest",
            owner="other",
            holder="rudprk run, pid 4242 on elsewhere",
            clock_now=now - timedelta(minutes=10),
            lease=timedelta(minutes=2),
        )
    engine.dispose()
    result = rudprk(["run", "--json"], env, tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["feeds"] == 4


@pytest.mark.parametrize(
    ("env", "needle"),
    [
        ({"RUDPRK_SMTP_TLS": "bogus"}, "RUDPRK_SMTP_TLS"),
        ({"RUDPRK_SOURCES": "/nonexistent.toml"}, "RUDPRK_SOURCES"),
        ({"RUDPRK_KNOWLEDGE_DIR": "/nonexistent/knowledge"}, "RUDPRK_KNOWLEDGE_DIR"),
        (
            {"RUDPRK_DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:9/none"},
            "cannot connect to database",
        ),
    ],
)
def test_run_exits_2_with_one_line_when_it_cannot_run(
    tmp_path: Path, env: dict[str, str], needle: str
) -> None:
    result = rudprk(["run"], env, tmp_path)
    assert result.returncode == 2
    assert needle in one_error_line(result.stderr, alone=True)


def test_a_bad_knowledge_folder_fails_no_feed_and_pushes_none_into_back_off(
    tmp_path: Path, feeds: tuple[LoopbackServer, Path]
) -> None:
    server, sources = feeds
    env = {"RUDPRK_SOURCES": str(sources)}
    assert rudprk(["run"], env, tmp_path).returncode == 0
    engine = create_db_engine(database(tmp_path))
    factory = create_session_factory(engine)

    def health() -> list[tuple[str, int, object]]:
        with factory() as session:
            return [(f.url, f.error_count, f.next_check_at) for f in session.scalars(select(Feed))]

    before, hits = health(), len(server.hits)
    broken = tmp_path / "knowledge"
    broken.mkdir()
    (broken / "entities.toml").write_text("[[actors]\n")
    bad = rudprk(["run", "--force"], {**env, "RUDPRK_KNOWLEDGE_DIR": str(broken)}, tmp_path)
    assert bad.returncode == 2
    assert one_error_line(bad.stderr, alone=True).startswith(
        "rudprk: error: invalid configuration: RUDPRK_KNOWLEDGE_DIR:"
    )
    assert health() == before and len(server.hits) == hits
    engine.dispose()


def test_db_upgrade(tmp_path: Path) -> None:
    result = rudprk(["db", "upgrade"], {}, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "database at revision" in result.stdout
