"""``rudprk serve``: the ``monitor`` and ``digest`` flows on their cron schedules, served in one
process (``prefect.serve``); ``prefect.yaml`` declares the same deployments for work pools.

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
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast

import httpx

if TYPE_CHECKING:
    from prefect.deployments.runner import RunnerDeployment

    from flows.settings import Settings

log = logging.getLogger("rudprk.serve")


class PrefectServerError(RuntimeError):
    """The local Prefect server did not start, or the one of PREFECT_API_URL does not answer."""


CollisionStrategy = Literal["ENQUEUE", "CANCEL_NEW"]


@dataclass(frozen=True)
class DeploymentSpec:
    """One deployment as ``rudprk serve`` creates it and ``prefect.yaml`` declares it."""

    name: str
    flow: Literal["monitor", "digest"]
    entrypoint: str
    cron: str
    timezone: str
    description: str
    concurrency_limit: int = 1
    # Seconds between runs instead of the cron expression (``rudprk serve --interval``).
    interval: float | None = None
    # A monitor run due while the previous one still runs is cancelled, not queued behind it.
    collision_strategy: CollisionStrategy = "CANCEL_NEW"


def deployment_specs(settings: Settings, *, interval: float | None = None) -> list[DeploymentSpec]:
    """``monitor`` on RUDPRK_SCHEDULE (UTC), or every ``interval`` seconds when given, and
    ``digest`` at RUDPRK_DIGEST_HOUR in RUDPRK_TIMEZONE unless the digest is off; runs of one
    deployment never overlap."""
    specs = [
        DeploymentSpec(
            name="rudprk-monitor",
            flow="monitor",
            entrypoint="flows.monitor:monitor",
            cron=settings.schedule,
            timezone="UTC",
            description="One monitoring pass: feeds, detection, alerts.",
            interval=interval,
        )
    ]
    if settings.digest_hour is not None:
        specs.append(
            DeploymentSpec(
                name="rudprk-digest",
                flow="digest",
                entrypoint="flows.monitor:digest",
                cron=f"0 {settings.digest_hour} * * *",
                timezone=settings.timezone,
                description="The daily digest, then the outbox.",
                collision_strategy="ENQUEUE",
            )
        )
    return specs


def runner_deployments(specs: list[DeploymentSpec]) -> list[RunnerDeployment]:
    from prefect import Flow
    from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy
    from prefect.schedules import Cron, Interval

    from flows.monitor import digest, monitor

    flows: dict[str, Flow[..., Any]] = {"monitor": monitor, "digest": digest}
    deployments: list[RunnerDeployment] = []
    for spec in specs:
        deployment = flows[spec.flow].to_deployment(
            name=spec.name,
            schedules=[
                Interval(spec.interval, timezone=spec.timezone)
                if spec.interval is not None
                else Cron(spec.cron, timezone=spec.timezone)
            ],
            concurrency_limit=ConcurrencyLimitConfig(
                limit=spec.concurrency_limit,
                collision_strategy=ConcurrencyLimitStrategy(spec.collision_strategy),
            ),
            description=spec.description,
            _sync=True,  # type: ignore[call-arg]
        )
        deployments.append(cast("RunnerDeployment", deployment))
    return deployments


def check_api(api_url: str, timeout: float = 5.0) -> None:
    """One line naming PREFECT_API_URL when its server does not answer its health check."""
    url = f"{api_url.rstrip('/')}/health"
    try:
        response = httpx.get(url, timeout=timeout)
    except httpx.HTTPError as exc:
        reason = str(exc) or type(exc).__name__
        raise PrefectServerError(
            f"PREFECT_API_URL={api_url}: the Prefect server does not answer: {reason}"
        ) from None
    if response.status_code != 200:
        raise PrefectServerError(
            f"PREFECT_API_URL={api_url}: {url} answered HTTP {response.status_code}"
        )


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
                # The UI calls the API on this server's own port (not Prefect's default 4200).
                "PREFECT_UI_API_URL": self.api_url,
                "PREFECT_SERVER_API_PORT": str(self.port),
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


def serve_flows(
    settings: Settings,
    *,
    port: int,
    interval: float | None = None,
    echo: Callable[[str], None] = print,
) -> None:
    """Serve the deployments of :func:`deployment_specs` until interrupted; ``interval``
    (seconds) replaces the monitor's cron schedule."""
    from prefect import serve
    from prefect.settings import PREFECT_API_URL, temporary_settings

    api_url = os.environ.get("PREFECT_API_URL")
    server: LocalPrefectServer | None = None
    if api_url:
        check_api(api_url)
    else:
        server = LocalPrefectServer(settings.data_dir / "prefect", port)
        echo(
            "PREFECT_API_URL is not set: starting a local Prefect server on "
            f"{server.api_url} (Prefect does not schedule runs on its ephemeral server); "
            f"log: {server.log_path}"
        )
        server.start()
        api_url = server.api_url
        echo(
            f"Local Prefect server ready; UI at http://127.0.0.1:{port}/ — supervised, "
            "restarted if it exits"
        )
    specs = deployment_specs(settings, interval=interval)
    try:
        with temporary_settings(updates={PREFECT_API_URL: api_url}):
            for spec in specs:
                schedule = (
                    f"every {spec.interval:g}s"
                    if spec.interval is not None
                    else f"cron {spec.cron!r} ({spec.timezone})"
                )
                echo(
                    f"Serving flow '{spec.flow}' as deployment '{spec.flow}/{spec.name}' on "
                    f"{schedule} against {api_url}"
                )
            serve(*runner_deployments(specs), print_starting_message=True)
    finally:
        if server is not None:
            server.stop()
