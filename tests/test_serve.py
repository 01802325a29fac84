"""``rudprk serve`` starts a local Prefect server and a scheduled run really happens."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from flows.demo import LoopbackSMTP, free_port
from flows.loopback import LoopbackServer
from flows.samples import build_documents, write_sources


@pytest.mark.prefect
@pytest.mark.timeout(400)
def test_serve_runs_the_flow_on_its_schedule(tmp_path: Path) -> None:
    server = LoopbackServer({})
    server.set_documents(build_documents(server.base_url, datetime.now(UTC)))
    with server, LoopbackSMTP() as smtp:
        sources = write_sources(tmp_path / "sources.toml", server.base_url, include_broken=False)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("RUDPRK_", "PREFECT_"))}
        env.update(
            {
                "RUDPRK_SOURCES": str(sources),
                "RUDPRK_SMTP_HOST": "127.0.0.1",
                "RUDPRK_SMTP_PORT": str(smtp.port),
                "RUDPRK_ALERT_TO": "desk@example.org",
                "PREFECT_SERVER_UI_ENABLED": "false",
                "DO_NOT_TRACK": "1",
            }
        )
        log = (tmp_path / "serve.log").open("w")
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "flows",
                "serve",
                "--port",
                str(free_port()),
                "--interval",
                "5",
            ],
            env=env,
            cwd=tmp_path,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + 300
            while time.monotonic() < deadline and len(smtp.messages) < 2:
                output = (tmp_path / "serve.log").read_text()
                assert proc.poll() is None, output
                assert "Finished in state Failed" not in output, output[-3000:]
                time.sleep(1)
        finally:
            os.killpg(proc.pid, signal.SIGINT)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
            log.close()
        output = (tmp_path / "serve.log").read_text()
        assert "starting a local Prefect server" in output
        assert "on every 5s against" in output
        assert len(smtp.messages) == 2, output[-3000:]
        assert "Finished in state Completed" in output
        assert {m["X-Rudprk-Event-Type"] for m in smtp.messages} == {"deployment", "agreement"}


def test_the_local_servers_ui_calls_the_api_on_its_own_port(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows.serve import LocalPrefectServer

    monkeypatch.setenv("PREFECT_API_URL", "http://elsewhere:4200/api")
    env = LocalPrefectServer(tmp_path, 4300)._environment()
    assert env["PREFECT_UI_API_URL"] == "http://127.0.0.1:4300/api"
    assert env["PREFECT_SERVER_API_PORT"] == "4300"
    assert "PREFECT_API_URL" not in env  # the child is the server, not a client of another
    assert env["PREFECT_HOME"] == str(tmp_path)
