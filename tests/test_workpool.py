"""``prefect.yaml`` on a real Prefect server with a process work pool and two workers: several
``monitor`` runs, asked for at once and one after the other, never overlap, store each article
once and send each alert once (PostgreSQL when RUDPRK_TEST_DATABASE_URL is set, else SQLite)."""

from __future__ import annotations

import itertools
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import PG_URL, _drop_pg_schema, _pg_engine_in_fresh_schema
from smtpserver import RecordingHandler, SMTPTestServer
from sqlalchemy import func, select

from flows.demo import free_port
from flows.loopback import LoopbackServer
from flows.samples import build_documents, write_sources
from flows.serve import LocalPrefectServer
from storage.engine import create_db_engine, create_session_factory
from storage.models import Alert, Article, Delivery

ROOT = Path(__file__).resolve().parent.parent
PREFECT = [sys.executable, "-m", "prefect"]
TERMINAL = {"COMPLETED", "FAILED", "CANCELLED", "CRASHED"}


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    if not PG_URL:
        yield f"sqlite:///{tmp_path / 'rudprk.sqlite3'}"
        return
    engine, schema = _pg_engine_in_fresh_schema()
    url = engine.url.render_as_string(hide_password=False)
    engine.dispose()
    try:
        yield url
    finally:
        _drop_pg_schema(schema)


def wait_for(runs: list[str], api: httpx.Client, timeout: float) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while True:
        found = [api.get(f"/flow_runs/{run}").json() for run in runs]
        if all(r["state_type"] in TERMINAL for r in found):
            return found
        assert time.monotonic() < deadline, [(r["name"], r["state_type"]) for r in found]
        time.sleep(2)


@pytest.mark.prefect
@pytest.mark.timeout(900)
def test_monitor_runs_on_a_process_work_pool_with_two_workers(
    tmp_path: Path, database_url: str
) -> None:
    feeds = LoopbackServer({})
    feeds.set_documents(build_documents(feeds.base_url, datetime.now(UTC)))
    server = LocalPrefectServer(tmp_path / "prefect-server", free_port(), startup_timeout=240)
    workers: list[subprocess.Popen[bytes]] = []
    with feeds, SMTPTestServer(RecordingHandler()) as smtp:
        sources = write_sources(tmp_path / "sources.toml", feeds.base_url, include_broken=False)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("RUDPRK_", "PREFECT_"))}
        env.update(
            {
                "PYTHONPATH": str(ROOT),
                "DO_NOT_TRACK": "1",
                "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
                "PREFECT_HOME": str(tmp_path / "prefect-client"),
                "RUDPRK_DATABASE_URL": database_url,
                "RUDPRK_DATA_DIR": str(tmp_path / "data"),
                "RUDPRK_SOURCES": str(sources),
                "RUDPRK_SMTP_HOST": "127.0.0.1",
                "RUDPRK_SMTP_PORT": str(smtp.port),
                "RUDPRK_ALERT_TO": "desk@example.org",
                "RUDPRK_FETCH_ARTICLES": "false",
                "RUDPRK_TIMEOUT_SECONDS": "10",
            }
        )
        os.environ["PREFECT_SERVER_UI_ENABLED"] = "false"
        try:
            server.start()
        finally:
            os.environ.pop("PREFECT_SERVER_UI_ENABLED")
        env["PREFECT_API_URL"] = server.api_url
        try:

            def prefect(*args: str) -> str:
                done = subprocess.run(
                    [*PREFECT, *args], env=env, cwd=ROOT, capture_output=True, text=True,
                    timeout=240,
                )  # fmt: skip
                assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
                return done.stdout

            prefect("work-pool", "create", "rudprk", "--type", "process")
            deployed = prefect("--no-prompt", "deploy", "--all")
            assert "monitor/rudprk-monitor" in deployed and "digest/rudprk-digest" in deployed
            for name in ("w1", "w2"):
                log = (tmp_path / f"worker-{name}.log").open("wb")
                workers.append(
                    subprocess.Popen(
                        [*PREFECT, "worker", "start", "--pool", "rudprk", "--name", name],
                        env=env,
                        cwd=tmp_path,
                        stdout=log,
                        stderr=subprocess.STDOUT,
                        start_new_session=True,
                    )
                )
                log.close()
            api = httpx.Client(base_url=server.api_url, timeout=30)
            deployment = api.get("/deployments/name/monitor/rudprk-monitor").json()
            assert deployment["global_concurrency_limit"]["limit"] == 1, deployment
            assert deployment["concurrency_options"]["collision_strategy"] == "CANCEL_NEW"
            assert [s["schedule"]["cron"] for s in deployment["schedules"]] == ["*/15 * * * *"]

            def ask() -> str:
                created = api.post(
                    f"/deployments/{deployment['id']}/create_flow_run",
                    json={"parameters": {"force": True}},
                )
                assert created.status_code == 201, created.text
                return str(created.json()["id"])

            burst = wait_for([ask(), ask(), ask()], api, timeout=420)  # asked for at once
            later = [wait_for([ask()], api, timeout=240)[0] for _ in range(2)]
            found = api.post(
                "/artifacts/filter", json={"artifacts": {"key": {"any_": ["monitor-pass"]}}}
            )
            all_artifacts = found.json()
        finally:
            for worker in workers:
                os.killpg(worker.pid, signal.SIGTERM)
            for worker in workers:
                try:
                    worker.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(worker.pid, signal.SIGKILL)
                    worker.wait()
            server.stop()
        logs = "".join(p.read_text(errors="replace") for p in tmp_path.glob("worker-*.log"))

        runs = burst + later
        completed = [r for r in runs if r["state_type"] == "COMPLETED"]
        cancelled = [r for r in runs if r["state_type"] == "CANCELLED"]
        assert len(completed) + len(cancelled) == len(runs), logs[-4000:]
        assert all("concurrency limit" in (r["state"]["message"] or "") for r in cancelled)
        assert all(r["state_type"] == "COMPLETED" for r in later), logs[-4000:]
        assert len(completed) >= 3
        # Never two monitor runs at once.
        spans = sorted((r["start_time"], r["end_time"]) for r in completed)
        assert all(end <= start for (_, end), (start, _) in itertools.pairwise(spans))
        assert all(re.fullmatch(r"monitor \d{4}-\d\d-\d\d \d\d:\d\d UTC forced", r["name"])
                   for r in completed), [r["name"] for r in completed]  # fmt: skip

        # One artifact per completed run; their counts add up to what was stored and sent.
        ids = {r["id"] for r in completed}
        artifacts = [a for a in all_artifacts if a["flow_run_id"] in ids]
        assert len(artifacts) == len(completed)
        new_articles = sum(count(a, "New articles") for a in artifacts)
        sent = sum(count(a, "Alerts sent") for a in artifacts)

        engine = create_db_engine(database_url)
        with create_session_factory(engine)() as session:
            articles = session.scalar(select(func.count()).select_from(Article))
            urls = session.scalar(select(func.count(func.distinct(Article.url))))
            alerts = session.scalar(select(func.count()).select_from(Alert))
            delivered = session.scalar(
                select(func.count()).select_from(Delivery).where(Delivery.status == "sent")
            )
        engine.dispose()
        assert articles and articles == urls == new_articles  # each article stored once
        assert len(smtp.handler.messages) == sent == delivered == alerts == 2  # sent once each
        assert {m["X-Rudprk-Event-Type"] for m in smtp.handler.messages} == {
            "deployment",
            "agreement",
        }


def count(artifact: dict[str, Any], label: str) -> int:
    found = re.search(rf"^\| {re.escape(label)} \| (\d+) \|$", artifact["data"], re.MULTILINE)
    assert found, artifact["data"]
    return int(found[1])
