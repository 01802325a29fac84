"""What a pass reports: its summary (one line, or JSON) and its exit code.

Exit codes of ``rudprk run`` (and of the other commands where they apply), documented in README:

====  ========================================================================================
0     the pass completed and every alert due was delivered (single feeds may have failed: they
      are reported)
1     an unexpected internal error (a bug: the traceback is printed)
2     it could not start: bad configuration, database unreachable, migration failed
3     alerts stay undelivered: a permanent refusal waits for an operator, or a delivery failed
      temporarily and waits for its next attempt, or the channel was unreachable or
      misconfigured during the pass
4     every feed checked in this pass failed
5     the database failed during the pass (after one retry); the pass stopped there
6     another pass holds a stage's lock; this pass stopped before that stage
====  ========================================================================================

When several apply, the first of 5, 6, 3, 4 wins.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime
from enum import IntEnum
from typing import Any


class ExitCode(IntEnum):
    OK = 0
    INTERNAL_ERROR = 1
    CANNOT_RUN = 2
    ALERTS_UNDELIVERED = 3
    ALL_FEEDS_FAILED = 4
    DATABASE_ERROR = 5
    LOCKED = 6


STATUS_NAMES = {
    ExitCode.OK: "ok",
    ExitCode.INTERNAL_ERROR: "internal_error",
    ExitCode.CANNOT_RUN: "cannot_run",
    ExitCode.ALERTS_UNDELIVERED: "alerts_undelivered",
    ExitCode.ALL_FEEDS_FAILED: "all_feeds_failed",
    ExitCode.DATABASE_ERROR: "database_error",
    ExitCode.LOCKED: "locked",
}

JSON_KEYS = (
    "timestamp",
    "status",
    "exit_code",
    "feeds",
    "feeds_failed",
    "entries_seen",
    "articles_new",
    "events_new",
    "alerts_sent",
    "alerts_pending",
    "alerts_failed",
    "seconds",
    "error",
    "delivery_error",
    "failed_feeds",
    "undelivered",
)


@dataclass
class PassSummary:
    timestamp: str = ""  # when the pass started, ISO 8601 UTC
    feeds: int = 0
    feeds_failed: int = 0
    entries_seen: int = 0
    articles_new: int = 0
    events_new: int = 0
    alerts_sent: int = 0
    alerts_pending: int = 0  # still to be delivered (retrying, not yet due, being sent)
    alerts_failed: int = 0  # refused for good: waiting for `rudprk alerts resend|discard`
    seconds: float = 0.0
    failed_feeds: list[dict[str, object]] = field(default_factory=list)
    failing_feeds: list[dict[str, object]] = field(default_factory=list)
    delivered: list[str] = field(default_factory=list)
    # Deliveries that failed (permanently or not yet delivered after a failed attempt).
    undelivered: list[dict[str, object]] = field(default_factory=list)
    delivery_error: str | None = None  # the channel was unavailable during this pass
    error: str | None = None  # why the pass stopped early (database, lock)
    stopped: ExitCode | None = None

    @property
    def exit_code(self) -> ExitCode:
        if self.stopped is not None:
            return self.stopped
        if self.undelivered or self.delivery_error:
            return ExitCode.ALERTS_UNDELIVERED
        if self.feeds and self.feeds_failed == self.feeds:
            return ExitCode.ALL_FEEDS_FAILED
        return ExitCode.OK

    @property
    def status(self) -> str:
        return STATUS_NAMES[self.exit_code]

    def stop(self, code: ExitCode, error: str) -> None:
        self.stopped = code
        self.error = error

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["stopped"] = int(self.stopped) if self.stopped is not None else None
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PassSummary:
        values = dict(data)
        stopped = values.pop("stopped", None)
        summary = cls(**values)
        summary.stopped = ExitCode(stopped) if stopped is not None else None
        return summary

    def to_json(self) -> str:
        data = asdict(self)
        data["exit_code"] = int(self.exit_code)
        data["status"] = self.status
        return json.dumps({k: data[k] for k in JSON_KEYS}, ensure_ascii=False, default=str)

    def line(self) -> str:
        text = (
            f"{self.feeds} feeds ({self.feeds_failed} failed), {self.entries_seen} entries seen, "
            f"{self.articles_new} new articles, {self.events_new} new events, "
            f"{self.alerts_sent} alerts sent, {self.alerts_pending} pending"
        )
        if self.alerts_failed:
            text += f", {self.alerts_failed} failed"
        text += f", {self.seconds:.1f}s"
        if self.failed_feeds:
            text += "\n  failed: " + "\n  failed: ".join(
                f"{f['name']} <{f['url']}>: {f['error']}" for f in self.failed_feeds
            )
        if self.failing_feeds:
            names = ", ".join(
                f"{f['name']} ({f['error_count']} in a row)" for f in self.failing_feeds
            )
            text += f"\n  failing for a while: {names}"
        if self.delivery_error:
            text += f"\n  delivery: {self.delivery_error}"
        for item in self.undelivered:
            text += "\n  " + undelivered_line(item)
        if self.error:
            text += f"\n  stopped: {self.error}"
        return text


def undelivered_line(item: dict[str, object]) -> str:
    """``undelivered: alert 7 (email) failed after 1 attempt, waiting for an operator: 550 …``."""
    attempts = item.get("attempts")
    plural = "" if attempts == 1 else "s"
    head = f"undelivered: alert {item.get('alert_id')} ({item.get('channel')})"
    state = item.get("state")
    if state == "failed":
        what = (
            f"refused after {attempts} attempt{plural}, waiting for an operator "
            f"(rudprk alerts resend|discard {item.get('alert_id')})"
        )
    elif state == "sending":
        what = "claimed by a sender that stopped; sent again once its claim expires"
    else:
        what = (
            f"{attempts} failed attempt{plural}, next at {_short_time(item.get('next_attempt_at'))}"
        )
    return f"{head} {what}: {item.get('last_error') or '-'}"


def _short_time(value: object) -> str:
    """``2026-12-03 19:56 UTC`` from an ISO 8601 string (as stored in the summary)."""
    try:
        return datetime.fromisoformat(str(value)).strftime("%Y-%m-%d %H:%M UTC")
    except ValueError:
        return str(value)
