"""Feed to inbox (issue 11): from the moment an entry appears on a feed to its alert e-mail.

    .venv/bin/python bench/latency.py [--trials 20] [--interval 10] [--seed 11]

Each trial starts on a fresh SQLite database whose feed (the demo's French outlet, served by a
loopback HTTP server) has already been read once with an off-theme story only, so the trial is
an ordinary later pass, not a first one. A scheduler thread then runs ``rudprk run``'s pass
(:func:`flows.pipeline.run_pass`, SMTP to a loopback aiosmtpd server) every ``interval``
seconds, as ``rudprk serve`` does on its cron schedule; at a random moment in the schedule an
alert-worthy story of ``flows/data/samples`` (published "now") appears on the feed, and the
time until the loopback SMTP server holds its e-mail is recorded.

Latency = time waiting for the next scheduled pass + the pass itself (fetch, page, detection,
outbox, SMTP). Prints each trial, the median and p95, and the same for the pass alone (the time
from the start of the pass that found the story to the e-mail), so the schedule's share shows.
``rudprk serve`` itself needs a Prefect server and a cron schedule of at least a minute; this
bench drives the same pass function on a shorter clock.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.coldpass import machine
from flows.demo import LoopbackSMTP
from flows.loopback import Document, LoopbackServer
from flows.pipeline import run_pass
from flows.samples import SampleFeed, SampleStory, load_samples, render_article, render_rss
from flows.settings import Settings


def documents(
    feed: SampleFeed, stories: list[SampleStory], base: str, now: datetime
) -> dict[str, Document]:
    docs = {
        "/robots.txt": Document(b"User-agent: *\nAllow: /\n", "text/plain"),
        feed.path: Document(render_rss(feed, stories, base, now), "application/rss+xml"),
    }
    for story in stories:
        docs[story.path] = Document(render_article(story, feed, now), "text/html; charset=utf-8")
    return docs


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


class Scheduler:
    """``run_pass`` every ``interval`` seconds on a thread; remembers when each pass began."""

    def __init__(self, settings: Settings, interval: float) -> None:
        self.settings = settings
        self.interval = interval
        self.starts: list[float] = []
        self.errors: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        next_at = time.monotonic()
        while not self._stop.is_set():
            self.starts.append(time.monotonic())
            try:
                summary = run_pass(self.settings, force=True, command="bench latency")
                if summary.stopped is not None:
                    self.errors.append(summary.line())
            except Exception as exc:  # reported with the trial
                self.errors.append(repr(exc))
            next_at += self.interval
            while next_at < time.monotonic():
                next_at += self.interval  # a pass longer than the interval skips a slot
            self._stop.wait(max(0.0, next_at - time.monotonic()))

    def __enter__(self) -> Scheduler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(120)


def trial(
    number: int,
    rng: random.Random,
    args: argparse.Namespace,
    folder: Path,
    feed: SampleFeed,
    quiet: SampleStory,
    story: SampleStory,
) -> dict[str, float] | None:
    with LoopbackServer({}) as server, LoopbackSMTP() as smtp:
        base = server.base_url
        server.set_documents(documents(feed, [quiet], base, datetime.now(UTC)))
        sources = folder / f"sources-{number}.toml"
        sources.write_text(f'[[feeds]]\nname = "{feed.name}"\nurl = "{base}{feed.path}"\n')
        settings = Settings(
            database_url=f"sqlite:///{folder / f'latency-{number}.sqlite3'}",
            sources_path=sources,
            data_dir=folder,
            digest_hour=None,
            smtp_host="127.0.0.1",
            smtp_port=smtp.port,
            alert_to=("analysts@example.org",),
            timeout_seconds=10.0,
        )
        run_pass(settings, force=True, command="bench latency warm-up")
        with Scheduler(replace(settings), args.interval) as scheduler:
            time.sleep(rng.uniform(0.5, args.interval + 0.5))
            published = time.monotonic()
            fresh = replace(story, hours_ago=0.0)
            server.set_documents(documents(feed, [quiet, fresh], base, datetime.now(UTC)))
            deadline = published + args.interval * 3 + 120
            while not smtp.messages and time.monotonic() < deadline:
                time.sleep(0.02)
            received = time.monotonic()
            if not smtp.messages:
                print(f"trial {number}: no e-mail ({'; '.join(scheduler.errors) or 'no error'})")
                return None
            found_by = max(s for s in scheduler.starts if s <= received)
            return {
                "latency": received - published,
                "pass_to_inbox": received - max(found_by, published),
            }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--interval", type=float, default=10.0, help="seconds between passes")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    feeds, stories = load_samples()
    feed = next(f for f in feeds if f.slug == "courrier")
    quiet = next(s for s in stories if s.feed == feed.slug and s.expect == "none")
    alerting = [s for s in stories if s.expect == "alert"]
    results: list[dict[str, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for number in range(args.trials):
            story = alerting[number % len(alerting)]
            outcome = trial(number, rng, args, Path(tmp), feed, quiet, story)
            if outcome is not None:
                results.append(outcome)
                print(
                    f"trial {number:>2} ({story.id}): {outcome['latency']:6.2f} s to the inbox "
                    f"({outcome['pass_to_inbox']:5.2f} s of it in the pass)",
                    flush=True,
                )
    latencies = [r["latency"] for r in results]
    passes = [r["pass_to_inbox"] for r in results]
    summary: dict[str, Any] = {
        "trials": args.trials,
        "delivered": len(results),
        "interval_seconds": args.interval,
        "machine": machine(),
    }
    if results:
        summary.update(
            {
                "latency_p50": round(statistics.median(latencies), 2),
                "latency_p95": round(percentile(latencies, 0.95), 2),
                "pass_p50": round(statistics.median(passes), 2),
                "pass_p95": round(percentile(passes, 0.95), 2),
            }
        )
        print(
            f"feed to inbox over {len(results)} of {args.trials} trials, a pass every "
            f"{args.interval:g} s: p50 {summary['latency_p50']} s, p95 {summary['latency_p95']} "
            f"s; the pass alone: p50 {summary['pass_p50']} s, p95 {summary['pass_p95']} s"
        )
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
