"""The Prefect 3 flows ``monitor`` (the same pass as ``rudprk run``, one thin task per stage) and
``digest`` (the due daily digest and the outbox, as the delivery stage of a pass).

Parameters are plain values only (``force``; the tasks get the pass's time and lock identity):
the flow and each task load and validate the settings themselves, so no secret (SMTP password,
database URL) is ever a flow or task parameter, stored in Prefect's database or shown in its UI.

Each run is named after its scheduled time (``monitor 2026-12-04 02:15 UTC``), publishes a
markdown artifact (:func:`flows.runreport.pass_markdown`), and ends in a state that says how it
went: ``Failed`` when the pass's exit code is not 0 (alerts undelivered, every feed failed, the
database failing, a lock held), ``Degraded`` (a Completed state) when some feeds failed,
``Idle`` when no feed was due and nothing was sent, else ``Completed``. The project's log records
(feed warnings with their keys) are forwarded to the run's logs. A task is retried only when the
database failed transiently; a flow run has a timeout.
"""

import time
from datetime import UTC, datetime
from typing import Any

from prefect import Task, flow, get_run_logger, task
from prefect.client.schemas.objects import State, TaskRun
from prefect.states import Completed, Failed

from alerts.delivery import DeliveryReport
from flows import pipeline
from flows.health import ExitCode, PassSummary
from flows.ingest.harvest import HarvestReport
from flows.runlog import forwarded_logs
from flows.runreport import STATE_NAMES, pass_markdown, pass_outcome, pass_run_name
from flows.settings import load_settings
from storage.errors import (
    DatabaseFaultError,
    DatabaseUnavailableError,
    LockHeldError,
    LockLostError,
)

# A pass longer than this is stopped by Prefect (each request has its own timeout; many feeds
# timing out at once could otherwise make a pass run into the next ones).
MONITOR_TIMEOUT_SECONDS = 30 * 60
DIGEST_TIMEOUT_SECONDS = 10 * 60
TASK_RETRIES = 2
TASK_RETRY_DELAYS: list[float] = [30.0, 120.0]


def transient_fault(task: Task[Any, Any], task_run: TaskRun, state: State[Any]) -> bool:
    """Retry a stage only when the database failed or was unreachable (it may come back);
    a lock held by another pass, a bad configuration or a bug are not retried."""
    try:
        error = state.result(raise_on_failure=False)
    except Exception:  # the result could not be read: do not retry blindly
        return False
    return isinstance(error, DatabaseFaultError | DatabaseUnavailableError)


def run_name(flow_name: str) -> str:
    """The current run's name from its scheduled time (now, for a run started by hand)."""
    from prefect.runtime import flow_run

    scheduled = flow_run.scheduled_start_time
    force = bool((flow_run.parameters or {}).get("force"))
    return pass_run_name(scheduled, force=force, flow=flow_name)


def monitor_run_name() -> str:
    return run_name("monitor")


def digest_run_name() -> str:
    return run_name("digest")


def publish(summary: PassSummary, *, key: str, title: str) -> None:
    """The run's markdown artifact; failing to publish it is logged, never fails the run."""
    from prefect.artifacts import create_markdown_artifact

    try:
        create_markdown_artifact(
            markdown=pass_markdown(summary, title=title),
            key=key,
            description=f"{title}: {summary.line().splitlines()[0]}",
        )
    except Exception as exc:
        get_run_logger().warning("run artifact not published: %s", exc)


def final_state(summary: PassSummary) -> dict[str, Any] | State[Any]:
    """The run's end: its data is the summary; the state name says how the pass went."""
    logger = get_run_logger()
    data = summary.to_dict()
    outcome = pass_outcome(summary)
    if outcome == "failed":
        logger.error("pass ended with exit code %d: %s", summary.exit_code, summary.line())
        return Failed(message=f"exit code {int(summary.exit_code)} ({summary.status})", data=data)
    logger.info("pass complete: %s", summary.line())
    if outcome == "ok":
        return data
    message = (
        f"{summary.feeds_failed} of {summary.feeds} feeds failed"
        if outcome == "degraded"
        else "no feed was due and nothing was sent"
    )
    return Completed(name=STATE_NAMES[outcome], message=message, data=data)


@task(
    name="harvest-feeds",
    retries=TASK_RETRIES,
    retry_delay_seconds=TASK_RETRY_DELAYS,
    retry_condition_fn=transient_fault,
)
def harvest_task(now: datetime, who: pipeline.PassIdentity, force: bool = False) -> HarvestReport:
    # Retries for transient HTTP faults happen per feed inside harvest, not here.
    settings = load_settings()
    with pipeline.opened_database(settings.database_dsn()) as factory:
        return pipeline.harvest_stage(factory, settings, now, who, force=force)


@task(
    name="analyse-articles",
    retries=TASK_RETRIES,
    retry_delay_seconds=TASK_RETRY_DELAYS,
    retry_condition_fn=transient_fault,
)
def analyse_task(now: datetime, who: pipeline.PassIdentity) -> pipeline.AnalysisReport:
    settings = load_settings()
    with pipeline.opened_database(settings.database_dsn()) as factory:
        return pipeline.analysis_stage(factory, settings, now, who)


@task(
    name="deliver-alerts",
    retries=TASK_RETRIES,
    retry_delay_seconds=TASK_RETRY_DELAYS,
    retry_condition_fn=transient_fault,
)
def deliver_task(now: datetime, who: pipeline.PassIdentity) -> DeliveryReport:
    # Undelivered alerts stay due in the outbox and go out on a later pass.
    settings = load_settings()
    with pipeline.opened_database(settings.database_dsn()) as factory:
        return pipeline.delivery_stage(factory, settings, now, who)


@flow(name="monitor", flow_run_name=monitor_run_name, timeout_seconds=MONITOR_TIMEOUT_SECONDS)
def monitor(force: bool = False) -> dict[str, Any] | State[Any]:
    """One monitoring pass: feeds → SQL store → detection → alert e-mails.

    ``force`` checks every enabled feed now, whatever its next check time.
    """
    with forwarded_logs(get_run_logger()):
        summary = monitor_pass(force)
    publish(summary, key="monitor-pass", title="Monitor pass")
    return final_state(summary)


def monitor_pass(force: bool) -> PassSummary:
    started = time.monotonic()
    settings = load_settings()
    now = datetime.now(UTC)
    who = pipeline.PassIdentity.new("prefect flow monitor")
    harvest = HarvestReport(feeds=[])
    analysis = pipeline.AnalysisReport()
    delivery = DeliveryReport()
    stopped: tuple[ExitCode, str] | None = None
    try:
        harvest = harvest_task(now, who, force)
        analysis = analyse_task(now, who)
        delivery = deliver_task(now, who)
    except (DatabaseFaultError, LockHeldError, LockLostError) as exc:
        stopped = pipeline.stopped_by(exc)
    summary = pipeline.summarise(harvest, analysis, delivery, 0)
    summary.timestamp = now.isoformat()
    with pipeline.opened_database(settings.database_dsn()) as factory:
        pipeline.finish_summary(summary, factory, stopped)
    summary.seconds = round(time.monotonic() - started, 3)
    return summary


@flow(name="digest", flow_run_name=digest_run_name, timeout_seconds=DIGEST_TIMEOUT_SECONDS)
def digest() -> dict[str, Any] | State[Any]:
    """The daily digest once its period is over (RUDPRK_DIGEST_HOUR, RUDPRK_TIMEZONE), then
    everything due in the outbox: a pass's delivery stage, on its own schedule. A digest is
    recorded once per period, whichever of this flow and a pass gets there first."""
    with forwarded_logs(get_run_logger()):
        started = time.monotonic()
        settings = load_settings()
        now = datetime.now(UTC)
        who = pipeline.PassIdentity.new("prefect flow digest")
        delivery = DeliveryReport()
        stopped: tuple[ExitCode, str] | None = None
        try:
            delivery = deliver_task(now, who)
        except (DatabaseFaultError, LockHeldError, LockLostError) as exc:
            stopped = pipeline.stopped_by(exc)
        summary = pipeline.summarise(
            HarvestReport(feeds=[]), pipeline.AnalysisReport(), delivery, 0
        )
        summary.timestamp = now.isoformat()
        with pipeline.opened_database(settings.database_dsn()) as factory:
            pipeline.finish_summary(summary, factory, stopped)
        summary.seconds = round(time.monotonic() - started, 3)
    publish(summary, key="digest-run", title="Digest")
    return final_state(summary)


def run_monitor(force: bool = False) -> PassSummary:
    """Run the flow once (``rudprk run --prefect``) and return its summary, failed or not."""
    state = monitor(force=force, return_state=True)
    data = state.result(raise_on_failure=False)
    if isinstance(data, BaseException):
        raise data
    if not isinstance(data, dict):
        raise TypeError(f"the monitor flow returned {type(data).__name__}, not a summary")
    return PassSummary.from_dict(data)
