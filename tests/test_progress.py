"""Progress bars are drawn on a terminal only: never under cron (no terminal), in CI or on a dumb
terminal."""

from __future__ import annotations

import io
import os
import pty
from pathlib import Path

import pytest

from flows.terminal import interactive, progress_bar


def test_interactive_only_on_a_terminal_outside_ci(tmp_path: Path) -> None:
    main, secondary = pty.openpty()
    try:
        with os.fdopen(secondary, "w", closefd=False) as terminal:
            assert interactive(terminal, env={"TERM": "xterm"})
            assert not interactive(terminal, env={"TERM": "xterm", "CI": "true"})
            assert not interactive(terminal, env={"TERM": "dumb"})
            assert not interactive(terminal, env={"RUDPRK_NO_PROGRESS": "1"})
    finally:
        os.close(main)
        os.close(secondary)
    with (tmp_path / "cron.log").open("w") as logfile:  # cron: a file or a pipe
        assert not interactive(logfile, env={"TERM": "xterm"})
    assert not interactive(io.StringIO(), env={})


def test_progress_bar_draws_on_a_terminal_and_is_silent_elsewhere(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    quiet = io.StringIO()
    with progress_bar("reprocessing", quiet) as advance:
        assert advance is None
    assert quiet.getvalue() == ""

    for name in ("CI", "RUDPRK_NO_PROGRESS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TERM", "xterm")
    main, secondary = pty.openpty()
    try:
        with os.fdopen(secondary, "w", closefd=False) as terminal:
            with progress_bar("reprocessing", terminal) as advance:
                assert advance is not None
                for done in range(1, 4):
                    advance(done, 3)
            terminal.flush()
        drawn = os.read(main, 65536).decode(errors="replace")
    finally:
        os.close(main)
        os.close(secondary)
    assert "reprocessing" in drawn
