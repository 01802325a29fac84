"""Feed to inbox (issue 11): from the moment an entry appears on a feed to its alert e-mail,
through ``rudprk serve`` and, as the baseline in the same run, through a plain loop.

    .venv/bin/python bench/latency.py [--trials 20] [--interval 15] [--feed-interval 10]
                                      [--poll 5] [--seed 11] [--only serve|loop]

Each trial starts on a fresh SQLite database whose feed (the demo's French outlet, served by a
loopback HTTP server, its ``interval`` in the sources file ``--feed-interval``, shorter than the
schedule's so that every run finds it due) has already
been read once with an off-theme story only, so the trial is an ordinary later pass, not a first
one. Then, at a random moment, an alert-worthy story of ``flows/data/samples`` (published "now")
appears on the feed, and the time until a loopback SMTP server (aiosmtpd) holds its e-mail is
recorded.

* **serve**: the bench starts one local Prefect server for the whole run; each trial starts
  ``python -m flows serve --interval N`` as a child process pointed at it (``PREFECT_API_URL``,
  ``RUDPRK_*`` variables, ``PREFECT_RUNNER_POLL_FREQUENCY`` = ``--poll``), waits for a served run
  to have read the feed, then publishes. Latency = Prefect's schedule and the runner's poll, the
  flow-run process starting, the feed's own interval, and the pass itself.
* **loop** (baseline): a thread in the bench's process calls the same pass function
  (:func:`flows.pipeline.run_pass`, every feed forced) every ``interval`` seconds — no Prefect,
  no process start, no feed schedule.

Both print each trial, the median and p95, the share from the fetch that found the story to the
e-mail, and the ratio serve / loop.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.coldpass import machine
from flows.demo import LoopbackSMTP, free_port
from flows.loopback import Document, LoopbackServer
from flows.pipeline import run_pass
from flows.samples import SampleFeed, SampleStory, load_samples, render_article, render_rss
from flows.serve import LocalPrefectServer
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


def prepared(
    number: int,
    folder: Path,
    server: LoopbackServer,
    smtp: LoopbackSMTP,
    feed: SampleFeed,
    quiet: SampleStory,
    feed_interval: int,
) -> Settings:
    """A fresh database that has read the feed once (the off-theme story only)."""
    base = server.base_url
    server.set_documents(documents(feed, [quiet], base, datetime.now(UTC)))
    folder.mkdir(parents=True, exist_ok=True)
    sources = folder / "sources.toml"
    sources.write_text(
        f'[[feeds]]\nname = "{feed.name}"\nurl = "{base}{feed.path}"\ninterval = {feed_interval}\n'
    )
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
    return settings


def publish(
    server: LoopbackServer, feed: SampleFeed, quiet: SampleStory, story: SampleStory
) -> float:
    """Put ``story`` on the feed, published now, beside the off-theme one; the moment it was."""
    published = time.monotonic()
    fresh = replace(story, hours_ago=0.0)
    server.set_documents(documents(feed, [quiet, fresh], server.base_url, datetime.now(UTC)))
    return published


def wait_for_inbox(
    server: LoopbackServer,
    smtp: LoopbackSMTP,
    feed: SampleFeed,
    published: float,
    deadline: float,
    alive: Callable[[], str | None],
) -> tuple[float, float] | str:
    """(received, first feed fetch after ``published``), or why nothing came."""
    seen = server.hits.count(feed.path)
    fetched: float | None = None
    while not smtp.messages:
        now = time.monotonic()
        if now > deadline:
            return "no e-mail before the deadline"
        problem = alive()
        if problem is not None:
            return problem
        count = server.hits.count(feed.path)
        if fetched is None and count > seen:
            fetched = now
        time.sleep(0.02)
    received = time.monotonic()
    return received, fetched if fetched is not None else received


def loop_trial(
    number: int,
    rng: random.Random,
    args: argparse.Namespace,
    folder: Path,
    feed: SampleFeed,
    quiet: SampleStory,
    story: SampleStory,
) -> dict[str, float] | str:
    with LoopbackServer({}) as server, LoopbackSMTP() as smtp:
        settings = prepared(number, folder, server, smtp, feed, quiet, args.feed_interval)
        with Scheduler(replace(settings), args.interval) as scheduler:
            time.sleep(rng.uniform(0.5, args.interval + 0.5))
            published = publish(server, feed, quiet, story)
            outcome = wait_for_inbox(
                server, smtp, feed, published, published + args.interval * 3 + 120, lambda: None
            )
            if isinstance(outcome, str):
                return f"{outcome} ({'; '.join(scheduler.errors) or 'no pass error'})"
            received, _ = outcome
            found_by = max(s for s in scheduler.starts if s <= received)
            return {
                "latency": received - published,
                "fetch_to_inbox": received - max(found_by, published),
            }


def serve_environment(settings: Settings, api_url: str, args: argparse.Namespace) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RUDPRK_", "PREFECT_"))}
    env.update(
        {
            "PREFECT_API_URL": api_url,
            "PREFECT_RUNNER_POLL_FREQUENCY": str(args.poll),
            "DO_NOT_TRACK": "1",
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "RUDPRK_DATABASE_URL": settings.database_url,
            "RUDPRK_SOURCES": str(settings.sources_path),
            "RUDPRK_DATA_DIR": str(settings.data_dir),
            "RUDPRK_DIGEST_HOUR": "off",
            "RUDPRK_SMTP_HOST": "127.0.0.1",
            "RUDPRK_SMTP_PORT": str(settings.smtp_port),
            "RUDPRK_ALERT_TO": "analysts@example.org",
            "RUDPRK_TIMEOUT_SECONDS": "10",
        }
    )
    return env


def stop_serve(proc: subprocess.Popen[bytes]) -> None:
    """Ctrl-C to ``rudprk serve`` and the flow run it may have started (its process group)."""
    os.killpg(proc.pid, signal.SIGINT)
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def settle_runs(api_url: str) -> int:
    """Mark ``Crashed`` the flow runs a stopped ``serve`` left ``Running`` or ``Pending``.

    A run interrupted with its serve process is never reported finished, so the server keeps
    the deployment's concurrency slot (limit 1, cancel-new) until its lease expires, minutes
    later, and cancels every run of the next trial meanwhile. Returns how many were settled."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        FlowRunFilter,
        FlowRunFilterState,
        FlowRunFilterStateType,
    )
    from prefect.client.schemas.objects import StateType
    from prefect.settings import PREFECT_API_URL, temporary_settings
    from prefect.states import Crashed

    live = FlowRunFilterStateType(any_=[StateType.RUNNING, StateType.PENDING])
    with (
        temporary_settings(updates={PREFECT_API_URL: api_url}),
        get_client(sync_client=True) as client,
    ):
        runs = client.read_flow_runs(
            flow_run_filter=FlowRunFilter(state=FlowRunFilterState(type=live))
        )
        for run in runs:
            client.set_flow_run_state(run.id, Crashed(message="serve stopped by the bench"))
    return len(runs)


def serve_trial(
    number: int,
    rng: random.Random,
    args: argparse.Namespace,
    folder: Path,
    feed: SampleFeed,
    quiet: SampleStory,
    story: SampleStory,
    api_url: str,
) -> dict[str, float] | str:
    with LoopbackServer({}) as server, LoopbackSMTP() as smtp:
        settings = prepared(number, folder, server, smtp, feed, quiet, args.feed_interval)
        log_path = folder / "serve.log"
        with log_path.open("w") as log:
            proc = subprocess.Popen(
                [sys.executable, "-m", "flows", "serve", "--interval", f"{args.interval:g}"],
                env=serve_environment(settings, api_url, args),
                cwd=folder,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

            def alive() -> str | None:
                if proc.poll() is not None:
                    return f"serve exited {proc.returncode}: {log_path.read_text()[-400:]!r}"
                return None

            try:
                # Ready when a served run has read the feed and finished.
                primed = server.hits.count(feed.path)
                ready_by = time.monotonic() + 240
                while not (
                    server.hits.count(feed.path) > primed
                    and "Finished in state Completed" in log_path.read_text()
                ):
                    if time.monotonic() > ready_by or alive() is not None:
                        return alive() or "no served run read the feed within 240 s"
                    time.sleep(0.1)
                time.sleep(rng.uniform(0.0, args.interval))
                published = publish(server, feed, quiet, story)
                outcome = wait_for_inbox(
                    server, smtp, feed, published, published + args.interval * 4 + 120, alive
                )
                if isinstance(outcome, str):
                    return outcome
                received, fetched = outcome
                return {"latency": received - published, "fetch_to_inbox": received - fetched}
            finally:
                stop_serve(proc)
                settled = settle_runs(api_url)
                if settled:
                    print(f"serve trial {number:>2}: {settled} interrupted run(s) settled")


def figures(results: list[dict[str, float]]) -> dict[str, float]:
    latencies = [r["latency"] for r in results]
    fetches = [r["fetch_to_inbox"] for r in results]
    return {
        "latency_p50": round(statistics.median(latencies), 2),
        "latency_p95": round(percentile(latencies, 0.95), 2),
        "fetch_to_inbox_p50": round(statistics.median(fetches), 2),
        "fetch_to_inbox_p95": round(percentile(fetches, 0.95), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--interval", type=float, default=15.0, help="seconds between runs")
    parser.add_argument(
        "--feed-interval", type=int, default=10, help="the feed's own interval (sources file)"
    )
    parser.add_argument("--poll", type=int, default=5, help="PREFECT_RUNNER_POLL_FREQUENCY")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--only", choices=("serve", "loop"), default=None)
    args = parser.parse_args()
    if args.interval < 5:
        parser.error("--interval must be at least 5 seconds (rudprk serve's minimum)")
    if args.feed_interval < 10:
        parser.error("--feed-interval must be at least 10 seconds (the sources file's minimum)")
    rng = random.Random(args.seed)
    feeds, stories = load_samples()
    feed = next(f for f in feeds if f.slug == "courrier")
    quiet = next(s for s in stories if s.feed == feed.slug and s.expect == "none")
    alerting = [s for s in stories if s.expect == "alert"]
    modes = [args.only] if args.only else ["serve", "loop"]
    results: dict[str, list[dict[str, float]]] = {mode: [] for mode in modes}
    failures: dict[str, list[str]] = {mode: [] for mode in modes}
    with tempfile.TemporaryDirectory() as tmp:
        prefect: LocalPrefectServer | None = None
        if "serve" in modes:
            prefect = LocalPrefectServer(Path(tmp) / "prefect", free_port())
            started = time.monotonic()
            prefect.start()
            print(f"local Prefect server ready in {time.monotonic() - started:.1f} s", flush=True)
        try:
            for number in range(args.trials):
                story = alerting[number % len(alerting)]
                for mode in modes:
                    folder = Path(tmp) / f"{mode}-{number}"
                    if mode == "serve":
                        assert prefect is not None
                        outcome = serve_trial(
                            number, rng, args, folder, feed, quiet, story, prefect.api_url
                        )
                    else:
                        outcome = loop_trial(number, rng, args, folder, feed, quiet, story)
                    if isinstance(outcome, str):
                        failures[mode].append(outcome)
                        print(f"{mode} trial {number:>2}: {outcome}", flush=True)
                        continue
                    results[mode].append(outcome)
                    print(
                        f"{mode:<5} trial {number:>2} ({story.id}): {outcome['latency']:6.2f} s "
                        f"to the inbox ({outcome['fetch_to_inbox']:5.2f} s from the fetch)",
                        flush=True,
                    )
        finally:
            if prefect is not None:
                prefect.stop()
    summary: dict[str, Any] = {
        "trials": args.trials,
        "interval_seconds": args.interval,
        "feed_interval_seconds": args.feed_interval,
        "poll_seconds": args.poll,
        "machine": machine(),
    }
    for mode in modes:
        summary[mode] = {"delivered": len(results[mode]), "failures": failures[mode]}
        if results[mode]:
            summary[mode].update(figures(results[mode]))
            got = summary[mode]
            print(
                f"{mode:<5}: {len(results[mode])} of {args.trials} delivered, a run every "
                f"{args.interval:g} s: p50 {got['latency_p50']} s, p95 {got['latency_p95']} s; "
                f"fetch to inbox p50 {got['fetch_to_inbox_p50']} s, "
                f"p95 {got['fetch_to_inbox_p95']} s"
            )
    if all(results.get(mode) for mode in ("serve", "loop")):
        for key in ("latency_p50", "latency_p95"):
            ratio = summary["serve"][key] / summary["loop"][key]
            summary[f"ratio_{key}"] = round(ratio, 2)
        print(
            f"serve / loop: p50 {summary['ratio_latency_p50']}×, "
            f"p95 {summary['ratio_latency_p95']}×"
        )
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
