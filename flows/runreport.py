"""How a pass reads in Prefect: its run name, its outcome, and the markdown artifact it publishes.

Plain functions of a :class:`~flows.health.PassSummary` (no Prefect here), so they are tested
directly; :mod:`flows.monitor` hands their results to Prefect.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from flows.health import ExitCode, PassSummary, undelivered_line

# ``ok``: something was checked and all went well; ``degraded``: it completed, but some feeds
# failed; ``idle``: no feed was due and nothing was sent; ``failed``: the exit code is not 0.
PassOutcome = Literal["ok", "degraded", "idle", "failed"]

# The Prefect state name of each outcome (the state's type is Completed but for ``failed``).
STATE_NAMES: dict[PassOutcome, str] = {
    "ok": "Completed",
    "degraded": "Degraded",
    "idle": "Idle",
    "failed": "Failed",
}


def pass_outcome(summary: PassSummary) -> PassOutcome:
    if summary.exit_code is not ExitCode.OK:
        return "failed"
    if summary.feeds_failed:
        return "degraded"
    if not summary.feeds and not summary.alerts_sent and not summary.events_new:
        return "idle"
    return "ok"


def pass_run_name(scheduled: datetime, *, force: bool = False, flow: str = "monitor") -> str:
    """``monitor 2026-12-04 02:15 UTC`` (``forced`` when every feed is checked)."""
    moment = scheduled.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"{flow} {moment}" + (" forced" if force else "")


def _cell(value: object) -> str:
    """A markdown table cell: one line, pipes escaped."""
    return " ".join(str(value).split()).replace("|", "\\|")


def pass_markdown(summary: PassSummary, *, title: str = "Monitor pass") -> str:
    """The run's artifact: counts, failing feeds with their reasons, alerts sent and pending."""
    outcome = pass_outcome(summary)
    started = summary.timestamp or "-"
    lines = [
        f"# {title}: {STATE_NAMES[outcome].lower()}",
        "",
        f"Started {started}, {summary.seconds:.1f} s, exit code {int(summary.exit_code)} "
        f"({summary.status}).",
        "",
        "| | |",
        "|---|---:|",
        f"| Feeds checked | {summary.feeds} |",
        f"| Feeds failed | {summary.feeds_failed} |",
        f"| Entries seen | {summary.entries_seen} |",
        f"| New articles | {summary.articles_new} |",
        f"| New events | {summary.events_new} |",
        f"| Alerts sent | {summary.alerts_sent} |",
        f"| Alerts pending | {summary.alerts_pending} |",
        f"| Alerts refused | {summary.alerts_failed} |",
    ]
    if summary.error:
        lines += ["", f"**Stopped:** {_cell(summary.error)}"]
    if summary.delivery_error:
        lines += ["", f"**Delivery:** {_cell(summary.delivery_error)}"]
    if summary.failed_feeds:
        lines += ["", "## Feeds that failed", "", "| Feed | URL | Errors in a row | Reason |"]
        lines.append("|---|---|---:|---|")
        for feed in summary.failed_feeds:
            lines.append(
                f"| {_cell(feed['name'])} | {_cell(feed['url'])} | "
                f"{_cell(feed.get('error_count', '-'))} | {_cell(feed.get('error') or '-')} |"
            )
    if summary.failing_feeds:
        lines += ["", "## Failing for a while", ""]
        lines += [
            f"- {_cell(f['name'])} ({f['error_count']} in a row): {_cell(f.get('error') or '-')}"
            for f in summary.failing_feeds
        ]
    if summary.delivered:
        lines += ["", "## Alerts sent", ""]
        lines += [f"- {_cell(subject)}" for subject in summary.delivered]
    if summary.undelivered:
        lines += ["", "## Undelivered", ""]
        lines += [f"- {_cell(undelivered_line(item))}" for item in summary.undelivered]
    return "\n".join(lines) + "\n"
