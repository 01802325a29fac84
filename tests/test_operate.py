"""The operator's commands as processes: ``--version``, ``db current|history|upgrade|downgrade``,
``check``; each mistake ends in one line naming it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from smtpserver import RecordingHandler, SMTPTestServer
from test_cli import make_due_now, one_error_line, rudprk

from flows.loopback import LoopbackServer
from flows.samples import build_documents, write_sources
from flows.settings import VERSION
from storage.migrate import head_revision


def test_version(tmp_path: Path) -> None:
    result = rudprk(["--version"], {}, tmp_path)
    assert result.returncode == 0
    assert result.stdout.strip() == f"rudprk-watch {VERSION}"


def test_db_current_history_downgrade_and_upgrade(tmp_path: Path) -> None:
    head = head_revision()
    empty = rudprk(["db", "current"], {}, tmp_path)
    assert empty.returncode == 1
    assert empty.stdout.strip() == f"none (empty database); head is {head}: run rudprk db upgrade"

    history = rudprk(["db", "history"], {}, tmp_path).stdout.splitlines()
    assert history[0].startswith(f"{head}  <- ")
    previous = history[1].split()[0]
    assert history[0].split()[2] == previous
    assert history[-1].split()[2] == "base"

    assert rudprk(["db", "upgrade"], {}, tmp_path).stdout.strip() == f"database at revision {head}"
    assert rudprk(["db", "current"], {}, tmp_path).stdout.strip() == f"{head} (head)"
    down = rudprk(["db", "downgrade", previous], {}, tmp_path)
    assert down.returncode == 0, down.stderr
    assert down.stdout.strip() == f"database at revision {previous}"
    behind = rudprk(["db", "current"], {}, tmp_path)
    assert behind.returncode == 1 and behind.stdout.startswith(f"{previous}; head is {head}")
    assert rudprk(["db", "upgrade"], {}, tmp_path).returncode == 0


def test_db_commands_name_an_unknown_revision_in_one_line(tmp_path: Path) -> None:
    for args in (["db", "upgrade", "zzz"], ["db", "downgrade", "zzz"]):
        result = rudprk(args, {}, tmp_path)
        assert result.returncode == 2
        line = one_error_line(result.stderr, alone=True)
        assert line == "rudprk: error: unknown revision 'zzz'; see rudprk db history"


def test_db_commands_name_an_unreachable_database_in_one_line(tmp_path: Path) -> None:
    env = {"RUDPRK_DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:9/none"}
    for args in (["db", "current"], ["db", "upgrade"], ["db", "downgrade", "base"]):
        result = rudprk(args, env, tmp_path)
        assert result.returncode == 2
        assert "cannot connect to database" in one_error_line(result.stderr, alone=True)


def test_a_bad_schedule_is_named_in_one_line(tmp_path: Path) -> None:
    result = rudprk(["run"], {"RUDPRK_SCHEDULE": "99 * * * *"}, tmp_path)
    assert result.returncode == 2
    assert one_error_line(result.stderr, alone=True).startswith(
        "rudprk: error: invalid configuration: RUDPRK_SCHEDULE: bad minute"
    )


def check_lines(stdout: str) -> dict[str, str]:
    """``name -> status`` of ``rudprk check``'s lines (``status  name: detail``)."""
    found = {}
    for line in stdout.splitlines():
        status, rest = line.split(None, 1)
        found[rest.split(":", 1)[0]] = status
    return found


def test_check_reports_each_part_and_fails_on_a_broken_feed_or_a_refused_login(
    tmp_path: Path,
) -> None:
    server = LoopbackServer({})
    server.set_documents(build_documents(server.base_url, datetime.now(UTC)))
    with server, SMTPTestServer(RecordingHandler(), credentials=("desk", "s3cret")) as smtp:
        sources = write_sources(tmp_path / "sources.toml", server.base_url)  # one 404 feed
        env = {
            "RUDPRK_SOURCES": str(sources),
            "RUDPRK_SMTP_HOST": "127.0.0.1",
            "RUDPRK_SMTP_PORT": str(smtp.port),
            "RUDPRK_SMTP_USER": "desk",
            "RUDPRK_SMTP_PASSWORD": "s3cret",
            "RUDPRK_ALERT_TO": "desk@example.org",
            "RUDPRK_TIMEOUT_SECONDS": "5",
        }
        healthy = rudprk(["check", "--no-feeds"], env, tmp_path)
        assert healthy.returncode == 0, healthy.stdout + healthy.stderr
        lines = check_lines(healthy.stdout)
        assert lines == {
            "settings": "ok",
            "sources": "ok",
            "database": "warn",  # no schema yet: the first pass creates it
            "smtp": "ok",
            "prefect": "skip",
            "models": "ok",
            "feeds": "skip",
        }
        assert "logged in as 'desk'" in healthy.stdout
        assert "s3cret" not in healthy.stdout + healthy.stderr
        assert not smtp.handler.messages  # nothing was sent

        assert rudprk(["db", "upgrade"], env, tmp_path).returncode == 0
        full = rudprk(["check"], env, tmp_path)
        assert full.returncode == 1
        feeds = {k: v for k, v in check_lines(full.stdout).items() if k.startswith("feed ")}
        assert len(feeds) == 4 and sorted(feeds.values()) == ["fail", "ok", "ok", "ok"]
        assert check_lines(full.stdout)["database"] == "ok"
        broken = [line for line in full.stdout.splitlines() if line.startswith("fail")]
        assert len(broken) == 1 and "404" in broken[0]
        assert one_error_line(full.stderr, alone=True) == "rudprk: 1 of 10 checks failed"

        refused = rudprk(["check", "--no-feeds"], {**env, "RUDPRK_SMTP_PASSWORD": "x"}, tmp_path)
        assert refused.returncode == 1
        assert check_lines(refused.stdout)["smtp"] == "fail"
        assert "login to 127.0.0.1" in refused.stdout and "refused" in refused.stdout

        no_prefect = {**env, "PREFECT_API_URL": "http://127.0.0.1:9/api"}
        down = rudprk(["check", "--no-feeds"], no_prefect, tmp_path)
        assert down.returncode == 1 and check_lines(down.stdout)["prefect"] == "fail"
        assert "PREFECT_API_URL=http://127.0.0.1:9/api: the Prefect server does not answer" in (
            down.stdout
        )


def test_check_stops_at_invalid_settings_with_the_variable_named(tmp_path: Path) -> None:
    result = rudprk(["check"], {"RUDPRK_SMTP_TLS": "tls13"}, tmp_path)
    assert result.returncode == 1
    (line,) = result.stdout.splitlines()
    assert line.startswith("fail  settings: RUDPRK_SMTP_TLS")
    assert "Traceback" not in result.stderr


def test_a_feed_removed_with_the_cli_stays_removed_across_passes(tmp_path: Path) -> None:
    import json

    server = LoopbackServer({})
    server.set_documents(build_documents(server.base_url, datetime.now(UTC)))
    with server:
        sources = write_sources(tmp_path / "sources.toml", server.base_url, include_broken=False)
        env = {
            "RUDPRK_SOURCES": str(sources),
            "RUDPRK_TIMEOUT_SECONDS": "5",
            "RUDPRK_FETCH_ARTICLES": "false",
        }
        assert rudprk(["feeds", "sync"], env, tmp_path).returncode == 0
        listed = json.loads(rudprk(["feeds", "list", "--json"], env, tmp_path).stdout)
        victim = listed[0]["url"]
        assert rudprk(["feeds", "remove", victim], env, tmp_path).returncode == 0
        sources.write_text(sources.read_text() + "\n# edited\n")  # the file changes, too
        again = rudprk(["run", "--force"], env, tmp_path)
        assert again.returncode == 0, again.stderr
        after = json.loads(rudprk(["feeds", "list", "--json"], env, tmp_path).stdout)
        assert victim not in {item["url"] for item in after}
        assert len(after) == len(listed) - 1


def test_run_quiet_says_nothing_unless_the_pass_fails(tmp_path: Path) -> None:
    server = LoopbackServer({})
    server.set_documents(build_documents(server.base_url, datetime.now(UTC)))
    with server:
        sources = write_sources(tmp_path / "sources.toml", server.base_url)  # one 404 feed
        env = {"RUDPRK_SOURCES": str(sources), "RUDPRK_FETCH_ARTICLES": "false"}
        bad = {**env, "RUDPRK_SMTP_HOST": "127.0.0.1", "RUDPRK_SMTP_PORT": "9"}
        bad["RUDPRK_ALERT_TO"] = "desk@example.org"
        failed = rudprk(["run", "--quiet"], bad, tmp_path)  # the relay is down
        assert failed.returncode == 3, failed.stderr
        assert failed.stdout == ""
        assert "undelivered" in one_error_line(failed.stderr, alone=True)
        make_due_now(f"sqlite:///{tmp_path / 'data' / 'rudprk.sqlite3'}")
        ok = rudprk(["run", "--quiet"], env, tmp_path)  # to the outbox folder this time
        assert ok.returncode == 0, ok.stderr
        assert (ok.stdout, ok.stderr) == ("", "")  # a failing feed is no reason to mail cron
        assert list((tmp_path / "data" / "outbox").glob("*.eml"))
    both = rudprk(["run", "--quiet", "--json"], {}, tmp_path)
    assert both.returncode == 2
    assert one_error_line(both.stderr, alone=True).endswith("--json or --verbose")


MISTAKES = [
    (["bogus"], "No such command 'bogus'"),
    (["check", "--bogus"], "No such option: --bogus"),
    (["serve", "--port", "70000"], "Invalid value for '--port'"),
    (["db", "downgrade"], "Missing argument 'revision'"),
    (["db", "upgrade", "zzz"], "unknown revision 'zzz'"),
    (["alerts", "discard", "abc"], "Invalid value for 'alert_id'"),
    (["alerts", "resend", "99999"], "no alert 99999"),
    (["feeds", "enable", "https://nowhere.test/rss"], "no feed with URL"),
    (["feeds", "disable", "https://nowhere.test/rss"], "no feed with URL"),
    (["feeds", "add", "not-a-url"], "cannot add not-a-url"),
    (["backtest", "--rules", "/nonexistent/rules.toml"], "cannot read /nonexistent/rules.toml"),
    (["reprocess", "--since", "yesterday"], "--since: expected 30d"),
    (["digest", "--hours", "0"], "--hours must be more than 0"),
    (["events", "--since", "bogus"], "--since: expected 30d"),
    (["event", "99999"], "no event 99999"),
    (["run", "--quiet", "--json"], "--quiet cannot be combined"),
]


@pytest.mark.parametrize(("args", "named"), MISTAKES, ids=[" ".join(a) for a, _ in MISTAKES])
def test_each_mistake_is_one_line_naming_it(args: list[str], named: str, tmp_path: Path) -> None:
    result = rudprk(args, {}, tmp_path)
    assert result.returncode in (1, 2), result.stderr
    line = one_error_line(result.stderr, alone=True)
    assert line.startswith("rudprk: error: ") and named in line, line
