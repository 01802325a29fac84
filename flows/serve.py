"""``rudprk serve``: the ``monitor`` flow on a cron schedule through ``flow.serve``.

Prefect refuses to schedule on its ephemeral server ("Cannot schedule flows on an ephemeral
server"), so when ``PREFECT_API_URL`` is not set this module starts a local Prefect server,
waits until it answers, supervises it (restarting it if it exits) and stops it on the way out.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx

log = logging.getLogger("rudprk.serve")


class PrefectServerError(RuntimeError):
    """The local Prefect server did not start."""


class LocalPrefectServer:
    """``prefect server start`` as a supervised child process on 127.0.0.1."""

    def __init__(self, home: Path, port: int, *, startup_timeout: float = 120.0) -> None:
        self.home = home
        self.port = port
        self.startup_timeout = startup_timeout
        self.process: subprocess.Popen[bytes] | None = None
        self.restarts = 0
        self._stopping = threading.Event()
        self._watcher: threading.Thread | None = None

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    @property
    def log_path(self) -> Path:
        return self.home / "server.log"

    def _environment(self) -> dict[str, str]:
        env = dict(os.environ)
        env.pop("PREFECT_API_URL", None)
        env.update(
            {
                "PREFECT_HOME": str(self.home),
                "DO_NOT_TRACK": "1",
                "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
                "PREFECT_SERVER_UI_ENABLED": env.get("PREFECT_SERVER_UI_ENABLED", "true"),
            }
        )
        return env

    @staticmethod
    def _die_with_parent() -> None:
        """In the child: get SIGTERM if rudprk dies without stopping the server (Linux only)."""
        try:
            import ctypes
            import signal

            libc = ctypes.CDLL("libc.so.6", use_errno=True)
            pr_set_pdeathsig = 1
            libc.prctl(pr_set_pdeathsig, signal.SIGTERM)
        except (OSError, AttributeError):
            pass

    def _spawn(self) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        logfile = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "prefect",
                "server",
                "start",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
            ],
            stdout=logfile,
            stderr=subprocess.STDOUT,
            env=self._environment(),
            # Its own session: a Ctrl-C meant for rudprk must not kill the server behind the
            # supervisor's back; stop() ends it, and the parent-death signal covers a crash.
            start_new_session=True,
            preexec_fn=self._die_with_parent if sys.platform == "linux" else None,
        )
        logfile.close()

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise PrefectServerError(
                    f"the local Prefect server exited with code {self.process.returncode}; "
                    f"see {self.log_path}"
                )
            try:
                if httpx.get(f"{self.api_url}/health", timeout=2.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        raise PrefectServerError(
            f"the local Prefect server did not answer within {self.startup_timeout:.0f}s; "
            f"see {self.log_path}"
        )

    def _supervise(self) -> None:
        while not self._stopping.is_set():
            proc = self.process
            if proc is not None and proc.poll() is not None and not self._stopping.is_set():
                self.restarts += 1
                delay = min(60.0, 2.0**self.restarts)
                log.warning(
                    "prefect server exited; restarting",
                    extra={"code": proc.returncode, "delay": delay},
                )
                self._stopping.wait(delay)
                if self._stopping.is_set():
                    return
                self._spawn()
                try:
                    self._wait_healthy()
                except PrefectServerError:
                    log.exception("prefect server restart failed")
            self._stopping.wait(1.0)

    def start(self) -> None:
        self._spawn()
        try:
            self._wait_healthy()
        except PrefectServerError:
            self.stop()
            raise
        self._watcher = threading.Thread(target=self._supervise, daemon=True)
        self._watcher.start()

    def stop(self) -> None:
        self._stopping.set()
        proc = self.process
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def serve_monitor(
    schedule: str,
    data_dir: Path,
    *,
    port: int,
    echo: Callable[[str], None] = print,
) -> None:
    """Serve the ``monitor`` flow on ``schedule`` (cron) until interrupted."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from flows.monitor import monitor

    api_url = os.environ.get("PREFECT_API_URL")
    server: LocalPrefectServer | None = None
    if not api_url:
        server = LocalPrefectServer(data_dir / "prefect", port)
        echo(
            "PREFECT_API_URL is not set: starting a local Prefect server on "
            f"{server.api_url} (Prefect does not schedule runs on its ephemeral server); "
            f"log: {server.log_path}"
        )
        server.start()
        api_url = server.api_url
        echo(
            f"Local Prefect server ready; UI at http://127.0.0.1:{port}/ — supervised, restarted if it exits"
        )
    try:
        with temporary_settings(updates={PREFECT_API_URL: api_url}):
            echo(f"Serving flow 'monitor' on cron {schedule!r} against {api_url}")
            monitor.serve(name="rudprk-monitor", cron=schedule, print_starting_message=True)
    finally:
        if server is not None:
            server.stop()
