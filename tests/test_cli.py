"""The ``rudprk`` command as users and cron call it (a real process)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from flows.demo import LoopbackSMTP
from flows.loopback import LoopbackServer
from flows.samples import build_documents, write_sources

RUDPRK = [sys.executable, "-m", "flows"]


def rudprk(
    args: list[str], env: dict[str, str], cwd: Path, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("RUDPRK_")}
    full_env.update(env)
    return subprocess.run(
        [*RUDPRK, *args], env=full_env, cwd=cwd, capture_output=True, text=True, timeout=timeout
    )


def test_run_json_summary_and_exit_zero_with_a_failing_feed(tmp_path: Path) -> None:
    server = LoopbackServer({})
    server.set_documents(build_documents(server.base_url, datetime.now(UTC)))
    with server, LoopbackSMTP() as smtp:
        sources = write_sources(tmp_path / "sources.toml", server.base_url)  # one feed answers 404
        env = {
            "RUDPRK_SOURCES": str(sources),
            "RUDPRK_SMTP_HOST": "127.0.0.1",
            "RUDPRK_SMTP_PORT": str(smtp.port),
            "RUDPRK_ALERT_TO": "desk@example.org",
        }
        result = rudprk(["run", "--json"], env, tmp_path)
        assert result.returncode == 0, result.stderr
        summary = json.loads(result.stdout)
        assert set(summary) == {
            "feeds",
            "feeds_failed",
            "entries_seen",
            "articles_new",
            "events_new",
            "alerts_sent",
            "alerts_pending",
            "seconds",
        }
        assert summary["feeds"] == 4 and summary["feeds_failed"] == 1
        assert summary["alerts_sent"] == 2
        assert (tmp_path / "data" / "rudprk.sqlite3").exists()

        again = rudprk(["run"], env, tmp_path)
        assert again.returncode == 0, again.stderr
        assert "0 alerts sent" in again.stdout
        assert len(smtp.messages) == 2


@pytest.mark.parametrize(
    ("env", "needle"),
    [
        ({"RUDPRK_SMTP_TLS": "bogus"}, "RUDPRK_SMTP_TLS"),
        ({"RUDPRK_SOURCES": "/nonexistent.toml"}, "RUDPRK_SOURCES"),
        (
            {"RUDPRK_DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:9/none"},
            "cannot connect to database",
        ),
    ],
)
def test_run_exits_non_zero_when_it_cannot_run(
    tmp_path: Path, env: dict[str, str], needle: str
) -> None:
    result = rudprk(["run"], env, tmp_path)
    assert result.returncode == 2
    assert needle in result.stderr
    assert "Traceback" not in result.stderr


def test_db_upgrade(tmp_path: Path) -> None:
    result = rudprk(["db", "upgrade"], {}, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "database at revision" in result.stdout
