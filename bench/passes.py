"""What the pass benchmarks share: fresh databases on each backend, settings, timed stages.

SQLite is a file in a temporary folder; PostgreSQL (when ``RUDPRK_TEST_DATABASE_URL`` is set)
is a schema created for the run and dropped after it, as the tests do.
"""

from __future__ import annotations

import os
import resource
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import text

from flows.pipeline import (
    PassIdentity,
    analysis_stage,
    delivery_stage,
    harvest_stage,
    opened_database,
)
from flows.predetect import Predetection
from flows.settings import Settings
from storage.engine import create_db_engine

PG_URL = os.environ.get("RUDPRK_TEST_DATABASE_URL")


def backends(only: str | None = None) -> list[str]:
    names = ["sqlite"] + (["postgresql"] if PG_URL else [])
    return [b for b in names if only in (None, b)]


@contextmanager
def fresh_database(backend: str, folder: Path, name: str) -> Iterator[str]:
    """The URL of an empty database (the pass migrates it)."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / name}.sqlite3"
        return
    assert PG_URL, "RUDPRK_TEST_DATABASE_URL is not set"
    schema = f"b_{uuid.uuid4().hex[:12]}"
    admin = create_db_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in PG_URL else "?"
    try:
        yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def database_bytes(backend: str, url: str) -> int:
    """The size of the database on disk (SQLite file; PostgreSQL: the schema's relations)."""
    if backend == "sqlite":
        path = Path(url.removeprefix("sqlite:///"))
        return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))
    engine = create_db_engine(url)
    try:
        with engine.connect() as conn:
            size = conn.execute(
                text(
                    "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'm')"
                )
            ).scalar_one()
        return int(size)
    finally:
        engine.dispose()


def bench_settings(url: str, sources: Path, data_dir: Path, **extra: object) -> Settings:
    data_dir.mkdir(parents=True, exist_ok=True)
    return Settings(
        database_url=url,
        sources_path=sources,
        data_dir=data_dir,
        digest_hour=None,
        user_agent="rudprk-watch/bench (+loopback)",
        **extra,  # type: ignore[arg-type]
    )


@dataclass
class PassTimes:
    harvest: float = 0.0
    analysis: float = 0.0
    delivery: float = 0.0
    articles_new: int = 0
    analysed: int = 0
    relevant: int = 0
    events_new: int = 0
    alerts_enqueued: int = 0
    failed: int = 0
    cpu: float = 0.0  # CPU seconds of the pass: this process (every thread) and its children
    extra: dict[str, float] = field(default_factory=dict)

    @property
    def total(self) -> float:
        return self.harvest + self.analysis + self.delivery


def cpu_seconds() -> float:
    """CPU seconds of this process (every thread) and of its children that have ended: the
    pass's parse and detection processes end with their stage, so a pass's delta counts them
    (the loopback sites' process ends after the measurements)."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


def timed_pass(
    settings: Settings,
    now: datetime,
    *,
    force: bool = False,
    predetect: bool = True,
    detect_processes: int | None = None,
) -> PassTimes:
    """The stages of ``run_pass`` (opening and migrating the database included in harvest);
    ``predetect=False`` leaves all detection to the analysis stage; ``detect_processes``
    (``None``: the default) is :class:`~flows.predetect.Predetection`'s ``processes``."""
    times = PassTimes()
    who = PassIdentity.new("bench")
    cpu = cpu_seconds()
    start = time.perf_counter()
    with (
        opened_database(settings.database_dsn()) as factory,
        Predetection(detect_processes) as predetection,
    ):
        pre = predetection if predetect else None
        harvest = harvest_stage(factory, settings, now, who, force=force, predetection=pre)
        times.harvest = time.perf_counter() - start
        start = time.perf_counter()
        analysis = analysis_stage(factory, settings, now, who, harvest, pre)
        times.analysis = time.perf_counter() - start
        start = time.perf_counter()
        delivery_stage(factory, settings, now, who)
        times.delivery = time.perf_counter() - start
    times.cpu = cpu_seconds() - cpu
    times.articles_new = len(harvest.new_article_ids)
    times.analysed = analysis.articles
    times.relevant = analysis.relevant
    times.events_new = analysis.events_new
    times.alerts_enqueued = analysis.alerts_enqueued
    times.failed = analysis.failed
    return times
