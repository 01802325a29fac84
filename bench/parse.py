"""Parsing cost: parse_feed against feedparser alone on the same bytes, and the guard's cost.

Run: .venv/bin/python bench/parse.py [--entries 500] [--repeat 5]
Prints medians in ms per feed and entries per second; synthetic French/English feeds.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import feedparser

from flows.ingest.encoding import decode_document
from flows.ingest.guard import scan_prolog
from flows.ingest.parse import parse_feed

PARAGRAPH = (
    "Le ministre a déclaré « qu’aucun accord n’était signé » &amp; la délégation est repartie "
    "vers Pyongyang. The officials met again on Tuesday to discuss rail links and flights. "
)


def build_rss(entries: int) -> bytes:
    start = datetime(2025, 1, 1, tzinfo=UTC)
    items = []
    for i in range(entries):
        date = (start + timedelta(minutes=7 * i)).strftime("%a, %d %b %Y %H:%M:%S +0100")
        body = "".join(
            f"&lt;p&gt;{PARAGRAPH * 4} &lt;a href='/n/{i}'&gt;lien&lt;/a&gt;&lt;/p&gt;"
            for _ in range(3)
        )
        items.append(
            f"<item><title>Dépêche n°{i} : l’accord &amp; « la suite »</title>"
            f"<link>https://news.example/a/{i}?utm_source=rss</link>"
            f'<guid isPermaLink="false">id-{i}</guid><pubDate>{date}</pubDate>'
            f"<description>{body}</description></item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Bench</title>'
        "<link>https://news.example/</link><description>d</description>"
        + "".join(items)
        + "</channel></rss>"
    ).encode()


def median_seconds(fn: Callable[[], object], repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t0)
    return statistics.median(runs)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--entries", type=int, default=500)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    content = build_rss(args.entries)
    url = "https://news.example/feed"
    parse_feed(content, url=url)  # warm-up (imports)

    rows: list[tuple[str, Callable[[], object]]] = [
        ("feedparser defaults", lambda: feedparser.parse(content)),
        (
            "feedparser no sanitize/resolve",
            lambda: feedparser.parse(content, sanitize_html=False, resolve_relative_uris=False),
        ),
        ("parse_feed (all steps)", lambda: parse_feed(content, url=url, max_entries=10**6)),
    ]
    print(f"feed: {args.entries} entries, {len(content) / 1e6:.2f} MB")
    # Round-robin so that load from other processes falls on every variant alike.
    times: dict[str, list[float]] = {name: [] for name, _ in rows}
    for _ in range(args.repeat):
        for name, fn in rows:
            t0 = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t0)
    base = statistics.median(times[rows[0][0]])
    for name, _ in rows:
        sec = statistics.median(times[name])
        print(
            f"{name:34s} {sec * 1e3:8.1f} ms  {args.entries / sec:8.0f} entries/s  "
            f"{sec / base:4.2f}x feedparser defaults"
        )
    text = decode_document(content).text
    guard = median_seconds(lambda: [scan_prolog(text) for _ in range(1000)], args.repeat) / 1000
    decode = median_seconds(lambda: [decode_document(content) for _ in range(20)], args.repeat) / 20
    print(f"{'guard (scan_prolog)':34s} {guard * 1e6:8.1f} µs")
    print(f"{'decode_document':34s} {decode * 1e3:8.2f} ms")


if __name__ == "__main__":
    main()
