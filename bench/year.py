"""A year of feed traffic through the pipeline (issue 11): throughput, size, warm-pass growth.

    .venv/bin/python bench/year.py [--feeds 500] [--articles 200000] [--step 20]
        [--checkpoints 10000,100000,200000] [--backend sqlite|postgresql]

The loopback sites of ``bench/loopfeeds.py`` publish ``articles`` entries over a simulated year
(one entry per feed about every ``365 days × feeds / articles``), one in twelve a copy of another
feed's story (stored once: content deduplication), one in 500 on Russia–DPRK. Fill passes —
every feed with ``step`` new entries, all through ``rudprk run``'s stages — grow the store;
at the start (one entry per feed) and at each checkpoint of stored articles, a **warm pass**
(500 feeds checked, 5 of them with one new entry, the others answering 304) is timed three
times. The warm pass must stay flat (within 20 % of the first) while the store grows.

Prints per backend: articles/s of the fill passes, database size per 1,000 stored articles,
and the warm pass at each checkpoint with its ratio to the first and to a **naive poll**
measured right after it: one ``httpx.Client`` getting every feed and parsing it with
feedparser, one after another, with no conditional GET, no page and nothing stored (what a
warm pass must do at the least, less the five new pages).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import feedparser
import httpx
from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.coldpass import machine
from bench.loopfeeds import Layout, Sites
from bench.passes import backends, bench_settings, database_bytes, fresh_database, timed_pass
from storage.engine import create_db_engine
from storage.models import Article

YEAR_MINUTES = 365 * 24 * 60


def naive_poll(urls: list[str]) -> tuple[float, float]:
    """(seconds, CPU seconds) of getting and parsing every feed once, sequentially."""
    times = os.times()
    cpu = times.user + times.system
    start = time.perf_counter()
    with httpx.Client(timeout=30) as client:
        for url in urls:
            feedparser.parse(client.get(url).content)
    end = os.times()
    return time.perf_counter() - start, end.user + end.system - cpu


def stored_articles(url: str) -> int:
    engine = create_db_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(Article)).scalar_one())
    finally:
        engine.dispose()


def run_backend(
    backend: str, args: argparse.Namespace, folder: Path, checkpoints: list[int]
) -> dict[str, Any]:
    minutes = max(1, YEAR_MINUTES * args.feeds // args.articles)
    layout = Layout(
        feeds=args.feeds,
        hosts=args.hosts,
        window=max(args.step, 20),
        theme_every=500,
        copy_every=12,
        entry_minutes=minutes,
    )
    result: dict[str, Any] = {"warm": [], "fill": []}
    with Sites(layout, initial=1) as sites, fresh_database(backend, folder, "year") as url:
        sources = folder / f"sources-{backend}.toml"
        sources.write_text(sites.sources_toml(), encoding="utf-8")
        settings = bench_settings(url, sources, folder / f"data-{backend}")
        published = 1  # entries per feed so far

        def now() -> Any:
            return layout.published(0, published) + timedelta(hours=1)

        first = timed_pass(settings, now(), force=True)
        print(f"[{backend}] first pass: {first.articles_new} articles, {first.total:.1f} s")

        def warm(label: int) -> None:
            nonlocal published
            runs = []
            for _ in range(3):
                for n in range(5):
                    sites.publish((n * 97 + published) % args.feeds)
                published += 1  # time moves on (those 5 feeds got an entry)
                runs.append(timed_pass(settings, now(), force=True))
            seconds = statistics.median(r.total for r in runs)
            stored = stored_articles(url)
            row = {
                "checkpoint": label,
                "stored": stored,
                "seconds": round(seconds, 2),
                "cpu_seconds": round(statistics.median(r.cpu for r in runs), 2),
                "new_per_pass": [r.articles_new for r in runs],
            }
            base = result["warm"][0]["seconds"] if result["warm"] else seconds
            row["ratio_to_first"] = round(seconds / base, 2)
            naive, naive_cpu = naive_poll(sites.urls())
            row["naive_seconds"] = round(naive, 2)
            row["naive_cpu_seconds"] = round(naive_cpu, 2)
            row["ratio_to_naive"] = round(seconds / naive, 2)
            result["warm"].append(row)
            print(
                f"[{backend}] warm pass at {stored:>7} stored: {seconds:6.2f} s, CPU "
                f"{row['cpu_seconds']:5.2f} s (median of 3, {row['ratio_to_first']}× the first); "
                f"naive poll {naive:5.2f} s, CPU {naive_cpu:5.2f} s: "
                f"{row['ratio_to_naive']}× the naive poll",
                flush=True,
            )

        warm(0)
        for checkpoint in checkpoints:
            while stored_articles(url) < checkpoint:
                for n in range(args.feeds):
                    sites.publish(n, args.step)
                published += args.step
                started = time.perf_counter()
                times = timed_pass(settings, now(), force=True)
                seconds = time.perf_counter() - started
                result["fill"].append(
                    {"articles": times.articles_new, "seconds": round(seconds, 2)}
                )
                print(
                    f"[{backend}] fill pass: {times.articles_new} new in {seconds:6.1f} s "
                    f"({times.articles_new / seconds:6.1f} articles/s; relevant "
                    f"{times.relevant}, events {times.events_new})",
                    flush=True,
                )
            warm(checkpoint)
        stored = stored_articles(url)
        size = database_bytes(backend, url)
    fill_articles = sum(f["articles"] for f in result["fill"])
    fill_seconds = sum(f["seconds"] for f in result["fill"])
    result["stored"] = stored
    result["articles_per_second"] = round(fill_articles / fill_seconds, 1) if fill_seconds else 0
    result["database_megabytes"] = round(size / 1e6, 1)
    result["kilobytes_per_1000_articles"] = round(size / 1e3 / stored * 1000, 1)
    worst = max(w["ratio_to_first"] for w in result["warm"])
    result["warm_worst_ratio"] = worst
    print(
        f"[{backend}] {stored} stored; fill {result['articles_per_second']} articles/s; "
        f"database {result['database_megabytes']} MB = "
        f"{result['kilobytes_per_1000_articles']} kB per 1,000 articles; warm pass at worst "
        f"{worst}× the first ({'flat' if worst <= 1.2 else 'NOT flat'}: target within 20 %)"
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=500)
    parser.add_argument("--hosts", type=int, default=50)
    parser.add_argument("--articles", type=int, default=200_000)
    parser.add_argument("--step", type=int, default=20, help="new entries per feed per fill pass")
    parser.add_argument("--checkpoints", default="10000,100000,200000")
    parser.add_argument("--backend", choices=("sqlite", "postgresql"))
    args = parser.parse_args()
    checkpoints = sorted(int(c) for c in args.checkpoints.split(",") if c.strip())
    results: dict[str, Any] = {
        "feeds": args.feeds,
        "articles": args.articles,
        "step": args.step,
        "machine": machine(),
    }
    with tempfile.TemporaryDirectory() as tmp:
        for backend in backends(args.backend):
            results[backend] = run_backend(backend, args, Path(tmp), checkpoints)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
