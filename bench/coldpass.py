"""Cold pass against a naive loop (issue 13): the whole pipeline on feeds it has never seen.

    .venv/bin/python bench/coldpass.py [--feeds 500] [--entries 20] [--hosts 50]
        [--backend sqlite|postgresql] [--profile FILE] [--repeat 1]

The loopback sites of ``bench/loopfeeds.py`` serve ``feeds`` feeds of ``entries`` entries on
``hosts`` addresses, every link with a page, one entry in twenty on the theme. Measured in the
same run:

* the naive loop: one ``httpx.Client``, for each feed a GET, ``feedparser.parse`` of the body,
  and a GET of every entry's page, one after another (no storage, no detection);
* the cold pass on a fresh database: the stages of ``rudprk run`` (sources file → harvest →
  analysis → delivery to the outbox folder), on SQLite and, when ``RUDPRK_TEST_DATABASE_URL``
  is set, PostgreSQL.

Targets: cold pass ≤ 1.5× the naive loop on SQLite, ≤ 2× on PostgreSQL. The pass's CPU counts
its parse and detection processes as well as its own threads. ``--profile FILE`` writes a
cProfile of the (first) cold pass and prints the 25 costliest functions; it sees the main
thread only (the worker thread and the forked processes are not in it).
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import platform
import pstats
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import feedparser  # type: ignore[import-untyped]
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.loopfeeds import BASE_TIME, UA, Layout, Sites
from bench.passes import (
    PassTimes,
    backends,
    bench_settings,
    cpu_seconds,
    fresh_database,
    timed_pass,
)


def naive_loop(urls: list[str]) -> tuple[float, float, int, int]:
    """(seconds, CPU seconds, entries, pages) of the plain sequential loop."""
    cpu = cpu_seconds()
    start = time.perf_counter()
    entries = pages = 0
    with httpx.Client(headers={"User-Agent": UA}, timeout=30) as client:
        for url in urls:
            parsed = feedparser.parse(client.get(url).content)
            for entry in parsed.entries:
                entries += 1
                link = entry.get("link")
                if link and client.get(link).status_code == 200:
                    pages += 1
    return time.perf_counter() - start, cpu_seconds() - cpu, entries, pages


def machine() -> dict[str, Any]:
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0.0, 0.0, 0.0)
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_1min_at_start": round(load[0], 2),
    }


def show(label: str, times: PassTimes, naive: float) -> dict[str, Any]:
    ratio = times.total / naive
    print(
        f"{label:<24} {times.total:8.2f} s  (harvest {times.harvest:6.2f}, analysis "
        f"{times.analysis:6.2f}, delivery {times.delivery:5.2f}; CPU {times.cpu:6.2f})  "
        f"{ratio:5.2f}× naive  "
        f"new {times.articles_new}, relevant {times.relevant}, events {times.events_new}, "
        f"alerts {times.alerts_enqueued}, failed {times.failed}",
        flush=True,
    )
    return {
        "seconds": round(times.total, 2),
        "harvest": round(times.harvest, 2),
        "analysis": round(times.analysis, 2),
        "delivery": round(times.delivery, 2),
        "cpu_seconds": round(times.cpu, 2),
        "ratio_to_naive": round(ratio, 2),
        "articles_new": times.articles_new,
        "relevant": times.relevant,
        "events_new": times.events_new,
        "alerts_enqueued": times.alerts_enqueued,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=500)
    parser.add_argument("--entries", type=int, default=20)
    parser.add_argument("--hosts", type=int, default=50)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"))
    parser.add_argument("--profile", type=Path)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument(
        "--no-predetect", action="store_true", help="no detection during the harvest"
    )
    parser.add_argument(
        "--detect-thread",
        action="store_true",
        help="detect during the harvest on a thread of the pass's process (not a forked one)",
    )
    parser.add_argument("--skip-naive", type=float, metavar="SECONDS", help="use this naive time")
    args = parser.parse_args()

    layout = Layout(feeds=args.feeds, hosts=args.hosts, window=args.entries)
    results: dict[str, Any] = {
        "feeds": args.feeds,
        "entries_per_feed": args.entries,
        "hosts": args.hosts,
        "machine": machine(),
    }
    now = BASE_TIME + timedelta(hours=args.entries * layout.entry_minutes / 60 + 1)
    with Sites(layout) as sites, tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        sources = folder / "sources.toml"
        sources.write_text(sites.sources_toml(), encoding="utf-8")
        if args.skip_naive:
            naive = args.skip_naive
        else:
            naive, naive_cpu, entries, pages = naive_loop(sites.urls())
            assert entries == args.feeds * args.entries, entries
            results["naive_cpu_seconds"] = round(naive_cpu, 2)
            print(
                f"{'naive httpx+feedparser':<24} {naive:8.2f} s  (CPU {naive_cpu:.2f} s; "
                f"{entries} entries, {pages} pages)"
            )
        results["naive_seconds"] = round(naive, 2)
        for backend in backends(args.backend):
            runs: list[dict[str, Any]] = []
            for attempt in range(args.repeat):
                with fresh_database(backend, folder, f"cold{attempt}") as url:
                    settings = bench_settings(url, sources, folder / f"data-{backend}-{attempt}")
                    if args.profile and attempt == 0:
                        profiler = cProfile.Profile()
                        times = profiler.runcall(
                            timed_pass,
                            settings,
                            now,
                            predetect=not args.no_predetect,
                            detect_processes=0 if args.detect_thread else None,
                        )
                        path = args.profile.with_suffix(f".{backend}.prof")
                        profiler.dump_stats(path)
                        stats = pstats.Stats(str(path))
                        stats.sort_stats("tottime").print_stats(25)
                        stats.sort_stats("cumulative").print_stats(40)
                    else:
                        times = timed_pass(
                            settings,
                            now,
                            predetect=not args.no_predetect,
                            detect_processes=0 if args.detect_thread else None,
                        )
                    runs.append(show(f"cold pass {backend}", times, naive))
            best = min(runs, key=lambda r: r["seconds"])
            results[backend] = best
    target = {"sqlite": 1.5, "postgresql": 2.0}
    for backend in backends(args.backend):
        ratio = results[backend]["ratio_to_naive"]
        verdict = "meets" if ratio <= target[backend] else "misses"
        print(f"{backend}: {ratio}× the naive loop ({verdict} the target ≤ {target[backend]}×)")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
