"""The Prefect 3 flow ``monitor``: the same pass as ``rudprk run``, one thin task per stage.

Parameters are plain values only (``force``; the tasks get the pass's time and lock identity):
the flow and each task load and validate the settings themselves, so no secret (SMTP password,
database URL) is ever a flow or task parameter, stored in Prefect's database or shown in its UI.

A pass that ends with a non-zero exit code (alerts undelivered, every feed failed, the
database failing, a lock held) ends in the ``Failed`` state, with the summary as its data.
"""

import time
from datetime import UTC, datetime
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.client.schemas.objects import State
from prefect.states import Failed

from alerts.delivery import DeliveryReport
from flows import pipeline
from flows.health import ExitCode, PassSummary
from flows.ingest.harvest import HarvestReport
from flows.settings import load_settings
from storage.errors import DatabaseFaultError, LockHeldError, LockLostError


@task(name="harvest-feeds")
def harvest_task(now: datetime, who: pipeline.PassIdentity, force: bool = False) -> HarvestReport:
    # Retries for transient HTTP faults happen per feed inside harvest, not here.
    settings = load_settings()
    with pipeline.opened_database(settings.database_dsn()) as factory:
        return pipeline.harvest_stage(factory, settings, now, who, force=force)


@task(name="analyse-articles")
def analyse_task(now: datetime, who: pipeline.PassIdentity) -> pipeline.AnalysisReport:
    settings = load_settings()
    with pipeline.opened_database(settings.database_dsn()) as factory:
        return pipeline.analysis_stage(factory, settings, now, who)


@task(name="deliver-alerts")
def deliver_task(now: datetime, who: pipeline.PassIdentity) -> DeliveryReport:
    # Undelivered alerts stay due in the outbox and go out on a later pass.
    settings = load_settings()
    with pipeline.opened_database(settings.database_dsn()) as factory:
        return pipeline.delivery_stage(factory, settings, now, who)


@flow(name="monitor")
def monitor(force: bool = False) -> dict[str, Any] | State[Any]:
    """One monitoring pass: feeds → SQL store → detection → alert e-mails.

    ``force`` checks every enabled feed now, whatever its next check time.
    """
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
    logger = get_run_logger()
    data = summary.to_dict()
    if summary.exit_code is ExitCode.OK:
        logger.info("pass complete: %s", summary.line())
        return data
    logger.error("pass ended with exit code %d: %s", summary.exit_code, summary.line())
    return Failed(message=f"exit code {int(summary.exit_code)} ({summary.status})", data=data)


def run_monitor(force: bool = False) -> PassSummary:
    """Run the flow once (``rudprk run --prefect``) and return its summary, failed or not."""
    state = monitor(force=force, return_state=True)
    data = state.result(raise_on_failure=False)
    if isinstance(data, BaseException):
        raise data
    if not isinstance(data, dict):
        raise TypeError(f"the monitor flow returned {type(data).__name__}, not a summary")
    return PassSummary.from_dict(data)
