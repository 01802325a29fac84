"""Ingestion benchmark: 500 feeds × 50 entries on 50 loopback addresses, cold and warm passes.

    .venv/bin/python bench/ingest.py [--feeds 500] [--entries 50] [--hosts 50] [--skip-naive]

A feed server runs in a child process (asyncio, HTTP/1.1 keep-alive, ETag/304) and listens on
127.0.0.2 … 127.0.0.(hosts+1) (Linux routes the whole 127/8 to loopback). ``/d50/…`` paths answer
after 50 ms. The client process measures, on a fresh SQLite database each time:

* the raw fetch throughput of the shared httpx client at several concurrency levels (the
  figures behind the default limits);
* feedparser's own parse time for the same bytes (the reference for the cold pass);
* the cold pass (every entry new) and warm pass (every feed answers 304) of ``harvest``;
* the naive way: ``feedparser.parse(url)`` for one feed after another;
* the same passes with 50 ms server latency.

Peak memory is the maximum RSS of the client process, and of its parse process, after the
harvest passes (before the naive runs). Prints one line per measurement and a JSON summary at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import multiprocessing
import os
import resource
import socket
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import feedparser

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flows.ingest.fetch import FetchResult, HostGate, build_client, fetch_once
from flows.ingest.harvest import HarvestConfig, HarvestReport, harvest
from storage.engine import create_db_engine, create_session_factory
from storage.feeds import FeedSource, sync_feeds
from storage.migrate import upgrade_database

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
UA = "rudprk-watch/bench (+loopback)"
WORDS = [
    "accord",
    "coopération",
    "frontière",
    "délégation",
    "ministre",
    "sommet",
    "transport",
    "fret",
    "pont",
    "rail",
    "port",
    "économie",
    "sanctions",
    "énergie",
    "pêche",
    "visite",
    "contingent",
    "officiels",
    "déclaration",
    "agence",
    "presse",
]


def feed_body(n: int, entries: int) -> bytes:
    """A deterministic RSS 2.0 feed: distinct GUIDs, links, titles and summaries."""
    items = []
    for i in range(entries):
        words = " ".join(WORDS[(n * 7 + i * 3 + k) % len(WORDS)] for k in range(45))
        date = format_datetime(NOW - timedelta(minutes=n + i * 13))
        items.append(
            f"<item><title>Dépêche {n}-{i} : {WORDS[(n + i) % len(WORDS)]} et "
            f"{WORDS[(n * 3 + i) % len(WORDS)]}</title>"
            f"<link>https://news{n % 50}.example/{n}/article-{i}.html</link>"
            f"<guid isPermaLink='false'>urn:bench:{n}:{i}</guid><pubDate>{date}</pubDate>"
            f"<description>&lt;p&gt;Feed {n}, item {i}. {words} « fin » &amp;amp; "
            f"suite.&lt;/p&gt;</description></item>"
        )
    return (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel>"
        f"<title>Bench feed {n}</title><link>https://news{n % 50}.example/</link>"
        f"<description>Synthetic feed {n}</description><language>fr</language>"
        + "".join(items)
        + "</channel></rss>"
    ).encode("utf-8")


# --------------------------------------------------------------------------- server process


class FeedProtocol(asyncio.Protocol):
    def __init__(self, feeds: list[bytes]) -> None:
        self.feeds = feeds
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while b"\r\n\r\n" in self.buffer:
            head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
            asyncio.get_running_loop().create_task(self.answer(head))

    async def answer(self, head: bytes) -> None:
        lines = head.decode("latin-1").split("\r\n")
        path = lines[0].split(" ")[1]
        headers = {}
        for line in lines[1:]:
            key, _, value = line.partition(":")
            headers[key.strip().lower()] = value.strip()
        if path.startswith("/d50/"):
            await asyncio.sleep(0.05)
            path = path[4:]
        status, body, extra = "404 Not Found", b"not found", ""
        if path.startswith("/feed/") and path.endswith(".xml"):
            n = int(path[6:-4])
            etag = f'"f{n}-v1"'
            if headers.get("if-none-match") == etag:
                status, body, extra = "304 Not Modified", b"", f"ETag: {etag}\r\n"
            else:
                status, body = "200 OK", self.feeds[n]
                extra = f"ETag: {etag}\r\nContent-Type: application/rss+xml; charset=utf-8\r\n"
        response = (f"HTTP/1.1 {status}\r\nContent-Length: {len(body)}\r\n{extra}\r\n").encode(
            "latin-1"
        ) + body
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(response)


def serve(port: int, hosts: list[str], feeds: list[bytes], ready: Any) -> None:
    async def main() -> None:
        loop = asyncio.get_running_loop()
        servers = [
            await loop.create_server(lambda: FeedProtocol(feeds), host, port, backlog=1024)
            for host in hosts
        ]
        ready.set()
        await asyncio.gather(*(s.serve_forever() for s in servers))

    asyncio.run(main())


def free_port(host: str) -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


# --------------------------------------------------------------------------- client side


def feed_urls(port: int, count: int, hosts: int, prefix: str = "") -> list[str]:
    return [f"http://127.0.0.{2 + n % hosts}:{port}{prefix}/feed/{n}.xml" for n in range(count)]


def fresh_database(urls: list[str], folder: Path, name: str) -> Any:
    engine = create_db_engine(f"sqlite:///{folder / name}.sqlite3")
    upgrade_database(engine)
    factory = create_session_factory(engine)
    with factory.begin() as session:
        sync_feeds(session, [FeedSource(name=f"feed {i}", url=u) for i, u in enumerate(urls)], NOW)
    return factory


def timed_harvest(
    factory: Any, now: datetime, config: HarvestConfig
) -> tuple[float, HarvestReport]:
    gc.collect()
    start = time.perf_counter()
    report = asyncio.run(harvest(factory, now=now, config=config))
    return time.perf_counter() - start, report


def fetch_sweep(urls: list[str], concurrency: int, conditional: bool) -> float:
    """Raw client throughput (feeds/s): only fetches, no parsing or storage."""

    async def main() -> float:
        gate = HostGate(global_limit=concurrency, per_host_limit=concurrency, per_host_delay=0)
        async with build_client(UA, max_connections=concurrency) as client:

            async def one(url: str) -> FetchResult:
                n = url.rsplit("/", 1)[1][:-4]
                async with gate.slot(url):
                    return await fetch_once(client, url, etag=f'"f{n}-v1"' if conditional else None)

            await asyncio.gather(*(one(u) for u in urls[:50]))  # warm the pool
            start = time.perf_counter()
            results = await asyncio.gather(*(one(u) for u in urls))
            elapsed = time.perf_counter() - start
        assert all(r.status == (304 if conditional else 200) for r in results)
        return len(urls) / elapsed

    return asyncio.run(main())


def reference_parse(feeds: list[bytes]) -> float:
    """feedparser's own parse time for the bytes the server sends."""
    gc.collect()
    start = time.perf_counter()
    parsed = sum(len(feedparser.parse(body).entries) for body in feeds)
    elapsed = time.perf_counter() - start
    assert parsed > 0
    return elapsed


def naive(urls: list[str]) -> tuple[float, int]:
    start = time.perf_counter()
    entries = 0
    for url in urls:
        entries += len(feedparser.parse(url, agent=UA).entries)
    return time.perf_counter() - start, entries


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def line(label: str, seconds: float, feeds: int, entries: int) -> dict[str, float]:
    figures = {
        "seconds": round(seconds, 2),
        "feeds_per_s": round(feeds / seconds, 1),
        "entries_per_s": round(entries / seconds, 1),
    }
    print(
        f"{label:<38} {seconds:7.2f} s  {figures['feeds_per_s']:8.1f} feeds/s  "
        f"{figures['entries_per_s']:9.1f} entries/s",
        flush=True,
    )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=500)
    parser.add_argument("--entries", type=int, default=50)
    parser.add_argument("--hosts", type=int, default=50)
    parser.add_argument("--skip-naive", action="store_true")
    args = parser.parse_args()

    print(f"building {args.feeds} feeds × {args.entries} entries …", flush=True)
    feeds = [feed_body(n, args.entries) for n in range(args.feeds)]
    total_bytes = sum(len(f) for f in feeds)
    hosts = [f"127.0.0.{2 + i}" for i in range(args.hosts)]
    port = free_port(hosts[0])
    ready = multiprocessing.Event()
    server = multiprocessing.Process(target=serve, args=(port, hosts, feeds, ready), daemon=True)
    server.start()
    if not ready.wait(30):
        raise SystemExit("feed server did not start")
    results: dict[str, Any] = {
        "feeds": args.feeds,
        "entries_per_feed": args.entries,
        "hosts": args.hosts,
        "megabytes": round(total_bytes / 1e6, 1),
        "cpu_count": os.cpu_count(),
    }
    entries_total = args.feeds * args.entries
    urls = feed_urls(port, args.feeds, args.hosts)
    slow_urls = feed_urls(port, args.feeds, args.hosts, prefix="/d50")
    config = HarvestConfig(user_agent=UA, fetch_articles=False, max_entries_per_feed=args.entries)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            print("-- fetch only (shared httpx client, no parsing):", flush=True)
            sweep: dict[str, dict[str, float]] = {}
            for conc in (1, 10, 50):
                full = fetch_sweep(urls, conc, conditional=False)
                cond = fetch_sweep(urls, conc, conditional=True)
                sweep[str(conc)] = {"200": round(full, 1), "304": round(cond, 1)}
                print(
                    f"concurrency {conc:>3}: {full:7.1f} feeds/s (200)  {cond:7.1f} feeds/s (304)"
                )
            results["fetch_sweep"] = sweep

            print(
                "-- harvest passes (SQLite, defaults: 10 global, 2 per host, 0.2 s delay, 1 parse process):"
            )
            reference = reference_parse(feeds)
            cold_runs = []
            for attempt in range(2):
                factory = fresh_database(urls, folder, f"cold{attempt}")
                seconds, report = timed_harvest(factory, NOW, config)
                assert len(report.new_article_ids) == entries_total, len(report.new_article_ids)
                cold_runs.append(seconds)
            results["cold"] = line(
                "cold pass (all new), best of 2", min(cold_runs), args.feeds, entries_total
            )
            seconds, report = timed_harvest(factory, NOW + timedelta(days=1), config)
            assert {f.status for f in report.feeds} == {"not_modified"}
            results["warm"] = line("warm pass (all 304)", seconds, args.feeds, entries_total)

            factory = fresh_database(slow_urls, folder, "cold50")
            seconds, report = timed_harvest(factory, NOW, config)
            assert len(report.new_article_ids) == entries_total
            results["cold_50ms"] = line(
                "cold pass, 50 ms latency", seconds, args.feeds, entries_total
            )
            seconds, report = timed_harvest(factory, NOW + timedelta(days=1), config)
            assert {f.status for f in report.feeds} == {"not_modified"}
            results["warm_50ms"] = line(
                "warm pass, 50 ms latency", seconds, args.feeds, entries_total
            )
            results["peak_rss_mb"] = round(peak_rss_mb(), 1)
            results["peak_rss_parse_process_mb"] = round(
                resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1
            )
            print(
                f"peak memory (max RSS): {results['peak_rss_mb']} MB in this process, "
                f"{results['peak_rss_parse_process_mb']} MB in the parse process"
            )

            factory = fresh_database(urls, folder, "inprocess")
            seconds, report = timed_harvest(factory, NOW, replace(config, parse_processes=0))
            assert len(report.new_article_ids) == entries_total
            results["cold_parse_in_process"] = line(
                "cold pass, parse_processes=0", seconds, args.feeds, entries_total
            )

            reference = min(reference, reference_parse(feeds))
            results["feedparser_parse"] = line(
                "feedparser.parse(bytes), best of 2", reference, args.feeds, entries_total
            )
            results["cold_over_feedparser"] = round(results["cold"]["seconds"] / reference, 2)
            print(f"cold pass / feedparser parse time: {results['cold_over_feedparser']}×")

            if not args.skip_naive:
                seconds, count = naive(urls)
                assert count == entries_total
                results["naive"] = line(
                    "naive feedparser.parse(url) loop", seconds, args.feeds, count
                )
                seconds, count = naive(slow_urls)
                results["naive_50ms"] = line(
                    "naive loop, 50 ms latency", seconds, args.feeds, count
                )
                for kind in ("cold", "warm"):
                    results[f"speedup_{kind}_50ms"] = round(
                        results["naive_50ms"]["seconds"] / results[f"{kind}_50ms"]["seconds"], 1
                    )
                    results[f"speedup_{kind}"] = round(
                        results["naive"]["seconds"] / results[kind]["seconds"], 1
                    )
                print(
                    f"speed-up over naive at 50 ms: cold {results['speedup_cold_50ms']}×, "
                    f"warm {results['speedup_warm_50ms']}×; at 0 ms: cold "
                    f"{results['speedup_cold']}×, warm {results['speedup_warm']}×"
                )
    finally:
        server.terminate()
        server.join(5)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
