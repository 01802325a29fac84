"""How a pass reads in Prefect, tested without Prefect running: outcome, run name, markdown
artifact, the deployments (``rudprk serve`` and ``prefect.yaml`` agree), the log forwarding and
the retry rule."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
import yaml

from flows.health import ExitCode, PassSummary
from flows.runlog import forwarded_logs
from flows.runreport import pass_markdown, pass_outcome, pass_run_name
from flows.serve import deployment_specs
from flows.settings import SettingsError, load_settings
from storage.errors import DatabaseFaultError, DatabaseUnavailableError, LockHeldError

ROOT = Path(__file__).resolve().parent.parent


def summary(**values: object) -> PassSummary:
    return PassSummary(timestamp="2026-12-04T02:15:00+00:00", **values)  # type: ignore[arg-type]


def test_outcome_of_a_pass() -> None:
    assert pass_outcome(summary(feeds=3, articles_new=2)) == "ok"
    assert pass_outcome(summary(feeds=3, feeds_failed=1)) == "degraded"
    assert pass_outcome(summary(feeds=3, feeds_failed=3)) == "failed"  # exit 4
    assert pass_outcome(summary()) == "idle"
    assert pass_outcome(summary(alerts_sent=1)) == "ok"  # a delivery catch-up did something
    stopped = summary(feeds=3)
    stopped.stop(ExitCode.LOCKED, "lock held")
    assert pass_outcome(stopped) == "failed"
    assert pass_outcome(summary(feeds=2, delivery_error="relay down")) == "failed"


def test_run_name() -> None:
    moment = datetime(2026, 12, 4, 3, 15, 42, tzinfo=timezone(timedelta(hours=1)))
    assert pass_run_name(moment) == "monitor 2026-12-04 02:15 UTC"
    assert pass_run_name(moment, force=True) == "monitor 2026-12-04 02:15 UTC forced"
    assert pass_run_name(moment, flow="digest") == "digest 2026-12-04 02:15 UTC"


def test_markdown_artifact_names_failing_feeds_with_reasons_and_alerts() -> None:
    text = pass_markdown(
        summary(
            feeds=3,
            feeds_failed=1,
            entries_seen=40,
            articles_new=5,
            events_new=2,
            alerts_sent=1,
            alerts_pending=1,
            seconds=12.34,
            failed_feeds=[
                {
                    "name": "Wire | Asia",
                    "url": "https://w.test/rss",
                    "error_count": 4,
                    "error": "HTTP 503\nService Unavailable",
                },
            ],
            delivered=["[rudprk] Troops sent"],
            undelivered=[
                {
                    "alert_id": 7,
                    "channel": "email",
                    "state": "failed",
                    "attempts": 1,
                    "last_error": "550 mailbox unavailable",
                    "next_attempt_at": None,
                },
            ],
        )
    )
    assert text.startswith("# Monitor pass: failed\n")  # the undelivered alert
    assert "| Feeds checked | 3 |" in text and "| New articles | 5 |" in text
    assert "| Alerts pending | 1 |" in text
    # One table row per failing feed, its pipe escaped and its reason on one line.
    assert "| Wire \\| Asia | https://w.test/rss | 4 | HTTP 503 Service Unavailable |" in text
    assert "- [rudprk] Troops sent" in text
    assert "alert 7 (email) refused after 1 attempt" in text and "550 mailbox" in text
    assert "exit code 3 (alerts_undelivered)" in text


def test_serve_and_prefect_yaml_declare_the_same_deployments(tmp_path: Path) -> None:
    specs = {s.name: s for s in deployment_specs(load_settings({}, cwd=tmp_path))}
    declared = yaml.safe_load((ROOT / "prefect.yaml").read_text(encoding="utf-8"))
    deployments = {d["name"]: d for d in declared["deployments"]}
    assert set(deployments) == set(specs) == {"rudprk-monitor", "rudprk-digest"}
    for name, spec in specs.items():
        item = deployments[name]
        assert item["entrypoint"] == spec.entrypoint
        assert item["schedules"] == [{"cron": spec.cron, "timezone": spec.timezone}]
        assert item["concurrency_limit"] == {
            "limit": spec.concurrency_limit,
            "collision_strategy": spec.collision_strategy,
        }
        assert item["work_pool"]["name"] == "rudprk"
        # Settings (and so secrets) are read by each run on the worker, never parameters.
        assert set(item.get("parameters") or {}) <= {"force"}
        module, _, function = spec.entrypoint.partition(":")
        flow = getattr(__import__(module, fromlist=[function]), function)
        assert flow.name == spec.flow
    assert specs["rudprk-monitor"].collision_strategy == "CANCEL_NEW"
    assert declared["prefect-version"] == __import__("prefect").__version__


def test_deployments_follow_the_settings(tmp_path: Path) -> None:
    env = {
        "RUDPRK_SCHEDULE": "@hourly",
        "RUDPRK_DIGEST_HOUR": "6",
        "RUDPRK_TIMEZONE": "Europe/Paris",
    }
    monitor, digest = deployment_specs(load_settings(env, cwd=tmp_path))
    assert (monitor.cron, monitor.timezone) == ("0 * * * *", "UTC")
    assert (digest.cron, digest.timezone) == ("0 6 * * *", "Europe/Paris")
    off = deployment_specs(load_settings({"RUDPRK_DIGEST_HOUR": "off"}, cwd=tmp_path))
    assert [s.flow for s in off] == ["monitor"]


def test_an_interval_replaces_the_monitors_cron_and_leaves_the_digest(tmp_path: Path) -> None:
    from flows.serve import runner_deployments

    monitor, digest = deployment_specs(load_settings({}, cwd=tmp_path), interval=30)
    assert (monitor.interval, digest.interval) == (30, None)
    built = {d.name: d for d in runner_deployments([monitor, digest])}
    (monitor_schedule,) = built["rudprk-monitor"].schedules
    (digest_schedule,) = built["rudprk-digest"].schedules
    assert monitor_schedule.schedule.interval.total_seconds() == 30
    assert digest_schedule.schedule.cron == digest.cron


def test_project_warnings_reach_the_run_logger_with_their_keys() -> None:
    class Target(logging.Handler):
        def __init__(self) -> None:
            super().__init__()
            self.lines: list[tuple[int, str]] = []

        def emit(self, record: logging.LogRecord) -> None:
            self.lines.append((record.levelno, record.getMessage()))

    run_logger = logging.getLogger("test.run-logger")
    run_logger.propagate = False
    target = Target()
    run_logger.addHandler(target)
    feed_log = logging.getLogger("flows.ingest.harvest")
    with forwarded_logs(run_logger):
        feed_log.warning("feed failed", extra={"feed": "Wire", "error": "HTTP 503"})
    feed_log.warning("after the run")
    assert target.lines == [
        (logging.WARNING, "flows.ingest.harvest: feed failed feed='Wire' error='HTTP 503'")
    ]


NOW = datetime(2026, 12, 4, 2, 15, tzinfo=UTC)


@pytest.mark.parametrize(
    ("error", "retried"),
    [
        (DatabaseFaultError("the database failed: server closed the connection"), True),
        (DatabaseUnavailableError("cannot connect to database"), True),
        (LockHeldError("harvest", "rudprk run, pid 1 on h", NOW, NOW), False),
        (SettingsError("RUDPRK_SMTP_TLS", "bad"), False),
        (ValueError("a bug"), False),
    ],
)
def test_only_transient_faults_are_retried(error: Exception, retried: bool) -> None:
    from prefect.states import Failed

    from flows.monitor import harvest_task, transient_fault

    assert transient_fault(harvest_task, None, Failed(data=error)) is retried  # type: ignore[arg-type]


def test_monitor_flow_has_a_timeout_and_named_runs() -> None:
    from flows.monitor import digest, monitor

    assert monitor.timeout_seconds and digest.timeout_seconds
    assert callable(monitor.flow_run_name) and callable(digest.flow_run_name)
