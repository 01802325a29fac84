"""``rudprk check``: is this installation ready to run unattended? One result per check.

Checks, in order: the settings, the sources file, the database (reachable, migration state),
each alert channel (SMTP connection and login; Apprise URLs accepted), the Prefect server of
PREFECT_API_URL when it is set, the learned models,
and, unless skipped, every feed (fetched and parsed, nothing stored). Nothing is written: the
database is not migrated and no feed's state changes.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import httpx

from alerts.errors import AlertsError
from flows.ingest.harvest import HarvestConfig, ProbeResult, probe_feed
from flows.settings import Settings, SettingsError, load_settings
from flows.sources import SourcesError, load_sources
from storage.errors import StorageError
from storage.feeds import FeedSource

CheckStatus = Literal["ok", "warn", "fail", "skip"]

# At most this many feeds are fetched at once.
FEED_CONCURRENCY = 8


@dataclass(frozen=True)
class CheckResult:
    """One line of ``rudprk check``: what was checked, how it went, and why."""

    name: str
    status: CheckStatus
    detail: str

    def line(self) -> str:
        return f"{self.status:<4}  {self.name}: {self.detail}"


def check_settings(env: Mapping[str, str] | None = None) -> tuple[CheckResult, Settings | None]:
    try:
        settings = load_settings(env)
    except SettingsError as exc:
        return CheckResult("settings", "fail", str(exc)), None
    smtp = f"SMTP {settings.smtp_host}:{settings.smtp_port}" if settings.smtp_host else "outbox"
    return (
        CheckResult(
            "settings",
            "ok",
            f"database {settings.database_url}, alerts by {smtp}, schedule {settings.schedule!r}",
        ),
        settings,
    )


def check_sources(path: Path) -> tuple[CheckResult, list[FeedSource]]:
    try:
        sources = load_sources(path)
    except SourcesError as exc:
        return CheckResult("sources", "fail", str(exc)), []
    return CheckResult("sources", "ok", f"{len(sources)} feed(s) in {path}"), sources


def check_database(settings: Settings) -> tuple[CheckResult, list[FeedSource]]:
    """Reachable, and at the code's migration head; returns the enabled feeds stored."""
    from storage.engine import check_connection, create_db_engine, create_session_factory
    from storage.feeds import list_feeds
    from storage.migrate import current_revision, head_revision

    try:
        engine = create_db_engine(settings.database_dsn())
    except StorageError as exc:
        return CheckResult("database", "fail", str(exc)), []
    try:
        check_connection(engine)
        current = current_revision(engine)
        head = head_revision()
        if current is None:
            return (
                CheckResult(
                    "database",
                    "warn",
                    f"reachable, no schema yet (head {head}); the first pass or rudprk db upgrade "
                    "creates it",
                ),
                [],
            )
        with create_session_factory(engine)() as session:
            stored = [
                FeedSource(f.name, f.url, f.language) for f in list_feeds(session) if f.enabled
            ]
        if current != head:
            return (
                CheckResult(
                    "database",
                    "warn",
                    f"at revision {current}, head is {head}; the next pass or rudprk db upgrade "
                    "migrates it",
                ),
                stored,
            )
        return CheckResult("database", "ok", f"reachable, at revision {head} (head)"), stored
    except StorageError as exc:
        return CheckResult("database", "fail", str(exc)), []
    finally:
        engine.dispose()


def check_channels(settings: Settings) -> list[CheckResult]:
    """The SMTP server (connect, TLS, login; no message sent) and each Apprise channel's URL."""
    from alerts.channels import AppriseChannel
    from flows.pipeline import make_mailer

    results: list[CheckResult] = []
    if settings.smtp_host:
        mailer = make_mailer(settings)
        try:
            with mailer:
                pass
        except AlertsError as exc:
            results.append(CheckResult("smtp", "fail", str(exc)))
        else:
            login = f", logged in as {settings.smtp_user!r}" if settings.smtp_user else ""
            results.append(
                CheckResult(
                    "smtp",
                    "ok",
                    f"{settings.smtp_host}:{settings.smtp_port} (tls={settings.smtp_tls}) "
                    f"answers{login}",
                )
            )
    else:
        results.append(
            CheckResult("smtp", "skip", f"no RUDPRK_SMTP_HOST: alerts go to {settings.outbox_dir}")
        )
    try:
        channels = settings.rules().channels
    except (SettingsError, AlertsError) as exc:
        return [*results, CheckResult("rules", "fail", str(exc))]
    for channel in channels.values():
        try:
            with AppriseChannel(channel.name, channel.url):
                pass
        except AlertsError as exc:
            results.append(CheckResult(f"channel {channel.name}", "fail", str(exc)))
        else:
            results.append(
                CheckResult(f"channel {channel.name}", "ok", "URL accepted (nothing posted)")
            )
    return results


def check_prefect(env: Mapping[str, str]) -> CheckResult:
    """The Prefect server of PREFECT_API_URL answers (``rudprk serve`` and ``run --prefect``)."""
    from flows.serve import PrefectServerError, check_api

    api_url = env.get("PREFECT_API_URL")
    if not api_url:
        return CheckResult("prefect", "skip", "no PREFECT_API_URL: rudprk serve starts its own")
    try:
        check_api(api_url)
    except PrefectServerError as exc:
        return CheckResult("prefect", "fail", str(exc))
    return CheckResult("prefect", "ok", f"{api_url} answers")


def check_models() -> CheckResult:
    from alerts.detection.learned import model_set

    try:
        models = model_set()
    except AlertsError as exc:
        return CheckResult("models", "fail", str(exc))
    return CheckResult(
        "models", "ok", f"model set {models.version} loaded ({len(models.heads)} heads)"
    )


def _feed_result(source: FeedSource, probe: ProbeResult) -> CheckResult:
    name = f"feed {source.name}"
    if probe.feed is None:
        return CheckResult(name, "fail", f"{source.url}: {probe.error or 'not a feed'}")
    moved = f", moved permanently to {probe.permanent_redirect}" if probe.permanent_redirect else ""
    return CheckResult(
        name, "ok", f"{source.url}: {probe.feed.format}, {len(probe.feed.entries)} entries{moved}"
    )


def check_feeds(
    sources: list[FeedSource],
    settings: Settings,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
) -> list[CheckResult]:
    """Fetch and parse every feed, a few at a time; one result per feed, in the given order."""
    config = HarvestConfig(user_agent=settings.user_agent, timeout_seconds=settings.timeout_seconds)

    async def probe_all() -> list[ProbeResult]:
        gate = asyncio.Semaphore(FEED_CONCURRENCY)

        async def one(url: str) -> ProbeResult:
            async with gate:
                return await probe_feed(url, config=config, transport=transport)

        return await asyncio.gather(*(one(s.url) for s in sources))

    probes = asyncio.run(probe_all()) if sources else []
    return [_feed_result(s, p) for s, p in zip(sources, probes, strict=True)]


def run_checks(
    *,
    feeds: bool = True,
    env: Mapping[str, str] | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> list[CheckResult]:
    """Every check, in order; without valid settings, only that one."""
    first, settings = check_settings(env)
    if settings is None:
        return [first]
    results = [first]
    sources_result, sources = check_sources(settings.sources_path)
    database_result, stored = check_database(settings)
    results += [sources_result, database_result, *check_channels(settings)]
    results += [check_prefect(os.environ if env is None else env), check_models()]
    if feeds:
        by_url = {s.url: s for s in stored}
        by_url.update({s.url: s for s in sources})
        results += check_feeds(list(by_url.values()), settings, transport=transport)
    else:
        results.append(CheckResult("feeds", "skip", "--no-feeds"))
    return results
