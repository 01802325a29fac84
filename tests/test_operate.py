"""The operator's commands as processes: ``--version``, ``db current|history|upgrade|downgrade``,
``check``; each mistake ends in one line naming it."""

from __future__ import annotations

from pathlib import Path

from test_cli import one_error_line, rudprk

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
