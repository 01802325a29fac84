"""The HTML report (``rudprk report``) at scale: stores 1k and 10k synthetic events (deployments
and agreements at every stage, two reporting articles each from a pool of 40 feeds, one alert
each), then prints, per size, the seconds to read the report's rows (:func:`storage.report.
load_report`), the seconds to render the page (:func:`flows.report.render_report`) and the
page's size, for everything and for the last 30 days.

    .venv/bin/python bench/report.py [--sizes 1000,10000]
        [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.engine import Engine

from flows.report import render_report
from storage.engine import create_db_engine, create_session_factory
from storage.keys import sha256_hex
from storage.migrate import upgrade_database
from storage.models import Alert, Article, Delivery, Event, EventArticle, Feed
from storage.report import load_report

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
FEEDS = 40
STAGES = ["signature", "ratification", "enactment", "entry into force", "arrangement", None]
PLACES = ["Kursk", "Belgorod", "Rason", "Vladivostok", "Pyongyang", "Khasan"]


def fill(engine: Engine, events: int) -> None:
    """``events`` events over two years, two articles and one sent alert each."""
    with engine.begin() as conn:
        conn.execute(
            insert(Feed),
            [
                {
                    "url": f"https://feed{i}.bench/rss",
                    "name": f"Feed {i}",
                    "language": "en" if i % 2 else "fr",
                    "enabled": True,
                    "created_at": NOW - timedelta(days=800),
                    "error_count": 3 if i % 7 == 0 else 0,
                    "last_error": "HTTP 503" if i % 7 == 0 else None,
                    "entries_seen": 0,
                }
                for i in range(FEEDS)
            ],
        )
        articles: list[dict[str, Any]] = []
        rows: list[dict[str, Any]] = []
        links: list[dict[str, Any]] = []
        alerts: list[dict[str, Any]] = []
        deliveries: list[dict[str, Any]] = []
        for n in range(1, events + 1):
            seen = NOW - timedelta(hours=n * 17520 / events)
            deployment = n % 3 != 0
            for k in (0, 1):
                article_id = 2 * n - 1 + k
                articles.append(
                    {
                        "id": article_id,
                        "feed_id": 1 + (n + 7 * k) % FEEDS,
                        "guid": f"a{article_id}",
                        "guid_hash": sha256_hex(f"a{article_id}"),
                        "url": f"https://feed.bench/story/{article_id}",
                        "url_hash": sha256_hex(f"u{article_id}"),
                        "content_hash": sha256_hex(f"c{article_id}"),
                        "title": f"Story {article_id} on Russia and North Korea",
                        "summary": "…",
                        "published_at": seen - timedelta(hours=1),
                        "discovered_at": seen,
                    }
                )
                links.append(
                    {
                        "event_id": n,
                        "article_id": article_id,
                        "role": "report" if k else "origin",
                        "linked_at": seen,
                    }
                )
            rows.append(
                {
                    "id": n,
                    "event_type": "deployment" if deployment else "agreement",
                    "modality": "new",
                    "summary": f"Event {n}: North Korea and Russia",
                    "evidence": "…",
                    "figure_low": 1000 + n % 50 * 200 if deployment else None,
                    "figure_high": 1500 + n % 50 * 300 if deployment else None,
                    "figure_unit": "troops" if deployment else None,
                    "stage": None if deployment else STAGES[n % len(STAGES)],
                    "status": "alleged",
                    "place": PLACES[n % len(PLACES)],
                    "event_date": seen.date() if n % 4 else date(2026, 1, 1 + n % 28),
                    "date_precision": "day",
                    "actors": ["North Korea", "Russia"],
                    "additional": False,
                    "confidence": 0.9,
                    "first_article_id": 2 * n - 1,
                    "first_seen_at": seen,
                    "last_seen_at": seen,
                }
            )
            alerts.append(
                {
                    "id": n,
                    "event_id": n,
                    "kind": "new",
                    "dedup_key": f"event:{n}:new",
                    "message_id": f"<{n}@bench>",
                    "created_at": seen,
                }
            )
            deliveries.append(
                {
                    "alert_id": n,
                    "channel": "email",
                    "status": "sent",
                    "attempts": 1,
                    "sent_at": seen,
                    "next_attempt_at": seen,
                    "created_at": seen,
                }
            )
        conn.execute(insert(Article), articles)
        conn.execute(insert(Event), rows)
        conn.execute(insert(EventArticle), links)
        conn.execute(insert(Alert), alerts)
        conn.execute(insert(Delivery), deliveries)


def measure(engine: Engine, since: datetime | None) -> tuple[int, float, float, float]:
    factory = create_session_factory(engine)
    start = time.perf_counter()
    with factory() as session:
        data = load_report(session, since=since)
    loaded = time.perf_counter()
    page = render_report(data, NOW)
    rendered = time.perf_counter()
    return len(data.events), loaded - start, rendered - loaded, len(page.encode()) / 1e6


def run(name: str, engine: Engine, sizes: list[int]) -> None:
    for size in sizes:
        with engine.begin() as conn:
            for table in ("deliveries", "alerts", "event_articles", "events", "articles", "feeds"):
                conn.execute(text(f"DELETE FROM {table}"))
        fill(engine, size)
        for label, since in (("all", None), ("30d", NOW - timedelta(days=30))):
            events, load_s, render_s, megabytes = measure(engine, since)
            print(
                f"{name:10} {size:>6} events  {label:>3}: {events:>6} shown  "
                f"load {load_s:6.2f} s  render {render_s:6.2f} s  page {megabytes:5.1f} MB"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--postgres", default=None, help="a PostgreSQL URL to run on as well")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as folder:
        engine = create_db_engine(f"sqlite:///{Path(folder) / 'bench.sqlite3'}")
        upgrade_database(engine)
        run("sqlite", engine, sizes)
        engine.dispose()
    if args.postgres:
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        admin = create_db_engine(args.postgres)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        sep = "&" if "?" in args.postgres else "?"
        engine = create_db_engine(f"{args.postgres}{sep}options=-csearch_path%3D{schema}")
        try:
            upgrade_database(engine)
            run("postgresql", engine, sizes)
        finally:
            engine.dispose()
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()


if __name__ == "__main__":
    main()
