"""The Prefect 3 flow ``monitor``: the same pass as ``rudprk run``, one thin task per stage.

No ``from __future__ import annotations`` here: Prefect validates flow parameters with pydantic,
which needs the real ``Settings`` type at run time.
"""

import time
from datetime import UTC, datetime
from typing import Any

from prefect import flow, get_run_logger, task

from alerts.delivery import DeliveryReport
from flows import pipeline
from flows.ingest.harvest import HarvestReport
from flows.settings import Settings, load_settings


@task(name="sync-sources")
def sync_sources_task(settings: Settings, now: datetime) -> int:
    with pipeline.opened_database(settings.database_url) as factory:
        return pipeline.sync_sources(factory, settings, now)


@task(name="harvest-feeds")
def harvest_task(settings: Settings, now: datetime, force: bool = False) -> HarvestReport:
    # Retries for transient HTTP faults happen per feed inside harvest, not here.
    with pipeline.opened_database(settings.database_url) as factory:
        return pipeline.ingest_feeds(factory, settings, now, force=force)


@task(name="analyse-articles")
def analyse_task(settings: Settings, now: datetime) -> pipeline.AnalysisReport:
    with pipeline.opened_database(settings.database_url) as factory:
        return pipeline.analyse_pending(factory, now, settings.freshness_hours)


@task(name="deliver-alerts")
def deliver_task(settings: Settings, now: datetime) -> tuple[DeliveryReport, int]:
    # Undelivered alerts stay pending in the outbox and go out on the next pass.
    with pipeline.opened_database(settings.database_url) as factory:
        pipeline.enqueue_due_digest(factory, now, settings.digest_hour)
        report = pipeline.deliver_alerts(factory, settings, now)
        return report, pipeline.count_pending_alerts(factory)


@flow(name="monitor")
def monitor(settings: Settings | None = None, force: bool = False) -> dict[str, Any]:
    """One monitoring pass: feeds → SQL store → detection → alert e-mails.

    ``force`` checks every enabled feed now, whatever its next check time.
    """
    started = time.monotonic()
    settings = settings or load_settings()
    now = datetime.now(UTC)
    sync_sources_task(settings, now)
    harvest = harvest_task(settings, now, force)
    analysis = analyse_task(settings, now)
    delivery, pending = deliver_task(settings, now)
    summary = pipeline.summarise(harvest, analysis, delivery, pending)
    summary.seconds = round(time.monotonic() - started, 3)
    get_run_logger().info("pass complete: %s", summary.line())
    return summary.__dict__
